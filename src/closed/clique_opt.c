/* dufm_clique_optimize: the weight problem of theory section 5 with an exact
 * certificate (proofs/clique.md). The double solver (clique_simplex.c) works in
 * the mass variables x_i = z_i C(r, k_i) / sum, where the problem reads
 * min sum_j m_j / (sum_i x_i v_ij) over the simplex with v_ij = mu_j(k_i) /
 * C(r, k_i); its answer is rounded to small rationals and everything reported is
 * evaluated exactly from them. */
#include <math.h>
#include <stdlib.h>

#include "closed/clique_internal.h"
#include "dufm/clique.h"
#include "dufm/rational.h"

#define ROUND_RTOL 1e-13 /* the product is flat to first order, so this is plenty */
#define DROP_BELOW 1e-15 /* masses below this (relative to the largest) become 0 */

/* out = the first convergent p/q of the continued fraction of x in (0, 1] with
 * relative error below ROUND_RTOL (p, q < 2^53, so both are exact doubles). */
static void round_rational(mpq_t out, double x) {
  double h1 = 1, h2 = 0, k1 = 0, k2 = 1, y = x;
  for (int it = 0; it < 64; it++) {
    double a = floor(y), h = a * h1 + h2, k = a * k1 + k2;
    if (k > 0x1p52)
      break;
    h2 = h1;
    h1 = h;
    k2 = k1;
    k1 = k;
    if (fabs(x - h / k) <= ROUND_RTOL * x || y - a <= 0.0)
      break;
    y = 1.0 / (y - a);
  }
  mpz_set_d(mpq_numref(out), h1);
  mpz_set_d(mpq_denref(out), k1);
  mpq_canonicalize(out);
}

/* Exact product (r/4) s S1 and bound (r/4) S1^2 / max_i (1/c_i) sum_j m_j mu_ij /
 * mu_j^2 at the weights z, with s = sum z_i c_i, mu_j = sum z_i mu_ij and
 * S1 = sum_j m_j / mu_j: the Frank-Wolfe bound at the best point of the ray
 * through z (proofs/clique.md). */
static dufm_status certify(dufm_clique_opt *out, const mpq_t *z, const mpz_t *c, const mpz_t *mu,
                           int r, int m, dufm_err *err) {
  long mult[3];
  dufm_i_clique_mult(mult, r);
  mpq_t s, muj[3], a[3], s1, term, best, mi, val;
  mpq_inits(s, muj[0], muj[1], muj[2], a[0], a[1], a[2], s1, term, best, mi, val, NULL);
  dufm_status st = DUFM_OK;
  for (int i = 0; i < m; i++) {
    mpq_set_z(term, c[i]);
    mpq_mul(term, term, z[i]);
    mpq_add(s, s, term);
    for (int j = 0; j < 3; j++) {
      mpq_set_z(term, mu[3 * i + j]);
      mpq_mul(term, term, z[i]);
      mpq_add(muj[j], muj[j], term);
    }
  }
  int bad = dufm_i_clique_deficient(muj, r);
  if (bad >= 0) {
    st = dufm_err_set(err, DUFM_ENUMERIC, "clique weights: rounded weights left mu_%d = 0", bad);
    goto cleanup;
  }
  for (int j = 0; j < 3; j++) {
    if (mult[j] == 0)
      continue;
    mpq_inv(a[j], muj[j]);
    mpq_set_ui(term, (unsigned long)mult[j], 1);
    mpq_mul(a[j], a[j], term);
    mpq_add(s1, s1, a[j]);
    mpq_div(a[j], a[j], muj[j]); /* m_j / mu_j^2 */
  }
  for (int i = 0; i < m; i++) {
    mpq_set_ui(mi, 0, 1);
    for (int j = 0; j < 3; j++) {
      mpq_set_z(term, mu[3 * i + j]);
      mpq_mul(term, term, a[j]);
      mpq_add(mi, mi, term);
    }
    mpq_set_z(term, c[i]);
    mpq_div(mi, mi, term);
    if (i == 0 || mpq_cmp(mi, best) > 0)
      mpq_set(best, mi);
  }
  mpq_set_ui(term, (unsigned long)r, 4);
  mpq_mul(val, s, s1);
  mpq_mul(val, val, term);
  out->product = dufm_q_get_d(val);
  mpq_mul(val, s1, s1);
  mpq_div(val, val, best);
  mpq_mul(val, val, term);
  out->lower_bound = dufm_q_get_d_down(val);
cleanup:
  mpq_clears(s, muj[0], muj[1], muj[2], a[0], a[1], a[2], s1, term, best, mi, val, NULL);
  return st;
}

dufm_status dufm_clique_optimize(mpq_t *z, dufm_clique_opt *out, int r, int m, const int *k,
                                 dufm_err *err) {
  *out = (dufm_clique_opt){0};
  dufm_status st = dufm_i_clique_check(r, m, k, NULL, err);
  if (st != DUFM_OK)
    return st;
  mpz_t *c = malloc((size_t)m * sizeof *c), *mu = malloc(3 * (size_t)m * sizeof *mu);
  double *v = malloc(3 * (size_t)m * sizeof *v), *x = malloc((size_t)m * sizeof *x);
  mpq_t q, zmax;
  mpq_inits(q, zmax, NULL);
  if (c == NULL || mu == NULL || v == NULL || x == NULL) {
    free(c);
    free(mu);
    c = NULL;
    mu = NULL;
    st = dufm_err_set(err, DUFM_ENOMEM, "out of memory for %d clique sizes", m);
    goto cleanup;
  }
  long mult[3];
  dufm_i_clique_mult(mult, r);
  double w[3] = {(double)mult[0], (double)mult[1], (double)mult[2]};
  for (int i = 0; i < m; i++) {
    mpz_init(c[i]);
    dufm_i_binom(c[i], r, k[i]);
    mpz_inits(mu[3 * i], mu[3 * i + 1], mu[3 * i + 2], NULL);
    dufm_clique_mu(mu[3 * i], mu[3 * i + 1], mu[3 * i + 2], r, k[i]);
    for (int j = 0; j < 3; j++) {
      mpq_set_z(q, mu[3 * i + j]);
      mpz_set(mpq_denref(q), c[i]); /* mu / C(r, k) is the mass-normalized value */
      mpq_canonicalize(q);
      v[3 * i + j] = dufm_q_get_d(q);
    }
  }
  st = dufm_i_clique_simplex_min(x, &out->iterations, m, v, w, err);
  if (st != DUFM_OK)
    goto cleanup;
  double xmax = 0.0;
  for (int i = 0; i < m; i++)
    xmax = fmax(xmax, x[i]);
  for (int i = 0; i < m; i++) {
    if (x[i] > DROP_BELOW * xmax)
      round_rational(z[i], x[i] / xmax);
    else
      mpq_set_ui(z[i], 0, 1);
    mpq_set_z(q, c[i]);
    mpq_div(z[i], z[i], q); /* z = x / C(r, k) */
    if (mpq_cmp(z[i], zmax) > 0)
      mpq_set(zmax, z[i]);
  }
  for (int i = 0; i < m; i++)
    mpq_div(z[i], z[i], zmax);
  st = certify(out, z, c, mu, r, m, err);
cleanup:
  if (c != NULL && mu != NULL)
    for (int i = 0; i < m; i++) {
      mpz_clear(c[i]);
      mpz_clears(mu[3 * i], mu[3 * i + 1], mu[3 * i + 2], NULL);
    }
  mpq_clears(q, zmax, NULL);
  free(c);
  free(mu);
  free(v);
  free(x);
  return st;
}
