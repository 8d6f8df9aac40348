/* dufm paper, experiment 4 (the paper's figure 3, right): how often gradient
 * descent ends at DNC, at a low-rank solution or elsewhere, against the width
 * (L = 4, K = 10, lambda = 0.004). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "paper.h"

#define WD_L 4
#define WD_K 10
#define WD_LAMBDA "0.004"
#define MAXW 5
#define NLAB 7

static const int quick[] = {10, 30, 100};
static const int full[MAXW] = {10, 20, 30, 50, 100};
static const char *const labels[NLAB] = {"dnc",      "near_dnc", "low_rank", "other",
                                         "underfit", "zero",     "diverged"};

typedef struct {
  int nw;
  const int *w;
  double x[MAXW], ratio[MAXW];
  double count[NLAB][MAXW], frac[NLAB][MAXW];
} width_data;

static double nc2_max(const dufm_analysis *a) {
  double m = 0;
  for (int l = 0; a->layers != NULL && l < a->L; l++)
    m = fmax(m, a->layers[l].nc2);
  return m;
}

static void runs_csv(FILE *f, const paper_runs *r, int width, long iters) {
  for (int s = 0; s < r->nseeds; s++) {
    const dufm_analysis *a = &r->an[s];
    fprintf(f, "%d,%d,%ld,%.17g,%.17g,%s,%s", width, s, iters, r->res[s].loss.loss,
            r->res[s].loss.loss / r->dnc_loss,
            a->layers ? dufm_classification_name(a->classification) : "", r->label[s]);
    for (int l = 0; l < WD_L; l++)
      fprintf(f, ",%d", a->layers ? a->layers[l].rank_mean : -1);
    fprintf(f, ",%.17g,%.17g,%s\n", nc2_max(a), r->res[s].grad_norm,
            dufm_optim_stop_name(r->res[s].stop));
  }
}

static int draw(const plot_target *t, const void *ctx) {
  const width_data *d = ctx;
  static const int colors[NLAB] = {0, 9, 1, 4, 5, 7, 3};
  char cats[MAXW][24];
  const char *cat[MAXW];
  plot_series s[NLAB];
  int ns = 0;
  for (int i = 0; i < d->nw; i++) {
    snprintf(cats[i], sizeof cats[i], "%d", d->w[i]);
    cat[i] = cats[i];
  }
  double diverged = 0;
  for (int i = 0; i < d->nw; i++)
    diverged += d->count[NLAB - 1][i];
  for (int k = 0; k < NLAB; k++)
    if (k < NLAB - 1 || diverged > 0) /* "diverged" only when it happened */
      s[ns++] = (plot_series){labels[k], d->frac[k], PLOT_COLOR(colors[k]), PLOT_SOLID, NULL};
  plot_axes ax = {.title = "Where gradient descent ends, against the width",
                  .subtitle = "L = 4, K = 10, #gl = 0.004, lr 0.5, n = 1",
                  .xlabel = "width of every hidden layer",
                  .ylabel = "fraction of seeds",
                  .ymin = 0,
                  .ymax = 1,
                  .href = NAN};
  return plot_bars(t, &ax, cat, d->nw, s, ns);
}

