/* Neural-collapse metrics NC1-NC3 of one layer (theory section 8). */
#include <cblas.h>
#include <lapacke.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/analysis_internal.h"

static double sum_sq(const double *x, size_t count) {
  double s = 0.0;
  for (size_t i = 0; i < count; i++)
    s += x[i] * x[i];
  return s;
}

static dufm_status no_memory(dufm_err *err, const char *what) {
  return dufm_err_set(err, DUFM_ENOMEM, "out of memory for %s", what);
}

/* S_B = C C^T / K with C the centered class means; with C = U S V^T,
 * S_B^+ = K sum_j u_j u_j^T / s_j^2 over the kept j, so
 * tr(S_W S_B^+) / K = sum_j (1/N) sum_samples (u_j^T dev)^2 / s_j^2: the thin
 * SVD of C is the eigen-decomposition of S_B without forming a d x d matrix. */
dufm_status dufm_i_nc1(double *out, const dufm_mat *x, const dufm_mat *means, double tol,
                       dufm_err *err) {
  const int d = x->rows, K = means->cols, N = x->cols, n = N / K, k = d < K ? d : K;
  *out = 0.0;
  if (n == 1)
    return DUFM_OK;
  dufm_status st = DUFM_OK;
  double *c = malloc((size_t)d * K * sizeof *c), *s = malloc((size_t)k * sizeof *s);
  double *u = malloc((size_t)d * k * sizeof *u), *vt = malloc((size_t)k * K * sizeof *vt);
  double *dev = malloc((size_t)d * N * sizeof *dev), *proj = NULL;
  if (c == NULL || s == NULL || u == NULL || vt == NULL || dev == NULL) {
    st = no_memory(err, "NC1");
    goto cleanup;
  }
  for (int i = 0; i < d; i++) {
    const double *row = means->data + (size_t)i * K;
    double mu = 0.0;
    for (int j = 0; j < K; j++)
      mu += row[j];
    mu /= K;
    for (int j = 0; j < K; j++)
      c[(size_t)i * K + j] = row[j] - mu;
    for (int j = 0; j < N; j++)
      dev[(size_t)i * N + j] = x->data[(size_t)i * N + j] - row[j / n];
  }
  lapack_int info = LAPACKE_dgesdd(LAPACK_ROW_MAJOR, 'S', d, K, c, K, s, u, k, vt, K);
  if (info != 0) {
    st = dufm_err_set(err, DUFM_ENUMERIC, "NC1: SVD of the %d x %d centered class means: info %d",
                      d, K, (int)info);
    goto cleanup;
  }
  if (!(s[0] > 0.0)) { /* no between-class spread: NC1 is undefined */
    *out = NAN;
    goto cleanup;
  }
  int r = 0;
  while (r < k && s[r] > tol * s[0])
    r++;
  proj = malloc((size_t)r * N * sizeof *proj);
  if (proj == NULL) {
    st = no_memory(err, "NC1");
    goto cleanup;
  }
  cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, r, N, d, 1.0, u, k, dev, N, 0.0, proj, N);
  double total = 0.0;
  for (int j = 0; j < r; j++)
    total += sum_sq(proj + (size_t)j * N, (size_t)N) / N / (s[j] * s[j]);
  *out = total;
cleanup:
  free(c);
  free(s);
  free(u);
  free(vt);
  free(dev);
  free(proj);
  return st;
}

dufm_status dufm_i_nc2(double *out, const dufm_mat *means, dufm_err *err) {
  const int d = means->rows, K = means->cols;
  double *g = malloc((size_t)K * K * sizeof *g);
  if (g == NULL)
    return no_memory(err, "NC2");
  cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, K, K, d, 1.0, means->data, K, means->data, K,
              0.0, g, K);
  double norm = sqrt(sum_sq(g, (size_t)K * K)), diag = 1.0 / sqrt((double)K), sum = 0.0;
  for (int i = 0; i < K; i++)
    for (int j = 0; j < K; j++) {
      double e = g[(size_t)i * K + j] / norm - (i == j ? diag : 0.0);
      sum += e * e;
    }
  free(g);
  *out = norm > 0.0 ? sqrt(sum) : NAN;
  return DUFM_OK;
}

