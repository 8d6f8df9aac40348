/* dufm/optim.h: numerical minimization of the L-DUFM loss (theory section 1,
 * per-sample form) by gradient descent, annealed gradient descent and L-BFGS,
 * from Gaussian or given starting points, over many seeds in parallel.
 *
 * Shape: a solver object with alloc / set / iterate / free (GSL style) whose
 * iterate allocates nothing; a run driver that adds stopping, a trace and
 * timing; a multi-seed driver over pthreads.
 *
 * Methods (one step k = 0, 1, ... with X the concatenation H1, W1, ..., WL):
 * - gd:     X <- X - lr dF/dX, every block at once (torch.optim.SGD without
 *           momentum or weight decay on the full loss F, lambda terms included).
 * - anneal: the same with lr_k = lr / (1 + 10 k / iters): the step falls
 *           smoothly to lr / 11 at the last iteration.
 * - lbfgs:  L-BFGS with `memory` pairs, initial inverse Hessian (s'y / y'y) I,
 *           a weak Wolfe line search by bracketing (Armijo c1 = 1e-4, curvature
 *           c2 = 0.9: double the step until Armijo fails, then bisect), the
 *           steepest descent direction after a non-descent direction or a
 *           failed search, pairs kept only when s'y > 1e-12 |s| |y|. F is not
 *           smooth at ReLU kinks: when even the steepest-descent search finds no
 *           Armijo point the run stops with DUFM_OPTIM_LINESEARCH (the iterate
 *           is kept; its loss never rose).
 *
 * Random numbers: splitmix64(seed) fills the state of xoshiro256**; uniforms
 * are (x >> 11) 2^-53 (zero redrawn), Gaussians come in pairs by Box-Muller
 * (sqrt(-2 ln u1) cos(2 pi u2), then sin). A run's result depends only on its
 * seed, its inputs and the thread count, never on the order runs are scheduled
 * in. With several seeds, or a small problem, every BLAS call of a run is
 * single-threaded and the result depends on the seed alone; a single seed of
 * at least 5e7 multiply-adds per step runs its products on `threads` BLAS
 * threads (faster; the last bits may then change with the thread count). */
#ifndef DUFM_OPTIM_H
#define DUFM_OPTIM_H

#include <stdint.h>

#include "dufm/error.h"
#include "dufm/export.h"
#include "dufm/model.h"
#include "dufm/params.h"

DUFM_BEGIN_DECLS

typedef enum { DUFM_OPTIM_GD, DUFM_OPTIM_ANNEAL, DUFM_OPTIM_LBFGS } dufm_optim_method;

/* Why a run stopped. CONTINUE is "not finished" (a status, not an error). */
typedef enum {
  DUFM_OPTIM_CONTINUE = 0,
  DUFM_OPTIM_MAXITER,    /* iteration budget used up */
  DUFM_OPTIM_CONVERGED,  /* gradient norm <= tol */
  DUFM_OPTIM_LINESEARCH, /* lbfgs: no decrease found along steepest descent */
  DUFM_OPTIM_DIVERGED    /* loss not finite or above diverge_factor * initial loss */
} dufm_optim_stop;

/* One logged step of a run. */
typedef struct {
  long iter;
  double loss, fit, reg, grad_norm;
} dufm_optim_point;

/* Progress report, passed to the callback from the thread running the run. */
typedef struct {
  int run; /* index into the seed list */
  uint64_t seed;
  long iter, iters;
  double loss, grad_norm;
  double seconds; /* since the run started */
} dufm_optim_progress;

typedef struct {
  dufm_optim_method method;
  double lr;             /* gd/anneal step size (> 0; default 0.5, the paper's) */
  long iters;            /* >= 1 (default 20000) */
  double tol;            /* stop when the gradient norm <= tol (default 1e-12; 0: never) */
  int memory;            /* lbfgs pairs (default 10) */
  double diverge_factor; /* divergence when loss > factor * initial loss (default 1e6) */
  long log_every;        /* trace every log_every steps, plus the last (0: no trace) */
  /* Multi-seed driver only. */
  double init_std; /* Gaussian init N(0, init_std^2) when start is NULL (default 0.1) */
  double perturb;  /* N(0, perturb^2) added to a given start (default 0) */
  int threads;     /* workers, 0: online cores (default 0) */
  /* Called every 10% of iters of every run, from the worker thread (must be
   * thread safe); NULL for none. */
  void (*progress)(void *ctx, const dufm_optim_progress *pr);
  void *progress_ctx;
} dufm_optim_opts;

void dufm_optim_opts_default(dufm_optim_opts *o);

/* Stable names: "gd", "anneal", "lbfgs"; "continue", "max_iters", "converged",
 * "line_search", "diverged". dufm_optim_method_parse returns 0 on success. */
const char *dufm_optim_method_name(dufm_optim_method m);
int dufm_optim_method_parse(dufm_optim_method *out, const char *name);
const char *dufm_optim_stop_name(dufm_optim_stop s);

/* ---- random starting points */

typedef struct {
  uint64_t s[4];
  double spare; /* second Box-Muller value */
  int has_spare;
} dufm_rng;

void dufm_rng_seed(dufm_rng *r, uint64_t seed);
uint64_t dufm_rng_next(dufm_rng *r);   /* xoshiro256** */
double dufm_rng_uniform(dufm_rng *r);  /* in (0, 1) */
double dufm_rng_gaussian(dufm_rng *r); /* N(0, 1) */

