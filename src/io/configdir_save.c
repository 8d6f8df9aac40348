/* Writing configuration folders (the reading side is configdir.c). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dufm/npy.h"
#include "io/npy_internal.h"

/* The struct is public and may be filled by hand: check before writing. */
static dufm_status check_config(const dufm_config *c, const char *dir, dufm_err *err) {
  if (c == NULL || c->d == NULL || c->W == NULL || c->L < 1 || c->L > DUFM_MAX_L)
    return dufm_err_set(err, DUFM_EINVAL, "%s: the configuration is empty or cleared", dir);
  if (c->K != c->d[c->L] || c->K < 2)
    return dufm_err_set(err, DUFM_EINVAL, "%s: the configuration has K = %d but d[L] = %d", dir,
                        c->K, c->d[c->L]);
  if (c->H1.data == NULL || c->H1.rows != c->d[0] || c->H1.cols != c->cols || c->cols % c->K)
    return dufm_err_set(err, DUFM_EINVAL,
                        "%s: H1 is %d x %d, expected d[0] x cols = %d x %d with cols a multiple "
                        "of K = %d",
                        dir, c->H1.rows, c->H1.cols, c->d[0], c->cols, c->K);
  for (int l = 0; l < c->L; l++)
    if (c->W[l].data == NULL || c->W[l].rows != c->d[l + 1] || c->W[l].cols != c->d[l])
      return dufm_err_set(err, DUFM_EINVAL, "%s: W%d is %d x %d, expected %d x %d", dir, l + 1,
                          c->W[l].rows, c->W[l].cols, c->d[l + 1], c->d[l]);
  return DUFM_OK;
}

static dufm_status make_dir(const char *dir, dufm_err *err) {
  struct stat sb;
  if (mkdir(dir, 0777) != 0 && errno != EEXIST)
    return dufm_err_set(err, DUFM_EIO, "%s: cannot create the folder: %s", dir, strerror(errno));
  if (stat(dir, &sb) != 0)
    return dufm_err_set(err, DUFM_EIO, "%s: cannot stat the folder: %s", dir, strerror(errno));
  if (!S_ISDIR(sb.st_mode))
    return dufm_err_set(err, DUFM_EIO, "%s: exists and is not a folder", dir);
  return DUFM_OK;
}

dufm_status dufm_config_save(const char *dir, const dufm_config *c, dufm_err *err) {
  int *stale = NULL;
  size_t n_stale = 0;
  char *path = NULL;
  dufm_status st = check_config(c, dir, err);
  if (st != DUFM_OK || (st = make_dir(dir, err)) != DUFM_OK)
    return st;
  for (int l = 0; l <= c->L && st == DUFM_OK; l++) {
    path = l == 0 ? dufm_i_path_join(dir, "H1.npy") : dufm_i_layer_path(dir, l);
    if (path == NULL)
      st = dufm_err_set(err, DUFM_ENOMEM, "%s: out of memory", dir);
    else
      st = dufm_npy_write(path, l == 0 ? &c->H1 : &c->W[l - 1], err);
    free(path);
    path = NULL;
  }
  if (st != DUFM_OK || (st = dufm_i_layers_above(&stale, &n_stale, dir, c->L, err)) != DUFM_OK)
    goto cleanup;
  /* Ascending order: an interrupted removal leaves a hole, which the loader
   * refuses, rather than a shorter but plausible stack of stale layers. */
  for (size_t i = 0; i < n_stale && st == DUFM_OK; i++) {
    if ((path = dufm_i_layer_path(dir, stale[i])) == NULL)
      st = dufm_err_set(err, DUFM_ENOMEM, "%s: out of memory", dir);
    else if (unlink(path) != 0 && errno != ENOENT)
      st = dufm_err_set(err, DUFM_EIO, "%s: cannot remove this stale layer file: %s", path,
                        strerror(errno));
    free(path);
    path = NULL;
  }
cleanup:
  free(stale);
  return st;
}
