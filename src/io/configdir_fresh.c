/* Saving a configuration so that a failure never leaves a half-written folder. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dufm/npy.h"

/* Removes the files dufm_config_save may have written into tmp, then tmp. */
static void remove_partial(const char *tmp, int L) {
  size_t len = strlen(tmp) + 32;
  char *path = malloc(len);
  for (int l = 0; path != NULL && l <= L; l++) {
    if (l == 0)
      snprintf(path, len, "%s/H1.npy", tmp);
    else
      snprintf(path, len, "%s/W%d.npy", tmp, l);
    unlink(path);
  }
  free(path);
  rmdir(tmp);
}

dufm_status dufm_config_save_atomic(const char *dir, const dufm_config *c, dufm_err *err) {
  struct stat sb;
  if (stat(dir, &sb) == 0)
    return dufm_config_save(dir, c, err); /* existing folder: file by file */
  size_t len = strlen(dir) + 16;
  char *tmp = malloc(len);
  if (tmp == NULL)
    return dufm_err_set(err, DUFM_ENOMEM, "%s: out of memory", dir);
  snprintf(tmp, len, "%s.tmp-XXXXXX", dir);
  dufm_status st = DUFM_OK;
  if (mkdtemp(tmp) == NULL) {
    st = dufm_err_set(err, DUFM_EIO, "%s: cannot create a folder next to it: %s", dir,
                      strerror(errno));
  } else {
    st = dufm_config_save(tmp, c, err);
    /* rename(2) moves the finished folder into place in one step. */
    if (st == DUFM_OK && rename(tmp, dir) != 0)
      st = dufm_err_set(err, DUFM_EIO, "%s: cannot rename the finished folder into place: %s", dir,
                        strerror(errno));
    if (st != DUFM_OK)
      remove_partial(tmp, c->L);
  }
  free(tmp);
  return st;
}
