/* dufm atlas: the command's shared state, the in-process pool of worker
 * threads (also used by rank 0 under MPI) and the MPI driver. */
#ifndef DUFM_CLI_ATLAS_H
#define DUFM_CLI_ATLAS_H

#include <pthread.h>

#include "dufm/atlas.h"

typedef struct {
  dufm_atlas_spec spec;
  const char *out;
  int threads; /* worker threads in this process */
  int json;
  double t0; /* start (monotonic seconds) */
  /* progress and ETA */
  double weight_total, weight_done, weight_skipped;
  int processes;
  /* per-setting outcome for the summary */
  int nsettings;
  dufm_atlas_done *done; /* indexed by setting; kind -1 when not final */
  char **notes;
} atlas_cli;

typedef struct {
  dufm_atlas *a;
  const dufm_atlas_spec *spec;
  pthread_mutex_t lock;
  pthread_cond_t cond;
  int finished; /* every setting final, or an error */
  int failed;
  dufm_err err;
} atlas_pool;

void atlas_pool_init(atlas_pool *p, dufm_atlas *a, const dufm_atlas_spec *spec);
void atlas_pool_destroy(atlas_pool *p);
/* Worker thread body: next job, run it unlocked, complete it; until finished. */
void *atlas_pool_worker(void *arg);
/* Under the pool's lock: records the first error and stops everything. */
void atlas_pool_fail_locked(atlas_pool *p, const dufm_err *err);
/* Starts n threads (n >= 1) into tid; returns how many started. */
int atlas_pool_start(atlas_pool *p, pthread_t *tid, int n);

/* on_done callback: the progress line with an ETA on stderr. */
void atlas_cli_on_done(void *ctx, const dufm_atlas_done *d);
double atlas_cli_now(void);

/* The in-process run (threads), after the arguments are checked; returns
 * the exit status and prints the summary. */
int atlas_cli_run_local(atlas_cli *c);
/* Rank 0 prints the summary from the atlas after a run. */
int atlas_cli_report(atlas_cli *c, dufm_atlas *a, const dufm_err *err, int failed);

/* MPI: 1 when this process was started by an MPI launcher (environment). */
int atlas_mpi_launched(void);
/* Rank of this process from the launcher's environment (0 when none). */
int atlas_mpi_env_rank(void);
/* An integer environment variable, -1 when unset. */
int atlas_env_int(const char *name);
/* The MPI run: rank 0 schedules and writes, every rank computes. Returns the
 * exit status. Without MPI support built in: a one-line error, exit 2. */
int atlas_mpi_run(atlas_cli *c);

#endif
