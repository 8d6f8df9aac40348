/* Internal: disables GSL's abort-on-error handler once per process. */
#ifndef DUFM_CORE_GSL_QUIET_H
#define DUFM_CORE_GSL_QUIET_H

void dufm_i_gsl_quiet(void);

#endif
