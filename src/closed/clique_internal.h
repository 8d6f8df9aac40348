/* closed/clique_internal.h: the trusting layer of the clique module (dufm/clique.h).
 *
 * Callers have validated r, the sizes and the weights with dufm_i_clique_check. */
#ifndef DUFM_CLIQUE_INTERNAL_H
#define DUFM_CLIQUE_INTERNAL_H

#include <gmp.h>

#include "dufm/error.h"
#include "dufm/params.h"

/* Largest r accepted: K = r(r-1)/2 must stay within DUFM_MAX_K. */
#define DUFM_I_CLIQUE_MAX_R 4472

/* Validates 3 <= r <= DUFM_I_CLIQUE_MAX_R, m >= 1, sizes in 2..r without
 * repetition and (when z is non-NULL) nonnegative weights. */
dufm_status dufm_i_clique_check(int r, int m, const int *k, const mpq_t *z, dufm_err *err);

/* C(n, j) for integers, 0 unless 0 <= j <= n (the subset count, not the
 * generalized binomial that mpz_bin_ui gives for negative n). */
void dufm_i_binom(mpz_t out, long n, long j);

/* Multiplicities 1, r-1, K-r of the three eigenspaces of T(r). */
void dufm_i_clique_mult(long mult[3], int r);

/* Weighted eigenvalues mu[j] = sum_i z_i mu_j(k_i) of T^T T, exact. */
void dufm_i_clique_eig(mpq_t mu[3], int r, int m, const int *k, const mpq_t *z);

/* w2 = ||W_{L-1}||_F^2 = (r/4) sum_i z_i C(r, k_i), exact. */
void dufm_i_clique_w2(mpq_t w2, int r, int m, const int *k, const mpq_t *z);

/* L >= 2 and K = r(r-1)/2, else DUFM_EINVAL naming the rule. */
dufm_status dufm_i_clique_check_params(const dufm_params *p, int r, dufm_err *err);

/* out = a_0 a_1 ... a_{L-2} of the construction (the factors before W_{L-1}). */
void dufm_i_clique_head(mpq_t out, const dufm_params *p, int r);

/* Index of the first eigenspace with positive multiplicity and mu[j] = 0, or -1
 * when T has full column rank. */
int dufm_i_clique_deficient(const mpq_t mu[3], int r);

/* The double solver of dufm_clique_optimize: x[0..m-1] on the simplex minimizing
 * sum_j w[j] / (V x)_j, V = v (m x 3, row-major), w[j] >= 0. Simplicial
 * decomposition with a Newton inner solver. Writes the number of Newton steps.
 * DUFM_EINVAL when no vertex gives a finite value (then none of the simplex does). */
dufm_status dufm_i_clique_simplex_min(double *x, int *iterations, int m, const double *v,
                                      const double w[3], dufm_err *err);

#endif
