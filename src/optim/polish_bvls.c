/* Bounded-variable least squares (Stark and Parker 1995): the active-set
 * method of Lawson and Hanson's NNLS with two bounds per variable. The
 * kink-aware polish measures stationarity with it (polish_kkt.c). */
#include <cblas.h>
#include <float.h>
#include <lapacke.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "optim/polish_internal.h"

typedef struct {
  int rows, m;
  const double *A, *b, *lo, *hi;
  double *z, *af, *rhs, *y, *res;
  signed char *st;
  lapack_int *jpvt;
} bv;

/* The least-squares solution on the free variables with the others at their
 * bounds, moved back into the box by interpolation (variables reaching a
 * bound leave the free set) until it is inside. */
static int inner(bv *s) {
  const int rows = s->rows, m = s->m;
  for (int it = 0; it <= m + 2; it++) {
    int nf = 0;
    memcpy(s->rhs, s->b, (size_t)rows * sizeof *s->rhs);
    for (int j = 0; j < m; j++) {
      if (s->st[j] == 0) {
        memcpy(s->af + (size_t)nf * rows, s->A + (size_t)j * rows, (size_t)rows * sizeof *s->af);
        s->jpvt[nf++] = 0;
      } else if (s->z[j] != 0.0) {
        cblas_daxpy(rows, -s->z[j], s->A + (size_t)j * rows, 1, s->rhs, 1);
      }
    }
    if (nf == 0)
      return 0;
    lapack_int rank;
    if (LAPACKE_dgelsy(LAPACK_COL_MAJOR, rows, nf, 1, s->af, rows, s->rhs, rows > nf ? rows : nf,
                       s->jpvt, 1e-13, &rank) != 0)
      return -1;
    double alpha = 1.0;
    int who = -1, f = 0;
    for (int j = 0; j < m; j++) {
      if (s->st[j] != 0)
        continue;
      double y = s->rhs[f++], a = 2.0;
      s->y[j] = y;
      if (y < s->lo[j])
        a = s->z[j] > y ? (s->z[j] - s->lo[j]) / (s->z[j] - y) : 0.0;
      else if (y > s->hi[j])
        a = y > s->z[j] ? (s->hi[j] - s->z[j]) / (y - s->z[j]) : 0.0;
      if (a < 2.0 && (who < 0 || a < alpha)) {
        alpha = fmax(a, 0.0);
        who = j;
      }
    }
    for (int j = 0; j < m; j++)
      if (s->st[j] == 0)
        s->z[j] = who < 0 ? s->y[j] : s->z[j] + alpha * (s->y[j] - s->z[j]);
    if (who < 0)
      return 0;
    for (int j = 0; j < m; j++) {
      if (s->st[j] != 0)
        continue;
      double w = s->hi[j] - s->lo[j], slack = 1e-14 * (isfinite(w) ? w : fmax(1.0, fabs(s->z[j])));
      if (j == who || s->z[j] <= s->lo[j] + slack || s->z[j] >= s->hi[j] - slack) {
        int up = j == who ? s->y[j] > s->hi[j] : s->z[j] >= s->hi[j] - slack;
        s->st[j] = (signed char)(up ? 1 : -1);
        s->z[j] = up ? s->hi[j] : s->lo[j];
      }
    }
  }
  return 0;
}

dufm_status dufm_i_bvls(int rows, int m, const double *A, const double *b, const double *lo,
                        const double *hi, double *z, signed char *state, double *rnorm) {
  bv s = {rows, m, A, b, lo, hi, z, NULL, NULL, NULL, NULL, state, NULL};
  size_t big = (size_t)(rows > m ? rows : m);
  s.af = malloc((size_t)rows * (m > 0 ? m : 1) * sizeof *s.af);
  s.rhs = malloc(big * sizeof *s.rhs);
  s.y = malloc((size_t)(m > 0 ? m : 1) * sizeof *s.y);
  s.res = malloc((size_t)(rows > 0 ? rows : 1) * sizeof *s.res);
  s.jpvt = malloc((size_t)(m > 0 ? m : 1) * sizeof *s.jpvt);
  double *cn = malloc((size_t)(m > 0 ? m : 1) * sizeof *cn);
  unsigned char *ban = calloc((size_t)(m > 0 ? m : 1), 1);
  dufm_status st = DUFM_OK;
  if (s.af == NULL || s.rhs == NULL || s.y == NULL || s.res == NULL || s.jpvt == NULL ||
      cn == NULL || ban == NULL) {
    st = DUFM_ENOMEM;
    goto cleanup;
  }
  /* Start: the caller's free variables that lie inside the box stay free. */
  for (int j = 0; j < m; j++) {
    cn[j] = cblas_dnrm2(rows, A + (size_t)j * rows, 1);
    if (!(hi[j] > lo[j]) || cn[j] == 0.0) {
      state[j] = 2; /* fixed */
      z[j] = lo[j] == hi[j] || cn[j] == 0.0 ? fmin(fmax(0.0, lo[j]), hi[j]) : lo[j];
      continue;
    }
    if (state[j] == 0 && z[j] > lo[j] && z[j] < hi[j])
      continue;
    if (state[j] == 0 || state[j] == 2)
      state[j] = z[j] >= 0.5 * (lo[j] + hi[j]) ? 1 : -1;
    z[j] = state[j] > 0 ? hi[j] : lo[j];
  }
  if (inner(&s) != 0) {
    st = DUFM_ENUMERIC;
    goto cleanup;
  }
  const double bn = cblas_dnrm2(rows, b, 1);
  double prev = INFINITY;
  for (int it = 0; it < 4 * m + 10; it++) {
    memcpy(s.res, b, (size_t)rows * sizeof *s.res);
    cblas_dgemv(CblasColMajor, CblasNoTrans, rows, m, -1.0, A, rows, z, 1, 1.0, s.res, 1);
    double rn = cblas_dnrm2(rows, s.res, 1);
    if (rn < prev * (1.0 - 1e-15))
      memset(ban, 0, (size_t)m);
    prev = fmin(prev, rn);
    int pick = -1;
    double best = 0.0;
    for (int j = 0; j < m; j++) {
      if (state[j] == 0 || state[j] == 2 || ban[j])
        continue;
      double w = cblas_ddot(rows, A + (size_t)j * rows, 1, s.res, 1);
      double thr = cn[j] * (1e-10 * rn + 1e-15 * bn), v = state[j] < 0 ? w : -w;
      if (v > thr && v / cn[j] > best) {
        best = v / cn[j];
        pick = j;
      }
    }
    if (pick < 0)
      break;
    signed char was = state[pick];
    double zw = z[pick];
    state[pick] = 0;
    if (inner(&s) != 0) {
      st = DUFM_ENUMERIC;
      goto cleanup;
    }
    /* Rounding sent it straight back: do not pick it again until the
     * residual falls. */
    if (state[pick] == was && z[pick] == zw)
      ban[pick] = 1;
  }
  memcpy(s.res, b, (size_t)rows * sizeof *s.res);
  cblas_dgemv(CblasColMajor, CblasNoTrans, rows, m, -1.0, A, rows, z, 1, 1.0, s.res, 1);
  *rnorm = cblas_dnrm2(rows, s.res, 1);
cleanup:
  free(ban);
  free(cn);
  free(s.jpvt);
  free(s.res);
  free(s.y);
  free(s.rhs);
  free(s.af);
  return st;
}
