/* GMP's memory functions with a caller's out-of-memory handler (gmpmem.h). */
#include "dufm/gmpmem.h"

#include <gmp.h>
#include <stdlib.h>

static dufm_gmp_oom_fn oom_handler;

static void out_of_memory(size_t bytes) {
  if (oom_handler != NULL)
    oom_handler(bytes);
  abort(); /* the handler returned: what GMP would have done */
}

static void *gmp_alloc(size_t bytes) {
  void *p = malloc(bytes);
  if (p == NULL && bytes > 0)
    out_of_memory(bytes);
  return p;
}

static void *gmp_realloc(void *old, size_t old_bytes, size_t bytes) {
  (void)old_bytes;
  void *p = realloc(old, bytes);
  if (p == NULL && bytes > 0)
    out_of_memory(bytes);
  return p;
}

static void gmp_free(void *p, size_t bytes) {
  (void)bytes;
  free(p);
}

void dufm_gmp_oom_install(dufm_gmp_oom_fn handler) {
  oom_handler = handler;
  if (handler != NULL)
    mp_set_memory_functions(gmp_alloc, gmp_realloc, gmp_free);
  else
    mp_set_memory_functions(NULL, NULL, NULL);
}
