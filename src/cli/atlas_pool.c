/* dufm atlas: worker threads over the scheduler, the progress line. */
#include <math.h>
#include <mpfr.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "atlas_cli.h"

void openblas_set_num_threads(int num_threads);

double atlas_cli_now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

void atlas_pool_init(atlas_pool *p, dufm_atlas *a, const dufm_atlas_spec *spec) {
  memset(p, 0, sizeof *p);
  p->a = a;
  p->spec = spec;
  pthread_mutex_init(&p->lock, NULL);
  pthread_cond_init(&p->cond, NULL);
}

void atlas_pool_destroy(atlas_pool *p) {
  pthread_mutex_destroy(&p->lock);
  pthread_cond_destroy(&p->cond);
}

void atlas_pool_fail_locked(atlas_pool *p, const dufm_err *err) {
  if (!p->failed) {
    p->failed = 1;
    p->err = *err;
  }
  p->finished = 1;
  pthread_cond_broadcast(&p->cond);
}

void *atlas_pool_worker(void *arg) {
  atlas_pool *p = arg;
  openblas_set_num_threads(1);
  dufm_err err;
  pthread_mutex_lock(&p->lock);
  while (!p->finished) {
    dufm_atlas_job job;
    int got = 0;
    if (dufm_atlas_next(p->a, &job, &got, &err) != DUFM_OK) {
      atlas_pool_fail_locked(p, &err);
      break;
    }
    if (got < 0) {
      p->finished = 1;
      pthread_cond_broadcast(&p->cond);
      break;
    }
    if (got == 0) {
      pthread_cond_wait(&p->cond, &p->lock);
      continue;
    }
    pthread_mutex_unlock(&p->lock);
    dufm_atlas_result r;
    dufm_status st = dufm_atlas_job_run(&r, p->spec, &job, &err);
    dufm_atlas_job_clear(&job);
    pthread_mutex_lock(&p->lock);
    if (st == DUFM_OK)
      st = dufm_atlas_complete(p->a, &r, &err);
    dufm_atlas_result_clear(&r);
    if (st != DUFM_OK) {
      atlas_pool_fail_locked(p, &err);
      break;
    }
    pthread_cond_broadcast(&p->cond);
  }
  pthread_mutex_unlock(&p->lock);
  /* MPFR keeps per-thread caches and pools (closed forms in the entries). */
  mpfr_free_cache2(MPFR_FREE_LOCAL_CACHE);
  return NULL;
}

int atlas_pool_start(atlas_pool *p, pthread_t *tid, int n) {
  int started = 0;
  for (; started < n; started++)
    if (pthread_create(&tid[started], NULL, atlas_pool_worker, p) != 0)
      break;
  return started;
}

static double weight(int L, int K) { return (double)L * K; }

static void clock_text(char *out, size_t size, double s) {
  if (!isfinite(s) || s < 0) {
    snprintf(out, size, "?");
    return;
  }
  long t = (long)(s + 0.5);
  if (t >= 3600)
    snprintf(out, size, "%ldh%02ldm", t / 3600, t / 60 % 60);
  else if (t >= 60)
    snprintf(out, size, "%ldm%02lds", t / 60, t % 60);
  else
    snprintf(out, size, "%lds", t);
}

static const char *kind_name(dufm_atlas_done_kind k) {
  switch (k) {
  case DUFM_ATLAS_DONE_SEARCHED:
    return "searched";
  case DUFM_ATLAS_DONE_IMPROVED:
    return "improved";
  case DUFM_ATLAS_DONE_KEPT:
    return "kept";
  case DUFM_ATLAS_DONE_SKIPPED:
    return "skipped";
  default:
    return "failed";
  }
}

void atlas_cli_on_done(void *ctx, const dufm_atlas_done *d) {
  atlas_cli *c = ctx;
  double w = weight(d->L, d->K);
  if (d->kind == DUFM_ATLAS_DONE_SKIPPED)
    c->weight_skipped += w;
  else
    c->weight_done += w;
  c->done[d->setting] = *d;
  if (d->note[0] != '\0' && (c->notes[d->setting] = strdup(d->note)) != NULL)
    c->done[d->setting].note = c->notes[d->setting];
  double elapsed = atlas_cli_now() - c->t0;
  double left = c->weight_total - c->weight_done - c->weight_skipped;
  char el[32], eta[32];
  clock_text(el, sizeof el, elapsed);
  clock_text(eta, sizeof eta, c->weight_done > 0 ? elapsed * left / c->weight_done : NAN);
  if (d->kind == DUFM_ATLAS_DONE_SKIPPED)
    fprintf(stderr, "dufm: atlas: [%d/%d] L = %d, K = %d: skipped (entry done with this budget)\n",
            d->done, d->total, d->L, d->K);
  else if (d->kind == DUFM_ATLAS_DONE_FAILED)
    fprintf(stderr, "dufm: atlas: [%d/%d] L = %d, K = %d: failed: %s; elapsed %s, ETA %s\n",
            d->done, d->total, d->L, d->K, d->note, el, eta);
  else
    fprintf(stderr,
            "dufm: atlas: [%d/%d] L = %d, K = %d: %s, loss %.12g (%.6f of DNC%s), %.1f s; "
            "elapsed %s, ETA %s%s%s\n",
            d->done, d->total, d->L, d->K, kind_name(d->kind), d->best_loss, d->ratio_to_dnc,
            d->below_dnc ? ", below" : "", d->seconds, el, eta, d->note[0] ? "; " : "", d->note);
  fflush(stderr);
}

