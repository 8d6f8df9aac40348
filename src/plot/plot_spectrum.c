/* dufm plot spectrum: singular values of the class means per layer, each
 * divided by its largest, on a log scale, so that rank collapse shows as a
 * drop to rounding level. */
#include <math.h>
#include <plplot.h>
#include <stdio.h>
#include <stdlib.h>

#include "dufm/analysis.h"
#include "plot.h"

#define SPECTRUM_MAX_L 16
/* Relative singular values below this are drawn at it (exact zeros included). */
#define SPECTRUM_FLOOR 1e-17

typedef struct {
  int layer, pre, rows, nsv, rank;
  double *sv; /* descending */
} sv_curve;

static int make_curve(sv_curve *c, const dufm_mat *m, int layer, int pre) {
  c->layer = layer, c->pre = pre, c->rows = m->rows;
  c->nsv = m->rows < m->cols ? m->rows : m->cols;
  c->sv = malloc((size_t)c->nsv * sizeof *c->sv);
  if (c->sv == NULL)
    return out_fail("out of memory"), 1;
  dufm_err err;
  if (dufm_singular_values(c->sv, m, &err) != DUFM_OK)
    return out_fail("spectrum: layer %d: %s", layer, err.msg), 1;
  c->rank = dufm_sv_rank(c->sv, c->nsv, PLOT_RANK_TOL);
  return 0;
}

static void draw(const sv_curve *cv, int nc, const plot_layers *pl) {
  /* Every curve runs over all K singular values of M_l (the square roots of
   * the eigenvalues of the K x K Gram): a layer narrower than K has K - d_l
   * zeros, drawn at the floor like any rank deficiency. */
  int maxn = pl->K;
  double lo = 1e-3;
  for (int j = 0; j < nc; j++)
    for (int i = 0; i < maxn && cv[j].sv[0] > 0; i++)
      lo = fmin(lo,
                i < cv[j].nsv ? fmax(cv[j].sv[i] / cv[j].sv[0], SPECTRUM_FLOOR) : SPECTRUM_FLOOR);
  double ylo = floor(log10(lo)) - 0.5;
  pladv(0);
  plschr(0, 1.0);
  plvpor(0.09, 0.66, 0.11, 0.86);
  plwind(0.5, maxn + 0.5, ylo, 0.5);
  plot_style(PLOT_BLACK, PLOT_SOLID, 1.0);
  plbox("bcnst", 0, 0, "bc", 0, 0);
  plot_log_yaxis(0.5, maxn + 0.5, ylo, 0.5);
  pllab("index i", "#gs#di#u / #gs#d1#u  (log scale)", "");
  char title[400], name[64];
  plot_short_name(name, sizeof name, pl->name, 32);
  snprintf(title, sizeof title, "Singular values of the class means: %s, L = %d, K = %d", name,
           pl->L, pl->K);
  plmtex("t", 2.9, 0.5, 0.5, title);
  plmtex("t", 1.0, 0.5, 0.5,
         "solid: H#dl#u after the ReLU, dashed: P#dl#u before it; zeros drawn at 10#u-17#d");
  plot_hline(0.5, maxn + 0.5, log10(PLOT_RANK_TOL), PLOT_GREY, PLOT_DOTTED);
  plot_legend_entry *e = calloc((size_t)nc + 1, sizeof *e);
  PLFLT *x = malloc((size_t)maxn * sizeof *x), *y = malloc((size_t)maxn * sizeof *y);
  for (int j = 0; j < nc && e && x && y; j++) {
    const sv_curve *c = &cv[j];
    const char *sym = c->pre ? "×" : "•";
    int n = c->sv[0] > 0 ? maxn : 0;
    /* Curves with equal spectra (H_1 = H_2 = ... in the constructions) would
     * hide each other: each is shifted sideways by a small fixed amount. */
    double dodge = 0.05 * (j - (nc - 1) / 2.0) * (nc > 1 ? 6.0 / (nc + 5) : 0);
    for (int i = 0; i < n; i++)
      x[i] = i + 1 + dodge,
      y[i] = log10(i < c->nsv ? fmax(c->sv[i] / c->sv[0], SPECTRUM_FLOOR) : SPECTRUM_FLOOR);
    plot_style(PLOT_COLOR(c->layer - 1), c->pre ? PLOT_DASHED : PLOT_SOLID, 1.6);
    if (n > 0) {
      plline(n, x, y);
      plstring(n, x, y, sym);
    }
    snprintf(e[j].text, sizeof e[j].text, "%s#d%d#u (%s): rank %d%s", c->pre ? "P" : "H", c->layer,
             c->pre ? "pre" : "post", c->rank, n == 0 ? " (zero)" : "");
    e[j].color = PLOT_COLOR(c->layer - 1);
    e[j].style = c->pre ? PLOT_DASHED : PLOT_SOLID;
    e[j].symbol = sym;
  }
  if (e) {
    snprintf(e[nc].text, sizeof e[nc].text, "rank threshold 10#u-6#d");
    e[nc].color = PLOT_GREY;
    e[nc].style = PLOT_DOTTED;
    plot_legend(e, nc + 1, 0.85);
  }
  free(e), free(x), free(y);
}

