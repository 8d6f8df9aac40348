/* One task of a plan, run to completion with no shared state, and the
 * deterministic reduction. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "dufm/search.h"

/* A run ended at the zero solution when its fit is 1/2 (zero output) and its
 * parameters have decayed. */
#define ZERO_FIT 0.5 - 1e-6
#define ZERO_REG 1e-6
#define MAX_RESTARTS 3
#define CHECK_EVERY 500
#define CHECK_AFTER 2000

void dufm_search_result_clear(dufm_search_result *r) {
  if (r == NULL)
    return;
  dufm_config_clear(&r->x);
  dufm_polish_report_clear(&r->polish);
  memset(r, 0, sizeof *r);
}

static int dead(const dufm_loss *f) { return f->fit > ZERO_FIT && f->reg < ZERO_REG; }

/* gd or anneal from Gaussian starts, restarted (new seed, larger scale; half
 * the step after a divergence) while the run dies at zero and steps remain. */
static dufm_status gaussian(dufm_search_result *out, const dufm_search_plan *plan,
                            const dufm_search_task *t, dufm_err *err) {
  const dufm_params *p = &plan->p;
  int d[DUFM_MAX_L + 1];
  for (int l = 0; l < p->L; l++)
    d[l] = t->width;
  d[p->L] = p->K;
  dufm_optim_opts oo;
  dufm_optim_opts_default(&oo);
  oo.method = t->method;
  oo.lr = t->lr;
  oo.tol = 0.0;
  double scale = t->scale;
  long left = t->steps;
  dufm_status st = DUFM_OK;
  for (int attempt = 0; attempt <= MAX_RESTARTS && left > 0; attempt++) {
    dufm_config x0;
    uint64_t seed = t->seed + 0x9e3779b97f4a7c15ULL * (uint64_t)attempt;
    st = dufm_optim_init_gaussian(&x0, p->L, d, p->K * p->n, scale, seed, err);
    if (st != DUFM_OK)
      return st;
    oo.iters = left;
    dufm_optim *s = NULL;
    st = dufm_optim_alloc(&s, p->L, d, p->K * p->n, &oo, err);
    if (st == DUFM_OK)
      st = dufm_optim_set(s, &x0, p, err);
    dufm_config_clear(&x0);
    if (st != DUFM_OK) {
      dufm_optim_free(s);
      if (st != DUFM_ENUMERIC)
        return st;
      st = DUFM_OK;
      out->restarts++;
      scale *= 0.5;
      continue;
    }
    dufm_optim_stop stop = DUFM_OPTIM_CONTINUE;
    int died = 0;
    while (stop == DUFM_OPTIM_CONTINUE) {
      stop = dufm_optim_iterate(s);
      long k = dufm_optim_iter(s);
      if (stop == DUFM_OPTIM_CONTINUE && k >= CHECK_AFTER && k % CHECK_EVERY == 0) {
        if (dead(dufm_optim_loss(s)) && attempt < MAX_RESTARTS) {
          died = 1;
          break;
        }
        if (plan->o.deadline > 0 && dufm_i_now() > plan->o.deadline)
          break;
      }
    }
    long used = dufm_optim_evals(s);
    out->evals += used;
    left -= dufm_optim_iter(s);
    int diverged = stop == DUFM_OPTIM_DIVERGED;
    if (!diverged && !died) {
      dufm_config_clear(&out->x);
      st = dufm_config_copy(&out->x, dufm_optim_x(s), err);
      dufm_optim_free(s);
      return st;
    }
    dufm_optim_free(s);
    out->restarts++;
    if (diverged) {
      oo.lr *= 0.5;
      scale *= 0.7;
    } else
      scale *= 1.5;
  }
  /* Every attempt died or diverged: the zero solution is the start. */
  if (out->x.d == NULL) {
    st = dufm_optim_init_gaussian(&out->x, p->L, d, p->K * p->n, 0.0, 0, err);
  }
  return st;
}

dufm_status dufm_search_task_run(dufm_search_result *out, const dufm_search_plan *plan, int index,
                                 dufm_err *err) {
  memset(out, 0, sizeof *out);
  if (index < 0 || index >= plan->ntasks)
    return dufm_err_set(err, DUFM_EINVAL, "task %d: the plan has %d tasks", index, plan->ntasks);
  const dufm_search_task *t = &plan->tasks[index];
  out->index = index;
  out->loss = INFINITY;
  dufm_status st = DUFM_OK;
  if (plan->o.deadline > 0 && dufm_i_now() > plan->o.deadline)
    return DUFM_OK; /* out of time: nothing run, loss stays infinite */
  if (t->kind == DUFM_TASK_GAUSSIAN) {
    st = gaussian(out, plan, t, err);
  } else {
    int d[DUFM_MAX_L + 1];
    const dufm_config *in = &plan->inputs[t->input];
    memcpy(d, in->d, (size_t)(in->L + 1) * sizeof *d);
    st = dufm_optim_init_embed(&out->x, in, d, t->scale, t->seed, err);
  }
  if (st != DUFM_OK)
    return st;
  dufm_polish_opts po;
  dufm_polish_opts_default(&po);
  po.max_evals = t->polish_evals > 10 ? t->polish_evals : 10;
  po.stage = DUFM_POLISH_ROUNDS; /* cheap per start; the step budget stays bit-reproducible */
  st = dufm_polish(&out->x, &out->polish, &plan->p, &po, err);
  if (st == DUFM_ENUMERIC) {
    dufm_err_clear(err);
    return DUFM_OK; /* a non-finite end point: loss stays infinite */
  }
  if (st != DUFM_OK)
    return st;
  out->evals += out->polish.evals;
  dufm_loss f;
  st = dufm_eval(&f, NULL, &out->x, &plan->p, DUFM_FORM_SAMPLES, err);
  if (st == DUFM_OK)
    out->loss = f.loss;
  else if (st == DUFM_ENUMERIC)
    st = DUFM_OK;
  return st;
}

int dufm_search_reduce(const dufm_search_result *res, int count) {
  int best = -1;
  for (int i = 0; i < count; i++) {
    if (!isfinite(res[i].loss))
      continue;
    if (best < 0 || res[i].loss < res[best].loss ||
        (res[i].loss == res[best].loss && res[i].index < res[best].index))
      best = i;
  }
  return best;
}
