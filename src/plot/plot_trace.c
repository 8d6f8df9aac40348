/* dufm plot trace: loss curves of optimizer runs against the DNC closed form,
 * the paper's construction srg:r (when K = r(r-1)/2) and the best construction
 * (the paper's figure 2, top row), on a log scale of the loss or of its gap to
 * the universal lower bound. */
#include <math.h>
#include <plplot.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dufm/compare.h"
#include "dufm/meta.h"
#include "plot.h"

/* Runs with a legend entry of their own; the rest share one. */
#define TRACE_LEGEND_RUNS 8

typedef struct {
  double dnc, best, lower; /* closed-form levels */
  double paper;            /* the paper's srg:r when it applies and is not the best, else NaN */
  const char *best_name, *paper_name;
  int gap;           /* plot loss - lower */
  double ymin, ymax; /* fixed range in loss units when ymin < ymax */
  long clamped;      /* gap values at or below zero, drawn at the floor */
} trace_levels;

/* Run colours skip the two the paper's and the best construction's levels use. */
static int run_color(int r) { return PLOT_COLOR(r < 3 ? r : r + 2); }

/* The plotted value: log10 of the loss or of its gap to the lower bound (a gap
 * that rounding made nonpositive is drawn at a relative floor). */
static double yval(const trace_levels *lv, double loss, long *clamped) {
  if (!lv->gap)
    return log10(loss);
  double g = loss - lv->lower, floor_ = 1e-15 * fmax(lv->lower, 1e-300);
  if (g <= floor_) {
    if (clamped)
      (*clamped)++;
    g = floor_;
  }
  return log10(g);
}

static void draw(const trace_data *td, trace_levels *lv, const char *title) {
  double x0 = INFINITY, x1 = -INFINITY, lo = INFINITY, hi = -INFINITY;
  /* Levels in legend order; the lower bound is not drawn on the gap scale. */
  double levels[4] = {lv->dnc, lv->paper, lv->best, lv->lower};
  int nlev = lv->gap ? 3 : 4;
  for (int i = 0; i < nlev; i++)
    if (isfinite(levels[i]))
      lo = fmin(lo, yval(lv, levels[i], NULL)), hi = fmax(hi, yval(lv, levels[i], NULL));
  int maxn = 1;
  for (int r = 0; r < td->nruns; r++) {
    const trace_run *run = &td->runs[r];
    maxn = run->n > maxn ? run->n : maxn;
    for (int i = 0; i < run->n; i++) {
      double y = yval(lv, run->loss[i], NULL);
      x0 = fmin(x0, run->iter[i]), x1 = fmax(x1, run->iter[i]);
      lo = fmin(lo, y), hi = fmax(hi, y);
    }
  }
  if (x1 <= x0)
    x0 -= 1, x1 += 1;
  double pad = 0.05 * (hi - lo > 0.5 ? hi - lo : 0.5);
  int zoom = lv->ymin < lv->ymax;
  if (zoom)
    lo = yval(lv, lv->ymin, NULL), hi = yval(lv, lv->ymax, NULL), pad = 0;
  pladv(0);
  plschr(0, 1.0);
  plvpor(0.09, 0.64, 0.11, 0.86);
  plwind(x0, x1, lo - pad, hi + pad);
  plot_style(PLOT_BLACK, PLOT_SOLID, 1.0);
  plsxax(7, 0); /* iterations as plain integers up to 10^7, not "(x10^4)" */
  plbox("bcnst", 0, 0, "bc", 0, 0);
  plot_log_yaxis(x0, x1, lo - pad, hi + pad);
  pllab("iteration", lv->gap ? "loss - lower bound  (log scale)" : "loss  (log scale)", "");
  plmtex("t", 2.9, 0.5, 0.5, "Optimizer runs against closed-form levels");
  plmtex("t", 1.0, 0.5, 0.5, title);
  PLFLT *y = malloc((size_t)maxn * sizeof *y);
  int nshown = td->nruns < TRACE_LEGEND_RUNS ? td->nruns : TRACE_LEGEND_RUNS;
  plot_legend_entry *e = calloc((size_t)nshown + 5, sizeof *e);
  int ne = 0;
  for (int r = 0; r < td->nruns && y && e; r++) {
    const trace_run *run = &td->runs[r];
    for (int i = 0; i < run->n; i++)
      y[i] = yval(lv, run->loss[i], &lv->clamped);
    plot_style(run_color(r), PLOT_SOLID, 1.4);
    plline(run->n, run->iter, y);
    if (r < nshown) {
      snprintf(e[ne].text, sizeof e[ne].text, "run %ld%s%s%s", run->run,
               run->seed[0] ? " (seed " : "", run->seed, run->seed[0] ? ")" : "");
      e[ne].color = run_color(r);
      e[ne++].style = PLOT_SOLID;
    }
  }
  if (e && td->nruns > nshown) {
    snprintf(e[ne].text, sizeof e[ne].text, "... %d more runs", td->nruns - nshown);
    e[ne].color = PLOT_GREY;
    e[ne++].style = PLOT_SOLID;
  }
  int colors[4] = {PLOT_BLACK, PLOT_COLOR(4), PLOT_COLOR(3), PLOT_GREY};
  int styles[4] = {PLOT_DASHED, PLOT_DASHED, PLOT_DASHED, PLOT_DOTTED};
  for (int i = 0; i < nlev && e; i++) {
    if (!isfinite(levels[i]) || (zoom && (levels[i] < lv->ymin || levels[i] > lv->ymax)))
      continue;
    plot_hline(x0, x1, yval(lv, levels[i], NULL), colors[i], styles[i]);
    if (i == 0)
      snprintf(e[ne].text, sizeof e[ne].text, "DNC closed form");
    else if (i == 1)
      snprintf(e[ne].text, sizeof e[ne].text, "paper: %.40s", lv->paper_name);
    else if (i == 2)
      snprintf(e[ne].text, sizeof e[ne].text, "best: %.40s", lv->best_name);
    else
      snprintf(e[ne].text, sizeof e[ne].text, "lower bound");
    e[ne].color = colors[i];
    e[ne++].style = styles[i];
  }
  if (e)
    plot_legend(e, ne, 0.8);
  free(y);
  free(e);
}

