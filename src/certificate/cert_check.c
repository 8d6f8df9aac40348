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
static void check_dnc(dufm_cert_report *r, const dufm_cert *c) {
  const int L = c->p.L;
  mpq_t q, q0, x;
  mpq_inits(q, q0, x, NULL);
  dufm_i_cert_dnc_qpow(q, &c->p);
  if (!mpq_equal(q, c->dnc_qpow))
    fail(r, DUFM_CERT_BAD_QPOW, "dnc-qpow differs from K^(L+1) n lambda_H lambda_1...lambda_L");
  dufm_i_cert_threshold(q0, L);
  int zero = mpq_cmp(q, q0) >= 0;
  if (zero != c->zero_regime)
    fail(r, DUFM_CERT_BAD_REGIME,
         zero ? "dnc-regime: Q_DNC^(L+1) >= Q_0^(L+1), the case is 'zero'"
              : "dnc-regime: Q_DNC^(L+1) < Q_0^(L+1), the case is 'nonzero'");
  mpq_set_ui(x, 1, (unsigned long)L);
  if (mpq_sgn(c->s_lo) < 0 || mpq_cmp(c->s_lo, x) > 0)
    fail(r, DUFM_CERT_BAD_S_LO, "dnc-s-lo must lie in [0, 1/L]");
  else if (c->zero_regime && !mpq_equal(c->s_lo, x))
    fail(r, DUFM_CERT_BAD_S_LO, "dnc-s-lo must be 1/L in the zero case");
  else {
    /* The range check comes first: P is increasing only on [0, (L+1)/(2L)]. */
    dufm_i_cert_poly(x, c->s_lo, L);
    if (mpq_cmp(x, q) > 0)
      fail(r, DUFM_CERT_BAD_INEQUALITY, "s_lo^(L+1) (1 - s_lo)^(L-1) > Q_DNC^(L+1)");
  }
  dufm_i_cert_gval(r->bound, c->s_lo, L);
  if (!mpq_equal(r->bound, c->bound))
    fail(r, DUFM_CERT_BAD_BOUND, "dnc-bound differs from ((L+1) s_lo - L s_lo^2) / 2");
  mpq_clears(q, q0, x, NULL);
}

dufm_status dufm_cert_check(dufm_cert_report *out, const dufm_cert *c, dufm_err *err) {
  *out = (dufm_cert_report){.result = DUFM_CERT_VALID, .owned = 1};
  mpq_inits(out->loss, out->bound, NULL);
  dufm_status st = check_shape(c, err);
  if (st == DUFM_OK)
    st = dufm_i_cert_loss(out->loss, c, err);
  if (st != DUFM_OK)
    return st;
  if (!mpq_equal(out->loss, c->loss))
    fail(out, DUFM_CERT_BAD_LOSS, "the stated loss differs from the recomputed exact loss");
  check_dnc(out, c);
  /* The claim uses the recomputed numbers, which equal the stated ones when
   * every check above passed. */
  if (mpq_cmp(out->loss, out->bound) >= 0)
    fail(out, DUFM_CERT_CLAIM_FALSE, "the loss is not below the DNC lower bound");
  return DUFM_OK;
}
