/* Explicit matrices of the clique constructions (theory sections 4-5) for the
 * clique and bounds suites: the independent path the closed forms are checked
 * against. Small r only (subsets are enumerated as bitmasks). Row-major. */
#ifndef DUFM_CLIQUE_FIXTURES_H
#define DUFM_CLIQUE_FIXTURES_H

#include <lapacke.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Column index of edge {u, v} of K_r, u < v, in lexicographic order. */
static inline int cf_edge(int r, int u, int v) { return u * r - u * (u + 1) / 2 + (v - u - 1); }

/* Number of rows of T for sizes k[0..m-1]. */
static inline int cf_rows(int r, int m, const int *k) {
  int rows = 0;
  for (unsigned s = 0; s < (1u << r); s++)
    for (int i = 0; i < m; i++)
      rows += __builtin_popcount(s) == k[i];
  return rows;
}

/* T (rows x K): row of subset S of size k[i] is rho[i] on the edges inside S.
 * With w_instead nonzero it builds W_{L-1} (rows x r) instead: +-rho[i]/2 on / off S. */
static inline double *cf_build(int r, int m, const int *k, const double *rho, int w_instead,
                               int *rows_out) {
  int K = r * (r - 1) / 2, rows = cf_rows(r, m, k), cols = w_instead ? r : K, row = 0;
  double *M = calloc((size_t)rows * cols, sizeof *M);
  for (int i = 0; i < m; i++)
    for (unsigned s = 0; s < (1u << r); s++) {
      if (__builtin_popcount(s) != k[i])
        continue;
      for (int u = 0; u < r; u++) {
        if (w_instead)
          M[row * cols + u] = (s >> u & 1u) ? rho[i] / 2 : -rho[i] / 2;
        for (int v = u + 1; v < r && !w_instead; v++)
          if ((s >> u & 1u) && (s >> v & 1u))
            M[row * cols + cf_edge(r, u, v)] = rho[i];
      }
      row++;
    }
  *rows_out = rows;
  return M;
}

/* Unsigned incidence matrix of K_r (r x K). */
static inline double *cf_incidence(int r) {
  int K = r * (r - 1) / 2;
  double *B = calloc((size_t)r * K, sizeof *B);
  for (int u = 0; u < r; u++)
    for (int v = u + 1; v < r; v++)
      B[u * K + cf_edge(r, u, v)] = B[v * K + cf_edge(r, u, v)] = 1.0;
  return B;
}

/* C = A^T A (A is rows x cols), freshly allocated. */
static inline double *cf_gram(const double *A, int rows, int cols) {
  double *G = calloc((size_t)cols * cols, sizeof *G);
  for (int i = 0; i < rows; i++)
    for (int a = 0; a < cols; a++)
      for (int b = 0; b < cols; b++)
        G[a * cols + b] += A[i * cols + a] * A[i * cols + b];
  return G;
}

/* Singular values (descending) of A (rows x cols) into sv[min(rows, cols)]; A is
 * copied. Returns the LAPACK info. */
static inline int cf_singular(double *sv, const double *A, int rows, int cols) {
  int n = rows < cols ? rows : cols;
  double *copy = malloc((size_t)rows * cols * sizeof *copy),
         *super = malloc((size_t)n * sizeof *super);
  memcpy(copy, A, (size_t)rows * cols * sizeof *copy);
  int info = (int)LAPACKE_dgesvd(LAPACK_ROW_MAJOR, 'N', 'N', rows, cols, copy, cols, sv, NULL, 1,
                                 NULL, 1, super);
  free(copy);
  free(super);
  return info;
}

/* Numerical rank: singular values above 1e-9 times the largest. */
static inline int cf_rank(const double *A, int rows, int cols) {
  int n = rows < cols ? rows : cols, rank = 0;
  double *sv = malloc((size_t)n * sizeof *sv);
  if (cf_singular(sv, A, rows, cols) != 0)
    rank = -1;
  for (int i = 0; i < n && rank >= 0; i++)
    rank += sv[i] > 1e-9 * sv[0];
  free(sv);
  return rank;
}

#endif
