/* dufm atlas under MPI: rank 0 runs the scheduler (dufm/atlas.h) with its own
 * worker thread(s) and hands ready jobs to the other ranks one at a time;
 * every rank returns (job id, loss, configuration bytes); rank 0 alone writes.
 * Waiting is done by polling with short sleeps, not by MPI's busy-waiting
 * receives, so an idle rank leaves its core to the computing ones. */
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "atlas_cli.h"

void openblas_set_num_threads(int num_threads);

#define TAG_JOB 1
#define TAG_RESULT 2
#define TAG_STOP 3
#define POLL_NS 1000000L /* 1 ms */

int atlas_mpi_launched(void) {
  return getenv("OMPI_COMM_WORLD_SIZE") != NULL || getenv("PMI_SIZE") != NULL ||
         getenv("PMIX_RANK") != NULL;
}

static void nap(void) {
  struct timespec ts = {0, POLL_NS};
  nanosleep(&ts, NULL);
}

/* Waits for a message from `source` (or any) with polling; returns its status. */
static void wait_message(int source, int tag, MPI_Status *status) {
  int flag = 0;
  for (;;) {
    MPI_Iprobe(source, tag, MPI_COMM_WORLD, &flag, status);
    if (flag)
      return;
    nap();
  }
}

static unsigned char *receive(MPI_Status *status, int *len) {
  MPI_Get_count(status, MPI_BYTE, len);
  unsigned char *buf = malloc(*len > 0 ? (size_t)*len : 1);
  MPI_Recv(buf, buf != NULL ? *len : 0, MPI_BYTE, status->MPI_SOURCE, status->MPI_TAG,
           MPI_COMM_WORLD, MPI_STATUS_IGNORE);
  return buf;
}

static void worker(const dufm_atlas_spec *spec) {
  for (;;) {
    MPI_Status status;
    wait_message(0, MPI_ANY_TAG, &status);
    int len = 0;
    unsigned char *buf = receive(&status, &len);
    if (status.MPI_TAG == TAG_STOP) {
      free(buf);
      return;
    }
    dufm_atlas_job job;
    dufm_atlas_result r;
    dufm_err err;
    dufm_err_clear(&err);
    memset(&r, 0, sizeof r);
    if (buf == NULL || dufm_atlas_job_unpack(&job, buf, (size_t)len, &err) != DUFM_OK) {
      r.status = buf == NULL ? DUFM_ENOMEM : err.status;
      snprintf(r.msg, sizeof r.msg, "rank message: %.400s",
               buf == NULL ? "out of memory" : err.msg);
      r.id = -1;
    } else {
      dufm_atlas_job_run(&r, spec, &job, &err);
      dufm_atlas_job_clear(&job);
    }
    free(buf);
    unsigned char *out = NULL;
    size_t olen = 0;
    if (dufm_atlas_result_pack(&out, &olen, &r, &err) != DUFM_OK) {
      /* Out of memory: report without the configuration. */
      dufm_config_clear(&r.x);
      r.status = DUFM_ENOMEM;
      snprintf(r.msg, sizeof r.msg, "out of memory packing a result");
      dufm_atlas_result_pack(&out, &olen, &r, &err);
    }
    MPI_Send(out, (int)olen, MPI_BYTE, 0, TAG_RESULT, MPI_COMM_WORLD);
    free(out);
    dufm_atlas_result_clear(&r);
  }
}

