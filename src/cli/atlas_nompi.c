/* dufm atlas without MPI support built in (meson feature 'mpi' not found). */
#include <stdio.h>

#include "atlas_cli.h"

/* Launched by mpirun with more than one process: this build cannot take part. */
int atlas_mpi_launched(void) {
  int n = atlas_env_int("OMPI_COMM_WORLD_SIZE");
  if (n < 0)
    n = atlas_env_int("PMI_SIZE");
  return n > 1;
}

int atlas_mpi_run(atlas_cli *c) {
  (void)c;
  if (atlas_mpi_env_rank() == 0)
    fprintf(stderr, "dufm: atlas: started by mpirun with several processes, but this dufm was "
                    "built without MPI (meson feature 'mpi')\n");
  return 2;
}
