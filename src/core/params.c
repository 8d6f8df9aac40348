#include "dufm/params.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "dufm/rational.h"

dufm_status dufm_params_init(dufm_params *p, int L, int K, int n, dufm_err *err) {
  memset(p, 0, sizeof *p);
  if (L < 1 || L > DUFM_MAX_L)
    return dufm_err_set(err, DUFM_EINVAL, "L = %d: depth must be between 1 and %d", L, DUFM_MAX_L);
  if (K < 2 || K > DUFM_MAX_K)
    return dufm_err_set(err, DUFM_EINVAL, "K = %d: classes must be between 2 and %d", K,
                        DUFM_MAX_K);
  if (n < 1 || n > DUFM_MAX_N)
    return dufm_err_set(err, DUFM_EINVAL, "n = %d: samples per class must be between 1 and %d", n,
                        DUFM_MAX_N);
  p->lam_w = malloc((size_t)L * sizeof *p->lam_w);
  p->lam_w_d = calloc((size_t)L, sizeof *p->lam_w_d);
  if (p->lam_w == NULL || p->lam_w_d == NULL) {
    free(p->lam_w);
    free(p->lam_w_d);
    memset(p, 0, sizeof *p);
    return dufm_err_set(err, DUFM_ENOMEM, "out of memory for parameters");
  }
  p->L = L;
  p->K = K;
  p->n = n;
  mpq_init(p->lam_h);
  for (int l = 0; l < L; l++)
    mpq_init(p->lam_w[l]);
  return DUFM_OK;
}

void dufm_params_clear(dufm_params *p) {
  if (p == NULL || p->lam_w == NULL)
    return;
  mpq_clear(p->lam_h);
  for (int l = 0; l < p->L; l++)
    mpq_clear(p->lam_w[l]);
  free(p->lam_w);
  free(p->lam_w_d);
  memset(p, 0, sizeof *p);
}

dufm_status dufm_params_set_lambda_q(dufm_params *p, int which, const mpq_t value, dufm_err *err) {
  if (mpq_sgn(value) < 0)
    return dufm_err_set(err, DUFM_EINVAL, "must be nonnegative");
  if (which != DUFM_LAMBDA_ALL && (which < DUFM_LAMBDA_H || which >= p->L))
    return dufm_err_set(err, DUFM_EINVAL, "layer index %d outside 1..%d", which + 1, p->L);
  double d = dufm_q_get_d(value);
  if (which == DUFM_LAMBDA_H || which == DUFM_LAMBDA_ALL) {
    mpq_set(p->lam_h, value);
    p->lam_h_d = d;
  }
  for (int l = 0; l < p->L; l++) {
    if (which == DUFM_LAMBDA_ALL || which == l) {
      mpq_set(p->lam_w[l], value);
      p->lam_w_d[l] = d;
    }
  }
  return DUFM_OK;
}

dufm_status dufm_params_set_lambda(dufm_params *p, int which, const char *text, dufm_err *err) {
  mpq_t value;
  mpq_init(value);
  dufm_status st = dufm_q_parse(value, text, err);
  /* Exact, but every evaluation also needs its double: a positive value that
   * rounds to 0 (or to infinity) would be a different problem there. */
  double d = st == DUFM_OK ? dufm_q_get_d(value) : 0.0;
  if (st == DUFM_OK && mpq_sgn(value) > 0 && d == 0.0)
    st = dufm_err_set(err, DUFM_EINVAL, "underflows to 0 as a double");
  else if (st == DUFM_OK && isinf(d))
    st = dufm_err_set(err, DUFM_EINVAL, "overflows a double (largest about 1.8e308)");
  if (st == DUFM_OK)
    st = dufm_params_set_lambda_q(p, which, value, err);
  mpq_clear(value);
  return st;
}

dufm_status dufm_params_copy(dufm_params *dst, const dufm_params *src, dufm_err *err) {
  dufm_status st = dufm_params_init(dst, src->L, src->K, src->n, err);
  if (st != DUFM_OK)
    return st;
  mpq_set(dst->lam_h, src->lam_h);
  dst->lam_h_d = src->lam_h_d;
  for (int l = 0; l < src->L; l++) {
    mpq_set(dst->lam_w[l], src->lam_w[l]);
    dst->lam_w_d[l] = src->lam_w_d[l];
  }
  return DUFM_OK;
}
