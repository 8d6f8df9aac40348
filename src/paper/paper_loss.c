/* dufm paper, experiment 1 (the paper's figure 2, top left): gradient descent
 * at L = 4, K = 10, lambda = 0.004, width 30, lr 0.5 from several seeds,
 * against the DNC closed form, the paper's srg:5 and the best candidate. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dufm/analysis.h"
#include "dufm/compare.h"
#include "dufm/meta.h"
#include "paper.h"

#define LOSS_L 4
#define LOSS_K 10
#define LOSS_LAMBDA "0.004"
#define LOSS_WIDTH 30

typedef struct {
  double dnc, srg, best, lower;
  double dnc_lo, srg_lo, best_lo; /* lower ends of the closed forms' enclosures */
  const char *srg_name, *best_name;
} levels;

static int write_trace(paper_job *j, paper_exp *e, const paper_runs *r, const dufm_params *p) {
  FILE *f = paper_open(j, e, "loss_trace.csv");
  if (f == NULL)
    return OUT_EXIT_USAGE;
  /* The parameters line of 'optimize --trace', which 'plot trace' reads. */
  dufm_meta m;
  if (dufm_meta_init(&m, p, NULL, DUFM_FORM_SAMPLES, "paper", "gd, width 30, lr 0.5", NULL) ==
      DUFM_OK) {
    fputs("# ", f);
    dufm_meta_write(f, &m, NULL); /* errors show in paper_close */
    dufm_meta_clear(&m);
  }
  fputs("run,seed,iter,loss,fit,reg,grad_norm\n", f);
  for (int s = 0; s < r->nseeds; s++)
    for (long i = 0; i < r->res[s].ntrace; i++) {
      const dufm_optim_point *pt = &r->res[s].trace[i];
      fprintf(f, "%d,%d,%ld,%.17g,%.17g,%.17g,%.17g\n", s, s, pt->iter, pt->loss, pt->fit, pt->reg,
              pt->grad_norm);
    }
  return paper_close(f, "loss_trace.csv");
}

static int write_tables(paper_job *j, paper_exp *e, const paper_runs *r, const levels *lv) {
  FILE *f = paper_open(j, e, "loss_runs.csv");
  if (f == NULL)
    return OUT_EXIT_USAGE;
  fputs("seed,loss,ratio_to_dnc,classification,label,rank_H1,rank_H2,rank_H3,rank_H4,kinks,"
        "grad_norm,iters,status\n",
        f);
  for (int s = 0; s < r->nseeds; s++) {
    const dufm_optim_result *res = &r->res[s];
    fprintf(f, "%d,%.17g,%.17g,%s,%s", s, res->loss.loss, res->loss.loss / lv->dnc,
            r->an[s].layers ? dufm_classification_name(r->an[s].classification) : "", r->label[s]);
    for (int l = 0; l < LOSS_L; l++)
      fprintf(f, ",%d", r->an[s].layers ? r->an[s].layers[l].rank_mean : -1);
    fprintf(f, ",%ld,%.17g,%ld,%s\n", r->an[s].kinks, res->grad_norm, res->iters,
            dufm_optim_stop_name(res->stop));
  }
  int rc = paper_close(f, "loss_runs.csv");
  if (rc != 0 || (f = paper_open(j, e, "loss_levels.csv")) == NULL)
    return rc ? rc : OUT_EXIT_USAGE;
  fputs("level,structure,loss,ratio_to_dnc\n", f);
  fprintf(f, "dnc,dnc,%.17g,1\n", lv->dnc);
  fputs("paper,", f);
  out_csv_field(f, lv->srg_name);
  fprintf(f, ",%.17g,%.17g\n", lv->srg, lv->srg / lv->dnc);
  fputs("best_candidate,", f);
  out_csv_field(f, lv->best_name);
  fprintf(f, ",%.17g,%.17g\n", lv->best, lv->best / lv->dnc);
  fprintf(f, "lower_bound,,%.17g,%.17g\n", lv->lower, lv->lower / lv->dnc);
  return paper_close(f, "loss_levels.csv");
}

typedef struct {
  const trace_data *td;
  const dufm_params *p;
  double ymin, ymax; /* zoom (ymin >= ymax: the whole range) */
} trace_ctx;

static int draw_trace(const plot_target *t, const void *ctx) {
  const trace_ctx *tc = ctx;
  plot_trace_opts o = {.name = "gd, width 30, lr 0.5", .ymin = tc->ymin, .ymax = tc->ymax};
  return plot_trace(t, tc->td, tc->p, &o);
}

