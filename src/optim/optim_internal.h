/* Internal state of the optimizer module (not installed). */
#ifndef DUFM_OPTIM_INTERNAL_H
#define DUFM_OPTIM_INTERNAL_H

#include <stddef.h>

#include "dufm/optim.h"

/* Every vector is one flat array of the n parameters (H1, W1, ..., WL, each
 * row-major), and each of x, g, xt, gt is also seen as a dufm_config whose
 * matrices point into it, so dufm_eval_with reads and writes the flat storage
 * directly and vector updates are single loops. */
struct dufm_optim {
  dufm_optim_opts o;
  int L, cols;
  int *d;          /* d[0..L], shared by the views */
  size_t n;        /* number of parameters */
  double *x, *g;   /* current iterate and its gradient */
  double *xt, *gt; /* lbfgs trial point and its gradient */
  double *dir;     /* lbfgs search direction */
  double *S, *Y;   /* lbfgs pairs, memory rows of n */
  double *rho, *alpha;
  int mem_count, mem_head;      /* pairs stored; slot of the next pair */
  dufm_config cx, cg, cxt, cgt; /* views (never dufm_config_clear them) */
  dufm_mat *mats;               /* 4 L matrix headers behind the views' W */
  double *sq;                   /* gd: squared norms of H1, W[0..L-1] at x */
  double *block;                /* one allocation behind every vector */
  dufm_eval_ws *ws;
  const dufm_params *p;
  dufm_loss f, ft;
  double gnorm, gtnorm, f0;
  long k, evals;
};

/* Dot product in a fixed summation order (bitwise reproducible whatever the
 * BLAS threading), eight independent partial sums so it is not latency bound. */
double dufm_i_dot(const double *a, const double *b, size_t n);

/* Evaluates the loss and gradient of the view (cx, cg) or (cxt, cgt) with
 * dufm_eval_with (lbfgs; gd has a fused path in solver.c); returns 0 when the
 * loss is finite. Counts the evaluation. */
int dufm_i_optim_eval(dufm_optim *s, int trial);

/* The lbfgs step (line search included), then the common tests. */
dufm_optim_stop dufm_i_lbfgs_iterate(dufm_optim *s);

/* The tests after an accepted step: DIVERGED, CONVERGED, MAXITER or CONTINUE. */
dufm_optim_stop dufm_i_optim_test(const dufm_optim *s);

/* dufm_optim_run with the run index and seed reported to the progress callback. */
dufm_status dufm_i_optim_run(dufm_optim_result *out, const dufm_config *x0, const dufm_params *p,
                             const dufm_optim_opts *o, int run, uint64_t seed, dufm_err *err);

#endif
