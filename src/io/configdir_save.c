/* Writing configuration folders (the reading side is configdir.c): always a
 * whole new folder, built next to the target and renamed into place. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dufm/atomic.h"
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

dufm_status dufm_i_config_write_files(const dufm_atomic_dir *ad, const dufm_config *c,
                                      dufm_err *err) {
  dufm_status st = DUFM_OK;
  for (int l = 0; l <= c->L && st == DUFM_OK; l++) {
    char name[32];
    if (l == 0)
      snprintf(name, sizeof name, "H1.npy");
    else
      snprintf(name, sizeof name, "W%d.npy", l);
    char *path = dufm_atomic_dir_path(ad, name);
    if (path == NULL)
      st = dufm_err_set(err, DUFM_ENOMEM, "%s: out of memory", ad->path);
    else
      st = dufm_npy_write(path, l == 0 ? &c->H1 : &c->W[l - 1], err);
    if (st != DUFM_OK && path != NULL && err != NULL) { /* name the target, not the temporary */
      char why[DUFM_ERR_MSG_MAX];
      const char *colon = strstr(err->msg, ": ");
      snprintf(why, sizeof why, "%s", colon != NULL ? colon + 2 : err->msg);
      dufm_err_set(err, st, "%s/%s: %s", ad->path, name, why);
    }
    free(path);
  }
  return st;
}

dufm_status dufm_i_config_check(const dufm_config *c, const char *dir, dufm_err *err) {
  return check_config(c, dir, err);
}

dufm_status dufm_config_save(const char *dir, const dufm_config *c, dufm_err *err) {
  dufm_atomic_dir ad;
  dufm_status st = check_config(c, dir, err);
  if (st != DUFM_OK || (st = dufm_atomic_dir_begin(&ad, dir, err)) != DUFM_OK)
    return st;
  if ((st = dufm_i_config_write_files(&ad, c, err)) != DUFM_OK) {
    dufm_atomic_dir_abort(&ad);
    return st;
  }
  return dufm_atomic_dir_commit(&ad, err);
}

dufm_status dufm_config_save_atomic(const char *dir, const dufm_config *c, dufm_err *err) {
  return dufm_config_save(dir, c, err);
}
