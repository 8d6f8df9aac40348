/* What an MPI launcher tells a process through its environment (both builds). */
#include <stdlib.h>

#include "atlas_cli.h"

int atlas_env_int(const char *name) {
  const char *v = getenv(name);
  return v != NULL ? atoi(v) : -1;
}

int atlas_mpi_env_rank(void) {
  int r = atlas_env_int("OMPI_COMM_WORLD_RANK");
  if (r < 0)
    r = atlas_env_int("PMI_RANK");
  return r < 0 ? 0 : r;
}
