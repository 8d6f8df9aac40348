#include "dufm/matrix.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

dufm_status dufm_mat_init(dufm_mat *m, int rows, int cols, dufm_err *err) {
  m->rows = 0;
  m->cols = 0;
  m->data = NULL;
  if (rows < 1 || cols < 1)
    return dufm_err_set(err, DUFM_EINVAL, "matrix shape %d x %d: both sizes must be at least 1",
                        rows, cols);
  if ((size_t)rows > SIZE_MAX / sizeof(double) / (size_t)cols)
    return dufm_err_set(err, DUFM_ENOMEM, "matrix shape %d x %d is too large", rows, cols);
  m->data = calloc((size_t)rows * (size_t)cols, sizeof(double));
  if (m->data == NULL)
    return dufm_err_set(err, DUFM_ENOMEM, "out of memory for a %d x %d matrix", rows, cols);
  m->rows = rows;
  m->cols = cols;
  return DUFM_OK;
}

void dufm_mat_clear(dufm_mat *m) {
  if (m == NULL)
    return;
  free(m->data);
  m->data = NULL;
  m->rows = 0;
  m->cols = 0;
}

dufm_status dufm_mat_copy(dufm_mat *dst, const dufm_mat *src, dufm_err *err) {
  dufm_status st = dufm_mat_init(dst, src->rows, src->cols, err);
  if (st != DUFM_OK)
    return st;
  memcpy(dst->data, src->data, (size_t)src->rows * (size_t)src->cols * sizeof(double));
  return DUFM_OK;
}

double dufm_mat_frob2(const dufm_mat *m) {
  double sum = 0.0, comp = 0.0;
  size_t count = (size_t)m->rows * (size_t)m->cols;
  for (size_t i = 0; i < count; i++) {
    double y = m->data[i] * m->data[i] - comp;
    double t = sum + y;
    comp = (t - sum) - y;
    sum = t;
  }
  return sum;
}
