/* dufm/search.h: find the lowest-loss configuration of the L-DUFM at one
 * setting (L, K, n, lambdas) by many independent starts, each optimized and
 * polished (dufm/polish.h).
 *
 * Shape, for distribution over processes: a *plan* is a deterministic list of
 * tasks for one setting; each task carries its own seed (derived from the
 * plan's seed, the setting and the task index) and its own budget; one task
 * runs to completion with no shared state (dufm_search_task_run); a
 * deterministic reduction picks the best (lowest dufm_eval loss, ties to the
 * lower task index). Chains make a setting depend on neighbours: phase 1 tasks
 * need nothing, phase 2 tasks start from neighbour configurations given as
 * inputs (dufm_search_plan_add_start), lifted by an identity layer when they
 * come from (L - 1, K) or with one class deleted when from (L, K + 1).
 *
 * Budget: counts loss + gradient evaluations (one gd step is one; an L-BFGS
 * step with its line search is several), over every task. The same plan (same
 * parameters, options, seed, budget and inputs) gives bitwise the same results
 * whatever the number of threads or processes, unless a deadline is set. */
#ifndef DUFM_SEARCH_H
#define DUFM_SEARCH_H

#include <stdint.h>

#include "dufm/error.h"
#include "dufm/export.h"
#include "dufm/model.h"
#include "dufm/optim.h"
#include "dufm/params.h"
#include "dufm/polish.h"

DUFM_BEGIN_DECLS

#define DUFM_SEARCH_DEFAULT_BUDGET 3000000L

typedef enum {
  DUFM_TASK_GAUSSIAN, /* Gaussian start, gd or anneal, then polish */
  DUFM_TASK_CONFIG    /* a given configuration (closed form or neighbour), perturbed, polished */
} dufm_task_kind;

typedef struct {
  int index; /* position in the plan; ties in the reduction go to the lower index */
  int phase; /* 1: independent, 2: from a neighbour configuration */
  dufm_task_kind kind;
  int width;    /* Gaussian: hidden width */
  double scale; /* Gaussian: init std; CONFIG: perturbation std */
  dufm_optim_method method;
  double lr;
  long steps;        /* gd/anneal steps (Gaussian) */
  long polish_evals; /* polish budget */
  uint64_t seed;     /* derived: dufm_search_task_seed(plan seed, setting, index) */
  int input;         /* CONFIG: index into the plan's inputs */
  char origin[128];  /* human-readable: "gaussian w=30 std=0.1 gd lr=0.5", "structure srg:5", ... */
} dufm_search_task;

typedef struct {
  long budget;     /* evaluations over all tasks (default DUFM_SEARCH_DEFAULT_BUDGET) */
  uint64_t seed;   /* default 0 */
  int chain;       /* dufm_search: run internal chain searches (default 1) */
  int threads;     /* dufm_search: worker threads (0: online cores) */
  double deadline; /* CLOCK_MONOTONIC seconds after which tasks stop early (0: none);
                      breaks reproducibility */
  void (*progress)(void *ctx, const char *line); /* one line per finished task; may be NULL */
  void *progress_ctx;
} dufm_search_opts;

void dufm_search_opts_default(dufm_search_opts *o);

typedef struct {
  dufm_params p; /* owned copy */
  dufm_search_opts o;
  int ntasks;
  dufm_search_task *tasks;
  int ninputs;
  dufm_config *inputs; /* CONFIG starts, already at (L, K) (owned) */
  long phase1_budget, phase2_budget;
} dufm_search_plan;

/* Phase 1 of a plan: Gaussian starts over widths {K, 2K, 30} x scales {0.1,
 * 0.3, 0.5} x {gd lr 0.5, anneal lr 1}, and every applicable closed-form
 * candidate of dufm_compare (rescale-optimal, perturbed). phase2_fraction of
 * the budget (0..0.9) is kept for dufm_search_plan_add_start. plan
 * uninitialized; clear it afterwards whatever the status. */
dufm_status dufm_search_plan_init(dufm_search_plan *plan, const dufm_params *p,
                                  const dufm_search_opts *o, double phase2_fraction, dufm_err *err);
