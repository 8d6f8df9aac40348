/* dufm/gmpmem.h: GMP's allocation failure as a caller's error, not an abort.
 *
 * GMP allocates through functions set once per process
 * (mp_set_memory_functions); its default prints a message and calls abort()
 * when malloc fails. The library never changes that process-wide state by
 * itself: a program opts in with dufm_gmp_oom_install, typically at the start
 * of main (the dufm CLI does: one line on stderr, temporaries removed, exit
 * status 1). Inputs that could ask GMP for huge numbers are refused before any
 * arithmetic where the library can bound the work (certificate.h: the work
 * bounds of dufm_cert_check); the hook covers what remains. */
#ifndef DUFM_GMPMEM_H
#define DUFM_GMPMEM_H

#include <stddef.h>

#include "dufm/export.h"

DUFM_BEGIN_DECLS

/* Called with the size GMP asked for when malloc or realloc failed. It must
 * not return: it exits, or longjmps to a point the program set before the
 * GMP work began (GMP's numbers touched since then are then in an unspecified
 * state and leak; only clear them or drop them). If it returns, abort() runs
 * as GMP's own handler would. */
typedef void (*dufm_gmp_oom_fn)(size_t bytes);

/* Sets GMP's memory functions (process-wide, not thread-specific) to
 * malloc/realloc/free wrappers that call handler on failure. Call it before
 * any GMP number exists (numbers made with the old functions are freed with
 * free(), which matches GMP's default). NULL restores GMP's defaults. */
void dufm_gmp_oom_install(dufm_gmp_oom_fn handler);

DUFM_END_DECLS

#endif