/* The logged points of every run, as loss_trace.csv holds them. */
static int trace_of(trace_data *td, const paper_runs *r) {
  memset(td, 0, sizeof *td);
  for (int s = 0; s < r->nseeds; s++) {
    char seed[16];
    snprintf(seed, sizeof seed, "%d", s);
    for (long i = 0; i < r->res[s].ntrace; i++)
      if (trace_add(td, s, seed, (double)r->res[s].trace[i].iter, r->res[s].trace[i].loss) != 0)
        return out_fail("out of memory for the traces");
  }
  return 0;
}

static void report(paper_exp *e, const paper_runs *r, const levels *lv, long iters) {
  int below_dnc = 0, below_srg = 0, below_best = 0, low = 0, best = 0;
  for (int s = 0; s < r->nseeds; s++) {
    double x = r->res[s].loss.loss;
    below_dnc += dufm_loss_below(x, lv->dnc_lo);
    below_srg += dufm_loss_below(x, lv->srg_lo);
    below_best += dufm_loss_below(x, lv->best_lo);
    low += strcmp(r->label[s], "low_rank") == 0;
    best = x < r->res[best].loss.loss ? s : best;
  }
  int n = r->nseeds;
  double bl = r->res[best].loss.loss;
  paper_num(e, "dnc_loss", lv->dnc);
  paper_str(e, "paper_structure", lv->srg_name);
  paper_num(e, "paper_loss", lv->srg);
  paper_str(e, "best_structure", lv->best_name);
  paper_num(e, "best_structure_loss", lv->best);
  paper_num(e, "lower_bound", lv->lower);
  paper_int(e, "iters", iters);
  paper_int(e, "runs", n);
  paper_int(e, "below_dnc", below_dnc);
  paper_int(e, "below_paper", below_srg);
  paper_int(e, "below_best_structure", below_best);
  paper_int(e, "low_rank", low);
  paper_num(e, "best_loss", bl);
  paper_num(e, "best_ratio_to_dnc", bl / lv->dnc);
  double *fl = malloc((size_t)n * sizeof *fl);
  for (int s = 0; fl && s < n; s++)
    fl[s] = r->res[s].loss.loss;
  if (fl)
    paper_nums(e, "final_losses", fl, n);
  free(fl);
  snprintf(e->claim, sizeof e->claim, "DNC is not optimal at L = 4, K = 10; srg:5 is below it");
  int agree = lv->srg < lv->dnc && below_dnc == n;
  snprintf(e->verdict, sizeof e->verdict,
           "%s: srg:5 = %.4f x DNC; %d/%d gd runs below DNC, %d/%d low_rank; best %.4f x DNC",
           agree ? "agrees" : "differs", lv->srg / lv->dnc, below_dnc, n, low, n, bl / lv->dnc);
  FILE *m = e->md;
  fprintf(
      m,
      "## 1. Gradient descent against DNC and the paper's construction (figure 2, top left)\n\n");
  fprintf(m, "**Paper.** DNC stops being optimal for deeper models with more classes "
             "(theory.md section 3); the paper's construction srg:r beats DNC exactly when "
             "2^(L-3) r < (r-1)^(L-2) (section 4), which holds at L = 4, r = 5 (K = 10): "
             "10 < 16. Figure 2 (top left) sets gradient-descent losses against these levels.\n\n");
  fprintf(m,
          "**Setting.** L = 4, K = 10, n = 1, lambda = 0.004 (every layer), widths 30, "
          "full-batch gd with lr 0.5 (torch.optim.SGD without momentum on the full loss), "
          "Gaussian start N(0, 0.1^2), %ld steps, seeds 0..%d.\n\n",
          iters, n - 1);
  fprintf(m, "| level | structure | loss | / DNC |\n|---|---|---|---|\n");
  fprintf(m, "| DNC closed form | `dnc` | %.10f | 1 |\n", lv->dnc);
  fprintf(m, "| paper's construction | `%s` | %.10f | %.6f |\n", lv->srg_name, lv->srg,
          lv->srg / lv->dnc);
  fprintf(m, "| best candidate of `dufm compare` | `%s` | %.10f | %.6f |\n", lv->best_name,
          lv->best, lv->best / lv->dnc);
  fprintf(m, "| lower bound (theory 7) | | %.10f | %.6f |\n\n", lv->lower, lv->lower / lv->dnc);
  fprintf(m, "| seed | final loss | / DNC | class | label | ranks of M_1..M_4 | kinks | "
             "grad norm |\n|---|---|---|---|---|---|---|---|\n");
  for (int s = 0; s < n; s++) {
    const dufm_analysis *a = &r->an[s];
    fprintf(m, "| %d | %.10f | %.6f | %s | %s | ", s, r->res[s].loss.loss,
            r->res[s].loss.loss / lv->dnc,
            a->layers ? dufm_classification_name(a->classification) : "-", r->label[s]);
    for (int l = 0; l < LOSS_L; l++)
      fprintf(m, "%s%d", l ? "," : "", a->layers ? a->layers[l].rank_mean : -1);
    fprintf(m, " | %ld | %.2g |\n", a->kinks, r->res[s].grad_norm);
  }
  fprintf(m, "\n![loss traces, zoomed to the levels](loss_trace_zoom.png)\n\n"
             "The whole descent from the start: [loss_trace.png](loss_trace.png).\n\n");
  fprintf(m,
          "**Tool.** %d of %d runs end below DNC, %d below srg:5 and %d below the best "
          "closed form `%s`; %d are `low_rank`. The best run is %.10f (%.4f x DNC). "
          "Ranks use dufm_analyze's default threshold (singular values above 1e-6 "
          "sigma_max).\n\n",
          below_dnc, n, below_srg, below_best, lv->best_name, low, bl, bl / lv->dnc);
  fprintf(m, "**Agreement.** %s. %s\n\n",
          agree ? "Yes: DNC is not what gradient descent finds, and the construction is below DNC"
                : "Not in every run: see the table",
          below_best == 0 ? "No run reaches the best closed form, which is not itself the "
                            "optimum (theory.md section 7: polishing it goes lower)."
                          : "Some runs go below the best closed form.");
}

