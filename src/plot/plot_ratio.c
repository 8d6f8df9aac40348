/* dufm plot ratio: loss of the paper's construction on K_r over the DNC loss
 * against r, one curve per depth, with the best candidate of dufm_compare
 * dashed (the paper's figure 3, left), from the points of a sweep. */
#include <math.h>
#include <plplot.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plot.h"

typedef plot_ratio_curve ratio_curve;

static void draw(const ratio_curve *cv, const long *Ls, int nL, const long *rs, int nr,
                 const char *lambdas) {
  double lo = 1, hi = 1;
  for (int a = 0; a < nL; a++)
    for (int i = 0; i < nr; i++) {
      if (isfinite(cv[a].srg[i]))
        lo = fmin(lo, cv[a].srg[i]), hi = fmax(hi, cv[a].srg[i]);
      lo = fmin(lo, cv[a].best[i]), hi = fmax(hi, cv[a].best[i]);
    }
  double pad = 0.06 * (hi - lo > 0 ? hi - lo : 1);
  double x0 = rs[0] - 0.5, x1 = rs[nr - 1] + 0.5;
  pladv(0);
  plschr(0, 1.0);
  plvpor(0.09, 0.64, 0.11, 0.86);
  plwind(x0, x1, lo - pad, hi + pad);
  plot_style(PLOT_BLACK, PLOT_SOLID, 1.0);
  plbox("bcnst", 0, 0, "bcnstv", 0, 0);
  pllab("r  (K#dr#u: K = r(r-1)/2 classes)", "loss / DNC loss", "");
  plmtex("t", 2.9, 0.5, 0.5,
         "Loss relative to DNC: SRG on K#dr#u (solid), best candidate (dashed)");
  plmtex("t", 1.0, 0.5, 0.5, lambdas);
  plot_hline(x0, x1, 1.0, PLOT_GREY, PLOT_DOTTED);
  plot_legend_entry *e = calloc((size_t)(2 * nL + 1), sizeof *e);
  PLFLT *x = malloc((size_t)nr * sizeof *x), *y = malloc((size_t)nr * sizeof *y);
  int ne = 0;
  for (int a = 0; a < nL && e && x && y; a++) {
    for (int pass = 0; pass < 2; pass++) {
      const double *v = pass == 0 ? cv[a].srg : cv[a].best;
      int n = 0;
      for (int i = 0; i < nr; i++)
        if (isfinite(v[i]))
          x[n] = (double)rs[i], y[n++] = v[i];
      plot_style(PLOT_COLOR(a), pass == 0 ? PLOT_SOLID : PLOT_DASHED, pass == 0 ? 1.8 : 1.4);
      if (n > 0)
        plline(n, x, y);
      if (pass == 0 && n > 0)
        plstring(n, x, y, "•");
      if (n == 0)
        continue; /* L = 1: the paper's construction needs L >= 2 */
      snprintf(e[ne].text, sizeof e[ne].text, "L = %ld: %s", Ls[a],
               pass == 0 ? "SRG (paper)" : "best candidate");
      e[ne].color = PLOT_COLOR(a);
      e[ne].style = pass == 0 ? PLOT_SOLID : PLOT_DASHED;
      e[ne++].symbol = pass == 0 ? "•" : NULL;
    }
  }
  if (e) {
    snprintf(e[ne].text, sizeof e[ne].text, "DNC (ratio 1)");
    e[ne].color = PLOT_GREY;
    e[ne++].style = PLOT_DOTTED;
    plot_legend(e, ne, 0.85);
  }
  free(e), free(x), free(y);
}

static void report(const plot_target *t, const ratio_curve *cv, const long *Ls, int nL,
                   const long *rs, int nr, const char *lambda) {
  json_writer w;
  char what[64];
  snprintf(what, sizeof what, "%d curves", 2 * nL);
  plot_report_begin(&w, t, "ratio", what);
  if (!t->json)
    return;
  json_kv_string(&w, "lambda", lambda);
  json_key(&w, "curves");
  json_begin_array(&w);
  for (int a = 0; a < nL; a++)
    for (int pass = 0; pass < 2; pass++) {
      json_begin_object(&w);
      json_kv_int(&w, "L", Ls[a]);
      json_kv_string(&w, "curve", pass == 0 ? "srg" : "best");
      json_key(&w, "r");
      json_begin_array(&w);
      for (int i = 0; i < nr; i++)
        json_int(&w, rs[i]);
      json_end_array(&w);
      json_key(&w, "ratio");
      json_begin_array(&w);
      for (int i = 0; i < nr; i++)
        json_double(&w, pass == 0 ? cv[a].srg[i] : cv[a].best[i]);
      json_end_array(&w);
      if (pass == 1) {
        json_key(&w, "names");
        json_begin_array(&w);
        for (int i = 0; i < nr; i++)
          json_string(&w, cv[a].best_name[i]);
        json_end_array(&w);
      }
      json_end_object(&w);
    }
  json_end_array(&w);
  plot_report_end(&w, t);
}

int plot_ratio_figure(const plot_target *t, const plot_ratio_curve *cv, const long *Ls, int nL,
                      const long *rs, int nr, const char *subtitle) {
  plot_page pg;
  int rc = plot_page_open(&pg, t, 900, 560);
  if (rc == 0) {
    draw(cv, Ls, nL, rs, nr, subtitle);
    rc = plot_page_close(&pg);
  }
  return rc;
}

int plot_ratio(const plot_target *t, const plot_ratio_curve *cv, const long *Ls, int nL,
               const long *rs, int nr, const char *subtitle, const char *lambda) {
  int rc = plot_ratio_figure(t, cv, Ls, nL, rs, nr, subtitle);
  if (rc == 0)
    report(t, cv, Ls, nL, rs, nr, lambda);
  return rc;
}
