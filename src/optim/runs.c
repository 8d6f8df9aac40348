/* The multi-seed driver: one run per seed over a pool of pthreads. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "optim/optim_internal.h"

/* OpenBLAS's own thread count is global. One thread makes every dgemm of a
 * run take the same path whatever else runs, so results depend on the seed
 * only. Declared here so that no particular OpenBLAS header is needed. */
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
  pthread_mutex_t lock;
  int next;        /* next run to hand out */
  dufm_status *st; /* one status per run */
  dufm_err *errs;  /* one message per run */
} pool;

static dufm_status one_run(pool *pl, int i) {
  const dufm_params *p = pl->p;
  uint64_t seed = pl->seeds[i];
  dufm_err *err = &pl->errs[i];
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

static void *worker(void *arg) {
  pool *pl = arg;
  openblas_set_num_threads(1);
  for (;;) {
    pthread_mutex_lock(&pl->lock);
    int i = pl->next < pl->nseeds ? pl->next++ : -1;
    pthread_mutex_unlock(&pl->lock);
    if (i < 0)
      return NULL;
    pl->st[i] = one_run(pl, i);
  }
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

static int online_cores(void) {
  long n = sysconf(_SC_NPROCESSORS_ONLN);
  return n > 0 && n < 4096 ? (int)n : 1;
}

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
  pool pl = {out, seeds, nseeds, d, start, p, o, PTHREAD_MUTEX_INITIALIZER, 0, NULL, NULL};
  pthread_t *tid = NULL;
  pl.st = calloc((size_t)nseeds, sizeof *pl.st);
  pl.errs = calloc((size_t)nseeds, sizeof *pl.errs);
  const int nthreads_asked = o->threads > 0 ? o->threads : online_cores();
  int nthreads = nthreads_asked < nseeds ? nthreads_asked : nseeds;
  tid = calloc((size_t)nthreads, sizeof *tid);
  if (pl.st == NULL || pl.errs == NULL || tid == NULL) {
    st = dufm_err_set(err, DUFM_ENOMEM, "out of memory for %d runs", nseeds);
    goto cleanup;
  }
  int saved_threads = openblas_get_num_threads();
  if (nseeds == 1 && nthreads_asked > 1 &&
      step_work(d, p->L, p->K * p->n) >= DUFM_THREADED_STEP_WORK) {
    /* One large run: its products use the threads (results then depend on
     * the thread count, as documented in optim.h). */
    openblas_set_num_threads(nthreads_asked);
    pl.st[0] = one_run(&pl, 0);
    pl.next = 1;
    openblas_set_num_threads(saved_threads);
    goto report;
  }
  openblas_set_num_threads(1);
  int started = 0;
  for (; started < nthreads; started++)
    if (pthread_create(&tid[started], NULL, worker, &pl) != 0)
      break;
  if (started == 0)
    worker(&pl); /* no thread could start: run everything here */
  for (int t = 0; t < started; t++)
    pthread_join(tid[t], NULL);
  openblas_set_num_threads(saved_threads);
report:
  for (int i = 0; i < nseeds; i++)
    if (pl.st[i] != DUFM_OK) {
      st = dufm_err_set(err, pl.st[i], "seed %llu: %s", (unsigned long long)seeds[i],
                        pl.errs[i].msg);
      break;
    }
cleanup:
  free(tid);
  free(pl.errs);
  free(pl.st);
  return st;
}
