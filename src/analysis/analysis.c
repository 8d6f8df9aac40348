/* dufm_analyze: loss, stationarity, per-layer ranks and collapse metrics, and
 * the classification of a configuration (theory section 8). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/analysis_internal.h"
#include "dufm/analysis.h"

void dufm_analysis_opts_default(dufm_analysis_opts *o) {
  o->rank_tol = 1e-6;
  o->kink_tol = 1e-9;
  o->nc2_tol = 1e-3;
}

const char *dufm_classification_name(dufm_classification c) {
  switch (c) {
  case DUFM_CLASS_DNC:
    return "dnc";
  case DUFM_CLASS_LOW_RANK:
    return "low_rank";
  case DUFM_CLASS_OTHER:
    return "other";
  case DUFM_CLASS_ZERO:
    return "zero";
  case DUFM_CLASS_UNDERFIT:
    return "underfit";
  }
  return "unknown";
}

void dufm_analysis_clear(dufm_analysis *a) {
  if (a == NULL)
    return;
  if (a->layers != NULL)
    for (int l = 0; l < a->L; l++)
      free(a->layers[l].singular_values);
  free(a->layers);
  memset(a, 0, sizeof *a);
}

/* Entries of p within tol * max|p| of zero. */
static long count_kinks(const dufm_mat *p, double tol) {
  size_t count = (size_t)p->rows * (size_t)p->cols;
  double big = 0.0;
  long kinks = 0;
  for (size_t i = 0; i < count; i++)
    big = fmax(big, fabs(p->data[i]));
  for (size_t i = 0; i < count; i++)
    kinks += fabs(p->data[i]) <= tol * big;
  return kinks;
}

/* One layer: h = H_l (d_l x N), pre = P_l (NULL for l = 1), w = W_l. */
static dufm_status layer_stats(dufm_layer_stats *s, const dufm_mat *h, const dufm_mat *pre,
                               const dufm_mat *w, int K, const dufm_analysis_opts *o,
                               dufm_err *err) {
  dufm_mat mh = {0}, mp = {0};
  s->rows = h->rows;
  s->nsv = h->rows < K ? h->rows : K;
  s->rank_pre = -1;
  s->singular_values = malloc((size_t)s->nsv * sizeof *s->singular_values);
  dufm_status st = s->singular_values != NULL
                       ? DUFM_OK
                       : dufm_err_set(err, DUFM_ENOMEM, "out of memory for singular values");
  if (st == DUFM_OK)
    st = dufm_i_class_means(&mh, h, K, err);
  if (st == DUFM_OK)
    st = dufm_i_singular_values(s->singular_values, &mh, err);
  if (st != DUFM_OK)
    goto cleanup;
  s->rank_mean = dufm_i_rank(s->singular_values, s->nsv, o->rank_tol);
  s->rank_post = s->rank_mean;
  st = dufm_i_mat_rank(&s->rank_samples, h, o->rank_tol, err);
  if (st == DUFM_OK && pre != NULL) {
    st = dufm_i_class_means(&mp, pre, K, err);
    if (st == DUFM_OK)
      st = dufm_i_mat_rank(&s->rank_pre, &mp, o->rank_tol, err);
  }
  if (st == DUFM_OK)
    st = dufm_i_nc1(&s->nc1, h, &mh, o->rank_tol, err);
  if (st == DUFM_OK)
    st = dufm_i_nc2(&s->nc2, &mh, err);
  if (st == DUFM_OK)
    st = dufm_i_nc3(&s->nc3, w, &mh, err);
cleanup:
  dufm_mat_clear(&mh);
  dufm_mat_clear(&mp);
  return st;
}

static dufm_status check_opts(const dufm_analysis_opts *o, dufm_err *err) {
  if (!(o->rank_tol > 0.0 && o->rank_tol < 1.0))
    return dufm_err_set(err, DUFM_EINVAL, "rank_tol %g must lie strictly between 0 and 1",
                        o->rank_tol);
  if (!(o->kink_tol >= 0.0 && o->kink_tol < 1.0))
    return dufm_err_set(err, DUFM_EINVAL, "kink_tol %g must lie in [0, 1)", o->kink_tol);
  if (!(o->nc2_tol > 0.0 && isfinite(o->nc2_tol)))
    return dufm_err_set(err, DUFM_EINVAL, "nc2_tol %g must be positive and finite", o->nc2_tol);
  return DUFM_OK;
}

