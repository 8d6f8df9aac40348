/* The search driver: internal chains, the plan's tasks over a thread pool,
 * the reduction and the final polish of the winner. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "core/pool.h"
#include "dufm/dnc.h"
#include "dufm/search.h"

/* Shares of the budget: each internal chain search, the target's phase 2,
 * the final polish. */
#define CHAIN_SHARE 0.15
#define PHASE2_SHARE 0.15
#define FINAL_SHARE 0.05

void dufm_search_outcome_clear(dufm_search_outcome *r) {
  if (r == NULL)
    return;
  dufm_config_clear(&r->best);
  dufm_polish_report_clear(&r->polish);
  free(r->tasks);
  free(r->task_loss);
  free(r->task_evals);
  memset(r, 0, sizeof *r);
}

/* Task i of the plan in ctx (results in plan_ctx.res). */
typedef struct {
  const dufm_search_plan *plan;
  dufm_search_result *res;
} plan_ctx;

static dufm_status run_task(void *ctx, int i, dufm_err *err) {
  plan_ctx *pc = ctx;
  const dufm_search_plan *plan = pc->plan;
  dufm_status st = dufm_search_task_run(&pc->res[i], plan, i, err);
  if (plan->o.progress != NULL && st == DUFM_OK) {
    char line[256];
    snprintf(line, sizeof line, "L = %d, K = %d: task %d/%d (%s): loss %.12g, %ld evaluations",
             plan->p.L, plan->p.K, i + 1, plan->ntasks, plan->tasks[i].origin, pc->res[i].loss,
             pc->res[i].evals);
    plan->o.progress(plan->o.progress_ctx, line);
  }
  return st;
}

/* Every task of plan into res[0..ntasks) (cleared by the caller). */
static dufm_status run_all(dufm_search_result *res, const dufm_search_plan *plan, dufm_err *err) {
  plan_ctx pc = {plan, res};
  dufm_status *sts = calloc((size_t)plan->ntasks, sizeof *sts);
  dufm_err *errs = calloc((size_t)plan->ntasks, sizeof *errs);
  dufm_status st = DUFM_OK;
  if (sts == NULL || errs == NULL) {
    st = dufm_err_set(err, DUFM_ENOMEM, "out of memory for %d search tasks", plan->ntasks);
    goto cleanup;
  }
  dufm_i_pool_run(plan->ntasks, plan->o.threads, run_task, &pc, sts, errs);
  for (int i = 0; i < plan->ntasks; i++)
    if (sts[i] != DUFM_OK) {
      st = dufm_err_set(err, sts[i], "search task %d (%s): %s", i, plan->tasks[i].origin,
                        errs[i].msg);
      break;
    }
cleanup:
  free(errs);
  free(sts);
  return st;
}

/* One setting: plan (with extra starts), all tasks, reduction, final polish.
 * The best configuration goes to out->best. */
static dufm_status one_setting(dufm_search_outcome *out, const dufm_params *p,
                               const dufm_search_opts *o, const dufm_config *starts,
                               const char *const *labels, int nstarts, dufm_err *err) {
  dufm_search_plan plan;
  dufm_search_result *res = NULL;
  long final_budget = (long)(FINAL_SHARE * (double)o->budget);
  dufm_search_opts po = *o;
  po.budget = o->budget - final_budget;
  dufm_status st = dufm_search_plan_init(&plan, p, &po, nstarts > 0 ? PHASE2_SHARE : 0.0, err);
  for (int i = 0; st == DUFM_OK && i < nstarts; i++)
    st = dufm_search_plan_add_start(&plan, &starts[i], labels[i], err);
  if (st != DUFM_OK)
    goto cleanup;
  dufm_search_plan_seal(&plan);
  res = calloc((size_t)plan.ntasks, sizeof *res);
  out->tasks = malloc((size_t)plan.ntasks * sizeof *out->tasks);
  out->task_loss = malloc((size_t)plan.ntasks * sizeof *out->task_loss);
  out->task_evals = malloc((size_t)plan.ntasks * sizeof *out->task_evals);
  if (res == NULL || out->tasks == NULL || out->task_loss == NULL || out->task_evals == NULL) {
    st = dufm_err_set(err, DUFM_ENOMEM, "out of memory for the search");
    goto cleanup;
  }
  st = run_all(res, &plan, err);
  if (st != DUFM_OK)
    goto cleanup;
  out->ntasks = plan.ntasks;
  memcpy(out->tasks, plan.tasks, (size_t)plan.ntasks * sizeof *out->tasks);
  for (int i = 0; i < plan.ntasks; i++) {
    out->task_loss[i] = res[i].loss;
    out->task_evals[i] = res[i].evals;
    out->budget_used += res[i].evals;
  }
  int b = dufm_search_reduce(res, plan.ntasks);
  if (b < 0) {
    st = dufm_err_set(err, DUFM_ENUMERIC, "no search task ended at a finite loss");
    goto cleanup;
  }
  out->best_task = b;
  snprintf(out->best_origin, sizeof out->best_origin, "%s", plan.tasks[b].origin);
  dufm_config_clear(&out->best);
  out->best = res[b].x;
  memset(&res[b].x, 0, sizeof res[b].x);
  dufm_polish_opts pol;
  dufm_polish_opts_default(&pol);
  pol.max_evals = final_budget > 10 ? final_budget : 10;
  pol.stage = DUFM_POLISH_ROUNDS;
  dufm_polish_report_clear(&out->polish);
  st = dufm_polish(&out->best, &out->polish, p, &pol, err);
  if (st != DUFM_OK)
    goto cleanup;
  out->budget_used += out->polish.evals;
  out->best_loss = out->polish.loss;
cleanup:
  for (int i = 0; res != NULL && i < plan.ntasks; i++)
    dufm_search_result_clear(&res[i]);
  free(res);
  dufm_search_plan_clear(&plan);
  return st;
}

