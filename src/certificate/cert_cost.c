/* The work bound of the exact forward pass (certificate.h,
 * DUFM_CERT_PRODUCT_FACTOR): before each exact matrix product, an upper bound
 * on the bits of its result from the bits of its actual factors. A sum of
 * `inner` products of rationals has at most the bits of its factors plus
 * log2(inner) + 1, so C = A B (rows x inner times inner x K) holds at most
 * K bits(A) + rows bits(B) + rows K (log2(inner) + 1) bits. Checked layer by
 * layer on the numbers actually reached, the bound is never exceeded; the
 * refusal comes before GMP is asked for numbers it could not hold. */
#include <math.h>

#include "certificate/cert_internal.h"

static double q_bits(mpq_srcptr q) {
  return (double)mpz_sizeinbase(mpq_numref(q), 2) + (double)mpz_sizeinbase(mpq_denref(q), 2);
}

static double bits_of(const mpq_t *a, size_t count) {
  double b = 0;
  for (size_t i = 0; i < count; i++)
    b += q_bits(a[i]);
  return b;
}

double dufm_i_cert_work_cap(const dufm_cert *c) {
  double total = q_bits(c->p.lam_h);
  for (int l = 0; l < c->p.L; l++)
    total += q_bits(c->p.lam_w[l]);
  int maxdim = c->p.K;
  for (int l = 0; l <= c->p.L; l++) {
    total += bits_of(c->m[l], (size_t)dufm_i_cert_rows(c, l) * (size_t)dufm_i_cert_cols(c, l));
    maxdim = c->d[l] > maxdim ? c->d[l] : maxdim;
  }
  double cap = DUFM_CERT_PRODUCT_FACTOR * (double)maxdim * total + (double)(1 << 24);
  return cap < DUFM_CERT_MAX_WORK_BITS ? cap : DUFM_CERT_MAX_WORK_BITS;
}

dufm_status dufm_i_cert_product_bound(const dufm_cert *c, const mpq_t *A, int rows, int inner,
                                      const mpq_t *B, int K, int layer, dufm_err *err) {
  double need = (double)K * bits_of(A, (size_t)rows * inner) +
                (double)rows * bits_of(B, (size_t)inner * K) +
                (double)rows * K * (log2((double)inner) + 1.0);
  double cap = dufm_i_cert_work_cap(c);
  if (need > cap)
    return dufm_err_set(err, DUFM_EINVAL,
                        "exact loss: the product at layer %d could need %.3g bits of rationals, "
                        "more than the work bound %.3g bits (%d x the largest dimension x the "
                        "certificate's own size, at most 2^33)",
                        layer, need, cap, DUFM_CERT_PRODUCT_FACTOR);
  return DUFM_OK;
}
