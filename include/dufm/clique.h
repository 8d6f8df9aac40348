/* dufm/clique.h: clique-neuron constructions on K_r (theory section 5).
 *
 * The last hidden layer has one neuron per k-subset of the r vertices for each
 * clique size k in a chosen set, with squared weight z_k = rho_k^2 >= 0. All
 * closed forms use the Johnson-scheme eigenvalues with exact big integers, so r
 * in the hundreds works without building the C(r, k) rows. */
#ifndef DUFM_CLIQUE_H
#define DUFM_CLIQUE_H

#include <gmp.h>

#include "dufm/error.h"
#include "dufm/export.h"
#include "dufm/params.h"

DUFM_BEGIN_DECLS

/* Eigenvalues mu_0(k), mu_1(k), mu_2(k) of T_k^T T_k for one size k with unit
 * weight (multiplicities 1, r-1, K-r, K = r(r-1)/2), exact. 2 <= k <= r, r >= 3. */
void dufm_clique_mu(mpz_t mu0, mpz_t mu1, mpz_t mu2, int r, int k);

/* Exact factor norms for sizes k[0..m-1] with squared weights z[0..m-1]:
 * w2 = ||W_{L-1}||_F^2 = (r/4) sum z_i C(r, k_i) and t2 = ||T^+||_F^2 =
 * 1/mu_0 + (r-1)/mu_1 + (K-r)/mu_2. DUFM_EINVAL (message names the rule) when a
 * size is outside 2..r, sizes repeat, a weight is negative, or T is
 * rank-deficient (some mu_j = 0). r >= 3 (r = 3: K = 3 = r, the K-r space is empty). */
dufm_status dufm_clique_norms(mpq_t w2, mpq_t t2, int r, int m, const int *k, const mpq_t *z,
                              dufm_err *err);

typedef struct {
  double product;     /* w2 * t2 at the returned weights (scale invariant) */
  double lower_bound; /* certified: no weights on these sizes give a product below it */
  int iterations;
} dufm_clique_opt;

/* Minimizes w2 * t2 over z >= 0 on the given sizes (a convex problem after
 * normalizing w2 = 1). Writes exact rational weights z[0..m-1] (m initialized
 * mpq_t; normalized so that the largest is 1; some may be 0) whose exact product
 * is reported, and a lower bound from the convexity (Frank-Wolfe) gap, evaluated
 * exactly and rounded down: the linearization at the best point of the ray
 * through z, (r/4) S^2 / max_i(...), proofs/clique.md. The optimum needs at most
 * three sizes; over all sizes 2..r with r >= 5 it is the single size ceil(r/2)
 * (certified with gap 0 for r <= 600). Cost: O(m) big-integer binomials plus a
 * few O(m) passes; r = 100 with all sizes takes about a millisecond.
 * DUFM_EINVAL as dufm_clique_norms, and when every weight choice leaves T
 * rank-deficient (all sizes in {r-1, r}). */
dufm_status dufm_clique_optimize(mpq_t *z, dufm_clique_opt *out, int r, int m, const int *k,
                                 dufm_err *err);

/* Rank of the pre-activation P_L = W_{L-1} B (K x K, B the r x K incidence of
 * K_r) from a closed form: W_{L-1}^T W_{L-1} = alpha I + beta J, so the rank is
 * (r-1) [alpha != 0] + [alpha + r beta != 0] <= r (alpha = 0 only when every
 * positive weight sits on k = r; alpha + r beta = 0 only when every positive
 * weight sits on k = r/2). T itself has rank K when dufm_clique_norms succeeds.
 * Same validation as dufm_clique_norms except that T may be rank-deficient. */
dufm_status dufm_clique_rank_pre(int *rank, int r, int m, const int *k, const mpq_t *z,
                                 dufm_err *err);

/* out = Q^(L+1) = a_0 a_1 ... a_L of the exact-fit clique construction:
 * a_0 = n lam_H 2K, a_l = lam_l r (1 <= l <= L-2), a_{L-1} = lam_{L-1} w2,
 * a_L = lam_L t2 (w2, t2 from dufm_clique_norms). Needs L >= 2 and
 * K = r(r-1)/2; otherwise, or when dufm_clique_norms fails, DUFM_EINVAL. */
dufm_status dufm_clique_qpow(mpq_t out, const dufm_params *p, int r, int m, const int *k,
                             const mpq_t *z, dufm_err *err);

DUFM_END_DECLS

#endif