/* A short search without chains at a neighbour setting. */
static dufm_status neighbour(dufm_config *best, double *loss, long *used, const dufm_params *p,
                             int L, int K, const dufm_search_opts *o, dufm_err *err) {
  dufm_params q = {0};
  dufm_status st = dufm_params_init(&q, L, K, p->n, err);
  if (st == DUFM_OK)
    st = dufm_params_set_lambda_q(&q, DUFM_LAMBDA_H, p->lam_h, err);
  for (int l = 0; st == DUFM_OK && l < L; l++)
    st = dufm_params_set_lambda_q(&q, l, p->lam_w[l < p->L ? l : p->L - 1], err);
  dufm_search_opts no = *o;
  no.chain = 0;
  no.budget = (long)(CHAIN_SHARE * (double)o->budget);
  no.progress = NULL;
  dufm_search_outcome sub = {0};
  if (st == DUFM_OK)
    st = one_setting(&sub, &q, &no, NULL, NULL, 0, err);
  *used += sub.budget_used;
  if (st == DUFM_OK) {
    *best = sub.best;
    memset(&sub.best, 0, sizeof sub.best);
    *loss = sub.best_loss;
  }
  dufm_search_outcome_clear(&sub);
  dufm_params_clear(&q);
  return st;
}

static int same_lambdas(const dufm_params *p) {
  for (int l = 1; l < p->L; l++)
    if (mpq_cmp(p->lam_w[l], p->lam_w[0]) != 0)
      return 0;
  return 1;
}

dufm_status dufm_search(dufm_search_outcome *out, const dufm_params *p, const dufm_search_opts *o,
                        const dufm_config *starts, int nstarts, dufm_err *err) {
  memset(out, 0, sizeof *out);
  const double t0 = dufm_i_now();
  out->lower_L_loss = out->higher_K_loss = NAN;
  out->budget = o->budget;
  if (o->budget < 10000)
    return dufm_err_set(err, DUFM_EINVAL, "search budget %ld: must be >= 10000", o->budget);
  dufm_gl dnc;
  dufm_status st = dufm_dnc_eval(&dnc, p, err);
  if (st != DUFM_OK)
    return st;
  out->dnc_loss = dnc.value;
  dufm_search_opts mine = *o;
  int nall = nstarts;
  long chain_used = 0;
  dufm_config *all = calloc((size_t)nstarts + 2, sizeof *all);
  const char **labels = calloc((size_t)nstarts + 2, sizeof *labels);
  if (all == NULL || labels == NULL) {
    st = dufm_err_set(err, DUFM_ENOMEM, "out of memory for the search starts");
    goto cleanup;
  }
  for (int i = 0; i < nstarts && st == DUFM_OK; i++) {
    st = dufm_config_copy(&all[i], &starts[i], err);
    labels[i] = "given";
  }
  if (st == DUFM_OK && o->chain) {
    /* A neighbour whose every task failed numerically just gives no start. */
    if (p->L >= 2 && same_lambdas(p)) {
      st = neighbour(&all[nall], &out->lower_L_loss, &chain_used, p, p->L - 1, p->K, o, err);
      if (st == DUFM_OK)
        labels[nall++] = "best at (L-1, K)";
      mine.budget -= (long)(CHAIN_SHARE * (double)o->budget);
    }
    if ((st == DUFM_OK || st == DUFM_ENUMERIC) && p->K + 1 <= DUFM_MAX_K) {
      st = neighbour(&all[nall], &out->higher_K_loss, &chain_used, p, p->L, p->K + 1, o, err);
      if (st == DUFM_OK)
        labels[nall++] = "best at (L, K+1)";
      mine.budget -= (long)(CHAIN_SHARE * (double)o->budget);
    }
    if (st == DUFM_ENUMERIC)
      st = DUFM_OK;
  }
  if (st != DUFM_OK)
    goto cleanup;
  st = one_setting(out, p, &mine, all, labels, nall, err);
  out->budget_used += chain_used;
  out->budget = o->budget;
  if (st == DUFM_OK)
    out->ratio_to_dnc = out->best_loss / out->dnc_loss;
  out->timed_out = o->deadline > 0 && dufm_i_now() > o->deadline;
cleanup:
  for (int i = 0; all != NULL && i < nall; i++)
    dufm_config_clear(&all[i]);
  free(all);
  free(labels);
  out->seconds = dufm_i_now() - t0;
  if (st != DUFM_OK) {
    double s = out->seconds;
    dufm_search_outcome_clear(out);
    out->seconds = s;
  }
  return st;
}
