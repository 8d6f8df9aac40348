/* The certificate checker: re-derives every stated number from the parameters
 * and the configuration, with exact rationals only (proofs/certificate.md). */
#include <stdio.h>
#include <stdlib.h>

#include "certificate/cert_internal.h"

const char *dufm_cert_result_name(dufm_cert_result r) {
  switch (r) {
  case DUFM_CERT_VALID:
    return "valid";
  case DUFM_CERT_BAD_LOSS:
    return "loss";
  case DUFM_CERT_BAD_QPOW:
    return "dnc-qpow";
  case DUFM_CERT_BAD_REGIME:
    return "dnc-regime";
  case DUFM_CERT_BAD_S_LO:
    return "dnc-s-lo-range";
  case DUFM_CERT_BAD_INEQUALITY:
    return "dnc-s-lo-inequality";
  case DUFM_CERT_BAD_BOUND:
    return "dnc-bound";
  case DUFM_CERT_CLAIM_FALSE:
    return "claim";
  }
  return "unknown";
}

void dufm_cert_report_clear(dufm_cert_report *r) {
  if (r == NULL)
    return;
  if (r->owned)
    mpq_clears(r->loss, r->bound, NULL);
  *r = (dufm_cert_report){0};
}

/* Records the first failure only. */
static void fail(dufm_cert_report *r, dufm_cert_result why, const char *msg) {
  if (r->result != DUFM_CERT_VALID)
    return;
  r->result = why;
  snprintf(r->detail, sizeof r->detail, "%s", msg);
}

static dufm_status check_shape(const dufm_cert *c, dufm_err *err) {
  if (c->d == NULL || c->m == NULL || c->p.lam_w == NULL)
    return dufm_err_set(err, DUFM_EINVAL, "certificate is empty");
  if (c->p.L < 1 || c->p.L > DUFM_MAX_L || c->p.K < 2 || c->p.K > DUFM_MAX_K || c->p.n < 1 ||
      c->p.n > DUFM_MAX_N)
    return dufm_err_set(err, DUFM_EINVAL, "certificate sizes L, K or n out of range");
  dufm_status st = dufm_i_cert_check_widths(c->d, c->p.L, c->p.K, err);
  for (int l = 0; l <= c->p.L && st == DUFM_OK; l++)
    if (c->m[l] == NULL)
      st = dufm_err_set(err, DUFM_EINVAL, "certificate matrix %d is missing", l);
  return st;
}

/* The DNC side: Q_DNC^(L+1), its case, s_lo in range, P(s_lo) <= Q_DNC^(L+1),
 * and the bound G(s_lo). */
/* noinline: GCC 12 misreads the mpq_t arguments once inlined (a false
 * -Wstringop-overread). */
__attribute__((noinline)) static void check_dnc(dufm_cert_report *r, const dufm_cert *c) {
  const int L = c->p.L;
  mpq_t q, q0, x;
  mpq_inits(q, q0, x, NULL);
  /* The first failed check decides; the later ones would only cost time. */
  dufm_i_cert_dnc_qpow(q, &c->p);
  if (!mpq_equal(q, c->dnc_qpow))
    fail(r, DUFM_CERT_BAD_QPOW, "dnc-qpow differs from K^(L+1) n lambda_H lambda_1...lambda_L");
  int zero = 0;
  if (r->result == DUFM_CERT_VALID) {
    dufm_i_cert_threshold(q0, L);
    zero = mpq_cmp(q, q0) >= 0;
    if (zero != c->zero_regime)
      fail(r, DUFM_CERT_BAD_REGIME,
           zero ? "dnc-regime: Q_DNC^(L+1) >= Q_0^(L+1), the case is 'zero'"
                : "dnc-regime: Q_DNC^(L+1) < Q_0^(L+1), the case is 'nonzero'");
  }
  mpq_set_ui(x, 1, (unsigned long)L);
  if (r->result != DUFM_CERT_VALID)
    ;
  else if (mpq_sgn(c->s_lo) < 0 || mpq_cmp(c->s_lo, x) > 0)
    fail(r, DUFM_CERT_BAD_S_LO, "dnc-s-lo must lie in [0, 1/L]");
  else if (c->zero_regime && !mpq_equal(c->s_lo, x))
    fail(r, DUFM_CERT_BAD_S_LO, "dnc-s-lo must be 1/L in the zero case");
  else {
    /* The range check comes first: P is increasing only on [0, (L+1)/(2L)]. */
    dufm_i_cert_poly(x, c->s_lo, L);
    if (mpq_cmp(x, q) > 0)
      fail(r, DUFM_CERT_BAD_INEQUALITY, "s_lo^(L+1) (1 - s_lo)^(L-1) > Q_DNC^(L+1)");
  }
  if (r->result == DUFM_CERT_VALID) {
    dufm_i_cert_gval(r->bound, c->s_lo, L);
    if (!mpq_equal(r->bound, c->bound))
      fail(r, DUFM_CERT_BAD_BOUND, "dnc-bound differs from ((L+1) s_lo - L s_lo^2) / 2");
  }
  mpq_clears(q, q0, x, NULL);
}

