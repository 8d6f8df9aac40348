/* Drawing helpers shared by the figures: palette, line styles, legend, heat
 * maps and a colour bar. */
#include <math.h>
#include <plplot.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plot.h"

void plot_palette(void) {
  /* Background, black, grey, then the ten "tab10" colours (distinct for most
   * colour-blind readers and in greyscale print by line style). */
  static const PLINT r[] = {255, 0, 128, 31, 255, 44, 214, 148, 140, 227, 127, 188, 23};
  static const PLINT g[] = {255, 0, 128, 119, 127, 160, 39, 103, 86, 119, 127, 189, 190};
  static const PLINT b[] = {255, 0, 128, 180, 14, 44, 40, 189, 75, 194, 127, 34, 207};
  plscmap0(r, g, b, (PLINT)(sizeof r / sizeof r[0]));
  /* Diverging blue - white - red (ColorBrewer RdBu) for signed Gram entries:
   * zero is white, so sparse structure stands out. */
  PLFLT pos[] = {0.0, 0.25, 0.5, 0.75, 1.0};
  PLFLT cr[] = {33 / 255.0, 146 / 255.0, 247 / 255.0, 244 / 255.0, 178 / 255.0};
  PLFLT cg[] = {102 / 255.0, 197 / 255.0, 247 / 255.0, 165 / 255.0, 24 / 255.0};
  PLFLT cb[] = {172 / 255.0, 222 / 255.0, 247 / 255.0, 130 / 255.0, 43 / 255.0};
  plscmap1n(256);
  plscmap1l(1, 5, pos, cr, cg, cb, NULL);
}

void plot_style(int color, int style, double width) {
  plcol0(color);
  plwidth(width);
  pllsty(style);
}

void plot_hline(double xmin, double xmax, double y, int color, int style) {
  PLFLT x[2] = {xmin, xmax}, yy[2] = {y, y};
  plot_style(color, style, 1.2);
  plline(2, x, yy);
  plot_style(PLOT_BLACK, PLOT_SOLID, 1.0);
}

void plot_legend(const plot_legend_entry *e, int n, double text_scale) {
  PLINT *opt = calloc((size_t)n, sizeof *opt), *col = calloc((size_t)n, sizeof *col);
  PLINT *sty = calloc((size_t)n, sizeof *sty), *num = calloc((size_t)n, sizeof *num);
  PLFLT *wid = calloc((size_t)n, sizeof *wid), *ssc = calloc((size_t)n, sizeof *ssc);
  const char **text = calloc((size_t)n, sizeof *text), **sym = calloc((size_t)n, sizeof *sym);
  if (opt && col && sty && num && wid && ssc && text && sym) {
    for (int i = 0; i < n; i++) {
      opt[i] = PL_LEGEND_LINE | (e[i].symbol ? PL_LEGEND_SYMBOL : 0);
      col[i] = e[i].color;
      sty[i] = e[i].style;
      wid[i] = 1.6;
      text[i] = e[i].text;
      sym[i] = e[i].symbol ? e[i].symbol : "";
      ssc[i] = 0.8;
      num[i] = 2;
    }
    PLFLT w, h;
    /* About 17 lines fit beside a plot of the usual height; more lines get
     * smaller (pllegend's spacing is in unscaled character heights). */
    double fit = n > 17 ? 17.0 / n : 1.0;
    pllegend(&w, &h, PL_LEGEND_BACKGROUND | PL_LEGEND_BOUNDING_BOX,
             PL_POSITION_RIGHT | PL_POSITION_OUTSIDE | PL_POSITION_VIEWPORT, 0.02, 0.0, 0.08, 0,
             PLOT_BLACK, 1, 0, 0, n, opt, 0.8, text_scale * fit, 1.8 * fit, 0.0, col, text, NULL,
             NULL, NULL, NULL, col, sty, wid, col, ssc, num, sym);
  }
  plot_style(PLOT_BLACK, PLOT_SOLID, 1.0);
  free(opt), free(col), free(sty), free(num), free(wid), free(ssc), free(text), free(sym);
}

/* plimagefr reads idata[i][j] at x = i, y = j and treats the nx x ny values as
 * grid points: it draws only (nx - 1) x (ny - 1) cells, cell (i, j) coloured
 * by idata[i][j]. So the caller's nx x ny cells (x-major) get one padding row
 * and column, and every cell shows. */
