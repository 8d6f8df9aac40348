/* dufm plot gram: heat maps of the class-mean Gram matrices M_l^T M_l per
 * layer, before and after the ReLU (the paper's figure 1). */
#include <math.h>
#include <plplot.h>
#include <stdio.h>
#include <stdlib.h>

#include "dufm/analysis.h"
#include "plot.h"

/* Past these sizes the figure stops being readable (and an SVG of K^2 cells
 * per panel grows past what a viewer opens comfortably). */
#define GRAM_MAX_L 16
#define GRAM_MAX_K 500

typedef struct {
  int layer, pre; /* pre = 1: pre-activation P_l, else H_l */
  int rows, rank; /* d_l and the rank of M_l (PLOT_RANK_TOL) */
  double max_abs; /* of the Gram before normalization */
  double *g;      /* K x K, divided by max_abs (when nonzero) */
  double diag_min, offdiag_max_abs, min;
} gram_panel;

static int make_panel(gram_panel *p, const dufm_mat *m, int layer, int pre) {
  int K = m->cols, nsv = m->rows < K ? m->rows : K;
  p->layer = layer, p->pre = pre, p->rows = m->rows;
  p->g = calloc((size_t)K * (size_t)K, sizeof *p->g);
  double *sv = malloc((size_t)nsv * sizeof *sv);
  if (p->g == NULL || sv == NULL) {
    free(sv);
    return out_fail("out of memory"), 1;
  }
  dufm_err err;
  if (dufm_singular_values(sv, m, &err) != DUFM_OK) {
    free(sv);
    return out_fail("gram: layer %d: %s", layer, err.msg), 1;
  }
  p->rank = dufm_sv_rank(sv, nsv, PLOT_RANK_TOL);
  free(sv);
  p->max_abs = 0;
  for (int a = 0; a < K; a++)
    for (int b = 0; b < K; b++) {
      double s = 0;
      for (int i = 0; i < m->rows; i++)
        s += DUFM_MAT_AT(m, i, a) * DUFM_MAT_AT(m, i, b);
      p->g[(size_t)a * K + b] = s;
      p->max_abs = fmax(p->max_abs, fabs(s));
    }
  p->diag_min = INFINITY, p->offdiag_max_abs = 0, p->min = INFINITY;
  for (int a = 0; a < K; a++)
    for (int b = 0; b < K; b++) {
      double *v = &p->g[(size_t)a * K + b];
      if (p->max_abs > 0)
        *v /= p->max_abs;
      p->min = fmin(p->min, *v);
      if (a == b)
        p->diag_min = fmin(p->diag_min, *v);
      else
        p->offdiag_max_abs = fmax(p->offdiag_max_abs, fabs(*v));
    }
  return 0;
}

/* Page geometry in page units (pixels or points). */
enum { CELL = 210, GAP_X = 28, GAP_Y = 48, LEFT = 64, TOP = 84, RIGHT = 130, BOTTOM = 20 };

static void viewport(int W, int H, int x, int y, int w, int h) {
  plvpor((double)x / W, (double)(x + w) / W, 1.0 - (double)(y + h) / H, 1.0 - (double)y / H);
}

