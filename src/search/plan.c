/* Plans: the deterministic list of start tasks for one setting. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dufm/compare.h"
#include "dufm/search.h"
#include "dufm/structure.h"

/* Closed-form starts kept from the compare menu (lowest losses first). */
#define MAX_CANDIDATES 8
/* Perturbation of closed-form and neighbour starts (entries are O(0.1..1)). */
#define CONFIG_PERTURB 1e-3

void dufm_search_opts_default(dufm_search_opts *o) {
  memset(o, 0, sizeof *o);
  o->budget = DUFM_SEARCH_DEFAULT_BUDGET;
  o->seed = 0;
  o->chain = 1;
  o->threads = 0;
}

static uint64_t mix(uint64_t z) {
  z += 0x9e3779b97f4a7c15ULL;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

static uint64_t mix_double(uint64_t h, double x) {
  uint64_t b;
  memcpy(&b, &x, sizeof b);
  return mix(h ^ b);
}

uint64_t dufm_search_task_seed(uint64_t seed, const dufm_params *p, int index) {
  uint64_t h = mix(seed);
  h = mix(h ^ (uint64_t)p->L);
  h = mix(h ^ ((uint64_t)p->K << 20));
  h = mix(h ^ ((uint64_t)p->n << 40));
  h = mix_double(h, p->lam_h_d);
  for (int l = 0; l < p->L; l++)
    h = mix_double(h, p->lam_w_d[l]);
  return mix(h ^ (uint64_t)(uint32_t)index);
}

void dufm_search_plan_clear(dufm_search_plan *plan) {
  if (plan == NULL)
    return;
  for (int i = 0; i < plan->ninputs; i++)
    dufm_config_clear(&plan->inputs[i]);
  free(plan->inputs);
  free(plan->tasks);
  dufm_params_clear(&plan->p);
  memset(plan, 0, sizeof *plan);
}

static dufm_status grow(dufm_search_plan *plan, dufm_err *err) {
  dufm_search_task *t = realloc(plan->tasks, (size_t)(plan->ntasks + 1) * sizeof *t);
  if (t == NULL)
    return dufm_err_set(err, DUFM_ENOMEM, "out of memory for the search plan");
  plan->tasks = t;
  memset(&t[plan->ntasks], 0, sizeof *t);
  t[plan->ntasks].index = plan->ntasks;
  t[plan->ntasks].seed = dufm_search_task_seed(plan->o.seed, &plan->p, plan->ntasks);
  t[plan->ntasks].input = -1;
  plan->ntasks++;
  return DUFM_OK;
}

/* Takes ownership of *c (cleared afterwards) as a new CONFIG task. */
static dufm_status add_input(dufm_search_plan *plan, dufm_config *c, int phase, const char *origin,
                             dufm_err *err) {
  dufm_config *in = realloc(plan->inputs, (size_t)(plan->ninputs + 1) * sizeof *in);
  if (in == NULL) {
    dufm_config_clear(c);
    return dufm_err_set(err, DUFM_ENOMEM, "out of memory for the search plan");
  }
  plan->inputs = in;
  in[plan->ninputs] = *c;
  memset(c, 0, sizeof *c);
  plan->ninputs++;
  dufm_status st = grow(plan, err);
  if (st != DUFM_OK)
    return st;
  dufm_search_task *t = &plan->tasks[plan->ntasks - 1];
  t->phase = phase;
  t->kind = DUFM_TASK_CONFIG;
  t->scale = CONFIG_PERTURB;
  t->input = plan->ninputs - 1;
  snprintf(t->origin, sizeof t->origin, "%s", origin);
  return DUFM_OK;
}

static int is_zero(const dufm_config *c) {
  for (size_t k = 0; k < (size_t)c->H1.rows * c->H1.cols; k++)
    if (c->H1.data[k] != 0.0)
      return 0;
  return 1;
}

/* The compare menu's applicable candidates, rescale-optimal, as inputs. */
static dufm_status add_candidates(dufm_search_plan *plan, dufm_err *err) {
  dufm_comparison cmp = {0};
  dufm_compare_opts co;
  dufm_compare_opts_default(&co);
  dufm_status st = dufm_compare(&cmp, &plan->p, &co, err);
  for (int i = 0, kept = 0; st == DUFM_OK && i < cmp.ncand && kept < MAX_CANDIDATES; i++) {
    const dufm_candidate *cd = &cmp.cand[i];
    if (!cd->eval.applicable)
      continue;
    dufm_config x;
    if (dufm_structure_materialize(&x, cd->structure, &plan->p, DUFM_FORM_SAMPLES, NULL) != DUFM_OK)
      continue; /* too large, or a zero lambda: no explicit optimum */
    if (is_zero(&x)) {
      dufm_config_clear(&x);
      continue;
    }
    char origin[128];
    snprintf(origin, sizeof origin, "structure %s", dufm_structure_name(cd->structure));
    st = add_input(plan, &x, 1, origin, err);
    kept++;
  }
  dufm_comparison_clear(&cmp);
  return st;
}

dufm_status dufm_search_plan_init(dufm_search_plan *plan, const dufm_params *p,
                                  const dufm_search_opts *o, double phase2_fraction,
                                  dufm_err *err) {
  memset(plan, 0, sizeof *plan);
  if (o->budget < 1000)
    return dufm_err_set(err, DUFM_EINVAL, "search budget %ld: must be >= 1000", o->budget);
  if (!(phase2_fraction >= 0.0 && phase2_fraction <= 0.9))
    return dufm_err_set(err, DUFM_EINVAL, "phase 2 fraction %g: must be in 0..0.9",
                        phase2_fraction);
  dufm_status st = dufm_params_copy(&plan->p, p, err);
  if (st != DUFM_OK)
    return st;
  plan->o = *o;
  plan->phase2_budget = (long)(phase2_fraction * (double)o->budget);
  plan->phase1_budget = o->budget - plan->phase2_budget;
  const int K = p->K;
  int widths[3] = {K, 2 * K, 30}, nw = 0;
  for (int i = 0; i < 3; i++) {
    int dup = 0;
    for (int j = 0; j < nw; j++)
      dup |= widths[j] == widths[i];
    if (!dup)
      widths[nw++] = widths[i];
  }
  const double scales[3] = {0.1, 0.3, 0.5};
  const dufm_optim_method methods[2] = {DUFM_OPTIM_GD, DUFM_OPTIM_ANNEAL};
  const double lrs[2] = {0.5, 1.0};
  for (int m = 0; m < 2 && st == DUFM_OK; m++)
    for (int w = 0; w < nw && st == DUFM_OK; w++)
      for (int s = 0; s < 3 && st == DUFM_OK; s++) {
        st = grow(plan, err);
        if (st != DUFM_OK)
          break;
        dufm_search_task *t = &plan->tasks[plan->ntasks - 1];
        t->phase = 1;
        t->kind = DUFM_TASK_GAUSSIAN;
        t->width = widths[w];
        t->scale = scales[s];
        t->method = methods[m];
        t->lr = lrs[m];
        snprintf(t->origin, sizeof t->origin, "gaussian w=%d std=%g %s lr=%g", t->width, t->scale,
                 dufm_optim_method_name(t->method), t->lr);
      }
  if (st == DUFM_OK)
    st = add_candidates(plan, err);
  if (st != DUFM_OK) {
    dufm_search_plan_clear(plan);
    return st;
  }
  /* Equal shares: Gaussian tasks 70 % steps, 30 % polish; others polish only. */
  long share = plan->phase1_budget / plan->ntasks;
  for (int i = 0; i < plan->ntasks; i++) {
    dufm_search_task *t = &plan->tasks[i];
    t->steps = t->kind == DUFM_TASK_GAUSSIAN ? share * 7 / 10 : 0;
    t->polish_evals = share - t->steps;
  }
  return DUFM_OK;
}

static int same_lambdas(const dufm_params *p) {
  for (int l = 1; l < p->L; l++)
    if (mpq_cmp(p->lam_w[l], p->lam_w[0]) != 0)
      return 0;
  return 1;
}

dufm_status dufm_search_plan_add_start(dufm_search_plan *plan, const dufm_config *c,
                                       const char *label, dufm_err *err) {
  const dufm_params *p = &plan->p;
  if (c->K < 2 || c->cols % c->K != 0 || c->cols / c->K != p->n)
    return dufm_err_set(err, DUFM_EINVAL,
                        "start %s: has %d columns for K = %d; the search needs n = %d", label,
                        c->cols, c->K, p->n);
  char origin[128];
  dufm_config x;
  dufm_status st = DUFM_OK;
  if (c->L == p->L && c->K == p->K) {
    st = dufm_config_copy(&x, c, err);
    snprintf(origin, sizeof origin, "start %s", label);
    return st == DUFM_OK ? add_input(plan, &x, 2, origin, err) : st;
  }
  if (c->L == p->L - 1 && c->K == p->K) {
    if (!same_lambdas(p))
      return dufm_err_set(err, DUFM_EINVAL,
                          "start %s: lifting from L - 1 needs every lambda_l equal", label);
    for (int pos = 1; pos < c->L && st == DUFM_OK; pos++) {
      st = dufm_search_lift(&x, c, pos, p, err);
      snprintf(origin, sizeof origin, "lift %s at layer %d", label, pos + 1);
      if (st == DUFM_OK)
        st = add_input(plan, &x, 2, origin, err);
    }
    return st;
  }
  if (c->L == p->L && c->K == p->K + 1) {
    for (int k = 0; k < c->K && st == DUFM_OK; k++) {
      st = dufm_search_delete_class(&x, c, p->n, k, err);
      snprintf(origin, sizeof origin, "delete class %d of %s", k, label);
      if (st == DUFM_OK)
        st = add_input(plan, &x, 2, origin, err);
    }
    return st;
  }
  return dufm_err_set(err, DUFM_EINVAL,
                      "start %s: has L = %d, K = %d; the search at L = %d, K = %d takes (L, K), "
                      "(L - 1, K) or (L, K + 1)",
                      label, c->L, c->K, p->L, p->K);
}

void dufm_search_plan_seal(dufm_search_plan *plan) {
  int n2 = 0;
  for (int i = 0; i < plan->ntasks; i++)
    n2 += plan->tasks[i].phase == 2;
  for (int i = 0; i < plan->ntasks && n2 > 0; i++)
    if (plan->tasks[i].phase == 2) {
      plan->tasks[i].steps = 0;
      plan->tasks[i].polish_evals = plan->phase2_budget / n2;
    }
}
