/* Exact helpers of the certificate writer: nearby rationals of doubles and the
 * exact pseudo-inverse of a full-column-rank matrix. Neither is trusted by the
 * checker: they only choose the configuration that it then verifies. */
#include <math.h>
#include <stdlib.h>

#include "certificate/cert_internal.h"

void dufm_i_rationalize(mpq_t out, double x, double rtol) {
  if (x == 0.0 || !isfinite(x)) {
    mpq_set_ui(out, 0, 1);
    return;
  }
  mpq_t xq, diff;
  mpz_t n, d, a, rem, h1, h2, k1, k2;
  mpq_inits(xq, diff, NULL);
  mpz_inits(n, d, a, rem, h1, h2, k1, k2, NULL);
  mpq_set_d(xq, fabs(x)); /* exact: a double is a dyadic rational */
  mpz_set(n, mpq_numref(xq));
  mpz_set(d, mpq_denref(xq));
  mpz_set_ui(h1, 1); /* convergents h/k, seeded with 1/0 and 0/1 */
  mpz_set_ui(k2, 1);
  for (;;) {
    mpz_fdiv_qr(a, rem, n, d);
    mpz_addmul(h2, a, h1); /* h2 becomes the new h; the pair is swapped below */
    mpz_addmul(k2, a, k1);
    mpz_swap(h1, h2);
    mpz_swap(k1, k2);
    mpz_set(mpq_numref(out), h1);
    mpz_set(mpq_denref(out), k1);
    mpq_canonicalize(out);
    mpq_sub(diff, xq, out);
    if (mpz_sgn(rem) == 0 || fabs(mpq_get_d(diff)) <= rtol * fabs(x))
      break;
    mpz_set(n, d);
    mpz_set(d, rem);
  }
  if (x < 0)
    mpq_neg(out, out);
  mpq_clears(xq, diff, NULL);
  mpz_clears(n, d, a, rem, h1, h2, k1, k2, NULL);
}

dufm_status dufm_i_pinv(mpq_t *W, const mpq_t *H, int nh, int K, dufm_err *err) {
  const size_t w = (size_t)K + (size_t)nh; /* row width of [H^T H | H^T] */
  mpq_t *A = dufm_i_q_alloc((size_t)K * w);
  mpq_t tmp, f;
  mpq_inits(tmp, f, NULL);
  dufm_status st = DUFM_OK;
  if (A == NULL) {
    st = dufm_err_set(err, DUFM_ENOMEM, "out of memory for an exact pseudo-inverse");
    goto cleanup;
  }
  for (int i = 0; i < K; i++) {
    for (int j = 0; j < K; j++)
      for (int r = 0; r < nh; r++) {
        mpq_mul(tmp, H[(size_t)r * K + i], H[(size_t)r * K + j]);
        mpq_add(A[i * w + j], A[i * w + j], tmp);
      }
    for (int r = 0; r < nh; r++)
      mpq_set(A[i * w + K + r], H[(size_t)r * K + i]);
  }
  /* Gauss-Jordan: [G | H^T] -> [I | G^{-1} H^T]. */
  for (int c = 0; c < K; c++) {
    int p = c;
    while (p < K && mpq_sgn(A[p * w + c]) == 0)
      p++;
    if (p == K) {
      st = dufm_err_set(err, DUFM_ENUMERIC, "H_L is rank-deficient: no exact fit W_L exists");
      goto cleanup;
    }
    for (size_t j = 0; j < w && p != c; j++)
      mpq_swap(A[p * w + j], A[c * w + j]);
    mpq_inv(f, A[c * w + c]);
    for (size_t j = 0; j < w; j++)
      mpq_mul(A[c * w + j], A[c * w + j], f);
    for (int i = 0; i < K; i++) {
      if (i == c || mpq_sgn(A[i * w + c]) == 0)
        continue;
      mpq_set(f, A[i * w + c]);
      for (size_t j = 0; j < w; j++) {
        mpq_mul(tmp, f, A[c * w + j]);
        mpq_sub(A[i * w + j], A[i * w + j], tmp);
      }
    }
  }
  for (int i = 0; i < K; i++)
    for (int r = 0; r < nh; r++)
      mpq_set(W[(size_t)i * nh + r], A[i * w + K + r]);
cleanup:
  dufm_i_q_free(A, A ? (size_t)K * w : 0);
  mpq_clears(tmp, f, NULL);
  return st;
}