static void report(const plot_target *t, const trace_data *td, const trace_levels *lv) {
  json_writer w;
  char what[64];
  snprintf(what, sizeof what, "%d runs", td->nruns);
  plot_report_begin(&w, t, "trace", what);
  if (!t->json)
    return;
  json_kv_string(&w, "y", lv->gap ? "gap" : "loss");
  json_kv_double(&w, "dnc_loss", lv->dnc);
  json_kv_string(&w, "best", lv->best_name);
  json_kv_double(&w, "best_loss", lv->best);
  json_key(&w, "paper");
  if (lv->paper_name != NULL)
    json_string(&w, lv->paper_name);
  else
    json_null(&w);
  json_kv_double(&w, "paper_loss", lv->paper); /* null when not drawn */
  json_kv_double(&w, "lower_bound", lv->lower);
  json_kv_int(&w, "clamped", lv->clamped);
  json_key(&w, "curves");
  json_begin_array(&w);
  for (int r = 0; r < td->nruns; r++) {
    const trace_run *run = &td->runs[r];
    double mn = INFINITY;
    for (int i = 0; i < run->n; i++)
      mn = fmin(mn, run->loss[i]);
    json_begin_object(&w);
    json_kv_int(&w, "run", run->run);
    json_kv_string(&w, "seed", run->seed);
    json_kv_int(&w, "points", run->n);
    json_kv_double(&w, "first_iter", run->iter[0]);
    json_kv_double(&w, "last_iter", run->iter[run->n - 1]);
    json_kv_double(&w, "first_loss", run->loss[0]);
    json_kv_double(&w, "last_loss", run->loss[run->n - 1]);
    json_kv_double(&w, "min_loss", mn);
    json_end_object(&w);
  }
  json_end_array(&w);
  plot_report_end(&w, t);
}

/* The paper's construction among the candidates, unless it is the best. */
static void paper_level(trace_levels *lv, const dufm_comparison *cmp) {
  lv->paper = NAN;
  lv->paper_name = NULL;
  int j = dufm_comparison_find(cmp, DUFM_ORIGIN_PAPER);
  if (j >= 0 && j != cmp->best_index) {
    lv->paper = cmp->cand[j].eval.loss;
    lv->paper_name = dufm_structure_name(cmp->cand[j].structure);
  }
}

int plot_trace(const plot_target *t, const trace_data *tdp, const dufm_params *pp,
               const plot_trace_opts *to) {
  const trace_data td = *tdp;
  const dufm_params p = *pp;
  int rc = 0;
  dufm_comparison cmp;
  dufm_compare_opts o;
  dufm_compare_opts_default(&o);
  dufm_err err;
  int have_cmp = 0;
  if (rc == 0) {
    if (dufm_compare(&cmp, &p, &o, &err) != DUFM_OK)
      rc = out_fail_err(&err, "trace");
    have_cmp = 1;
  }
  if (rc == 0) {
    trace_levels lv = {.dnc = cmp.cand[cmp.dnc_index].eval.loss,
                       .best = cmp.cand[cmp.best_index].eval.loss,
                       .lower = cmp.lower_bound.value,
                       .best_name = dufm_structure_name(cmp.cand[cmp.best_index].structure),
                       .gap = to->gap,
                       .ymin = to->ymin,
                       .ymax = to->ymax};
    paper_level(&lv, &cmp);
    char title[300], name[64];
    plot_short_name(name, sizeof name, to->name, 28);
    char *lt = dufm_meta_lambda_text(p.lam_h);
    int uniform = 1;
    for (int l = 0; l < p.L; l++)
      uniform = uniform && mpq_equal(p.lam_w[l], p.lam_h);
    snprintf(title, sizeof title, "%s: L = %d, K = %d, n = %d, #gl = %.24s%s", name, p.L, p.K, p.n,
             lt != NULL ? lt : "?", uniform ? "" : " (per-layer lambdas)");
    free(lt);
    plot_page pg;
    if ((rc = plot_page_open(&pg, t, 900, 560)) == 0) {
      draw(&td, &lv, title);
      rc = plot_page_close(&pg);
    }
    if (rc == 0)
      report(t, &td, &lv);
  }
  if (have_cmp)
    dufm_comparison_clear(&cmp);
  return rc;
}
