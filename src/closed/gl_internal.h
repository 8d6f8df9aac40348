/* closed/gl_internal.h: the trusting layer of the g_L module (dufm/gl.h).
 *
 * Callers have checked 1 <= L <= DUFM_MAX_L and q_pow > 0. Numbers that may
 * fall outside the double range travel as mant * 2^exp2 with mant a double. */
#ifndef DUFM_GL_INTERNAL_H
#define DUFM_GL_INTERNAL_H

#include <gmp.h>

#include "dufm/error.h"

/* Q = q_pow^(1/(L+1)) = *mant * 2^*exp2 with 0.5 <= *mant < 1, correctly rounded
 * up to one ulp. DUFM_EINVAL when q_pow has too many bits for MPFR's exponent
 * range (about 10^(10^8), far beyond anything the parser produces). */
dufm_status dufm_i_gl_root_q(double *mant, long *exp2, int L, const mpq_t q_pow, dufm_err *err);

/* Nonzero regime only (Q < Q_0): the root s in (0, 1/L) of s (1-s)^c = Q,
 * c = (L-1)/(L+1), as s = *s_mant * 2^q_exp2 (same exponent as Q, since
 * 1 <= s/Q <= e). GSL Brent solver; DUFM_ENUMERIC if it does not converge. */
dufm_status dufm_i_gl_solve(double *s_mant, int L, double q_mant, long q_exp2, dufm_err *err);

/* Nonzero regime only: rigorous lower <= g_L(Q) <= upper from exact integer
 * checks of s^(L+1) (1-s)^(L-1) against q_pow, starting from the approximate
 * root s = s_mant * 2^s_exp2. */
dufm_status dufm_i_gl_enclose(double *lower, double *upper, int L, const mpq_t q_pow, double s_mant,
                              long s_exp2, dufm_err *err);

#endif