/* ||X^T X||_F for X (p x d) from the smaller of the two Gram matrices. */
static dufm_status gram_norm(double *out, const double *x, int p, int d, dufm_err *err) {
  int m = p < d ? p : d;
  double *g = malloc((size_t)m * m * sizeof *g);
  if (g == NULL)
    return no_memory(err, "NC3");
  if (p <= d)
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, p, p, d, 1.0, x, d, x, d, 0.0, g, p);
  else
    cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, d, d, p, 1.0, x, d, x, d, 0.0, g, d);
  *out = sqrt(sum_sq(g, (size_t)m * m));
  free(g);
  return DUFM_OK;
}

/* ||X^T X - Y^T Y||_F for the rows z = [X; Y] (m = p + q rows of length d).
 * When d > m, Z^T = Q R (QR, R m x m) turns the d x d difference into
 * R_X R_X^T - R_Y R_Y^T (m x m, same norm); the differences are taken entry by
 * entry either way, not through 2 - 2 tr(AB)/(|A||B|), which cancels. */
static dufm_status gram_diff_norm(double *out, double *z, int p, int q, int d, dufm_err *err) {
  const int m = p + q, size = d <= m ? d : m;
  dufm_status st = DUFM_OK;
  double *r = NULL, *tau = NULL, *diff = malloc((size_t)size * size * sizeof *diff);
  if (diff == NULL)
    return no_memory(err, "NC3");
  if (d <= m) {
    cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, d, d, p, 1.0, z, d, z, d, 0.0, diff, d);
    cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, d, d, q, -1.0, z + (size_t)p * d, d,
                z + (size_t)p * d, d, 1.0, diff, d);
  } else {
    tau = malloc((size_t)m * sizeof *tau);
    r = calloc((size_t)m * m, sizeof *r);
    if (tau == NULL || r == NULL) {
      st = no_memory(err, "NC3");
      goto cleanup;
    }
    /* Row-major Z (m x d) is Z^T (d x m) in column-major order. */
    lapack_int info = LAPACKE_dgeqrf(LAPACK_COL_MAJOR, d, m, z, d, tau);
    if (info != 0) {
      st =
          dufm_err_set(err, DUFM_ENUMERIC, "NC3: QR of a %d x %d matrix: info %d", d, m, (int)info);
      goto cleanup;
    }
    for (int j = 0; j < m; j++)
      for (int i = 0; i <= j; i++)
        r[(size_t)i * m + j] = z[(size_t)j * d + i];
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, m, m, p, 1.0, r, m, r, m, 0.0, diff, m);
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, m, m, q, -1.0, r + p, m, r + p, m, 1.0,
                diff, m);
  }
  *out = sqrt(sum_sq(diff, (size_t)size * size));
cleanup:
  free(diff);
  free(tau);
  free(r);
  return st;
}

dufm_status dufm_i_nc3(double *out, const dufm_mat *w, const dufm_mat *means, dufm_err *err) {
  const int p = w->rows, d = w->cols, K = means->cols;
  double a = 0.0, b = 0.0;
  dufm_status st = gram_norm(&a, w->data, p, d, err);
  double *z = NULL;
  if (st != DUFM_OK)
    return st;
  z = malloc((size_t)(p + K) * d * sizeof *z);
  if (z == NULL)
    return no_memory(err, "NC3");
  for (int i = 0; i < d; i++) /* rows p.. hold means^T */
    for (int c = 0; c < K; c++)
      z[(size_t)(p + c) * d + i] = DUFM_MAT_AT(means, i, c);
  st = gram_norm(&b, z + (size_t)p * d, K, d, err);
  if (st != DUFM_OK || !(a > 0.0) || !(b > 0.0)) {
    *out = NAN;
    goto cleanup;
  }
  double sa = 1.0 / sqrt(a), sb = 1.0 / sqrt(b);
  for (size_t i = 0; i < (size_t)p * d; i++)
    z[i] = w->data[i] * sa;
  for (size_t i = (size_t)p * d; i < (size_t)(p + K) * d; i++)
    z[i] *= sb;
  st = gram_diff_norm(out, z, p, K, d, err);
cleanup:
  free(z);
  return st;
}
