/* One pool of pthreads for independent jobs (core/pool.h). */
#include <pthread.h>
#include <stdlib.h>
#include <unistd.h>

#include "core/pool.h"

/* OpenBLAS's thread count is global; declared here so that no particular
 * OpenBLAS header is needed. */
void openblas_set_num_threads(int num_threads);
int openblas_get_num_threads(void);

typedef struct {
  int n;
  dufm_i_job job;
  void *ctx;
  dufm_status *st;
  dufm_err *errs;
  pthread_mutex_t lock;
  int next; /* next job to hand out */
} pool;

static void *worker(void *arg) {
  pool *pl = arg;
  openblas_set_num_threads(1);
  for (;;) {
    pthread_mutex_lock(&pl->lock);
    int i = pl->next < pl->n ? pl->next++ : -1;
    pthread_mutex_unlock(&pl->lock);
    if (i < 0)
      return NULL;
    pl->st[i] = pl->job(pl->ctx, i, &pl->errs[i]);
  }
}

int dufm_i_online_cores(void) {
  long n = sysconf(_SC_NPROCESSORS_ONLN);
  return n > 0 && n < 4096 ? (int)n : 1;
}

void dufm_i_pool_run(int n, int threads, dufm_i_job job, void *ctx, dufm_status *st,
                     dufm_err *errs) {
  pool pl = {n, job, ctx, st, errs, PTHREAD_MUTEX_INITIALIZER, 0};
  if (n < 1)
    return;
  int nth = threads > 0 ? threads : dufm_i_online_cores();
  nth = nth < n ? nth : n;
  pthread_t *tid = calloc((size_t)nth, sizeof *tid);
  int saved = openblas_get_num_threads(), started = 0;
  openblas_set_num_threads(1);
  for (; tid != NULL && started < nth; started++)
    if (pthread_create(&tid[started], NULL, worker, &pl) != 0)
      break;
  if (started == 0)
    worker(&pl); /* no thread could start: run everything here */
  for (int t = 0; t < started; t++)
    pthread_join(tid[t], NULL);
  openblas_set_num_threads(saved);
  free(tid);
}
