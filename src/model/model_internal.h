/* Internal helpers of the model module (not installed). */
#ifndef DUFM_MODEL_INTERNAL_H
#define DUFM_MODEL_INTERNAL_H

#include <stddef.h>

#include "dufm/model.h"

/* Checks that the matrices of c agree with c->d, c->cols and c->K (a hand-filled
 * struct may not); the evaluators trust the shapes afterwards. */
dufm_status dufm_i_config_shapes(const dufm_config *c, dufm_err *err);

/* Sum of squares of x[0..count) in a fixed order (bitwise reproducible); the
 * regularization of dufm_eval_with sums each matrix this way. */
double dufm_i_sum_sq(const double *x, size_t count);

/* g <- lam x; returns dufm_i_sum_sq(x, count), bitwise, from the same pass. */
double dufm_i_seed_sum_sq(double *g, const double *x, double lam, size_t count);

/* x <- x - lr g, then g <- lam x (the new x); returns dufm_i_sum_sq of the new
 * x, bitwise, from the same pass. One gradient descent step that also prepares
 * the next dufm_i_eval_seeded. */
double dufm_i_step_seed_sum_sq(double *x, double *g, double lr, double lam, size_t count);

/* Weight of ||H1||^2 in twice the regularization for this form. */
double dufm_i_lam_h1(const dufm_params *p, dufm_form form);

/* dufm_eval_with for a caller that already holds the parameter norms, for the
 * optimizer's gradient descent loop. Trusts its inputs: c, grad and ws of one
 * shape (checked once by the caller), grad != c. On entry sq[0] = ||H1||^2 and
 * sq[1 + k] = ||W[k]||^2 as dufm_i_sum_sq computes them, and grad already holds
 * the regularization gradient (H1 block lam_h1 H1, W[k] block lam_w[k] W[k]),
 * e.g. from dufm_i_step_seed_sum_sq. Then *out is bitwise dufm_eval_with's and
 * so is grad, and *gnorm2 = ||grad||^2, summed block by block right after each
 * product while the block is in cache (fixed order, so reproducible). Returns
 * DUFM_ENUMERIC without a message when the loss is not finite. */
dufm_status dufm_i_eval_seeded(dufm_loss *out, double *gnorm2, dufm_config *grad,
                               const dufm_config *c, const dufm_params *p, dufm_form form,
                               const double *sq, dufm_eval_ws *ws);

#endif
