/* Shared fixtures of the analysis suites: reference class means, SVD ranks and
 * NC metrics computed the plain way (explicit d x d matrices, LAPACK's dgesvd
 * rather than the library's dgesdd), and hand-filled configurations. */
#ifndef DUFM_ANALYSIS_FIXTURES_H
#define DUFM_ANALYSIS_FIXTURES_H

#include <lapacke.h>
#include <stdlib.h>

#include "dufm/analysis.h"
#include "model_fixtures.h"

static inline double grand(void) { /* standard Gaussian, Box-Muller */
  double u = urand(), v = urand();
  return sqrt(-2.0 * log(1.0 - u)) * cos(6.283185307179586 * v);
}

/* Class means (rows x K) of x (rows x K n), into a fresh matrix. */
static inline dufm_mat ref_means(const dufm_mat *x, int K) {
  dufm_mat m = {0};
  int n = x->cols / K;
  CU_ASSERT_FATAL(dufm_mat_init(&m, x->rows, K, NULL) == DUFM_OK);
  for (int i = 0; i < x->rows; i++)
    for (int j = 0; j < x->cols; j++)
      DUFM_MAT_AT(&m, i, j / n) += DUFM_MAT_AT(x, i, j) / n;
  return m;
}

/* Singular values (descending) into s (min(rows, cols) entries); returns the
 * rank at relative threshold tol. */
static inline int ref_svd(double *s, const dufm_mat *m, double tol) {
  int k = m->rows < m->cols ? m->rows : m->cols, rank = 0;
  double *a = malloc((size_t)m->rows * m->cols * sizeof *a), *super = malloc((size_t)k * sizeof *a);
  memcpy(a, m->data, (size_t)m->rows * m->cols * sizeof *a);
  CU_ASSERT(LAPACKE_dgesvd(LAPACK_ROW_MAJOR, 'N', 'N', m->rows, m->cols, a, m->cols, s, NULL, 1,
                           NULL, 1, super) == 0);
  for (int i = 0; i < k; i++)
    rank += s[i] > tol * s[0];
  free(a);
  free(super);
  return rank;
}

/* || X/||X||_F - Y/||Y||_F ||_F for two explicit rows x rows matrices. */
static inline double ref_normalized_dist(const double *x, const double *y, int count) {
  double nx = 0, ny = 0, s = 0;
  for (int i = 0; i < count; i++)
    nx += x[i] * x[i], ny += y[i] * y[i];
  for (int i = 0; i < count; i++) {
    double e = x[i] / sqrt(nx) - y[i] / sqrt(ny);
    s += e * e;
  }
  return sqrt(s);
}

/* NC3 the plain way: A = W^T W and B = M M^T formed explicitly (d x d). */
static inline double ref_nc3(const dufm_mat *w, const dufm_mat *m) {
  int d = w->cols;
  double *a = calloc((size_t)d * d, sizeof *a), *b = calloc((size_t)d * d, sizeof *b);
  for (int i = 0; i < d; i++)
    for (int j = 0; j < d; j++) {
      for (int r = 0; r < w->rows; r++)
        a[i * d + j] += DUFM_MAT_AT(w, r, i) * DUFM_MAT_AT(w, r, j);
      for (int c = 0; c < m->cols; c++)
        b[i * d + j] += DUFM_MAT_AT(m, i, c) * DUFM_MAT_AT(m, j, c);
    }
  double v = ref_normalized_dist(a, b, d * d);
  free(a);
  free(b);
  return v;
}

/* Configuration with widths d[0..L] and cols columns, entries from arrays in
 * row-major order (h1, then w[0], w[1], ...; NULL leaves zeros). */
static inline void config_from(dufm_config *c, int L, const int *d, int cols, const double *h1,
                               const double *const *w) {
  CU_ASSERT_FATAL(dufm_config_init(c, L, d, cols, NULL) == DUFM_OK);
  if (h1 != NULL)
    memcpy(c->H1.data, h1, (size_t)d[0] * cols * sizeof *h1);
  for (int l = 0; l < L && w != NULL; l++)
    if (w[l] != NULL)
      memcpy(c->W[l].data, w[l], (size_t)d[l + 1] * d[l] * sizeof *h1);
}

/* Runs dufm_analyze with default options except the given tolerances (< 0:
 * default) and asserts success. */
static inline void analyze_ok(dufm_analysis *a, const dufm_config *c, const dufm_params *p,
                              double rank_tol, double kink_tol) {
  dufm_analysis_opts o;
  dufm_err err;
  dufm_analysis_opts_default(&o);
  if (rank_tol >= 0)
    o.rank_tol = rank_tol;
  if (kink_tol >= 0)
    o.kink_tol = kink_tol;
  dufm_status st = dufm_analyze(a, c, p, &o, &err);
  if (st != DUFM_OK)
    fprintf(stderr, "\n  dufm_analyze: %s\n", err.msg);
  CU_ASSERT_FATAL(st == DUFM_OK);
}

#endif
