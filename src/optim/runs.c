/* The multi-seed driver: one run per seed over the pool of core/pool.h. */
#include <stdlib.h>
#include <string.h>

#include "core/pool.h"
#include "optim/optim_internal.h"

/* OpenBLAS's thread count is global: the pool runs every run single-threaded
 * (results depend on the seed only); one large run alone gets the threads.
 * Declared here so that no particular OpenBLAS header is needed. */
void openblas_set_num_threads(int num_threads);
int openblas_get_num_threads(void);

typedef struct {
  dufm_optim_result *out;
  const uint64_t *seeds;
  int nseeds;
  const int *d;
  const dufm_config *start;
  const dufm_params *p;
  const dufm_optim_opts *o;
  dufm_status *st; /* one status per run */
  dufm_err *errs;  /* one message per run */
} pool;

static dufm_status one_run(void *ctx, int i, dufm_err *err) {
  pool *pl = ctx;
  const dufm_params *p = pl->p;
  uint64_t seed = pl->seeds[i];
  dufm_config x0;
  dufm_status st =
      pl->start == NULL
          ? dufm_optim_init_gaussian(&x0, p->L, pl->d, p->K * p->n, pl->o->init_std, seed, err)
          : dufm_optim_init_embed(&x0, pl->start, pl->d, pl->o->perturb, seed, err);
  if (st == DUFM_OK)
    st = dufm_i_optim_run(&pl->out[i], &x0, p, pl->o, i, seed, err);
  else
    pl->out[i].seed = seed;
  dufm_config_clear(&x0);
  return st;
}

/* Multiply-adds of one loss + gradient evaluation (3 products per layer). */
static double step_work(const int *d, int L, int cols) {
  double w = 0;
  for (int l = 0; l < L; l++)
    w += 3.0 * d[l] * d[l + 1] * (double)cols;
  return w;
}

/* Above this much work per step a single run gains from threaded products
 * (docs/bench.md: K = 50, width 200, n = 5 ran a third faster on 2 idle cores);
 * below it OpenBLAS's threading costs more than it saves. */
#define DUFM_THREADED_STEP_WORK 5e7

dufm_status dufm_optim_runs(dufm_optim_result *out, int nseeds, const uint64_t *seeds, const int *d,
                            const dufm_config *start, const dufm_params *p,
                            const dufm_optim_opts *o, dufm_err *err) {
  if (nseeds < 1)
    return dufm_err_set(err, DUFM_EINVAL, "number of seeds %d: must be >= 1", nseeds);
  for (int i = 0; i < nseeds; i++)
    memset(&out[i], 0, sizeof out[i]);
  dufm_status st = dufm_optim_opts_check(o, err);
  if (st != DUFM_OK)
    return st;
  pool pl = {out, seeds, nseeds, d, start, p, o, NULL, NULL};
  pl.st = calloc((size_t)nseeds, sizeof *pl.st);
  pl.errs = calloc((size_t)nseeds, sizeof *pl.errs);
  const int nthreads_asked = o->threads > 0 ? o->threads : dufm_i_online_cores();
  if (pl.st == NULL || pl.errs == NULL) {
    st = dufm_err_set(err, DUFM_ENOMEM, "out of memory for %d runs", nseeds);
    goto cleanup;
  }
  if (nseeds == 1 && nthreads_asked > 1 &&
      step_work(d, p->L, p->K * p->n) >= DUFM_THREADED_STEP_WORK) {
    /* One large run: its products use the threads (results then depend on
     * the thread count, as documented in optim.h). */
    int saved_threads = openblas_get_num_threads();
    openblas_set_num_threads(nthreads_asked);
    pl.st[0] = one_run(&pl, 0, &pl.errs[0]);
    openblas_set_num_threads(saved_threads);
  } else {
    dufm_i_pool_run(nseeds, nthreads_asked, one_run, &pl, pl.st, pl.errs);
  }
  for (int i = 0; i < nseeds; i++)
    if (pl.st[i] != DUFM_OK) {
      st = dufm_err_set(err, pl.st[i], "seed %llu: %s", (unsigned long long)seeds[i],
                        pl.errs[i].msg);
      break;
    }
cleanup:
  free(pl.errs);
  free(pl.st);
  return st;
}
