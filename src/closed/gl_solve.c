/* The double path of g_L: Q from its exact power, then the interior root.
 *
 * Unknown: y = ln(s/Q), where s = 1 - t. The stationarity condition
 * s (1-s)^c = Q (c = (L-1)/(L+1)) becomes y + c log1p(-Q e^y) = 0, which is the
 * equation x + c log1p(-e^x) = ln Q of x = ln s shifted by ln Q. Working with y
 * instead of x keeps the unknown in [0, 1], so its absolute error is the
 * relative error of s even when ln Q is -10^5, and Q = mant 2^exp2 never has to
 * be a normal double. */
#include <float.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_roots.h>

#include <math.h>
#include <mpfr.h>

#include "closed/gl_internal.h"

dufm_status dufm_i_gl_root_q(double *mant, long *exp2, int L, const mpq_t q_pow, dufm_err *err) {
  /* mpfr_set_q needs the quotient inside MPFR's exponent range. */
  size_t limit = (size_t)(mpfr_get_emax() / 2);
  if (mpz_sizeinbase(mpq_numref(q_pow), 2) > limit || mpz_sizeinbase(mpq_denref(q_pow), 2) > limit)
    return dufm_err_set(err, DUFM_EINVAL,
                        "q_pow: numerator or denominator longer than %zu bits is not supported",
                        limit);
  mpfr_t x;
  mpfr_init2(x, 80);
  mpfr_set_q(x, q_pow, MPFR_RNDN);
  mpfr_rootn_ui(x, x, (unsigned long)L + 1, MPFR_RNDN);
  *mant = mpfr_get_d_2exp(exp2, x, MPFR_RNDN);
  mpfr_clear(x);
  return DUFM_OK;
}

typedef struct {
  double c, q_mant;
  long q_exp2;
} eq_params;

/* Increasing in y on the bracket: the derivative is 1 - c s/(1-s) >= L/(L+1)
 * for s <= 1/L. */
static double eq_fn(double y, void *vp) {
  const eq_params *p = vp;
  double s = ldexp(p->q_mant * exp(y), (int)p->q_exp2); /* may underflow: then log1p(-s) = 0 */
  return y + p->c * log1p(-s);
}

dufm_status dufm_i_gl_solve(double *s_mant, int L, double q_mant, long q_exp2, dufm_err *err) {
  if (L == 1 || q_exp2 < DBL_MIN_EXP - DBL_MANT_DIG - 2) {
    /* L = 1: s = Q. Below the subnormals: s = Q (1 + O(Q)) and Q is not a double. */
    *s_mant = q_mant;
    return DUFM_OK;
  }
  eq_params prm = {(double)(L - 1) / (L + 1), q_mant, q_exp2};
  /* s <= 1/L gives 1 <= s/Q = (1-s)^(-c) <= (1-1/L)^(-c). */
  double y_hi = -prm.c * log1p(-1.0 / L);
  double f_lo = eq_fn(0.0, &prm), f_hi = eq_fn(y_hi, &prm);
  /* GSL's default error handler aborts when the endpoints do not straddle the
   * root, so the rounding-level boundary cases are settled here. */
  if (f_lo >= 0) {
    *s_mant = q_mant;
    return DUFM_OK;
  }
  if (f_hi <= 0) {
    *s_mant = q_mant * exp(y_hi);
    return DUFM_OK;
  }
  gsl_root_fsolver *solver = gsl_root_fsolver_alloc(gsl_root_fsolver_brent);
  if (solver == NULL)
    return dufm_err_set(err, DUFM_ENOMEM, "out of memory for the g_L root solver");
  gsl_function fn = {eq_fn, &prm};
  gsl_root_fsolver_set(solver, &fn, 0.0, y_hi);
  int status = GSL_CONTINUE;
  for (int iter = 0; iter < 200 && status == GSL_CONTINUE; iter++) {
    status = gsl_root_fsolver_iterate(solver);
    if (status == GSL_SUCCESS)
      status = gsl_root_test_interval(gsl_root_fsolver_x_lower(solver),
                                      gsl_root_fsolver_x_upper(solver), 2 * DBL_EPSILON, 0.0);
  }
  double y = gsl_root_fsolver_root(solver);
  gsl_root_fsolver_free(solver);
  if (status != GSL_SUCCESS)
    return dufm_err_set(err, DUFM_ENUMERIC, "g_L root solver (L = %d) did not converge: %s", L,
                        gsl_strerror(status));
  *s_mant = q_mant * exp(y);
  return DUFM_OK;
}
