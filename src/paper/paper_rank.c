/* dufm paper, experiment 3 (the paper's figure 3, middle): the rank of the
 * class means per layer at the end of gradient descent, averaged over seeds,
 * against the weight decay lambda (L = 4, K = 10, width 30). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "paper.h"

#define RK_L 4
#define RK_K 10
#define MAXLAM 9
/* Ranks for the figure: singular values above RANK_TOL sigma_max. gd at lr 0.5
 * leaves the later layers' discarded directions near 1e-4 relative (it
 * chatters across ReLU kinks) while H_1's reach rounding level; 1e-3 separates
 * both from the kept directions (above 0.1 relative in every run we looked
 * at). The default 1e-6 of dufm_analyze is in the CSV too. */
#define RANK_TOL 1e-3
#define RANK_TOL_FINE 1e-6

static const char *const quick[] = {"0.0001", "0.0004", "0.001", "0.004", "0.01"};
static const char *const full[MAXLAM] = {"0.0001", "0.0002", "0.0004", "0.0007", "0.001",
                                         "0.002",  "0.004",  "0.007",  "0.01"};

typedef struct {
  int nlam;
  const char *const *lam;
  double x[MAXLAM], iters[MAXLAM], ratio[MAXLAM];
  double mean[2][RK_L][MAXLAM]; /* [0]: RANK_TOL, [1]: RANK_TOL_FINE */
  double low[MAXLAM], zero[MAXLAM], near[MAXLAM], under[MAXLAM], dnc[MAXLAM];
} rank_data;

/* Steps for weight decay lambda: the low-rank structure forms on a time scale
 * of about 1/(lr lambda) steps (measured: rank 6 of M_1 at lambda 1e-4 needs
 * about 4e5 steps, at 4e-3 about 2e4). */
static long budget(const paper_job *j, double lam) {
  double lo = j->full ? 50000 : 20000, hi = j->full ? 1000000 : 400000;
  return (long)fmin(hi, fmax(lo, (j->full ? 100 : 40) / lam));
}

static void runs_csv(FILE *f, const paper_runs *r, const char *lam, long iters) {
  for (int s = 0; s < r->nseeds; s++) {
    const dufm_analysis *a = &r->an[s];
    fprintf(f, "%s,%d,%ld,%.17g,%.17g,%.17g,%s,%s", lam, s, iters, r->res[s].loss.loss, r->dnc_loss,
            r->res[s].loss.loss / r->dnc_loss,
            a->layers ? dufm_classification_name(a->classification) : "", r->label[s]);
    for (int k = 0; k < 2; k++)
      for (int l = 0; l < RK_L; l++)
        fprintf(f, ",%d",
                a->layers ? paper_rank_at(a, l, k ? RANK_TOL_FINE : RANK_TOL, r->label[s]) : -1);
    fprintf(f, ",%.17g,%s\n", r->res[s].grad_norm, dufm_optim_stop_name(r->res[s].stop));
  }
}

static void collect(rank_data *d, int i, const paper_runs *r) {
  int n = r->nseeds;
  d->ratio[i] = d->low[i] = d->zero[i] = d->near[i] = d->under[i] = 0;
  d->dnc[i] = r->dnc_loss;
  for (int k = 0; k < 2; k++)
    for (int l = 0; l < RK_L; l++) {
      double sum = 0;
      for (int s = 0; s < n; s++)
        sum += r->an[s].layers
                   ? paper_rank_at(&r->an[s], l, k ? RANK_TOL_FINE : RANK_TOL, r->label[s])
                   : 0;
      d->mean[k][l][i] = sum / n;
    }
  for (int s = 0; s < n; s++) {
    d->ratio[i] += r->res[s].loss.loss / r->dnc_loss / n;
    d->low[i] += strcmp(r->label[s], "low_rank") == 0;
    d->zero[i] += strcmp(r->label[s], "zero") == 0;
    d->under[i] += strcmp(r->label[s], "underfit") == 0;
    d->near[i] += strcmp(r->label[s], "near_dnc") == 0 || strcmp(r->label[s], "dnc") == 0;
  }
}

