/* Configuration folders: H1.npy and the layers W1.npy, ..., WL.npy. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "dufm/npy.h"
#include "io/npy_internal.h"

char *dufm_i_path_join(const char *dir, const char *name) {
  size_t size = strlen(dir) + strlen(name) + 2;
  char *p = malloc(size);
  if (p != NULL)
    snprintf(p, size, "%s/%s", dir, name);
  return p;
}

char *dufm_i_layer_path(const char *dir, int l) {
  char name[32];
  snprintf(name, sizeof name, "W%d.npy", l);
  return dufm_i_path_join(dir, name);
}

/* k for a layer file "W<k>.npy" (1 <= k <= 999999999 without leading zero),
 * 0 for any other name. */
static int layer_index(const char *name) {
  int k = 0, digits = 0;
  if (name[0] != 'W' || name[1] < '1' || name[1] > '9')
    return 0;
  for (name++; *name >= '0' && *name <= '9'; name++)
    if (++digits <= 9)
      k = k * 10 + (*name - '0');
  return digits <= 9 && strcmp(name, ".npy") == 0 ? k : 0;
}

static int cmp_int(const void *a, const void *b) {
  return (*(const int *)a > *(const int *)b) - (*(const int *)a < *(const int *)b);
}

dufm_status dufm_i_layers_above(int **out, size_t *count, const char *dir, int above,
                                dufm_err *err) {
  *out = NULL;
  *count = 0;
  size_t cap = 0;
  DIR *dp = opendir(dir);
  if (dp == NULL)
    return dufm_err_set(err, DUFM_EIO, "%s: cannot list the folder: %s", dir, strerror(errno));
  dufm_status st = DUFM_OK;
  struct dirent *e;
  while (st == DUFM_OK && (e = readdir(dp)) != NULL) {
    int k = layer_index(e->d_name);
    if (k <= above)
      continue;
    if (*count == cap) {
      int *grown = realloc(*out, (cap = 2 * cap + 8) * sizeof **out);
      if (grown == NULL)
        st = dufm_err_set(err, DUFM_ENOMEM, "%s: out of memory listing the folder", dir);
      else
        *out = grown;
    }
    if (st == DUFM_OK)
      (*out)[(*count)++] = k;
  }
  closedir(dp);
  if (st != DUFM_OK) {
    free(*out);
    *out = NULL;
    *count = 0;
  } else if (*count > 1) {
    qsort(*out, *count, sizeof **out, cmp_int);
  }
  return st;
}

/* Reads W1.npy, W2.npy, ... until the first missing one into *w (malloc'ed);
 * *L counts the matrices read, also on failure. */
static dufm_status read_layers(dufm_mat **w, int *L, const char *dir, dufm_err *err) {
  int cap = 0;
  *w = NULL;
  *L = 0;
  for (;;) {
    dufm_status st = DUFM_OK;
    struct stat sb;
    char *path = dufm_i_layer_path(dir, *L + 1);
    if (path == NULL)
      return dufm_err_set(err, DUFM_ENOMEM, "%s: out of memory", dir);
    if (stat(path, &sb) != 0 && errno == ENOENT) {
      free(path);
      return DUFM_OK;
    }
    if (*L == DUFM_MAX_L) {
      st = dufm_err_set(err, DUFM_EFORMAT, "%s: more than %d layers", path, DUFM_MAX_L);
    } else if (*L == cap) {
      dufm_mat *grown = realloc(*w, (size_t)(cap = 2 * cap + 4) * sizeof **w);
      if (grown == NULL)
        st = dufm_err_set(err, DUFM_ENOMEM, "%s: out of memory", path);
      else
        *w = grown;
    }
    if (st == DUFM_OK && (st = dufm_npy_read(&(*w)[*L], path, err)) == DUFM_OK)
      (*L)++;
    free(path);
    if (st != DUFM_OK)
      return st;
  }
}

