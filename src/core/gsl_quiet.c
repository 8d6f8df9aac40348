/* GSL aborts on error by default; a library must not, so the first use of GSL
 * in libdufm turns that handler off once for the process (GSL's status codes
 * are checked at every call instead). */
#include <gsl/gsl_errno.h>
#include <pthread.h>

#include "core/gsl_quiet.h"

static pthread_once_t once = PTHREAD_ONCE_INIT;

static void quiet(void) { gsl_set_error_handler_off(); }

void dufm_i_gsl_quiet(void) { pthread_once(&once, quiet); }
