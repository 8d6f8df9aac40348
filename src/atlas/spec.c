/* The atlas grid: its parameters, the order of the settings, their
 * dependencies and folder names. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dufm/atlas.h"
#include "dufm/rational.h"

#define ATLAS_MAX_L 64
#define ATLAS_MAX_K 1000
#define MAX_DIGITS 40

/* Exact decimal text of q >= 0 when q 10^d is an integer for some d <= 40,
 * else "p/q". Returns -1 when it does not fit. */
static int canonical(char *out, size_t size, const mpq_t q) {
  mpz_t p10, v;
  mpz_inits(p10, v, NULL);
  int digits = -1, rc = 0;
  for (int d = 0; d <= MAX_DIGITS && digits < 0; d++) {
    mpz_ui_pow_ui(p10, 10, (unsigned long)d);
    if (mpz_divisible_p(p10, mpq_denref(q)))
      digits = d;
  }
  char *s = NULL;
  if (digits < 0) {
    s = mpq_get_str(NULL, 10, q);
    rc = s != NULL && strlen(s) < size ? 0 : -1;
    if (rc == 0)
      strcpy(out, s);
  } else {
    mpz_mul(v, mpq_numref(q), p10);
    mpz_divexact(v, v, mpq_denref(q));
    s = mpz_get_str(NULL, 10, v);
    size_t len = s != NULL ? strlen(s) : 0, need = len + (size_t)digits + 3;
    if (s == NULL || need > size) {
      rc = -1;
    } else if (digits == 0) {
      strcpy(out, s);
    } else {
      size_t lead = len > (size_t)digits ? len - (size_t)digits : 0, k = 0;
      if (lead == 0)
        out[k++] = '0';
      memcpy(out + k, s, lead);
      k += lead;
      out[k++] = '.';
      for (size_t z = len; z < (size_t)digits; z++)
        out[k++] = '0';
      memcpy(out + k, s + lead, len - lead);
      out[k + len - lead] = '\0';
    }
  }
  free(s);
  mpz_clears(p10, v, NULL);
  return rc;
}

dufm_status dufm_atlas_spec_init(dufm_atlas_spec *s, int L_lo, int L_hi, int K_lo, int K_hi, int n,
                                 const char *lambda, long budget, uint64_t seed, dufm_err *err) {
  memset(s, 0, sizeof *s);
  mpq_init(s->lambda);
  s->owned = 1;
  if (L_lo < 1 || L_hi > ATLAS_MAX_L || L_lo > L_hi)
    return dufm_err_set(err, DUFM_EINVAL, "L: range %d..%d must be increasing within 1..%d", L_lo,
                        L_hi, ATLAS_MAX_L);
  if (K_lo < 2 || K_hi > ATLAS_MAX_K || K_lo > K_hi)
    return dufm_err_set(err, DUFM_EINVAL, "K: range %d..%d must be increasing within 2..%d", K_lo,
                        K_hi, ATLAS_MAX_K);
  if (n < 1 || n > DUFM_MAX_N)
    return dufm_err_set(err, DUFM_EINVAL, "n: %d is outside 1..%d", n, DUFM_MAX_N);
  if (budget < 10000)
    return dufm_err_set(err, DUFM_EINVAL, "budget: %ld evaluations; must be >= 10000", budget);
  if (lambda == NULL)
    return dufm_err_set(err, DUFM_EINVAL, "lambda: missing");
  dufm_status st = dufm_q_parse(s->lambda, lambda, err);
  if (st != DUFM_OK) {
    dufm_err_prefix(err, "lambda");
    return st;
  }
  if (mpq_sgn(s->lambda) <= 0)
    return dufm_err_set(err, DUFM_EINVAL, "lambda: %s must be > 0", lambda);
  if (canonical(s->lambda_text, sizeof s->lambda_text, s->lambda) != 0)
    return dufm_err_set(err, DUFM_EINVAL, "lambda: %s has too many digits for a folder name",
                        lambda);
  s->L_lo = L_lo;
  s->L_hi = L_hi;
  s->K_lo = K_lo;
  s->K_hi = K_hi;
  s->n = n;
  s->budget = budget;
  s->seed = seed;
  return DUFM_OK;
}

void dufm_atlas_spec_clear(dufm_atlas_spec *s) {
  if (s == NULL)
    return;
  if (s->owned) /* a zero-filled mpq_t is not an mpq_t */
    mpq_clear(s->lambda);
  memset(s, 0, sizeof *s);
}

int dufm_atlas_nsettings(const dufm_atlas_spec *s) {
  return (s->L_hi - s->L_lo + 1) * (s->K_hi - s->K_lo + 1);
}

void dufm_atlas_setting(const dufm_atlas_spec *s, int index, int *L, int *K) {
  int nK = s->K_hi - s->K_lo + 1;
  *L = s->L_lo + index / nK;
  *K = s->K_hi - index % nK;
}

int dufm_atlas_index(const dufm_atlas_spec *s, int L, int K) {
  if (L < s->L_lo || L > s->L_hi || K < s->K_lo || K > s->K_hi)
    return -1;
  return (L - s->L_lo) * (s->K_hi - s->K_lo + 1) + (s->K_hi - K);
}

int dufm_atlas_deps(const dufm_atlas_spec *s, int index, int dep[2]) {
  int L, K, n = 0;
  dufm_atlas_setting(s, index, &L, &K);
  /* Lifting adds a layer after a ReLU: from L - 1 >= 2 only. */
  if (L - 1 >= 2 && dufm_atlas_index(s, L - 1, K) >= 0)
    dep[n++] = dufm_atlas_index(s, L - 1, K);
  if (dufm_atlas_index(s, L, K + 1) >= 0)
    dep[n++] = dufm_atlas_index(s, L, K + 1);
  return n;
}

dufm_status dufm_atlas_params(dufm_params *p, const dufm_atlas_spec *s, int L, int K,
                              dufm_err *err) {
  dufm_status st = dufm_params_init(p, L, K, s->n, err);
  if (st == DUFM_OK)
    st = dufm_params_set_lambda_q(p, DUFM_LAMBDA_ALL, s->lambda, err);
  if (st != DUFM_OK)
    dufm_params_clear(p);
  return st;
}

static char *join(const char *root, const char *a, const char *b) {
  size_t len = strlen(root) + strlen(a) + (b != NULL ? strlen(b) : 0) + 4;
  char *out = malloc(len);
  if (out != NULL)
    snprintf(out, len, "%s/%s%s%s", root, a, b != NULL ? "/" : "", b != NULL ? b : "");
  return out;
}

static void group_name(char *out, size_t size, const dufm_atlas_spec *s) {
  char lam[96];
  size_t k = 0;
  for (const char *c = s->lambda_text; *c != '\0' && k + 7 < sizeof lam; c++) {
    if (*c == '/') {
      memcpy(lam + k, "_over_", 6);
      k += 6;
    } else {
      lam[k++] = *c;
    }
  }
  lam[k] = '\0';
  snprintf(out, size, "lam%s_n%d", lam, s->n);
}

char *dufm_atlas_group_dir(const dufm_atlas_spec *s, const char *root) {
  char g[128];
  group_name(g, sizeof g, s);
  return join(root, g, NULL);
}

char *dufm_atlas_setting_dir(const dufm_atlas_spec *s, const char *root, int L, int K) {
  char g[128], name[32];
  group_name(g, sizeof g, s);
  snprintf(name, sizeof name, "L%d_K%d", L, K);
  return join(root, g, name);
}