static int draw(const plot_target *t, const void *ctx) {
  const rank_data *d = ctx;
  plot_series s[2 * RK_L];
  static const char *const names[2][RK_L] = {
      {"M#d1#u (tol 1e-3)", "M#d2#u (tol 1e-3)", "M#d3#u (tol 1e-3)", "M#d4#u (tol 1e-3)"},
      {"M#d1#u (tol 1e-6)", "M#d2#u (tol 1e-6)", "M#d3#u (tol 1e-6)", "M#d4#u (tol 1e-6)"}};
  for (int k = 0; k < 2; k++)
    for (int l = 0; l < RK_L; l++)
      s[k * RK_L + l] = (plot_series){names[k][l], d->mean[k][l], PLOT_COLOR(l),
                                      k ? PLOT_DASHED : PLOT_SOLID, k ? NULL : "•"};
  plot_axes ax = {.title = "Average rank of the class means at the end of gd",
                  .subtitle = "L = 4, K = 10, width 30, lr 0.5, n = 1",
                  .xlabel = "weight decay #gl (log scale)",
                  .ylabel = "rank of M#dl#u (mean over seeds)",
                  .xlog = 1,
                  .ymin = 0,
                  .ymax = 10,
                  .href = RK_K,
                  .href_label = "K = 10 (DNC)"};
  return plot_lines(t, &ax, d->x, d->nlam, s, 2 * RK_L);
}

static void report(paper_exp *e, const rank_data *d, int seeds) {
  double tol[2] = {RANK_TOL, RANK_TOL_FINE};
  paper_strs(e, "lambdas", d->lam, d->nlam);
  paper_nums(e, "iters", d->iters, d->nlam);
  paper_nums(e, "rank_tol", tol, 2);
  static const char *const keys[2][RK_L] = {
      {"mean_rank_M1", "mean_rank_M2", "mean_rank_M3", "mean_rank_M4"},
      {"mean_rank_M1_tol1e-6", "mean_rank_M2_tol1e-6", "mean_rank_M3_tol1e-6",
       "mean_rank_M4_tol1e-6"}};
  for (int k = 0; k < 2; k++)
    for (int l = 0; l < RK_L; l++)
      paper_nums(e, keys[k][l], d->mean[k][l], d->nlam);
  paper_nums(e, "low_rank_runs", d->low, d->nlam);
  paper_nums(e, "zero_runs", d->zero, d->nlam);
  paper_nums(e, "underfit_runs", d->under, d->nlam);
  paper_nums(e, "dnc_or_near_dnc_runs", d->near, d->nlam);
  paper_nums(e, "mean_ratio_to_dnc", d->ratio, d->nlam);
  paper_nums(e, "dnc_loss", d->dnc, d->nlam);
  int below = 0, fitted = 0; /* lambdas where every run fits every class */
  int failed = 0;            /* ... where some run does not, though DNC's loss is below 1/2 */
  for (int i = 0; i < d->nlam; i++)
    if (d->zero[i] + d->under[i] == 0)
      fitted++, below += d->mean[0][0][i] < RK_K;
    else
      failed += d->dnc[i] < 0.5;
  snprintf(e->claim, sizeof e->claim,
           "not summarized in theory.md/README; the low-rank structures have rank < K early on");
  snprintf(e->verdict, sizeof e->verdict,
           "%s: mean rank of M_1 below K at %d of %d lambdas where every run fits (tol %g)",
           below == fitted ? "consistent" : "mixed", below, fitted, RANK_TOL);
  FILE *m = e->md;
  fprintf(m, "## 3. Average rank at convergence against weight decay (figure 3, middle)\n\n");
  fprintf(m, "**Paper.** theory.md and the README do not summarize this panel. What they do "
             "state: the structures below DNC have class means of rank below K before the last "
             "layer (srg:r: rank r, theory.md section 4), DNC has rank K in every layer, and for "
             "large lambda every optimum is the zero solution (section 2).\n\n");
  fprintf(m,
          "**Setting.** L = 4, K = 10, n = 1, width 30, gd with lr 0.5 from N(0, 0.1^2), "
          "seeds 0..%d per lambda; the step budget grows like 1/lambda (%s). Rank of M_l: "
          "singular values above %g sigma_max (figure: solid; dashed: %g, dufm_analyze's "
          "default); a run at the zero solution counts rank 0. Labels: `zero` (loss within "
          "1e-9 of 1/2), `underfit` (the output's class means have rank < K: some classes "
          "are not fitted), `near_dnc` (classified `other`, every M_l of rank K, loss within "
          "%g relative of the DNC closed form), else the classification of dufm_analyze.\n\n",
          seeds - 1, d->nlam > 5 ? "100/lambda, 5e4..1e6" : "40/lambda, 2e4..4e5", RANK_TOL,
          RANK_TOL_FINE, PAPER_NEAR_DNC);
  fprintf(m,
          "| lambda | steps | DNC loss | mean loss / DNC | low_rank | dnc or near_dnc | "
          "underfit | zero | mean rank M_1..M_4 (tol %g) | (tol %g) |\n"
          "|---|---|---|---|---|---|---|---|---|---|\n",
          RANK_TOL, RANK_TOL_FINE);
  for (int i = 0; i < d->nlam; i++) {
    fprintf(m, "| %s | %.0f | %.6f | %.4f | %.0f | %.0f | %.0f | %.0f |", d->lam[i], d->iters[i],
            d->dnc[i], d->ratio[i], d->low[i], d->near[i], d->under[i], d->zero[i]);
    for (int k = 0; k < 2; k++) {
      for (int l = 0; l < RK_L; l++)
        fprintf(m, "%s%.2f", l ? ", " : " ", d->mean[k][l][i]);
      fputs(" |", m);
    }
    fputc('\n', m);
  }
  fprintf(m, "\n![average rank against lambda](rank.png)\n\n");
  double first = 0, last = 0; /* mean rank summed over M_1..M_L */
  for (int l = 0; l < RK_L; l++)
    first += d->mean[0][l][0], last += d->mean[0][l][d->nlam - 1];
  fprintf(m,
          "**Tool.** Out of %d runs per lambda, the table counts the labels. At the %d lambdas "
          "where every run fits every class, the mean rank of M_1 is below K = 10 at %d. The "
          "mean ranks of M_1..M_4 add up to %.2f at lambda = %s and %.2f at lambda = %s "
          "(DNC: %d). At %d lambda%s some runs end `underfit` or at `zero` although DNC's "
          "optimum there is below 1/2: gradient descent from this start does not fit every "
          "class at large weight decay.\n\n",
          seeds, fitted, below, first, d->lam[0], last, d->lam[d->nlam - 1], RK_L * RK_K, failed,
          failed == 1 ? "" : "s");
  fprintf(m, "**Agreement.** No stated number to compare with. %s\n\n",
          below == fitted ? "Consistent with theory.md: wherever gradient descent fits every "
                            "class, it ends at low-rank solutions, not at DNC."
                          : "Partly consistent: see the table.");
}