/* Rank 0: local threads plus one job at a time for every other rank. */
static int master(atlas_cli *c, int size) {
  dufm_atlas_opts o = {atlas_cli_on_done, c};
  dufm_atlas *a = NULL;
  dufm_err err;
  dufm_err_clear(&err);
  int open_failed = dufm_atlas_open(&a, &c->spec, c->out, &o, &err) != DUFM_OK;
  int *busy = calloc((size_t)size, sizeof *busy);
  pthread_t *tid = calloc((size_t)c->threads, sizeof *tid);
  atlas_pool p;
  int started = 0, rc = 1;
  if (open_failed || busy == NULL || tid == NULL) {
    if (open_failed)
      fprintf(stderr, "dufm: atlas: --out: %s\n", err.msg);
    else
      fprintf(stderr, "dufm: atlas: out of memory\n");
    rc = open_failed && err.status != DUFM_ENOMEM ? 2 : 1;
    goto stop;
  }
  atlas_pool_init(&p, a, &c->spec);
  started = atlas_pool_start(&p, tid, c->threads);
  if (started == 0 && size == 1)
    atlas_pool_worker(&p); /* no thread could start: work here */
  int nbusy = 0;
  for (;;) {
    int progressed = 0, fin;
    for (int r = 1; r < size; r++) {
      if (busy[r])
        continue;
      dufm_atlas_job job;
      int got = 0;
      unsigned char *buf = NULL;
      size_t len = 0;
      pthread_mutex_lock(&p.lock);
      if (!p.finished) {
        if (dufm_atlas_next(a, &job, &got, &err) != DUFM_OK)
          atlas_pool_fail_locked(&p, &err);
        else if (got < 0) {
          p.finished = 1;
          pthread_cond_broadcast(&p.cond);
        }
      }
      pthread_mutex_unlock(&p.lock);
      if (got != 1)
        break;
      dufm_status st = dufm_atlas_job_pack(&buf, &len, &job, &err);
      dufm_atlas_job_clear(&job);
      if (st != DUFM_OK) {
        pthread_mutex_lock(&p.lock);
        atlas_pool_fail_locked(&p, &err);
        pthread_mutex_unlock(&p.lock);
        break;
      }
      MPI_Send(buf, (int)len, MPI_BYTE, r, TAG_JOB, MPI_COMM_WORLD);
      free(buf);
      busy[r] = 1;
      nbusy++;
      progressed = 1;
    }
    int flag = 0;
    MPI_Status status;
    MPI_Iprobe(MPI_ANY_SOURCE, TAG_RESULT, MPI_COMM_WORLD, &flag, &status);
    if (flag) {
      int len = 0;
      unsigned char *buf = receive(&status, &len);
      dufm_atlas_result r;
      memset(&r, 0, sizeof r);
      dufm_status st = buf != NULL ? dufm_atlas_result_unpack(&r, buf, (size_t)len, &err)
                                   : dufm_err_set(&err, DUFM_ENOMEM, "out of memory");
      free(buf);
      busy[status.MPI_SOURCE] = 0;
      nbusy--;
      pthread_mutex_lock(&p.lock);
      if (st == DUFM_OK && !p.failed)
        st = dufm_atlas_complete(a, &r, &err);
      if (st != DUFM_OK)
        atlas_pool_fail_locked(&p, &err);
      pthread_cond_broadcast(&p.cond);
      pthread_mutex_unlock(&p.lock);
      dufm_atlas_result_clear(&r);
      progressed = 1;
    }
    pthread_mutex_lock(&p.lock);
    fin = p.finished;
    pthread_mutex_unlock(&p.lock);
    if (fin && nbusy == 0)
      break;
    if (!progressed)
      nap();
  }
  for (int t = 0; t < started; t++)
    pthread_join(tid[t], NULL);
  rc = atlas_cli_report(c, a, &p.err, p.failed);
  atlas_pool_destroy(&p);
stop:
  for (int r = 1; r < size; r++)
    MPI_Send(NULL, 0, MPI_BYTE, r, TAG_STOP, MPI_COMM_WORLD);
  free(busy);
  free(tid);
  dufm_atlas_free(a);
  return rc;
}

int atlas_mpi_run(atlas_cli *c) {
  int provided = 0, rank = 0, size = 1;
  if (MPI_Init_thread(NULL, NULL, MPI_THREAD_FUNNELED, &provided) != MPI_SUCCESS) {
    fprintf(stderr, "dufm: atlas: MPI_Init_thread failed\n");
    return 1;
  }
  openblas_set_num_threads(1);
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  c->processes = size;
  int rc = 0;
  if (rank == 0)
    rc = master(c, size);
  else
    worker(&c->spec);
  MPI_Finalize();
  return rc;
}