static void image(const double *cells, int nx, int ny, double xmax, double ymin, double ymax,
                  double vmin, double vmax) {
  PLFLT **rows = malloc((size_t)(nx + 1) * sizeof *rows);
  PLFLT *pad = malloc((size_t)(nx + 1) * (size_t)(ny + 1) * sizeof *pad);
  if (rows != NULL && pad != NULL) {
    for (int i = 0; i <= nx; i++) {
      rows[i] = pad + (size_t)i * (size_t)(ny + 1);
      for (int j = 0; j <= ny; j++)
        rows[i][j] =
            cells[(size_t)(i < nx ? i : nx - 1) * (size_t)ny + (size_t)(j < ny ? j : ny - 1)];
    }
    plimagefr((PLFLT_MATRIX)rows, nx + 1, ny + 1, 0, xmax, ymin, ymax, vmin, vmax, vmin, vmax, NULL,
              NULL);
  }
  free(rows);
  free(pad);
}

void plot_heatmap(const double *m, int k, double vmin, double vmax) {
  double *cells = malloc((size_t)k * (size_t)k * sizeof *cells);
  if (cells == NULL)
    return;
  for (int a = 0; a < k; a++)
    for (int b = 0; b < k; b++) {
      double v = m[(size_t)a * (size_t)k + (size_t)b];
      cells[(size_t)b * (size_t)k + (size_t)(k - 1 - a)] = v < vmin ? vmin : v > vmax ? vmax : v;
    }
  image(cells, k, k, k, 0, k, vmin, vmax);
  free(cells);
}

void plot_colorbar(double x0, double x1, double y0, double y1, double vmin, double vmax,
                   const char *label) {
  enum { STEPS = 256 };
  double ramp[STEPS];
  for (int j = 0; j < STEPS; j++)
    ramp[j] = vmin + (vmax - vmin) * (j + 0.5) / STEPS;
  plvpor(x0, x1, y0, y1);
  plwind(0, 1, vmin, vmax);
  image(ramp, 1, STEPS, 1, vmin, vmax, vmin, vmax);
  plot_style(PLOT_BLACK, PLOT_SOLID, 1.0);
  plbox("bc", 0, 0, "bcmstv", 0, 0);
  plmtex("r", 4.5, 0.5, 0.5, label);
}

/* One tick label of a log axis: plain decimals near 1, powers of ten
 * elsewhere. */
static void log_label(char *buf, size_t size, int mant, int k) {
  if (mant > 0 && k >= -3 && k <= 3)
    snprintf(buf, size, "%g", mant * pow(10, k));
  else if (mant == 1 || mant == -1)
    snprintf(buf, size, "10#u%d#d", k);
  else
    snprintf(buf, size, "%d·10#u%d#d", mant < 0 ? -mant : mant, k);
}

void plot_log_yaxis(double x0, double x1, double ylo, double yhi) {
  /* PLplot's own log axis labels every decade only: too dense over 17
   * decades, too sparse within one. Mantissas per decade by span: */
  static const int all[] = {1, 2, 3, 4, 5, 6, 7, 8, 9}, few[] = {1, 2, 5};
  double span = yhi - ylo, tick = 0.012 * (x1 - x0);
  const int *mant = span < 1.3 ? all : span < 2.5 ? few : all;
  int nm = span < 1.3 ? 9 : span < 2.5 ? 3 : 1;
  int step = span > 8 ? (int)ceil(span / 8) : 1;
  plot_style(PLOT_BLACK, PLOT_SOLID, 1.0);
  for (int k = (int)floor(ylo); k <= (int)ceil(yhi); k++) {
    for (int m = 1; m <= 9; m++) {
      double y = log10(m) + k;
      if (y < ylo || y > yhi)
        continue;
      int major = 0;
      for (int i = 0; i < nm; i++)
        major |= mant[i] == m && (nm > 1 || k % step == 0);
      /* Minor ticks only where they do not crowd: every decade on wide spans. */
      if (!major && (nm == 9 || (span > 8 && m != 1)))
        continue;
      double len = major ? tick : tick / 2;
      PLFLT xs[2] = {x0, x0 + len}, ys[2] = {y, y}, xr[2] = {x1, x1 - len};
      plline(2, xs, ys);
      plline(2, xr, ys);
      if (major) {
        char label[48];
        /* Wide spans: powers of ten throughout (mantissa -1 asks for them). */
        log_label(label, sizeof label, nm == 1 ? -m : m, k);
        plmtex("lv", 0.6, (y - ylo) / span, 1.0, label);
      }
    }
  }
}

void plot_short_name(char *buf, size_t size, const char *name, size_t max) {
  size_t len = strlen(name);
  if (len <= max || max < 8)
    snprintf(buf, size, "%s", name);
  else
    snprintf(buf, size, "...%s", name + len - (max - 3));
}