static size_t q_bits(mpq_srcptr q) {
  return mpz_sizeinbase(mpq_numref(q), 2) + mpz_sizeinbase(mpq_denref(q), 2);
}

/* The work of the DNC side grows like the size of s_lo times 2L (its powers):
 * bounded by a multiple of the certificate's own size, so a small file cannot
 * ask for hours of arithmetic or numbers GMP cannot hold. */
static dufm_status check_cost(const dufm_cert *c, dufm_err *err) {
  size_t total = q_bits(c->s_lo) + q_bits(c->p.lam_h) + q_bits(c->loss) + q_bits(c->dnc_qpow) +
                 q_bits(c->bound);
  for (int l = 0; l < c->p.L; l++)
    total += q_bits(c->p.lam_w[l]);
  for (int l = 0; l <= c->p.L; l++) {
    size_t count = (size_t)dufm_i_cert_rows(c, l) * (size_t)dufm_i_cert_cols(c, l);
    for (size_t i = 0; i < count; i++)
      total += q_bits(c->m[l][i]);
  }
  double need = (double)q_bits(c->s_lo) * 2.0 * c->p.L;
  double cap = DUFM_CERT_WORK_FACTOR * (double)total + (double)(1 << 20);
  if (need > cap)
    return dufm_err_set(err, DUFM_EINVAL,
                        "dnc-s-lo: %zu bits, raised to powers up to 2L = %d: about %.3g bits of "
                        "arithmetic, more than %d times the certificate's own size (%zu bits)",
                        q_bits(c->s_lo), 2 * c->p.L, need, DUFM_CERT_WORK_FACTOR, total);
  return DUFM_OK;
}

dufm_status dufm_cert_check(dufm_cert_report *out, const dufm_cert *c, dufm_err *err) {
  *out = (dufm_cert_report){.result = DUFM_CERT_VALID, .owned = 1};
  mpq_inits(out->loss, out->bound, NULL);
  dufm_status st = check_shape(c, err);
  if (st == DUFM_OK)
    st = check_cost(c, err);
  if (st == DUFM_OK)
    st = dufm_i_cert_loss(out->loss, c, err);
  if (st != DUFM_OK)
    return st;
  if (!mpq_equal(out->loss, c->loss)) {
    fail(out, DUFM_CERT_BAD_LOSS, "the stated loss differs from the recomputed exact loss");
    return DUFM_OK; /* the first failed check decides */
  }
  check_dnc(out, c);
  if (out->result != DUFM_CERT_VALID)
    return DUFM_OK;
  /* The claim uses the recomputed numbers, which equal the stated ones when
   * every check above passed. */
  if (mpq_cmp(out->loss, out->bound) >= 0)
    fail(out, DUFM_CERT_CLAIM_FALSE, "the loss is not below the DNC lower bound");
  return DUFM_OK;
}