int paper_rank(paper_job *j, paper_exp *e) {
  rank_data *d = calloc(1, sizeof *d);
  if (d == NULL)
    return out_fail("out of memory");
  d->lam = j->full ? full : quick;
  d->nlam = j->full ? MAXLAM : (int)(sizeof quick / sizeof quick[0]);
  FILE *f = paper_open(j, e, "rank_runs.csv");
  int rc = f == NULL ? OUT_EXIT_USAGE : 0;
  if (rc == 0)
    fputs("lambda,seed,iters,loss,dnc_loss,ratio_to_dnc,classification,label,"
          "M1_rank_tol1e-3,M2_rank_tol1e-3,M3_rank_tol1e-3,M4_rank_tol1e-3,"
          "M1_rank_tol1e-6,M2_rank_tol1e-6,M3_rank_tol1e-6,M4_rank_tol1e-6,grad_norm,status\n",
          f);
  for (int i = 0; i < d->nlam && rc == 0; i++) {
    dufm_params p;
    paper_runs r = {0};
    char what[64];
    d->x[i] = strtod(d->lam[i], NULL);
    long iters = j->iters > 0 ? j->iters : budget(j, d->x[i]);
    d->iters[i] = (double)iters;
    snprintf(what, sizeof what, "3/4 rank (figure 3, middle), lambda %s", d->lam[i]);
    if ((rc = paper_params(&p, RK_L, RK_K, d->lam[i])) != 0)
      break;
    if ((rc = paper_runs_do(&r, j, &p, 30, iters, 0, what)) == 0) {
      runs_csv(f, &r, d->lam[i], iters);
      collect(d, i, &r);
    }
    paper_runs_clear(&r);
    dufm_params_clear(&p);
  }
  if (f != NULL) {
    int rc2 = paper_close(f, "rank_runs.csv");
    rc = rc ? rc : rc2;
  }
  if (rc == 0 && (f = paper_open(j, e, "rank_mean.csv")) == NULL)
    rc = OUT_EXIT_USAGE;
  if (rc == 0) {
    fputs("lambda,iters,seeds,layer,mean_rank_tol1e-3,mean_rank_tol1e-6\n", f);
    for (int i = 0; i < d->nlam; i++)
      for (int l = 0; l < RK_L; l++)
        fprintf(f, "%s,%.0f,%d,%d,%.17g,%.17g\n", d->lam[i], d->iters[i], j->seeds, l + 1,
                d->mean[0][l][i], d->mean[1][l][i]);
    rc = paper_close(f, "rank_mean.csv");
  }
  if (rc == 0 && (rc = paper_figure(j, e, "rank", draw, d)) == 0)
    report(e, d, j->seeds);
  free(d);
  return rc;
}
