/* dufm_sets_solve: start, rescale, pattern polish, polish (dufm/sets.h). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "dufm/analysis.h"
#include "dufm/pattern.h"
#include "dufm/sets.h"

void dufm_sets_solution_clear(dufm_sets_solution *x) {
  if (x == NULL)
    return;
  dufm_config_clear(&x->config);
  dufm_polish_report_clear(&x->report);
  dufm_sets_layout_clear(&x->layout);
  memset(x, 0, sizeof *x);
}

/* Every factor i scaled by y_i with a_i y_i^2 equal and prod y_i = t, the
 * rescale-optimal total scale (theory section 2). No change when t = 0 (the
 * zero solution would erase the pattern) or some a_i = 0. */
static dufm_status rescale(dufm_config *c, const dufm_params *p, dufm_err *err) {
  double v, t;
  dufm_status st = dufm_rescaled_loss(&v, &t, c, p, DUFM_FORM_SAMPLES, err);
  if (st != DUFM_OK || !(t > 0.0))
    return st;
  const int L = c->L;
  double loga[DUFM_MAX_L + 1], mean = 0.0;
  for (int i = 0; i <= L; i++) {
    double a = i == 0 ? p->lam_h_d * dufm_mat_frob2(&c->H1)
                      : p->lam_w_d[i - 1] * dufm_mat_frob2(&c->W[i - 1]);
    if (!(a > 0.0))
      return DUFM_OK;
    loga[i] = log(a);
    mean += loga[i] / (L + 1);
  }
  double level = mean + 2.0 * log(t) / (L + 1);
  for (int i = 0; i <= L; i++) {
    double y = exp(0.5 * (level - loga[i]));
    dufm_mat *m = i == 0 ? &c->H1 : &c->W[i - 1];
    for (size_t k = 0; k < (size_t)m->rows * (size_t)m->cols; k++)
      m->data[k] *= y;
  }
  return DUFM_OK;
}

/* Does layer y of an extracted pattern hold exactly the rows of act (rows x K)
 * as a multiset, with no dead neuron? */
static int same_layer(const dufm_pattern_layer *y, const unsigned char *act, int rows, int K) {
  if (y->dead != 0 || y->rows != rows)
    return 0;
  unsigned char type[DUFM_SETS_MAX_K];
  for (int t = 0; t < y->ntypes; t++) {
    memset(type, 0, sizeof type);
    for (int k = y->start[t]; k < y->start[t + 1]; k++)
      type[y->classes[k]] = 1;
    int n = 0;
    for (int i = 0; i < rows; i++)
      n += memcmp(act + (size_t)i * K, type, (size_t)K) == 0;
    if (n != y->count[t])
      return 0;
  }
  return 1; /* counts agree on every extracted type and the totals agree */
}

static dufm_status kept(int *out, const dufm_sets_solution *x, const dufm_params *p,
                        dufm_err *err) {
  dufm_pattern pt;
  dufm_status st = dufm_pattern_extract(&pt, &x->config, p, NULL, err);
  *out = st == DUFM_OK;
  for (int l = 2; st == DUFM_OK && l <= p->L; l++)
    *out &= same_layer(&pt.layers[l - 2], x->layout.act[l - 1], x->layout.d[l - 1], p->K);
  dufm_pattern_clear(&pt);
  return st;
}

static dufm_status ranks(dufm_sets_solution *x, const dufm_params *p, dufm_err *err) {
  dufm_analysis a;
  dufm_status st = dufm_analyze(&a, &x->config, p, NULL, err);
  if (st == DUFM_OK) {
    for (int l = 0; l < p->L; l++) {
      x->rank_hidden[l] = a.layers[l].rank_mean;
      x->rank_preact[l] = l == 0 ? -1 : a.layers[l].rank_pre;
    }
    x->rank_out = a.rank_out;
  }
  dufm_analysis_clear(&a);
  return st;
}

dufm_status dufm_sets_solve(dufm_sets_solution *out, const dufm_structure *s, const dufm_params *p,
                            const dufm_polish_opts *o, dufm_err *err) {
  memset(out, 0, sizeof *out);
  dufm_polish_opts defaults;
  if (o == NULL) {
    dufm_polish_opts_default(&defaults);
    /* The menu's budget and stage (what the compare tables were measured with). */
    defaults.max_evals = 20000;
    defaults.stage = DUFM_POLISH_ROUNDS;
    o = &defaults;
  }
  if (dufm_structure_kind_of(s) != DUFM_STRUCTURE_SETS)
    return dufm_err_set(err, DUFM_EINVAL, "%s is not a sets or pattern structure",
                        dufm_structure_name(s));
  dufm_polish_report first = {0};
  dufm_loss l;
  dufm_status st = dufm_sets_layout_at(&out->layout, s, p->L, err);
  if (st == DUFM_OK)
    st = dufm_structure_build(&out->config, s, p, DUFM_FORM_SAMPLES, err);
  if (st == DUFM_OK)
    st = rescale(&out->config, p, err);
  if (st == DUFM_OK)
    st = dufm_eval(&l, NULL, &out->config, p, DUFM_FORM_SAMPLES, err);
  if (st != DUFM_OK)
    goto cleanup;
  out->start_loss = l.loss;
  st = dufm_polish_pattern(&out->config, &first, p, o, err);
  if (st != DUFM_OK)
    goto cleanup;
  out->pattern_loss = first.loss;
  st = dufm_polish(&out->config, &out->report, p, o, err);
  if (st == DUFM_OK)
    st = dufm_eval(&out->loss, NULL, &out->config, p, DUFM_FORM_SAMPLES, err);
  if (st == DUFM_OK)
    st = kept(&out->pattern_kept, out, p, err);
  if (st == DUFM_OK)
    st = ranks(out, p, err);
cleanup:
  dufm_polish_report_clear(&first);
  if (st != DUFM_OK) {
    dufm_err_prefix(err, "%s", dufm_structure_name(s));
    dufm_sets_solution_clear(out);
  }
  return st;
}

dufm_status dufm_sets_materialize(dufm_config *out, const dufm_structure *s, const dufm_params *p,
                                  dufm_form form, dufm_err *err) {
  if (dufm_structure_kind_of(s) != DUFM_STRUCTURE_SETS)
    return dufm_structure_materialize(out, s, p, form, err);
  memset(out, 0, sizeof *out);
  dufm_sets_solution x;
  dufm_status st = dufm_sets_solve(&x, s, p, NULL, err);
  if (st == DUFM_OK && form == DUFM_FORM_SAMPLES) {
    *out = x.config;
    memset(&x.config, 0, sizeof x.config);
  } else if (st == DUFM_OK) {
    /* Class means: the columns of a class are equal up to rounding; average. */
    const dufm_config *c = &x.config;
    st = dufm_config_init(out, c->L, c->d, p->K, err);
    for (int i = 0; st == DUFM_OK && i < c->d[0]; i++)
      for (int k = 0; k < p->K; k++) {
        double sum = 0.0;
        for (int j = 0; j < p->n; j++)
          sum += DUFM_MAT_AT(&c->H1, i, k * p->n + j);
        DUFM_MAT_AT(&out->H1, i, k) = sum / p->n;
      }
    for (int l = 0; st == DUFM_OK && l < c->L; l++)
      memcpy(out->W[l].data, c->W[l].data,
             (size_t)c->d[l + 1] * (size_t)c->d[l] * sizeof *c->W[l].data);
  }
  dufm_sets_solution_clear(&x);
  return st;
}
