/* dufm paper, experiment 2 (the paper's figure 3, left): the loss of srg:r and
 * of the best candidate over the DNC loss against r, for L = 3, 4, 5, at
 * lambda = 0.0001 (figure) and 0.004 (table: where DNC reaches zero). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dufm/compare.h"
#include "paper.h"

#define NL 3
#define R_LO 3
#define R_HI 30
#define NR (R_HI - R_LO + 1)
static const long Ls[NL] = {3, 4, 5};
static const char *const lambdas[2] = {"0.0001", "0.004"};

typedef struct {
  double srg[NL][NR], best[NL][NR];
  int below[NL][NR];      /* srg exactly below DNC */
  int best_below[NL][NR]; /* some candidate exactly below DNC */
  int dnc_zero[NL][NR];   /* DNC's optimum is the zero solution */
} grid;

/* 2^(L-3) r < (r-1)^(L-2), theory section 4 (L >= 3). */
static int criterion(long L, long r) {
  double lhs = ldexp((double)r, (int)L - 3), rhs = pow((double)(r - 1), (double)(L - 2));
  return lhs < rhs; /* exact: both are integers below 2^53 here */
}

static int one(FILE *f, grid *g, int a, int i, const char *lambda) {
  long r = R_LO + i, L = Ls[a];
  dufm_params p;
  int rc = paper_params(&p, (int)L, (int)(r * (r - 1) / 2), lambda);
  if (rc != 0)
    return rc;
  dufm_sweep_point pt;
  dufm_err err;
  if (dufm_sweep_point_eval(&pt, &p, NULL, &err) != DUFM_OK) {
    rc = out_fail_err(&err, "paper: ratio");
  } else {
    g->srg[a][i] = pt.srg_ratio;
    g->best[a][i] = pt.best_ratio;
    g->below[a][i] = pt.has_paper && pt.srg_vs_dnc == DUFM_CMP_BELOW;
    g->best_below[a][i] = pt.best_vs_dnc == DUFM_CMP_BELOW;
    g->dnc_zero[a][i] = pt.dnc_regime != DUFM_REGIME_NONZERO;
    fprintf(f, "%s,%ld,%ld,%d,%.17g,%s,%.17g,%.17g,%s,%d,", lambda, L, r, p.K, pt.dnc_loss,
            dufm_regime_name(pt.dnc_regime), pt.srg_loss, g->srg[a][i],
            pt.has_paper ? dufm_cmp_name(pt.srg_vs_dnc) : "", criterion(L, r));
    out_csv_field(f, pt.best);
    fprintf(f, ",%.17g,%.17g\n", pt.best_loss, g->best[a][i]);
  }
  dufm_sweep_point_clear(&pt);
  dufm_params_clear(&p);
  return rc;
}

typedef struct {
  const grid *g;
} fig_ctx;

static int draw(const plot_target *t, const void *ctx) {
  const grid *g = ((const fig_ctx *)ctx)->g;
  long rs[NR];
  plot_ratio_curve cv[NL];
  for (int i = 0; i < NR; i++)
    rs[i] = R_LO + i;
  for (int a = 0; a < NL; a++)
    cv[a] = (plot_ratio_curve){(double *)g->srg[a], (double *)g->best[a], NULL};
  char subtitle[64];
  snprintf(subtitle, sizeof subtitle, "#gl = %s, n = 1", lambdas[0]);
  return plot_ratio_figure(t, cv, Ls, NL, rs, NR, subtitle);
}