/* A configuration with widths d[0..L] (d[L] = K) and cols columns whose entries
 * are std * N(0, 1), drawn in the order H1, W1, ..., WL, each row-major, from
 * dufm_rng_seed(seed). out uninitialized; cleared on failure. */
dufm_status dufm_optim_init_gaussian(dufm_config *out, int L, const int *d, int cols, double std,
                                     uint64_t seed, dufm_err *err);

/* src zero-padded into widths d[0..L] (src's entries in the top-left corner of
 * each matrix; padding adds zero neurons, so the loss is unchanged), then
 * eps * N(0, 1) added to every entry in the order above (eps = 0: no noise, seed
 * unused). Needs src->L = L, src->K = d[L], src->d[l] <= d[l]; DUFM_EINVAL names
 * the first layer that does not fit. */
dufm_status dufm_optim_init_embed(dufm_config *out, const dufm_config *src, const int *d,
                                  double eps, uint64_t seed, dufm_err *err);

/* Default Gaussian start std for depth L and widths d[0..L]: 0.1 for L <= 4
 * (the paper's); deeper, sqrt(2 / w) g^(3 / (L - 1)) with w the geometric
 * mean of d[0..L-1] and g = 0.1 sqrt(15), so the product of the L - 1 ReLU
 * gains std sqrt(w / 2) stays that of L = 4, width 30, std 0.1 (a smaller
 * product lets weight decay pull gd into the zero solution). docs/search.md. */
double dufm_optim_default_init_std(int L, const int *d);

/* ---- the solver */

typedef struct dufm_optim dufm_optim;

/* Allocates every buffer for configurations of widths d[0..L] and cols columns
 * (method and memory from o): afterwards iterate allocates nothing. *out NULL
 * on failure. Free with dufm_optim_free (NULL is a no-op). */
dufm_status dufm_optim_alloc(dufm_optim **out, int L, const int *d, int cols,
                             const dufm_optim_opts *o, dufm_err *err);
void dufm_optim_free(dufm_optim *s);

/* Starts from x0 (copied; shapes must match the allocation and p in
 * per-sample form) and evaluates the loss and gradient there. p is borrowed
 * until the next set. A non-finite initial loss gives DUFM_ENUMERIC. */
dufm_status dufm_optim_set(dufm_optim *s, const dufm_config *x0, const dufm_params *p,
                           dufm_err *err);

/* One step (one line search for lbfgs), then the tests: DIVERGED, CONVERGED,
 * MAXITER (the step count reached o->iters), or CONTINUE. No allocation. */
dufm_optim_stop dufm_optim_iterate(dufm_optim *s);

/* The current iterate, its loss parts and gradient, owned by s and valid until
 * the next iterate or set. */
const dufm_config *dufm_optim_x(const dufm_optim *s);
const dufm_config *dufm_optim_grad(const dufm_optim *s);
const dufm_loss *dufm_optim_loss(const dufm_optim *s);
double dufm_optim_grad_norm(const dufm_optim *s);
long dufm_optim_iter(const dufm_optim *s);  /* steps taken since set */
long dufm_optim_evals(const dufm_optim *s); /* loss + gradient evaluations since set */

/* ---- drivers */

typedef struct {
  uint64_t seed;
  dufm_optim_stop stop; /* never CONTINUE */
  long iters;           /* steps taken; for DIVERGED the step that diverged (0: the start) */
  long evals;
  double loss0;   /* loss at the start */
  dufm_loss loss; /* at x */
  double grad_norm;
  double seconds; /* wall time of the run */
  dufm_config x;  /* final iterate, owned */
  long ntrace;
  dufm_optim_point *trace; /* iter 0, every log_every steps, and the last; owned */
} dufm_optim_result;

/* Runs the solver from x0 until a stop (divergence is a result, not an error:
 * out->stop = DIVERGED with DUFM_OK). out uninitialized; clear it afterwards
 * whatever the status. out->seed is 0. BLAS threading is the caller's (the
 * multi-seed driver sets one thread). Errors: DUFM_EINVAL (bad options or
 * shapes), DUFM_ENOMEM. */
dufm_status dufm_optim_run(dufm_optim_result *out, const dufm_config *x0, const dufm_params *p,
                           const dufm_optim_opts *o, dufm_err *err);

/* One run per seed: start from dufm_optim_init_gaussian(d, K n columns,
 * o->init_std, seed) when start is NULL, else from
 * dufm_optim_init_embed(start, d, o->perturb, seed). Runs go to
 * min(nseeds, threads) pthreads; BLAS is single-threaded during the call,
 * except for one large run (see the top of this file), which runs here with
 * `threads` BLAS threads (the previous OpenBLAS thread count is restored
 * afterwards). out is an array of
 * nseeds results (uninitialized; clear each afterwards whatever the status).
 * Errors as dufm_optim_run and the init functions; the first error in seed
 * order is reported. */
dufm_status dufm_optim_runs(dufm_optim_result *out, int nseeds, const uint64_t *seeds, const int *d,
                            const dufm_config *start, const dufm_params *p,
                            const dufm_optim_opts *o, dufm_err *err);

void dufm_optim_result_clear(dufm_optim_result *r);

/* Checks the options (lr > 0 finite, iters >= 1, tol >= 0, memory 1..1000,
 * diverge_factor > 1, log_every >= 0, init_std and perturb >= 0 finite,
 * threads >= 0); the message names the field. */
dufm_status dufm_optim_opts_check(const dufm_optim_opts *o, dufm_err *err);

DUFM_END_DECLS

#endif
