/* core/pool.h (internal): one pool of pthreads for independent jobs (the
 * seeds of dufm optimize, the tasks of dufm search). */
#ifndef DUFM_CORE_POOL_H
#define DUFM_CORE_POOL_H

#include "dufm/error.h"

/* Job i of ctx; its message goes to err. */
typedef dufm_status (*dufm_i_job)(void *ctx, int i, dufm_err *err);

/* Runs jobs 0..n-1 once each over min(threads, n) threads (threads <= 0: the
 * online cores), in any order; st[i] and errs[i] receive job i's status and
 * message. Every thread runs OpenBLAS single-threaded, so each job's result
 * depends on the job only; OpenBLAS's thread count is restored at the end.
 * When no thread can be started the jobs run in the caller. */
void dufm_i_pool_run(int n, int threads, dufm_i_job job, void *ctx, dufm_status *st,
                     dufm_err *errs);

/* Online processors (1 when unknown). */
int dufm_i_online_cores(void);

#endif
