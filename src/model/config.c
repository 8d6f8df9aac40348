/* Configurations: allocation, copy and the shape check against parameters. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dufm/model.h"
#include "model/model_internal.h"

dufm_status dufm_config_init(dufm_config *c, int L, const int *d, int cols, dufm_err *err) {
  memset(c, 0, sizeof *c);
  if (L < 1 || L > DUFM_MAX_L)
    return dufm_err_set(err, DUFM_EINVAL, "config depth L = %d: must be between 1 and %d", L,
                        DUFM_MAX_L);
  if (cols < 1)
    return dufm_err_set(err, DUFM_EINVAL, "config columns = %d: must be at least 1", cols);
  for (int l = 0; l <= L; l++)
    if (d[l] < 1)
      return dufm_err_set(err, DUFM_EINVAL, "config width d[%d] = %d: must be at least 1", l, d[l]);
  dufm_status st = DUFM_OK;
  c->d = malloc((size_t)(L + 1) * sizeof *c->d);
  /* calloc so that a partial failure leaves empty matrices that clear can free. */
  c->W = calloc((size_t)L, sizeof *c->W);
  if (c->d == NULL || c->W == NULL) {
    st = dufm_err_set(err, DUFM_ENOMEM, "out of memory for a depth %d configuration", L);
    goto cleanup;
  }
  memcpy(c->d, d, (size_t)(L + 1) * sizeof *c->d);
  c->L = L;
  c->K = d[L];
  c->cols = cols;
  st = dufm_mat_init(&c->H1, d[0], cols, err);
  for (int l = 0; l < L && st == DUFM_OK; l++)
    st = dufm_mat_init(&c->W[l], d[l + 1], d[l], err);
cleanup:
  if (st != DUFM_OK)
    dufm_config_clear(c);
  return st;
}

void dufm_config_clear(dufm_config *c) {
  if (c == NULL)
    return;
  dufm_mat_clear(&c->H1);
  if (c->W != NULL)
    for (int l = 0; l < c->L; l++)
      dufm_mat_clear(&c->W[l]);
  free(c->W);
  free(c->d);
  memset(c, 0, sizeof *c);
}

dufm_status dufm_config_copy(dufm_config *dst, const dufm_config *src, dufm_err *err) {
  dufm_status st = dufm_config_init(dst, src->L, src->d, src->cols, err);
  if (st != DUFM_OK)
    return st;
  memcpy(dst->H1.data, src->H1.data, (size_t)src->H1.rows * (size_t)src->H1.cols * sizeof(double));
  for (int l = 0; l < src->L; l++)
    memcpy(dst->W[l].data, src->W[l].data,
           (size_t)src->W[l].rows * (size_t)src->W[l].cols * sizeof(double));
  return DUFM_OK;
}

dufm_status dufm_i_config_shapes(const dufm_config *c, dufm_err *err) {
  if (c->d == NULL || c->W == NULL || c->L < 1)
    return dufm_err_set(err, DUFM_EINVAL, "configuration is empty or cleared");
  if (c->K != c->d[c->L])
    return dufm_err_set(err, DUFM_EINVAL, "configuration K = %d but d[L] = %d", c->K, c->d[c->L]);
  if (c->H1.data == NULL || c->H1.rows != c->d[0] || c->H1.cols != c->cols)
    return dufm_err_set(err, DUFM_EINVAL, "H1 is %d x %d, expected d[0] x cols = %d x %d",
                        c->H1.rows, c->H1.cols, c->d[0], c->cols);
  for (int l = 0; l < c->L; l++)
    if (c->W[l].data == NULL || c->W[l].rows != c->d[l + 1] || c->W[l].cols != c->d[l])
      return dufm_err_set(err, DUFM_EINVAL, "W%d is %d x %d, expected %d x %d", l + 1, c->W[l].rows,
                          c->W[l].cols, c->d[l + 1], c->d[l]);
  return DUFM_OK;
}

dufm_status dufm_config_check(const dufm_config *c, const dufm_params *p, dufm_form form,
                              dufm_err *err) {
  dufm_status st = dufm_i_config_shapes(c, err);
  if (st != DUFM_OK)
    return st;
  if (c->L != p->L)
    return dufm_err_set(err, DUFM_EINVAL, "configuration depth L = %d but parameters say L = %d",
                        c->L, p->L);
  if (c->K != p->K)
    return dufm_err_set(err, DUFM_EINVAL, "configuration has K = %d classes but parameters say %d",
                        c->K, p->K);
  if (form == DUFM_FORM_SAMPLES) {
    int64_t want = (int64_t)p->K * (int64_t)p->n;
    if ((int64_t)c->cols != want)
      return dufm_err_set(err, DUFM_EINVAL,
                          "per-sample form needs K n = %d * %d = %lld columns of H1, got %d", p->K,
                          p->n, (long long)want, c->cols);
  } else if (form == DUFM_FORM_CLASS_MEANS) {
    if (c->cols != p->K)
      return dufm_err_set(err, DUFM_EINVAL, "class-mean form needs K = %d columns of H1, got %d",
                          p->K, c->cols);
  } else {
    return dufm_err_set(err, DUFM_EINVAL, "unknown form %d", (int)form);
  }
  return DUFM_OK;
}