static void report(paper_exp *e, const grid *g /* [0]: 0.0001, [1]: 0.004 */) {
  int agree = 0, settings = 0;
  double below[NL], zero_from[NL], min_srg[NL], best30[NL], best_from[NL];
  for (int a = 0; a < NL; a++) {
    below[a] = 0, zero_from[a] = NAN, min_srg[a] = INFINITY, best30[a] = g[0].best[a][NR - 1];
    best_from[a] = NAN;
    for (int i = NR - 1; i >= 0 && g[0].best_below[a][i]; i--)
      best_from[a] = R_LO + i;
    for (int i = 0; i < NR; i++) {
      below[a] += g[0].below[a][i];
      min_srg[a] = fmin(min_srg[a], g[0].srg[a][i]);
      if (g[1].dnc_zero[a][i] && isnan(zero_from[a]))
        zero_from[a] = R_LO + i;
      for (int k = 0; k < 2; k++)
        if (!g[k].dnc_zero[a][i])
          settings++, agree += g[k].below[a][i] == criterion(Ls[a], R_LO + i);
    }
  }
  double Lsd[NL] = {3, 4, 5};
  paper_str(e, "lambda", lambdas[0]);
  paper_nums(e, "L", Lsd, NL);
  paper_int(e, "r_min", R_LO);
  paper_int(e, "r_max", R_HI);
  paper_nums(e, "srg_below_dnc_count", below, NL);
  paper_nums(e, "srg_min_ratio", min_srg, NL);
  paper_nums(e, "best_ratio_at_r_max", best30, NL);
  paper_nums(e, "best_below_dnc_from_r", best_from, NL);
  paper_int(e, "criterion_agree", agree);
  paper_int(e, "criterion_settings", settings);
  paper_nums(e, "dnc_zero_from_r_at_0.004", zero_from, NL);
  snprintf(e->claim, sizeof e->claim,
           "srg:r beats DNC iff 2^(L-3) r < (r-1)^(L-2): L >= 4 and r >= 4, never L = 3");
  snprintf(e->verdict, sizeof e->verdict,
           "%s: criterion and exact verdict agree in %d of %d "
           "settings (lambda 0.0001 and 0.004, DNC nonzero)",
           agree == settings ? "agrees" : "differs", agree, settings);
  FILE *m = e->md;
  fprintf(m, "## 2. Loss ratio to DNC against r (figure 3, left)\n\n");
  fprintf(m, "**Paper.** On K = r(r-1)/2 classes the construction srg:r (edge construction on "
             "the complete graph K_r) has rank at most r before the last ReLU; while DNC's "
             "optimum is nonzero it beats DNC iff 2^(L-3) r < (r-1)^(L-2): for L >= 4 and "
             "r >= 4, never for L = 3 (theory.md section 4).\n\n");
  fprintf(m,
          "**Setting.** L = 3, 4, 5; r = %d..%d; n = 1; closed forms of `dufm compare` "
          "(exact comparison with DNC). The figure uses lambda = 0.0001: at lambda = 0.004 "
          "DNC's own optimum is the zero solution (loss 1/2) from r = %g (L = 3), %g (L = 4), "
          "%g (L = 5) on, and every ratio there is 1 or above; `ratio.csv` has both "
          "lambdas.\n\n",
          R_LO, R_HI, zero_from[0], zero_from[1], zero_from[2]);
  fprintf(m,
          "| L | r with srg:r below DNC (lambda 0.0001) | smallest srg:r / DNC | best "
          "candidate / DNC at r = %d |\n|---|---|---|---|\n",
          R_HI);
  for (int a = 0; a < NL; a++) {
    int lo = 0, hi = 0;
    for (int i = NR - 1; i >= 0; i--)
      if (g[0].below[a][i])
        lo = R_LO + i, hi = hi ? hi : R_LO + i;
    if (lo)
      fprintf(m, "| %ld | %d of %d (%d..%d) | %.6f | %.6f |\n", Ls[a], (int)below[a], NR, lo, hi,
              min_srg[a], best30[a]);
    else
      fprintf(m, "| %ld | none | %.6f | %.6f |\n", Ls[a], min_srg[a], best30[a]);
  }
  fprintf(m, "\n![ratio to DNC](ratio.png)\n\n");
  fprintf(m,
          "**Tool.** The exact verdict of srg:r against DNC matches the criterion in %d of "
          "%d settings (both lambdas, every (L, r) where DNC's optimum is nonzero). The best "
          "candidate (dashed: clique-neuron constructions and block compositions, beyond the "
          "paper) is exactly below DNC for every r from %g (L = 3), %g (L = 4), %g (L = 5) "
          "to %d, at L = 3 too, where srg:r never is.\n\n",
          agree, settings, best_from[0], best_from[1], best_from[2], R_HI);
  fprintf(m, "**Agreement.** %s\n\n",
          agree == settings ? "Yes, in every setting." : "No: see `ratio.csv` (column criterion).");
}

int paper_ratio(paper_job *j, paper_exp *e) {
  grid *g = calloc(2, sizeof *g);
  if (g == NULL)
    return out_fail("out of memory");
  fprintf(stderr,
          "dufm: paper: 2/4 ratio (figure 3, left): closed forms for L = 3, 4, 5, "
          "r = %d..%d\n",
          R_LO, R_HI);
  FILE *f = paper_open(j, e, "ratio.csv");
  int rc = f == NULL ? OUT_EXIT_USAGE : 0;
  if (rc == 0)
    fputs("lambda,L,r,K,dnc_loss,dnc_regime,srg_loss,srg_ratio,srg_vs_dnc,criterion,best,"
          "best_loss,best_ratio\n",
          f);
  for (int k = 0; k < 2 && rc == 0; k++)
    for (int a = 0; a < NL && rc == 0; a++)
      for (int i = 0; i < NR && rc == 0; i++)
        rc = one(f, &g[k], a, i, lambdas[k]);
  if (f != NULL) {
    int rc2 = paper_close(f, "ratio.csv");
    rc = rc ? rc : rc2;
  }
  fig_ctx fc = {&g[0]};
  if (rc == 0 && (rc = paper_figure(j, e, "ratio", draw, &fc)) == 0)
    report(e, g);
  free(g);
  return rc;
}