static dufm_classification classify(const dufm_analysis *a, double nc2_tol) {
  if (fabs(a->loss - 0.5) <= DUFM_ZERO_LOSS_TOL)
    return DUFM_CLASS_ZERO;
  if (a->rank_out < a->K)
    return DUFM_CLASS_UNDERFIT;
  int collapsed = 1;
  for (int l = 0; l < a->L; l++) {
    if (a->layers[l].rank_mean < a->K)
      return DUFM_CLASS_LOW_RANK;
    if (!(a->layers[l].nc2 < nc2_tol))
      collapsed = 0;
  }
  return collapsed ? DUFM_CLASS_DNC : DUFM_CLASS_OTHER;
}

/* Rank of the output's class means against max(sigma_max, 1): the target
 * I_K has singular values 1, so a vanishing output has rank 0. */
static dufm_status output_rank(int *rank, const dufm_mat *mo, double tol, dufm_err *err) {
  int k = mo->rows < mo->cols ? mo->rows : mo->cols;
  double *s = malloc((size_t)k * sizeof *s);
  if (s == NULL)
    return dufm_err_set(err, DUFM_ENOMEM, "out of memory for singular values");
  dufm_status st = dufm_i_singular_values(s, mo, err);
  *rank = 0;
  for (int i = 0; st == DUFM_OK && i < k; i++)
    *rank += s[i] > tol * fmax(s[0], 1.0);
  free(s);
  return st;
}

static double config_norm(const dufm_config *g) {
  double s = dufm_mat_frob2(&g->H1);
  for (int l = 0; l < g->L; l++)
    s += dufm_mat_frob2(&g->W[l]);
  return sqrt(s);
}

dufm_status dufm_analyze(dufm_analysis *out, const dufm_config *c, const dufm_params *p,
                         const dufm_analysis_opts *o, dufm_err *err) {
  memset(out, 0, sizeof *out);
  dufm_analysis_opts def;
  if (o == NULL) {
    dufm_analysis_opts_default(&def);
    o = &def;
  }
  dufm_eval_ws *ws = NULL;
  dufm_config grad = {0};
  dufm_mat mo = {0};
  dufm_loss loss;
  dufm_status st = check_opts(o, err);
  if (st == DUFM_OK)
    st = dufm_config_check(c, p, DUFM_FORM_SAMPLES, err);
  if (st == DUFM_OK)
    st = dufm_eval_ws_alloc(&ws, c, err);
  if (st == DUFM_OK)
    st = dufm_config_init(&grad, c->L, c->d, c->cols, err);
  if (st == DUFM_OK)
    st = dufm_eval_with(&loss, &grad, c, p, DUFM_FORM_SAMPLES, ws, err);
  if (st == DUFM_OK)
    st = dufm_rescaled_loss(&out->rescaled_loss, NULL, c, p, DUFM_FORM_SAMPLES, err);
  if (st != DUFM_OK)
    goto cleanup;
  out->L = c->L;
  out->K = c->K;
  out->n = p->n;
  out->loss = loss.loss;
  out->fit = loss.fit;
  out->reg = loss.reg;
  out->grad_norm = config_norm(&grad);
  out->rank_tol = o->rank_tol;
  out->kink_tol = o->kink_tol;
  out->nc2_tol = o->nc2_tol;
  out->layers = calloc((size_t)c->L, sizeof *out->layers);
  if (out->layers == NULL) {
    st = dufm_err_set(err, DUFM_ENOMEM, "out of memory for %d layer records", c->L);
    goto cleanup;
  }
  for (int l = 1; l <= c->L && st == DUFM_OK; l++) {
    const dufm_mat *h = l == 1 ? &c->H1 : dufm_eval_ws_hidden(ws, l);
    const dufm_mat *pre = dufm_eval_ws_preact(ws, l);
    st = layer_stats(&out->layers[l - 1], h, pre, &c->W[l - 1], c->K, o, err);
    if (pre != NULL)
      out->kinks += count_kinks(pre, o->kink_tol);
    if (st != DUFM_OK)
      dufm_err_prefix(err, "layer %d", l);
  }
  if (st == DUFM_OK)
    st = dufm_i_class_means(&mo, dufm_eval_ws_output(ws), c->K, err);
  if (st == DUFM_OK)
    st = output_rank(&out->rank_out, &mo, o->rank_tol, err);
  if (st == DUFM_OK)
    out->classification = classify(out, o->nc2_tol);
cleanup:
  dufm_mat_clear(&mo);
  dufm_config_clear(&grad);
  dufm_eval_ws_free(ws);
  return st;
}