/* Chaining, K and the column count; on success d[0..L] is filled. */
static dufm_status check_shapes(int *d, const dufm_mat *h1, const dufm_mat *w, int L,
                                const char *dir, dufm_err *err) {
  d[0] = h1->rows;
  for (int l = 0; l < L; l++) {
    if (w[l].cols != d[l]) {
      char prev[16] = "H1";
      if (l > 0)
        snprintf(prev, sizeof prev, "W%d", l);
      return dufm_err_set(err, DUFM_EFORMAT,
                          "%s/W%d.npy: shape %d x %d does not chain: it needs %d columns, the "
                          "rows of %s.npy (%d x %d)",
                          dir, l + 1, w[l].rows, w[l].cols, d[l], prev,
                          l > 0 ? w[l - 1].rows : h1->rows, l > 0 ? w[l - 1].cols : h1->cols);
    }
    d[l + 1] = w[l].rows;
  }
  int K = d[L];
  if (K < 2)
    return dufm_err_set(err, DUFM_EFORMAT,
                        "%s/W%d.npy: shape %d x %d: the last layer has K = %d rows, at least 2 "
                        "classes are needed",
                        dir, L, w[L - 1].rows, w[L - 1].cols, K);
  if (h1->cols % K != 0)
    return dufm_err_set(err, DUFM_EFORMAT,
                        "%s/H1.npy: shape %d x %d: the columns must be a multiple of K = %d "
                        "(rows of W%d.npy)",
                        dir, h1->rows, h1->cols, K, L);
  return DUFM_OK;
}

dufm_status dufm_config_load(dufm_config *out, int *n_out, const char *dir, dufm_err *err) {
  dufm_mat h1 = {0, 0, NULL}, *w = NULL;
  int L = 0, *d = NULL, *extra = NULL;
  size_t n_extra = 0;
  memset(out, 0, sizeof *out);
  char *path = dufm_i_path_join(dir, "H1.npy");
  dufm_status st = path == NULL ? dufm_err_set(err, DUFM_ENOMEM, "%s: out of memory", dir)
                                : dufm_npy_read(&h1, path, err);
  if (st != DUFM_OK || (st = read_layers(&w, &L, dir, err)) != DUFM_OK)
    goto cleanup;
  if (L == 0) {
    st = dufm_err_set(err, DUFM_EFORMAT,
                      "%s/W1.npy: missing: a configuration folder holds H1.npy and W1.npy, ..., "
                      "WL.npy with L >= 1",
                      dir);
    goto cleanup;
  }
  /* A later layer after a hole is a leftover or a lost file; guessing is worse. */
  if ((st = dufm_i_layers_above(&extra, &n_extra, dir, L + 1, err)) != DUFM_OK)
    goto cleanup;
  if (n_extra > 0) {
    st = dufm_err_set(err, DUFM_EFORMAT,
                      "%s/W%d.npy: missing while W%d.npy exists: layer files must be consecutive",
                      dir, L + 1, extra[0]);
    goto cleanup;
  }
  if ((d = malloc((size_t)(L + 1) * sizeof *d)) == NULL) {
    st = dufm_err_set(err, DUFM_ENOMEM, "%s: out of memory", dir);
    goto cleanup;
  }
  if ((st = check_shapes(d, &h1, w, L, dir, err)) != DUFM_OK ||
      (st = dufm_config_init(out, L, d, h1.cols, err)) != DUFM_OK)
    goto cleanup;
  /* Hand the loaded matrices over; the zero ones config_init made are freed below. */
  dufm_mat swap = out->H1;
  out->H1 = h1;
  h1 = swap;
  for (int l = 0; l < L; l++)
    swap = out->W[l], out->W[l] = w[l], w[l] = swap;
  if (n_out != NULL)
    *n_out = out->cols / out->K;
cleanup:
  dufm_mat_clear(&h1);
  for (int l = 0; l < L; l++)
    dufm_mat_clear(&w[l]);
  free(w);
  free(d);
  free(extra);
  free(path);
  return st;
}