static void report(paper_exp *e, const width_data *d, int seeds, long iters) {
  paper_nums(e, "widths", d->x, d->nw);
  paper_int(e, "iters", iters);
  paper_int(e, "seeds", seeds);
  for (int k = 0; k < NLAB; k++)
    paper_nums(e, labels[k], d->count[k], d->nw);
  paper_nums(e, "frac_dnc", d->frac[0], d->nw);
  paper_nums(e, "frac_low_rank", d->frac[2], d->nw);
  paper_nums(e, "mean_ratio_to_dnc", d->ratio, d->nw);
  double at_dnc_lo = d->frac[0][0] + d->frac[1][0];
  double at_dnc_hi = d->frac[0][d->nw - 1] + d->frac[1][d->nw - 1];
  snprintf(e->claim, sizeof e->claim,
           "not summarized in theory.md/README (width dependence of what gd finds)");
  /* "width 10: zero 4; width 30: low_rank 4; ..." (non-zero counts only). */
  size_t used = 0;
  for (int i = 0; i < d->nw && used < sizeof e->verdict; i++) {
    used += (size_t)snprintf(e->verdict + used, sizeof e->verdict - used,
                             "%swidth %d:", i ? "; " : "", d->w[i]);
    for (int k = 0; k < NLAB && used < sizeof e->verdict; k++)
      if (d->count[k][i] > 0)
        used += (size_t)snprintf(e->verdict + used, sizeof e->verdict - used, " %s %.0f", labels[k],
                                 d->count[k][i]);
  }
  FILE *m = e->md;
  fprintf(m, "## 4. Frequency of DNC solutions against width (figure 3, right)\n\n");
  fprintf(m, "**Paper.** theory.md and the README do not summarize this panel. What they "
             "state: gradient descent finds DNC for L = 2 (theory.md section 3, from the 2023 "
             "paper), while at L = 4, K = 10 DNC is not optimal (section 4; experiment 1).\n\n");
  fprintf(m,
          "**Setting.** L = 4, K = 10, n = 1, lambda = 0.004, every hidden layer of the "
          "given width, gd with lr 0.5 from N(0, 0.1^2), %ld steps, seeds 0..%d. "
          "Classification (include/dufm/analysis.h): `low_rank` when some class-mean matrix "
          "M_l has rank < K (singular values above 1e-6 sigma_max); else `dnc` when the "
          "output's class means have rank K and NC2 < 1e-3 on every layer; else `other`. "
          "NC2 < 1e-3 needs far more steps than the loss does, and DNC optima come in flat "
          "families that are not orthogonal frames (docs/optimize.md: at L = 2 the runs at "
          "the DNC loss are mostly `other`), so the table also counts `near_dnc`: `other` "
          "with every M_l of rank K and the loss within %g relative of the DNC closed form. "
          "Two labels come before the others: `zero`, the loss is 1/2 (the all-zero "
          "solution; its ranks are rounding noise), and `underfit`, the output's class means "
          "have rank < K against the target's scale (some classes are not fitted).\n\n",
          iters, seeds - 1, PAPER_NEAR_DNC);
  fprintf(m, "| width | dnc | near_dnc | low_rank | other | underfit | zero | mean loss / DNC "
             "|\n|---|---|---|---|---|---|---|---|\n");
  for (int i = 0; i < d->nw; i++)
    fprintf(m, "| %d | %.0f | %.0f | %.0f | %.0f | %.0f | %.0f | %.4f |\n", d->w[i], d->count[0][i],
            d->count[1][i], d->count[2][i], d->count[3][i], d->count[4][i], d->count[5][i],
            d->ratio[i]);
  fprintf(m, "\n![outcomes against width](width.png)\n\n");
  double zero = 0;
  for (int i = 0; i < d->nw; i++)
    zero += d->count[5][i];
  if (zero > 0)
    fprintf(m, "A `zero` run is the all-zero solution, a stationary point gd can reach: from "
               "N(0, 0.1^2) a narrow network starts with a tiny output, and weight decay "
               "shrinks it faster than the fit grows (the runs we tried from a larger start, `dufm "
               "optimize --width 10 --init-std 0.3`, ended away from zero, `low_rank` or "
               "`underfit`).\n\n");
  fprintf(m,
          "**Tool.** Outcomes per width (of %d seeds each): %s. Runs at the DNC level (`dnc` "
          "or `near_dnc`): %.0f%% at width %d, %.0f%% at width %d.\n\n",
          seeds, e->verdict, 100 * at_dnc_lo, d->w[0], 100 * at_dnc_hi, d->w[d->nw - 1]);
  fprintf(m, "**Agreement.** No stated number to compare with; the counts show which solution "
             "gradient descent reaches at each width; a DNC-level run ends above the low-rank "
             "losses of experiment 1.\n\n");
}

int paper_width(paper_job *j, paper_exp *e) {
  width_data *d = calloc(1, sizeof *d);
  if (d == NULL)
    return out_fail("out of memory");
  d->w = j->full ? full : quick;
  d->nw = j->full ? MAXW : (int)(sizeof quick / sizeof quick[0]);
  long iters = j->iters > 0 ? j->iters : j->full ? 200000 : 40000;
  dufm_params p;
  int rc = paper_params(&p, WD_L, WD_K, WD_LAMBDA);
  if (rc != 0) {
    free(d);
    return rc;
  }
  FILE *f = paper_open(j, e, "width_runs.csv");
  rc = f == NULL ? OUT_EXIT_USAGE : 0;
  if (rc == 0)
    fputs("width,seed,iters,loss,ratio_to_dnc,classification,label,rank_M1,rank_M2,rank_M3,"
          "rank_M4,nc2_max,grad_norm,status\n",
          f);
  for (int i = 0; i < d->nw && rc == 0; i++) {
    paper_runs r = {0};
    char what[64];
    d->x[i] = d->w[i];
    snprintf(what, sizeof what, "4/4 width (figure 3, right), width %d", d->w[i]);
    if ((rc = paper_runs_do(&r, j, &p, d->w[i], iters, 0, what)) == 0) {
      runs_csv(f, &r, d->w[i], iters);
      for (int s = 0; s < r.nseeds; s++) {
        d->ratio[i] += r.res[s].loss.loss / r.dnc_loss / r.nseeds;
        for (int k = 0; k < NLAB; k++)
          d->count[k][i] += strcmp(r.label[s], labels[k]) == 0;
      }
      for (int k = 0; k < NLAB; k++)
        d->frac[k][i] = d->count[k][i] / r.nseeds;
    }
    paper_runs_clear(&r);
  }
  if (f != NULL) {
    int rc2 = paper_close(f, "width_runs.csv");
    rc = rc ? rc : rc2;
  }
  if (rc == 0 && (f = paper_open(j, e, "width_freq.csv")) == NULL)
    rc = OUT_EXIT_USAGE;
  if (rc == 0) {
    fputs("width,seeds,iters,dnc,near_dnc,low_rank,other,underfit,zero,diverged,frac_dnc,"
          "frac_near_dnc,frac_low_rank,frac_other,frac_underfit,frac_zero,mean_ratio_to_dnc\n",
          f);
    for (int i = 0; i < d->nw; i++) {
      fprintf(f, "%d,%d,%ld", d->w[i], j->seeds, iters);
      for (int k = 0; k < NLAB; k++)
        fprintf(f, ",%.0f", d->count[k][i]);
      for (int k = 0; k < NLAB - 1; k++) /* every fraction but diverged's */
        fprintf(f, ",%.17g", d->frac[k][i]);
      fprintf(f, ",%.17g\n", d->ratio[i]);
    }
    rc = paper_close(f, "width_freq.csv");
  }
  if (rc == 0 && (rc = paper_figure(j, e, "width", draw, d)) == 0)
    report(e, d, j->seeds, iters);
  dufm_params_clear(&p);
  free(d);
  return rc;
}
