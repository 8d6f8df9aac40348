/* Stacked bars: per category, the series' values stacked from zero (dufm
 * paper: how the seeds at each width split into outcomes). */
#include <math.h>
#include <plplot.h>
#include <stdio.h>
#include <stdlib.h>

#include "plot.h"

#define BAR_HALF 0.3 /* half the bar width, in category units */

static void legend(const plot_series *s, int ns) {
  PLINT *opt = calloc((size_t)ns, sizeof *opt), *col = calloc((size_t)ns, sizeof *col);
  PLINT *pat = calloc((size_t)ns, sizeof *pat), *sty = calloc((size_t)ns, sizeof *sty);
  PLINT *num = calloc((size_t)ns, sizeof *num);
  PLFLT *bsc = calloc((size_t)ns, sizeof *bsc), *bwd = calloc((size_t)ns, sizeof *bwd);
  PLFLT *ssc = calloc((size_t)ns, sizeof *ssc);
  const char **text = calloc((size_t)ns, sizeof *text), **sym = calloc((size_t)ns, sizeof *sym);
  if (opt && col && pat && sty && num && bsc && bwd && ssc && text && sym) {
    for (int k = 0; k < ns; k++) {
      opt[k] = PL_LEGEND_COLOR_BOX;
      col[k] = s[k].color;
      sty[k] = PLOT_SOLID;
      bsc[k] = 0.9;
      bwd[k] = 1;
      ssc[k] = 1;
      num[k] = 1;
      text[k] = s[k].label ? s[k].label : "";
      sym[k] = "";
    }
    PLFLT w, h;
    pllegend(&w, &h, PL_LEGEND_BACKGROUND | PL_LEGEND_BOUNDING_BOX,
             PL_POSITION_RIGHT | PL_POSITION_OUTSIDE | PL_POSITION_VIEWPORT, 0.02, 0.0, 0.08, 0,
             PLOT_BLACK, 1, 0, 0, ns, opt, 0.8, 0.85, 1.8, 0.0, col, text, col, pat, bsc, bwd, col,
             sty, bwd, col, ssc, num, sym);
  }
  free(opt), free(col), free(pat), free(sty), free(num), free(bsc), free(bwd), free(ssc);
  free(text), free(sym);
}

static void draw(const plot_axes *ax, const char *const *cats, int nx, const plot_series *s,
                 int ns) {
  double hi = 0;
  for (int i = 0; i < nx; i++) {
    double sum = 0;
    for (int k = 0; k < ns; k++)
      sum += isfinite(s[k].y[i]) && s[k].y[i] > 0 ? s[k].y[i] : 0;
    hi = fmax(hi, sum);
  }
  double lo = 0;
  if (ax->ymin < ax->ymax)
    lo = ax->ymin, hi = ax->ymax;
  if (!(hi > lo))
    hi = lo + 1;
  double x0 = -0.6, x1 = nx - 0.4, pad = 0.04 * (hi - lo);
  pladv(0);
  plschr(0, 1.0);
  plvpor(0.09, 0.64, 0.11, 0.86);
  plwind(x0, x1, lo, hi + pad);
  for (int i = 0; i < nx; i++) {
    double base = 0;
    for (int k = 0; k < ns; k++) {
      double v = isfinite(s[k].y[i]) && s[k].y[i] > 0 ? s[k].y[i] : 0;
      if (v <= 0)
        continue;
      PLFLT xs[5] = {i - BAR_HALF, i + BAR_HALF, i + BAR_HALF, i - BAR_HALF, i - BAR_HALF};
      PLFLT ys[5] = {base, base, base + v, base + v, base};
      plcol0(s[k].color);
      plfill(4, xs, ys);
      plot_style(PLOT_BLACK, PLOT_SOLID, 0.6);
      plline(5, xs, ys);
      base += v;
    }
  }
  plot_style(PLOT_BLACK, PLOT_SOLID, 1.0);
  plbox("bc", 0, 0, "bcnstv", 0, 0);
  for (int i = 0; i < nx; i++) {
    PLFLT tx[2] = {i, i}, ty[2] = {lo, lo + 0.015 * (hi - lo)};
    plline(2, tx, ty);
    plmtex("b", 1.6, (i - x0) / (x1 - x0), 0.5, cats[i]);
  }
  pllab(ax->xlabel ? ax->xlabel : "", ax->ylabel ? ax->ylabel : "", "");
  if (ax->title)
    plmtex("t", ax->subtitle ? 2.9 : 1.6, 0.5, 0.5, ax->title);
  if (ax->subtitle)
    plmtex("t", 1.0, 0.5, 0.5, ax->subtitle);
  legend(s, ns);
  plot_style(PLOT_BLACK, PLOT_SOLID, 1.0);
}

int plot_bars(const plot_target *t, const plot_axes *ax, const char *const *cats, int nx,
              const plot_series *s, int ns) {
  plot_page pg;
  int rc = plot_page_open(&pg, t, 900, 560);
  if (rc == 0) {
    draw(ax, cats, nx, s, ns);
    rc = plot_page_close(&pg);
  }
  return rc;
}
