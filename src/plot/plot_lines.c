/* A generic line figure: several series over shared x values, optionally on a
 * logarithmic x axis (dufm paper: ranks against lambda, class frequencies
 * against width). */
#include <math.h>
#include <plplot.h>
#include <stdio.h>
#include <stdlib.h>

#include "plot.h"

static double xval(const plot_axes *ax, double x) { return ax->xlog ? log10(x) : x; }

/* World window from the data (or the given y range), with a margin. */
static void window(const plot_axes *ax, const double *x, int nx, const plot_series *s, int ns,
                   double *w) {
  double x0 = INFINITY, x1 = -INFINITY, lo = INFINITY, hi = -INFINITY;
  for (int i = 0; i < nx; i++)
    x0 = fmin(x0, xval(ax, x[i])), x1 = fmax(x1, xval(ax, x[i]));
  for (int k = 0; k < ns; k++)
    for (int i = 0; i < nx; i++)
      if (isfinite(s[k].y[i]))
        lo = fmin(lo, s[k].y[i]), hi = fmax(hi, s[k].y[i]);
  if (isfinite(ax->href))
    lo = fmin(lo, ax->href), hi = fmax(hi, ax->href);
  if (ax->ymin < ax->ymax)
    lo = ax->ymin, hi = ax->ymax;
  if (!(lo < hi))
    lo = isfinite(lo) ? lo - 1 : 0, hi = isfinite(hi) ? hi + 1 : 1;
  if (!(x0 < x1))
    x0 = isfinite(x0) ? x0 - 1 : 0, x1 = isfinite(x1) ? x1 + 1 : 1;
  double px = 0.04 * (x1 - x0), py = 0.05 * (hi - lo);
  w[0] = x0 - px, w[1] = x1 + px, w[2] = lo - py, w[3] = hi + py;
}

static void draw(const plot_axes *ax, const double *x, int nx, const plot_series *s, int ns) {
  double w[4];
  window(ax, x, nx, s, ns, w);
  pladv(0);
  plschr(0, 1.0);
  plvpor(0.09, 0.64, 0.11, 0.86);
  plwind(w[0], w[1], w[2], w[3]);
  plot_style(PLOT_BLACK, PLOT_SOLID, 1.0);
  plbox(ax->xlog ? "bcnstl" : "bcnst", 0, 0, "bcnstv", 0, 0);
  pllab(ax->xlabel ? ax->xlabel : "", ax->ylabel ? ax->ylabel : "", "");
  if (ax->title)
    plmtex("t", ax->subtitle ? 2.9 : 1.6, 0.5, 0.5, ax->title);
  if (ax->subtitle)
    plmtex("t", 1.0, 0.5, 0.5, ax->subtitle);
  plot_legend_entry *e = calloc((size_t)ns + 1, sizeof *e);
  PLFLT *px = malloc((size_t)nx * sizeof *px), *py = malloc((size_t)nx * sizeof *py);
  int ne = 0;
  if (isfinite(ax->href)) {
    plot_hline(w[0], w[1], ax->href, PLOT_GREY, PLOT_DOTTED);
    if (e && ax->href_label) {
      snprintf(e[ne].text, sizeof e[ne].text, "%s", ax->href_label);
      e[ne].color = PLOT_GREY;
      e[ne++].style = PLOT_DOTTED;
    }
  }
  for (int k = 0; k < ns && e && px && py; k++) {
    int n = 0;
    for (int i = 0; i < nx; i++)
      if (isfinite(s[k].y[i]))
        px[n] = xval(ax, x[i]), py[n++] = s[k].y[i];
    plot_style(s[k].color, s[k].style, s[k].style == PLOT_SOLID ? 1.8 : 1.4);
    if (n > 0)
      plline(n, px, py);
    if (n > 0 && s[k].symbol) {
      plschr(0, 1.5); /* markers a little larger than the text */
      plstring(n, px, py, s[k].symbol);
      plschr(0, 1.0);
    }
    snprintf(e[ne].text, sizeof e[ne].text, "%s", s[k].label ? s[k].label : "");
    e[ne].color = s[k].color;
    e[ne].style = s[k].style;
    e[ne++].symbol = s[k].symbol;
  }
  if (e && ne > 0)
    plot_legend(e, ne, 0.85);
  plot_style(PLOT_BLACK, PLOT_SOLID, 1.0);
  free(e), free(px), free(py);
}

int plot_lines(const plot_target *t, const plot_axes *ax, const double *x, int nx,
               const plot_series *s, int ns) {
  for (int i = 0; i < nx; i++)
    if (!isfinite(x[i]) || (ax->xlog && x[i] <= 0))
      return out_fail("plot: x value %g cannot be drawn%s", x[i], ax->xlog ? " on a log axis" : "");
  plot_page pg;
  int rc = plot_page_open(&pg, t, 900, 560);
  if (rc == 0) {
    draw(ax, x, nx, s, ns);
    rc = plot_page_close(&pg);
  }
  return rc;
}