static const char *status_name(const dufm_atlas_done *d) {
  return d->total == 0 ? "not done" : kind_name(d->kind);
}

int atlas_cli_report(atlas_cli *c, dufm_atlas *a, const dufm_err *err, int failed) {
  dufm_atlas_summary s;
  dufm_atlas_summary_get(a, &s);
  double wall = atlas_cli_now() - c->t0;
  char *group = dufm_atlas_group_dir(&c->spec, c->out);
  if (failed) {
    fprintf(stderr, "dufm: atlas: %s\n", err->msg);
    free(group);
    return err->status == DUFM_EINVAL || err->status == DUFM_EFORMAT ? 2 : 1;
  }
  if (c->json) {
    printf("{\"out\": \"%s\", \"folder\": \"%s\", \"lambda\": \"%s\", \"n\": %d, ", c->out,
           group != NULL ? group : "", c->spec.lambda_text, c->spec.n);
    printf("\"L\": [%d, %d], \"K\": [%d, %d], \"budget\": %ld, \"seed\": %llu, ", c->spec.L_lo,
           c->spec.L_hi, c->spec.K_lo, c->spec.K_hi, c->spec.budget,
           (unsigned long long)c->spec.seed);
    printf("\"processes\": %d, \"threads\": %d, \"settings\": %d, \"skipped\": %d, "
           "\"searched\": %d, \"improved\": %d, \"kept\": %d, \"failed\": %d, \"jobs\": %ld, "
           "\"compute_seconds\": %.3f, \"seconds\": %.3f, \"entries\": [",
           c->processes, c->threads, s.total, s.skipped, s.searched, s.improved, s.kept, s.failed,
           s.jobs, s.seconds, wall);
    for (int i = 0; i < c->nsettings; i++) {
      const dufm_atlas_done *d = &c->done[i];
      int L, K;
      dufm_atlas_setting(&c->spec, i, &L, &K);
      printf("%s\n  {\"L\": %d, \"K\": %d, \"status\": \"%s\", \"best_loss\": ", i ? "," : "", L, K,
             status_name(d));
      if (d->total > 0 && isfinite(d->best_loss))
        printf("%.17g, \"ratio_to_dnc\": %.17g, \"below_dnc\": %s}", d->best_loss, d->ratio_to_dnc,
               d->below_dnc ? "true" : "false");
      else
        printf("null, \"ratio_to_dnc\": null, \"below_dnc\": false}");
    }
    printf("]}\n");
  } else {
    printf("Atlas %s (lambda = %s, n = %d, L = %d..%d, K = %d..%d, budget %ld, seed %llu)\n",
           group != NULL ? group : c->out, c->spec.lambda_text, c->spec.n, c->spec.L_lo,
           c->spec.L_hi, c->spec.K_lo, c->spec.K_hi, c->spec.budget,
           (unsigned long long)c->spec.seed);
    printf("  %d settings: %d searched, %d improved, %d kept, %d skipped, %d failed\n", s.total,
           s.searched, s.improved, s.kept, s.skipped, s.failed);
    printf("  %ld jobs, %.1f compute seconds, %.1f s wall on %d process(es) x %d thread(s)\n",
           s.jobs, s.seconds, wall, c->processes, c->threads);
    printf("  %3s %3s  %-9s %-22s %s\n", "L", "K", "status", "best loss", "ratio to DNC");
    for (int i = 0; i < c->nsettings; i++) {
      const dufm_atlas_done *d = &c->done[i];
      int L, K;
      dufm_atlas_setting(&c->spec, i, &L, &K);
      printf("  %3d %3d  %-9s %-22.17g %.9f%s\n", L, K, status_name(d), d->best_loss,
             d->ratio_to_dnc, d->below_dnc ? " below" : "");
    }
  }
  free(group);
  return s.failed > 0 ? 1 : 0;
}

int atlas_cli_run_local(atlas_cli *c) {
  dufm_atlas_opts o = {atlas_cli_on_done, c};
  dufm_atlas *a = NULL;
  dufm_err err;
  dufm_err_clear(&err);
  if (dufm_atlas_open(&a, &c->spec, c->out, &o, &err) != DUFM_OK) {
    fprintf(stderr, "dufm: atlas: --out: %s\n", err.msg);
    return err.status == DUFM_ENOMEM ? 1 : 2;
  }
  atlas_pool p;
  atlas_pool_init(&p, a, &c->spec);
  pthread_t *tid = calloc((size_t)c->threads, sizeof *tid);
  int started = tid != NULL ? atlas_pool_start(&p, tid, c->threads) : 0;
  if (started == 0)
    atlas_pool_worker(&p);
  for (int t = 0; t < started; t++)
    pthread_join(tid[t], NULL);
  free(tid);
  int rc = atlas_cli_report(c, a, &p.err, p.failed);
  atlas_pool_destroy(&p);
  dufm_atlas_free(a);
  return rc;
}
