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

typedef struct {
  double f;     /* piece loss at the end (NaN if not finite) */
  double rnorm; /* residual at the end: min |g0 + J^T mu| over the entries at 0, mu in
                   [0, dF/dH] (cross) or one-sided by the mask (fixed) */
  long evals, iters, released, added, kinks, cauchy;
  long rank;     /* rank of J over the entries at 0 at the end */
  int converged; /* rnorm <= rel_tol |f| */
  int too_big;   /* the dense Jacobian would not fit: nothing done */
} dufm_i_kkt_out;

/* Active-set trust-region Newton-CG on the piece of pe->mask with the entries
 * where mult is not NaN held at P = 0 (the working set), from x (overwritten).
 * fixed = 0 (cross): held entries are masked to 0 and may be released to
 * either side, the end point is judged by Clarke stationarity (multipliers
 * between 0 and dF/dH by bounded least squares). fixed = 1 (piece): the mask
 * never changes; held entries are released only into their own side and the
 * end point is judged by the piece's KKT conditions (mu >= 0 where the mask
 * is 0, mu <= 0 where it is 1). On return every entry with |P| <= 1e-13 max|P|
 * is held (mult not NaN, its bounded least-squares multiplier), the others
 * have mult NaN. At most max_evals evaluation-equivalents.
 * DUFM_ENOMEM, DUFM_ENUMERIC (LAPACK failure). */
dufm_status dufm_i_kkt_run(dufm_i_pe *pe, double *x, double *mult, long max_evals, double rel_tol,
                           int fixed, dufm_i_kkt_out *out);

/* Bounded-variable least squares: min |A z - b| over lo <= z <= hi, A rows x m
 * column-major. z and state (-1 at lo, +1 at hi, 0 free, 2 fixed: lo = hi or
 * a zero column) warm-start the method and return the solution; *rnorm = the
 * residual norm. DUFM_ENOMEM, DUFM_ENUMERIC (LAPACK failure). */
dufm_status dufm_i_bvls(int rows, int m, const double *A, const double *b, const double *lo,
                        const double *hi, double *z, signed char *state, double *rnorm);

#endif
