/* dufm/bounds.h: the universal lower bound and the ridge relaxation of the last
 * layer (theory section 7; derivations in proofs/bounds.md). */
#ifndef DUFM_BOUNDS_H
#define DUFM_BOUNDS_H

#include <gmp.h>

#include "dufm/error.h"
#include "dufm/export.h"
#include "dufm/params.h"

DUFM_BEGIN_DECLS

/* out = Q_lb^(L+1) = K^2 c_1^(L+1) = K^2 n lam_H lam_1 ... lam_L, exact. Every
 * configuration (any widths, per-sample or class-mean form) has loss at least
 * g_L(Q_lb), Q_lb = K^(2/(L+1)) c_1; evaluate it with dufm_gl_eval. */
void dufm_lower_bound_qpow(mpq_t out, const dufm_params *p);

typedef struct {
  double value; /* min over t >= 0 of F(t) (an infimum in the limit cases below) */
  double t;     /* a minimizer: 0 when t = 0 is best, INFINITY when only t -> inf is */
  double err;   /* estimated absolute error of value */
} dufm_ridge;

/* The ridge relaxation of the last layer: H_L = t T with T fixed, W_L solved by
 * ridge regression, the first L factors rescaled optimally:
 *
 *   F(t) = sum_j m_j lam_L / (2 (t^2 gamma_j + K lam_L)) + (L/2) A^(1/L) t^(2/L),
 *
 * gamma[0..nj-1] >= 0 the eigenvalues of T^T T with multiplicities mult[] (summing
 * to K), A = a_0 ... a_{L-1} passed as log_A (-INFINITY when A = 0). F(0) = 1/2.
 * Minimized over u = ln t by a grid that covers every possible local minimum
 * (proofs/bounds.md) and Brent refinement (GSL). Limit cases: lam_L = 0 gives
 * the infimum (null-space multiplicity)/(2K) as t -> 0+, reported with t = 0;
 * A = 0 gives the same infimum as t -> inf. DUFM_EINVAL for L outside
 * 1..DUFM_MAX_L, K < 1, nj < 1, a negative or non-finite gamma, lam_L or
 * multiplicity, multiplicities not summing to K, or log_A NaN or +inf. */
dufm_status dufm_ridge_eval(dufm_ridge *out, int L, double lam_L, int K, int nj,
                            const double *gamma, const int *mult, double log_A, dufm_err *err);

/* The ridge relaxation of a clique construction (dufm/clique.h) at the weights
 * z: gamma_j = mu_j, A = a_0 ... a_{L-1} of theory section 5 computed exactly.
 * Never above g_L of dufm_clique_qpow (W_L = T^+ is one ridge candidate). Same
 * validation as dufm_clique_qpow; T may be rank-deficient here. */
dufm_status dufm_ridge_clique(dufm_ridge *out, const dufm_params *p, int r, int m, const int *k,
                              const mpq_t *z, dufm_err *err);

/* The same relaxation given A = a_0 ... a_{L-1} and lam_L exactly, for a clique
 * block of K = r(r-1)/2 classes whose A is already known (dufm_structure_ridge
 * takes it from the structure's evaluation). L >= 1. Validation as
 * dufm_clique_norms (T may be rank-deficient), DUFM_EINVAL for a negative lam_L
 * or A, and as dufm_ridge_eval. */
dufm_status dufm_ridge_clique_at(dufm_ridge *out, int L, const mpq_t lam_L, int r, int m,
                                 const int *k, const mpq_t *z, const mpq_t A, dufm_err *err);

DUFM_END_DECLS

#endif
