/* dufm paper: gradient-descent runs over seeds, their analysis and labels. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dufm/dnc.h"
#include "dufm/gl.h"
#include "paper.h"

int paper_params(dufm_params *p, int L, int K, const char *lambda) {
  dufm_err err;
  if (dufm_params_init(p, L, K, 1, &err) != DUFM_OK)
    return out_fail_err(&err, "paper");
  if (dufm_params_set_lambda(p, DUFM_LAMBDA_ALL, lambda, &err) != DUFM_OK) {
    dufm_params_clear(p);
    return out_fail_err(&err, "paper");
  }
  return 0;
}

const char *paper_label(const dufm_optim_result *r, const dufm_analysis *a, double dnc_loss) {
  /* zero and underfit are dufm_analyze's own labels (include/dufm/analysis.h). */
  if (r->stop == DUFM_OPTIM_DIVERGED || a->layers == NULL)
    return "diverged";
  if (a->classification == DUFM_CLASS_OTHER &&
      fabs(r->loss.loss / dnc_loss - 1) <= PAPER_NEAR_DNC) {
    int full = a->rank_out == a->K;
    for (int l = 0; l < a->L; l++)
      full &= a->layers[l].rank_mean == a->K;
    if (full)
      return "near_dnc";
  }
  return dufm_classification_name(a->classification);
}

int paper_rank_at(const dufm_analysis *a, int l, double tol, const char *label) {
  if (strcmp(label, "zero") == 0 || strcmp(label, "diverged") == 0)
    return 0;
  const dufm_layer_stats *s = &a->layers[l];
  return dufm_sv_rank(s->singular_values, s->nsv, tol);
}

typedef struct {
  const char *what;
} progress_ctx;

/* Every 10% of the first seed's run, when runs take a while. */
static void progress(void *ctx, const dufm_optim_progress *pr) {
  const progress_ctx *pc = ctx;
  if (pr->run == 0 && pr->iter > 0 && pr->seconds > 3.0)
    fprintf(stderr, "dufm: paper: %s: seed %llu at step %ld/%ld, loss %.8g (%.0f s)\n", pc->what,
            (unsigned long long)pr->seed, pr->iter, pr->iters, pr->loss, pr->seconds);
}

int paper_runs_do(paper_runs *out, const paper_job *j, const dufm_params *p, int width, long iters,
                  long log_every, const char *what) {
  dufm_err err;
  memset(out, 0, sizeof *out);
  int L = p->L, n = j->seeds;
  int *d = malloc((size_t)(L + 1) * sizeof *d);
  uint64_t *seeds = malloc((size_t)n * sizeof *seeds);
  out->res = calloc((size_t)n, sizeof *out->res);
  out->an = calloc((size_t)n, sizeof *out->an);
  out->label = calloc((size_t)n, sizeof *out->label);
  if (d == NULL || seeds == NULL || out->res == NULL || out->an == NULL || out->label == NULL) {
    free(d), free(seeds);
    return out_fail("out of memory for %d runs", n);
  }
  out->nseeds = n;
  for (int l = 0; l < L; l++)
    d[l] = width;
  d[L] = p->K;
  for (int s = 0; s < n; s++)
    seeds[s] = (uint64_t)s;
  dufm_optim_opts o;
  dufm_optim_opts_default(&o);
  o.iters = j->iters > 0 ? j->iters : iters;
  o.log_every =
      log_every > 0 ? (j->iters > 0 ? (o.iters / 100 > 0 ? o.iters / 100 : 1) : log_every) : 0;
  o.threads = j->threads;
  progress_ctx pc = {what};
  o.progress = progress;
  o.progress_ctx = &pc;
  fprintf(stderr, "dufm: paper: %s: %d seed%s x %ld gd steps, width %d\n", what, n,
          n == 1 ? "" : "s", o.iters, width);
  /* Only computing from here: an interrupt may remove the folder meanwhile. */
  paper_unlock();
  dufm_status st = dufm_optim_runs(out->res, n, seeds, d, NULL, p, &o, &err);
  paper_lock();
  free(d), free(seeds);
  if (st != DUFM_OK)
    return out_fail_err(&err, what);
  dufm_gl dnc;
  if (dufm_dnc_eval(&dnc, p, &err) != DUFM_OK)
    return out_fail_err(&err, what);
  out->dnc_loss = dnc.value;
  for (int s = 0; s < n; s++) {
    /* A diverged run (not expected at lr 0.5) keeps a zero-filled analysis. */
    if (out->res[s].stop != DUFM_OPTIM_DIVERGED &&
        dufm_analyze(&out->an[s], &out->res[s].x, p, NULL, &err) != DUFM_OK)
      return out_fail_err(&err, what);
    out->label[s] = paper_label(&out->res[s], &out->an[s], out->dnc_loss);
  }
  return 0;
}

void paper_runs_clear(paper_runs *r) {
  for (int s = 0; r->res != NULL && s < r->nseeds; s++)
    dufm_optim_result_clear(&r->res[s]);
  for (int s = 0; r->an != NULL && s < r->nseeds; s++)
    dufm_analysis_clear(&r->an[s]);
  free(r->res), free(r->an), free(r->label);
  memset(r, 0, sizeof *r);
}