/* Frees everything plan owns and zero-fills it; a no-op on NULL and on a zero-filled
 * or cleared record. */
void dufm_search_plan_clear(dufm_search_plan *plan);

/* Phase 2 start tasks from a neighbour configuration c (its own L, K, n from
 * the shapes): same (L, K) as the plan: used as is; (L - 1, K): lifted at
 * every hidden position; (L, K + 1): each class deleted in turn. Same n
 * required. Call after plan_init, for every neighbour, then
 * dufm_search_plan_seal to split the phase 2 budget. DUFM_EINVAL otherwise. */
dufm_status dufm_search_plan_add_start(dufm_search_plan *plan, const dufm_config *c,
                                       const char *label, dufm_err *err);
void dufm_search_plan_seal(dufm_search_plan *plan);

/* Seed of task `index` of a setting: splitmix64 mixing of the plan seed, L, K,
 * n, the lambdas' bits and the index. */
uint64_t dufm_search_task_seed(uint64_t seed, const dufm_params *p, int index);

typedef struct {
  int index;
  double loss;   /* dufm_eval loss of x (INFINITY if the task failed numerically) */
  long evals;    /* evaluations spent */
  int restarts;  /* Gaussian runs that died at the zero solution or diverged */
  dufm_config x; /* owned */
  dufm_polish_report polish;
} dufm_search_result;

/* Frees everything r owns and zero-fills it; a no-op on NULL and on a zero-filled
 * or cleared record. */
void dufm_search_result_clear(dufm_search_result *r);

/* Runs task `index` of plan to completion (no shared state: tasks may run in
 * any order, on any thread or process, single-threaded BLAS expected). out
 * uninitialized; clear it afterwards whatever the status. */
dufm_status dufm_search_task_run(dufm_search_result *out, const dufm_search_plan *plan, int index,
                                 dufm_err *err);

/* Index into res[0..count) of the lowest finite loss, ties to the lower
 * res[i].index; -1 when none is finite. */
int dufm_search_reduce(const dufm_search_result *res, int count);

/* Configuration surgery used by the chains. */
/* Identity layer inserted after W_pos (1 <= pos <= c->L - 1), exact for the
 * ReLU since H_{pos+1} >= 0; then the factors rebalanced (a_i y_i^2 equal).
 * out uninitialized; clear it afterwards whatever the status. */
dufm_status dufm_search_lift(dufm_config *out, const dufm_config *c, int pos,
                             const dufm_params *target, dufm_err *err);
/* Class k (0-based) deleted: its n columns of H1 and row of W_L. out
 * uninitialized; clear it afterwards whatever the status. */
dufm_status dufm_search_delete_class(dufm_config *out, const dufm_config *c, int n, int k,
                                     dufm_err *err);

typedef struct {
  double best_loss, dnc_loss, ratio_to_dnc;
  int best_task; /* index into tasks */
  char best_origin[128];
  long budget, budget_used;  /* over everything, chains included */
  dufm_config best;          /* owned, final-polished */
  dufm_polish_report polish; /* of the final polish */
  int ntasks;
  dufm_search_task *tasks; /* the target setting's plan */
  double *task_loss;       /* per task */
  long *task_evals;
  double lower_L_loss, higher_K_loss; /* chain searches' best (NAN when not run) */
  int timed_out;
  double seconds;
} dufm_search_outcome;

/* Frees everything r owns and zero-fills it; a no-op on NULL and on a zero-filled
 * or cleared record. */
void dufm_search_outcome_clear(dufm_search_outcome *r);

/* The whole search at p: when o->chain, first a short search (15 % of the
 * budget each, no chain) at (L - 1, K) (if L >= 2 and every lambda_l equal)
 * and at (L, K + 1); then the plan at p with their best and the extra starts
 * as phase 2 inputs; tasks over o->threads threads; the winner polished
 * again with the rest of the budget. out uninitialized; clear it afterwards
 * whatever the status. */
dufm_status dufm_search(dufm_search_outcome *out, const dufm_params *p, const dufm_search_opts *o,
                        const dufm_config *starts, int nstarts, dufm_err *err);

DUFM_END_DECLS

#endif
