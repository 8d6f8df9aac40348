/* Process-wide settings, only on request (dufm/process.h). */
#include <gsl/gsl_errno.h>

#include "dufm/process.h"

/* OpenBLAS's own; declared here so that no OpenBLAS-specific header is needed. */
void openblas_set_num_threads(int num_threads);

void dufm_init_process(unsigned flags) {
  if (flags & DUFM_INIT_GSL_QUIET)
    gsl_set_error_handler_off();
  if (flags & DUFM_INIT_BLAS_SERIAL)
    openblas_set_num_threads(1);
}