int plot_spectrum(const plot_target *t, const plot_layers *layers) {
  const plot_layers pl = *layers;
  int rc = 0;
  int nc = 2 * pl.L - 1;
  sv_curve *cv = calloc((size_t)nc, sizeof *cv);
  if (pl.L > SPECTRUM_MAX_L) {
    rc = out_fail("spectrum: L = %d layers is too many for a readable figure (at most %d)", pl.L,
                  SPECTRUM_MAX_L);
    goto cleanup;
  }
  if (cv == NULL) {
    rc = out_fail("out of memory");
    goto cleanup;
  }
  /* Post-activation curves first (l = 1..L), then the pre-activations. */
  for (int l = 1; l <= pl.L && rc == 0; l++)
    rc = make_curve(&cv[l - 1], &pl.post[l - 1], l, 0);
  for (int l = 2; l <= pl.L && rc == 0; l++)
    rc = make_curve(&cv[pl.L + l - 2], &pl.pre[l - 1], l, 1);
  if (rc != 0)
    goto cleanup;
  plot_page pg;
  if ((rc = plot_page_open(&pg, t, 900, 560)) != 0)
    goto cleanup;
  draw(cv, nc, &pl);
  if ((rc = plot_page_close(&pg)) != 0)
    goto cleanup;
  json_writer w;
  char what[64];
  snprintf(what, sizeof what, "%d curves", nc);
  plot_report_begin(&w, t, "spectrum", what);
  if (t->json) {
    json_kv_string(&w, "source", pl.name);
    json_kv_int(&w, "L", pl.L);
    json_kv_int(&w, "K", pl.K);
    json_kv_double(&w, "rank_tol", PLOT_RANK_TOL);
    json_key(&w, "curves");
    json_begin_array(&w);
    for (int j = 0; j < nc; j++) {
      json_begin_object(&w);
      json_kv_int(&w, "layer", cv[j].layer);
      json_kv_string(&w, "activation", cv[j].pre ? "pre" : "post");
      json_kv_int(&w, "rows", cv[j].rows);
      json_kv_int(&w, "rank", cv[j].rank);
      json_key(&w, "singular_values");
      json_begin_array(&w);
      for (int i = 0; i < cv[j].nsv; i++)
        json_double(&w, cv[j].sv[i]);
      json_end_array(&w);
      json_end_object(&w);
    }
    json_end_array(&w);
  }
  plot_report_end(&w, t);
cleanup:
  for (int j = 0; cv != NULL && j < nc; j++)
    free(cv[j].sv);
  free(cv);
  return rc;
}