int paper_loss(paper_job *j, paper_exp *e) {
  dufm_params p;
  int rc = paper_params(&p, LOSS_L, LOSS_K, LOSS_LAMBDA);
  if (rc != 0)
    return rc;
  long iters = j->full ? 100000 : 30000;
  paper_runs r = {0};
  dufm_comparison cmp = {0};
  dufm_compare_opts co;
  dufm_compare_opts_default(&co);
  dufm_err err;
  levels lv = {.srg = NAN, .srg_lo = NAN, .srg_name = "srg:5"};
  trace_data td = {0};
  rc = paper_runs_do(&r, j, &p, LOSS_WIDTH, iters, iters / 100, "1/4 loss (figure 2)");
  if (rc == 0 && dufm_compare(&cmp, &p, &co, &err) != DUFM_OK)
    rc = out_fail_err(&err, "paper: loss: closed forms");
  if (rc == 0) {
    lv.dnc = cmp.cand[cmp.dnc_index].eval.loss;
    lv.dnc_lo = cmp.cand[cmp.dnc_index].eval.lower;
    lv.best = cmp.cand[cmp.best_index].eval.loss;
    lv.best_lo = cmp.cand[cmp.best_index].eval.lower;
    lv.best_name = dufm_structure_name(cmp.cand[cmp.best_index].structure);
    lv.lower = cmp.lower_bound.value;
    int c = dufm_comparison_find(&cmp, DUFM_ORIGIN_PAPER);
    if (c >= 0) {
      lv.srg = cmp.cand[c].eval.loss;
      lv.srg_lo = cmp.cand[c].eval.lower;
      lv.srg_name = dufm_structure_name(cmp.cand[c].structure);
    }
    /* The zoom: from just below the lowest level or run to a quarter above DNC. */
    double lo = lv.best;
    for (int s = 0; s < r.nseeds; s++)
      lo = fmin(lo, r.res[s].loss.loss);
    trace_ctx whole = {&td, &p, 0, 0}, zoom = {&td, &p, 0.97 * lo, 1.25 * lv.dnc};
    long used = j->iters > 0 ? j->iters : iters;
    if ((rc = write_trace(j, e, &r, &p)) == 0 && (rc = write_tables(j, e, &r, &lv)) == 0 &&
        (rc = trace_of(&td, &r)) == 0 &&
        (rc = paper_figure(j, e, "loss_trace", draw_trace, &whole)) == 0 &&
        (rc = paper_figure(j, e, "loss_trace_zoom", draw_trace, &zoom)) == 0)
      report(e, &r, &lv, used);
  }
  trace_clear(&td);
  dufm_comparison_clear(&cmp);
  paper_runs_clear(&r);
  dufm_params_clear(&p);
  return rc;
}
