/* g_L: public entry points, validation and the regime decision (dufm/gl.h).
 * The double root lives in gl_solve.c, the rigorous enclosure in gl_enclose.c;
 * the mathematics is in proofs/gl.md. */
#include "dufm/gl.h"

#include <math.h>

#include "closed/gl_internal.h"
#include "dufm/params.h"

void dufm_gl_threshold_qpow(mpq_t out, int L) {
  /* Q_0 = s (1-s)^c at s = 1/L, raised to L+1: (L-1)^(L-1) / L^(2L). */
  mpz_ui_pow_ui(mpq_numref(out), (unsigned long)L - 1, (unsigned long)L - 1);
  mpz_ui_pow_ui(mpq_denref(out), (unsigned long)L, 2 * (unsigned long)L);
  mpq_canonicalize(out);
}

dufm_regime dufm_gl_regime(int L, const mpq_t q_pow) {
  mpq_t q0;
  mpq_init(q0);
  dufm_gl_threshold_qpow(q0, L);
  int cmp = mpq_cmp(q_pow, q0);
  mpq_clear(q0);
  return cmp < 0 ? DUFM_REGIME_NONZERO : cmp == 0 ? DUFM_REGIME_TIE : DUFM_REGIME_ZERO;
}

static dufm_status check_l(int L, dufm_err *err) {
  if (L < 1 || L > DUFM_MAX_L)
    return dufm_err_set(err, DUFM_EINVAL, "L = %d: depth must be between 1 and %d", L, DUFM_MAX_L);
  return DUFM_OK;
}

static void set_constant(dufm_gl *out, double value, double t) {
  out->value = out->lower = out->upper = value;
  out->t = t;
}

dufm_status dufm_gl_eval(dufm_gl *out, int L, const mpq_t q_pow, dufm_err *err) {
  *out = (dufm_gl){.L = L, .regime = DUFM_REGIME_NONZERO};
  dufm_status st = check_l(L, err);
  if (st != DUFM_OK)
    return st;
  if (mpq_sgn(q_pow) < 0)
    return dufm_err_set(err, DUFM_EINVAL, "q_pow = Q^(L+1) must be nonnegative");
  if (mpq_sgn(q_pow) == 0) {
    set_constant(out, 0.0, 1.0); /* f = (1-t)^2/2 vanishes at t = 1 */
    out->log_Q = -INFINITY;
    return DUFM_OK;
  }

  double q_mant, s_mant;
  long q_exp2;
  st = dufm_i_gl_root_q(&q_mant, &q_exp2, L, q_pow, err);
  if (st != DUFM_OK)
    return st;
  /* Clamping the exponent keeps the int conversion defined; the result is 0 or
   * inf either way. */
  long e = q_exp2 < -100000 ? -100000 : q_exp2 > 100000 ? 100000 : q_exp2;
  out->Q = ldexp(q_mant, (int)e);
  out->log_Q = log(q_mant) + (double)q_exp2 * M_LN2;
  out->regime = dufm_gl_regime(L, q_pow);
  if (out->regime == DUFM_REGIME_ZERO) {
    set_constant(out, 0.5, 0.0);
    return DUFM_OK;
  }
  if (out->regime == DUFM_REGIME_TIE) {
    set_constant(out, 0.5, (double)(L - 1) / L);
    return DUFM_OK;
  }

  st = dufm_i_gl_solve(&s_mant, L, q_mant, q_exp2, err);
  if (st == DUFM_OK)
    st = dufm_i_gl_enclose(&out->lower, &out->upper, L, q_pow, s_mant, q_exp2, err);
  if (st != DUFM_OK)
    return st;
  /* At a stationary point f = ((L+1) s - L s^2)/2; the scaled form avoids
   * underflow before the final ldexp. */
  double s = ldexp(s_mant, (int)e);
  out->value = ldexp(0.5 * s_mant * ((L + 1) - L * s), (int)e);
  out->t = 1.0 - s; /* one rounding at most: exact for s >= 1/2 (L = 1 near Q = 1) */
  /* The enclosure is tighter than the double path's few ulps; keep them consistent. */
  if (out->value < out->lower)
    out->value = out->lower;
  if (out->value > out->upper)
    out->value = out->upper;
  return DUFM_OK;
}

dufm_status dufm_gl_eval_d(dufm_gl *out, int L, double Q, dufm_err *err) {
  *out = (dufm_gl){.L = L, .regime = DUFM_REGIME_NONZERO};
  dufm_status st = check_l(L, err);
  if (st != DUFM_OK)
    return st;
  if (!(Q >= 0) || !isfinite(Q))
    return dufm_err_set(err, DUFM_EINVAL, "Q = %g must be finite and nonnegative", Q);
  mpq_t q_pow;
  mpq_init(q_pow);
  mpq_set_d(q_pow, Q);
  mpz_pow_ui(mpq_numref(q_pow), mpq_numref(q_pow), (unsigned long)L + 1);
  mpz_pow_ui(mpq_denref(q_pow), mpq_denref(q_pow), (unsigned long)L + 1);
  st = dufm_gl_eval(out, L, q_pow, err);
  mpq_clear(q_pow);
  return st;
}

double dufm_gl_objective(int L, double Q, double t) {
  double fit = 0.5 * (1.0 - t) * (1.0 - t);
  if (t == 0.0 || Q == 0.0)
    return fit; /* the penalty is exactly 0 there, even when Q is inf */
  return fit + 0.5 * (L + 1) * Q * pow(t, 2.0 / (L + 1));
}

const char *dufm_regime_name(dufm_regime r) {
  switch (r) {
  case DUFM_REGIME_NONZERO:
    return "nonzero";
  case DUFM_REGIME_TIE:
    return "tie";
  case DUFM_REGIME_ZERO:
    return "zero";
  }
  return "unknown";
}
