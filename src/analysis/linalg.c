/* Class means, singular values and numerical ranks for the analysis module. */
#include <lapacke.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/analysis_internal.h"

dufm_status dufm_i_class_means(dufm_mat *out, const dufm_mat *x, int K, dufm_err *err) {
  dufm_status st = dufm_mat_init(out, x->rows, K, err);
  if (st != DUFM_OK)
    return st;
  const int n = x->cols / K;
  for (int i = 0; i < x->rows; i++) {
    const double *row = x->data + (size_t)i * (size_t)x->cols;
    for (int c = 0; c < K; c++) {
      double sum = 0.0;
      for (int j = c * n; j < (c + 1) * n; j++)
        sum += row[j];
      DUFM_MAT_AT(out, i, c) = sum / n;
    }
  }
  return DUFM_OK;
}

dufm_status dufm_i_singular_values(double *s, const dufm_mat *m, dufm_err *err) {
  size_t count = (size_t)m->rows * (size_t)m->cols;
  double *a = malloc(count * sizeof *a);
  if (a == NULL)
    return dufm_err_set(err, DUFM_ENOMEM, "out of memory for a %d x %d SVD", m->rows, m->cols);
  memcpy(a, m->data, count * sizeof *a);
  /* A row-major rows x cols matrix is its transpose in column-major order: the
   * same singular values, without LAPACKE's transposed copy. */
  lapack_int info =
      LAPACKE_dgesdd(LAPACK_COL_MAJOR, 'N', m->cols, m->rows, a, m->cols, s, NULL, 1, NULL, 1);
  free(a);
  if (info != 0)
    return dufm_err_set(err, info < 0 ? DUFM_EINVAL : DUFM_ENUMERIC,
                        "singular values of a %d x %d matrix: LAPACKE_dgesdd info %d", m->rows,
                        m->cols, (int)info);
  return DUFM_OK;
}

int dufm_i_rank(const double *s, int count, double tol) {
  int rank = 0;
  if (count == 0 || !(s[0] > 0.0))
    return 0;
  for (int i = 0; i < count; i++)
    rank += s[i] > tol * s[0];
  return rank;
}

dufm_status dufm_i_mat_rank(int *rank, const dufm_mat *m, double tol, dufm_err *err) {
  int k = m->rows < m->cols ? m->rows : m->cols;
  double *s = malloc((size_t)k * sizeof *s);
  if (s == NULL)
    return dufm_err_set(err, DUFM_ENOMEM, "out of memory for %d singular values", k);
  dufm_status st = dufm_i_singular_values(s, m, err);
  if (st == DUFM_OK)
    *rank = dufm_i_rank(s, k, tol);
  free(s);
  return st;
}
