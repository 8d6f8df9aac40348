/* dufm/gl.h: the universal loss of exact-fit structures (theory section 2),
 *
 *   g_L(Q) = min_{t >= 0} (1 - t)^2 / 2 + ((L + 1) / 2) Q t^(2/(L+1)).
 *
 * Q enters through its exact power Q^(L+1) = a_0 a_1 ... a_L (a rational), so
 * that the regime (zero or nonzero minimizer) is decided exactly and Q can be far
 * outside the double range without overflow. */
#ifndef DUFM_GL_H
#define DUFM_GL_H

#include <gmp.h>

#include "dufm/error.h"
#include "dufm/export.h"

DUFM_BEGIN_DECLS

typedef enum {
  DUFM_REGIME_NONZERO = 0, /* the interior minimizer t > 0 is strictly best */
  DUFM_REGIME_TIE,         /* Q = Q_0: t = 0 and t = (L-1)/L give the same value 1/2 */
  DUFM_REGIME_ZERO         /* only t = 0 is optimal: g = 1/2 */
} dufm_regime;

typedef struct {
  int L;
  double value; /* g_L(Q) (relative error ~ 2 ulps), always within [lower, upper] */
  double lower; /* rigorous enclosure: lower <= g_L(Q) <= upper (1/2, 1/2 at a tie or zero) */
  double upper;
  double t;           /* a minimizer (0 in the zero regime; the interior one at a tie) */
  double Q;           /* Q as a double (may underflow to 0 or overflow to inf) */
  double log_Q;       /* ln Q, finite whenever Q > 0 */
  dufm_regime regime; /* decided by exact rational comparison with Q_0^(L+1) */
} dufm_gl;

/* Q_0^(L+1) = ((L-1)/L)^(L-1) / L^(L+1), the exact threshold: the zero regime
 * holds iff Q^(L+1) > Q_0^(L+1). L = 1 gives 1. */
void dufm_gl_threshold_qpow(mpq_t out, int L);

/* "nonzero", "tie" or "zero" (the JSON field "regime"). */
const char *dufm_regime_name(dufm_regime r);

/* Regime of a given exact Q^(L+1) >= 0. */
dufm_regime dufm_gl_regime(int L, const mpq_t q_pow);

/* Evaluates g_L from the exact q_pow = Q^(L+1) >= 0: value and minimizer in
 * double (GSL root solver in a well-conditioned variable) and a rigorous
 * enclosure [lower, upper] (bracket of the root verified with exact integer
 * arithmetic). 1 <= L <= DUFM_MAX_L. q_pow = 0 gives value 0, t = 1. Errors:
 * DUFM_EINVAL for L out of range, negative q_pow or one with more than about
 * 5e8 bits, DUFM_ENUMERIC if the root cannot be bracketed (not expected). The
 * GSL solver only gets valid brackets; GSL's error handler (abort by default)
 * is reached only if GSL's own allocation fails. Math: proofs/gl.md. */
dufm_status dufm_gl_eval(dufm_gl *out, int L, const mpq_t q_pow, dufm_err *err);

/* Same from a double Q >= 0 (taken as the exact rational it represents). */
dufm_status dufm_gl_eval_d(dufm_gl *out, int L, double Q, dufm_err *err);

/* Value of f(t) = (1-t)^2/2 + ((L+1)/2) Q t^(2/(L+1)) for t >= 0, for tests and
 * callers that need the objective at a given t (the penalty is 0 at t = 0 even
 * for Q = inf). */
double dufm_gl_objective(int L, double Q, double t);

DUFM_END_DECLS

#endif
