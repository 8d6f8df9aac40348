/* The documented generator (splitmix64 seeding xoshiro256**, Box-Muller) and
 * the starting points built from it. */
#include <math.h>
#include <string.h>

#include "dufm/optim.h"

static uint64_t splitmix64(uint64_t *state) {
  uint64_t z = (*state += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

static uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

void dufm_rng_seed(dufm_rng *r, uint64_t seed) {
  /* splitmix64 never yields four zero words, so the state is valid for every seed. */
  uint64_t sm = seed;
  for (int i = 0; i < 4; i++)
    r->s[i] = splitmix64(&sm);
  r->spare = 0.0;
  r->has_spare = 0;
}

uint64_t dufm_rng_next(dufm_rng *r) {
  uint64_t *s = r->s;
  const uint64_t result = rotl(s[1] * 5, 7) * 9, t = s[1] << 17;
  s[2] ^= s[0];
  s[3] ^= s[1];
  s[1] ^= s[2];
  s[0] ^= s[3];
  s[2] ^= t;
  s[3] = rotl(s[3], 45);
  return result;
}

double dufm_rng_uniform(dufm_rng *r) {
  for (;;) {
    double u = (double)(dufm_rng_next(r) >> 11) * 0x1.0p-53;
    if (u > 0.0) /* log(0) would give an infinite Gaussian */
      return u;
  }
}

double dufm_rng_gaussian(dufm_rng *r) {
  if (r->has_spare) {
    r->has_spare = 0;
    return r->spare;
  }
  const double two_pi = 6.283185307179586476925286766559;
  double u1 = dufm_rng_uniform(r), u2 = dufm_rng_uniform(r);
  double rad = sqrt(-2.0 * log(u1));
  r->spare = rad * sin(two_pi * u2);
  r->has_spare = 1;
  return rad * cos(two_pi * u2);
}

/* Adds scale * N(0, 1) to every entry, in the documented order. */
static void add_noise(dufm_config *c, double scale, uint64_t seed) {
  dufm_rng r;
  dufm_rng_seed(&r, seed);
  for (int l = -1; l < c->L; l++) {
    dufm_mat *m = l < 0 ? &c->H1 : &c->W[l];
    size_t count = (size_t)m->rows * (size_t)m->cols;
    for (size_t i = 0; i < count; i++)
      m->data[i] += scale * dufm_rng_gaussian(&r);
  }
}

dufm_status dufm_optim_init_gaussian(dufm_config *out, int L, const int *d, int cols, double std,
                                     uint64_t seed, dufm_err *err) {
  memset(out, 0, sizeof *out);
  if (!(std >= 0.0) || !isfinite(std))
    return dufm_err_set(err, DUFM_EINVAL, "init std %g: must be finite and >= 0", std);
  dufm_status st = dufm_config_init(out, L, d, cols, err);
  if (st != DUFM_OK)
    return st;
  add_noise(out, std, seed);
  return DUFM_OK;
}

/* Copies the rows x cols matrix src into the top-left corner of dst. */
static void embed(dufm_mat *dst, const dufm_mat *src) {
  for (int i = 0; i < src->rows; i++)
    memcpy(&DUFM_MAT_AT(dst, i, 0), &DUFM_MAT_AT(src, i, 0), (size_t)src->cols * sizeof(double));
}

dufm_status dufm_optim_init_embed(dufm_config *out, const dufm_config *src, const int *d,
                                  double eps, uint64_t seed, dufm_err *err) {
  memset(out, 0, sizeof *out);
  if (!(eps >= 0.0) || !isfinite(eps))
    return dufm_err_set(err, DUFM_EINVAL, "perturbation %g: must be finite and >= 0", eps);
  const int L = src->L;
  if (src->d == NULL || src->W == NULL || L < 1 || src->H1.data == NULL ||
      src->H1.rows != src->d[0] || src->H1.cols != src->cols)
    return dufm_err_set(err, DUFM_EINVAL, "starting configuration is empty or inconsistent");
  for (int l = 0; l < L; l++)
    if (src->W[l].data == NULL || src->W[l].rows != src->d[l + 1] || src->W[l].cols != src->d[l])
      return dufm_err_set(err, DUFM_EINVAL, "starting configuration: W%d is not %d x %d", l + 1,
                          src->d[l + 1], src->d[l]);
  if (src->d[L] != d[L])
    return dufm_err_set(err, DUFM_EINVAL,
                        "starting configuration has K = %d classes, the target K = %d", src->d[L],
                        d[L]);
  for (int l = 0; l < L; l++)
    if (src->d[l] > d[l])
      return dufm_err_set(err, DUFM_EINVAL,
                          "starting configuration has width d_%d = %d, more than the target %d",
                          l + 1, src->d[l], d[l]);
  dufm_status st = dufm_config_init(out, L, d, src->cols, err);
  if (st != DUFM_OK)
    return st;
  embed(&out->H1, &src->H1);
  for (int l = 0; l < L; l++)
    embed(&out->W[l], &src->W[l]);
  if (eps > 0.0)
    add_noise(out, eps, seed);
  return DUFM_OK;
}
