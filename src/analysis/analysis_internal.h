/* Internal helpers of the analysis module (not installed): class means,
 * singular values and the neural-collapse metrics of theory section 8. The
 * callers (dufm_analyze) have checked every shape. */
#ifndef DUFM_ANALYSIS_INTERNAL_H
#define DUFM_ANALYSIS_INTERNAL_H

#include "dufm/error.h"
#include "dufm/matrix.h"

/* out (rows x K, allocated here) = class means of x (rows x K n, the n columns
 * of class c contiguous). */
dufm_status dufm_i_class_means(dufm_mat *out, const dufm_mat *x, int K, dufm_err *err);

/* The min(rows, cols) singular values of m, descending, into s. */
dufm_status dufm_i_singular_values(double *s, const dufm_mat *m, dufm_err *err);

/* Number of s[i] > tol * s[0] (s descending; 0 when s[0] = 0). */
int dufm_i_rank(const double *s, int count, double tol);

/* Rank of m (its singular values are computed and dropped). */
dufm_status dufm_i_mat_rank(int *rank, const dufm_mat *m, double tol, dufm_err *err);

/* NC1 = tr(S_W S_B^+) / K of samples x (d x K n) with class means (d x K);
 * S_B^+ keeps the between-class directions with singular value above tol times
 * the largest. 0 when n = 1, NaN when the class means coincide. */
dufm_status dufm_i_nc1(double *out, const dufm_mat *x, const dufm_mat *means, double tol,
                       dufm_err *err);

/* NC2 = || G/||G||_F - I_K/sqrt(K) ||_F with G = means^T means; NaN if G = 0. */
dufm_status dufm_i_nc2(double *out, const dufm_mat *means, dufm_err *err);

/* NC3 = || A/||A||_F - B/||B||_F ||_F with A = W^T W, B = means means^T (both
 * d x d, W is d' x d); NaN if W or the means vanish. */
dufm_status dufm_i_nc3(double *out, const dufm_mat *w, const dufm_mat *means, dufm_err *err);

#endif