static void draw(const gram_panel *panels, int np, const plot_layers *pl, int W, int H) {
  pladv(0);
  plschr(0, 0.9);
  plvpor(0, 1, 0, 1);
  plwind(0, 1, 0, 1);
  plot_style(PLOT_BLACK, PLOT_SOLID, 1.0);
  /* In the zero regime the rescale-optimal configuration is all zeros. */
  int zero = 1;
  for (int i = 0; i < np; i++)
    zero &= panels[i].max_abs == 0;
  char title[400], name[64];
  plot_short_name(name, sizeof name, pl->name, pl->L > 2 ? 40 : 16);
  snprintf(title, sizeof title,
           "Class-mean Gram matrices M#dl#u#uT#dM#dl#u of %s (L = %d, K = %d)%s", name, pl->L,
           pl->K,
           zero        ? ": all zero (zero solution; see --unscaled)"
           : pl->L > 2 ? ", each divided by its max |entry|"
                       : "");
  plptex(0.5, 1.0 - 26.0 / H, 1, 0, 0.5, title);
  for (int i = 0; i < np; i++) {
    const gram_panel *p = &panels[i];
    int x = LEFT + (p->layer - 1) * (CELL + GAP_X), y = TOP + (p->pre ? 0 : CELL + GAP_Y);
    viewport(W, H, x, y, CELL, CELL);
    plwind(0, pl->K, 0, pl->K);
    plot_heatmap(p->g, pl->K, -1, 1);
    plot_style(PLOT_BLACK, PLOT_SOLID, 1.0);
    plbox("bc", 0, 0, "bc", 0, 0);
    char label[96];
    if (p->max_abs == 0)
      snprintf(label, sizeof label, "%s#d%d#u: zero", p->pre ? "P" : "H", p->layer);
    else
      snprintf(label, sizeof label, "%s#d%d#u: rank %d", p->pre ? "P" : "H", p->layer, p->rank);
    plmtex("t", 0.8, 0.5, 0.5, label);
    if (p->layer == 1)
      plmtex("l", 1.5, 0.5, 0.5, "after ReLU");
  }
  /* The first layer has no pre-activation: say so in its empty slot. */
  viewport(W, H, LEFT, TOP, CELL, CELL);
  plwind(0, 1, 0, 1);
  plcol0(PLOT_GREY);
  plptex(0.5, 0.55, 1, 0, 0.5, "layer 1 has no");
  plptex(0.5, 0.45, 1, 0, 0.5, "pre-activation");
  plcol0(PLOT_BLACK);
  plmtex("l", 1.5, 0.5, 0.5, "before ReLU");
  int right = LEFT + pl->L * (CELL + GAP_X) - GAP_X;
  plot_colorbar((double)(right + 24) / W, (double)(right + 42) / W,
                1.0 - (double)(TOP + 2 * CELL + GAP_Y) / H, 1.0 - (double)TOP / H, -1, 1,
                "entry / max |entry|");
}

int plot_gram(const plot_target *t, const plot_layers *layers) {
  const plot_layers pl = *layers;
  int rc = 0;
  int np = 2 * pl.L - 1;
  gram_panel *panels = calloc((size_t)np, sizeof *panels);
  if (pl.L > GRAM_MAX_L || pl.K > GRAM_MAX_K) {
    rc =
        out_fail("gram: L = %d, K = %d is too large for a readable figure (at most L = %d, K = %d)",
                 pl.L, pl.K, GRAM_MAX_L, GRAM_MAX_K);
    goto cleanup;
  }
  if (panels == NULL) {
    rc = out_fail("out of memory");
    goto cleanup;
  }
  for (int l = 1, i = 0; l <= pl.L && rc == 0; l++) {
    if (l > 1)
      rc = make_panel(&panels[i++], &pl.pre[l - 1], l, 1);
    if (rc == 0)
      rc = make_panel(&panels[i++], &pl.post[l - 1], l, 0);
  }
  if (rc != 0)
    goto cleanup;
  int W = LEFT + pl.L * (CELL + GAP_X) - GAP_X + RIGHT, H = TOP + 2 * CELL + GAP_Y + BOTTOM;
  plot_page pg;
  if ((rc = plot_page_open(&pg, t, W, H)) != 0)
    goto cleanup;
  draw(panels, np, &pl, W, H);
  if ((rc = plot_page_close(&pg)) != 0)
    goto cleanup;
  json_writer w;
  char what[64];
  snprintf(what, sizeof what, "%d panels", np);
  plot_report_begin(&w, t, "gram", what);
  if (t->json) {
    json_kv_string(&w, "source", pl.name);
    json_kv_int(&w, "L", pl.L);
    json_kv_int(&w, "K", pl.K);
    json_kv_int(&w, "n", pl.n);
    json_kv_double(&w, "rank_tol", PLOT_RANK_TOL);
    json_key(&w, "panels");
    json_begin_array(&w);
    for (int i = 0; i < np; i++) {
      const gram_panel *p = &panels[i];
      json_begin_object(&w);
      json_kv_int(&w, "layer", p->layer);
      json_kv_string(&w, "activation", p->pre ? "pre" : "post");
      json_kv_int(&w, "rows", p->rows);
      json_kv_int(&w, "rank", p->rank);
      json_kv_double(&w, "max_abs", p->max_abs);
      json_kv_double(&w, "diag_min", p->diag_min);
      json_kv_double(&w, "offdiag_max_abs", p->offdiag_max_abs);
      json_kv_double(&w, "min", p->min);
      json_end_object(&w);
    }
    json_end_array(&w);
  }
  plot_report_end(&w, t);
cleanup:
  for (int i = 0; panels != NULL && i < np; i++)
    free(panels[i].g);
  free(panels);
  return rc;
}
