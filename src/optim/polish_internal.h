/* Internals of the polish module (not installed): an evaluator of the loss on
 * a flat parameter vector with a chosen activation, and a generic L-BFGS. */
#ifndef DUFM_POLISH_INTERNAL_H
#define DUFM_POLISH_INTERNAL_H

#include <stddef.h>

#include "dufm/polish.h"

typedef enum {
  DUFM_I_ACT_RELU,    /* max(z, 0), derivative 1 where z > 0 (as dufm_eval) */
  DUFM_I_ACT_MASK,    /* mask .* z with a fixed 0/1 mask: the piece */
  DUFM_I_ACT_SOFTPLUS /* log(1 + exp(beta z)) / beta */
} dufm_i_act;

/* Flat layout: H1 (d[0] x cols), W1 (d[1] x d[0]), ..., WL, each row-major. */
typedef struct {
  int L, cols, per; /* per = samples per class */
  int *d;
  size_t nparam;
  double lam_h, *lam_w;
  dufm_i_act act;
  int confine; /* MASK: a point whose pre-activations disagree with the mask
                 (active < 0, inactive > 0) evaluates to +inf */
  double beta;
  double **pre, **hid, **der; /* layers 1..L-1 (index 0 unused) */
  double *out, *g0, *g1;
  unsigned char *mask; /* layers 1..L-1 back to back, d[k] x cols each */
  size_t *moff;        /* offset of layer k in mask */
  size_t nmask;
  long evals;
  /* Kink constraints (augmented Lagrangian of P = 0 on chosen entries):
   * mult[i] is the multiplier of mask entry i, NaN where there is none;
   * dh[i] receives dF/dH at that entry (before the mask). */
  double *mult, *dh, rho;
  long outside; /* entries outside the mask's region at the last evaluation */
  double *block;
} dufm_i_pe;

dufm_status dufm_i_pe_alloc(dufm_i_pe **out, const dufm_config *shape, const dufm_params *p,
                            dufm_err *err);
void dufm_i_pe_free(dufm_i_pe *pe);

/* Loss (NaN when not finite) and, when g != NULL, its gradient. */
double dufm_i_pe_eval(dufm_i_pe *pe, const double *x, double *g);

/* mask <- (P > 0) at x (one forward pass with the exact activation). */
void dufm_i_pe_mask_from(dufm_i_pe *pe, const double *x);

/* Flat copies between a configuration and a vector. */
void dufm_i_flatten(double *v, const dufm_config *c);
void dufm_i_unflatten(dufm_config *c, const double *v);

typedef double (*dufm_i_fg)(void *ctx, const double *x, double *g);

typedef struct {
  double f, gnorm;
  long evals, iters;
  int converged; /* gnorm <= rel_tol * |f| */
} dufm_i_lbfgs_out;

/* Minimizes fn from x (overwritten by the final iterate) with at most
 * max_evals evaluations; stops at gnorm <= rel_tol |f|, on budget, or when no
 * step can be found. DUFM_ENOMEM or DUFM_ENUMERIC (non-finite start). */
dufm_status dufm_i_lbfgs_min(double *x, size_t n, dufm_i_fg fn, void *ctx, int memory,
                             long max_evals, double rel_tol, dufm_i_lbfgs_out *out);

#endif
