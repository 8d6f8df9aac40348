/* dufm/process.h: the process-wide settings dufm relies on, made only when
 * the program asks. The library itself never changes a process-wide setting
 * behind the caller's back (apart from the thread count OpenBLAS uses inside
 * dufm_optim_runs, which dufm/optim.h documents and restores); a program
 * (the dufm command, the Python package) calls dufm_init_process once at
 * start, before it starts threads. */
#ifndef DUFM_PROCESS_H
#define DUFM_PROCESS_H

#include "dufm/export.h"

DUFM_BEGIN_DECLS

/* GSL's default error handler aborts the process; dufm checks every GSL
 * status itself, so it wants the handler off (gsl_set_error_handler_off).
 * Without this flag (or a handler of the program's own) a GSL error inside
 * dufm aborts. */
#define DUFM_INIT_GSL_QUIET 1u
/* OpenBLAS on one thread (openblas_set_num_threads(1)): every product is then
 * bitwise reproducible whatever the machine; parallelism comes from seeds. */
#define DUFM_INIT_BLAS_SERIAL 2u
/* Both: what the dufm command and the Python package use. */
#define DUFM_INIT_DEFAULT (DUFM_INIT_GSL_QUIET | DUFM_INIT_BLAS_SERIAL)

/* Makes the settings of flags (a combination of DUFM_INIT_*; other bits are
 * ignored). Safe to call more than once; not thread-safe against concurrent
 * GSL or BLAS use. */
void dufm_init_process(unsigned flags);

DUFM_END_DECLS

#endif
