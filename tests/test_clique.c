/* Clique-neuron closed forms (theory section 5) against explicit matrices. The
 * weight optimizer has its own suite (test_clique_opt.c). */
#include <gmp.h>
#include <lapacke.h>
#include <math.h>
#include <string.h>

#include "clique_fixtures.h"
#include "dufm/clique.h"
#include "testutil.h"

static double mpz_d(const mpz_t z) { return mpz_get_d(z); }

/* Eigenvalues of T_k^T T_k from dsyev against mu_j with multiplicities 1, r-1,
 * K-r, and the eigenvectors that pin each mu_j to its T(r) eigenspace. */
static void test_mu_explicit(void) {
  mpz_t mu[3];
  mpz_inits(mu[0], mu[1], mu[2], NULL);
  for (int r = 3; r <= 9; r++) {
    int K = r * (r - 1) / 2;
    for (int k = 2; k <= r; k++) {
      int rows;
      double one = 1.0, *T = cf_build(r, 1, &k, &one, 0, &rows), *G = cf_gram(T, rows, K);
      double ev[64], expect[64], x[64], Gx[64];
      dufm_clique_mu(mu[0], mu[1], mu[2], r, k);
      /* Eigenvectors: ones (V0); a_u + a_v with a = e_0 - e_1 (V1); for r >= 4
       * x_01 + x_23 - x_02 - x_13 (V2, all vertex sums zero). */
      for (int space = 0; space < 3; space++) {
        if (space == 2 && r < 4)
          continue;
        for (int u = 0; u < r; u++)
          for (int v = u + 1; v < r; v++) {
            int e = cf_edge(r, u, v);
            x[e] = space == 0 ? 1.0 : space == 1 ? (u == 0) - (u == 1) - (v == 1) : 0.0;
          }
        if (space == 2) {
          x[cf_edge(r, 0, 1)] = x[cf_edge(r, 2, 3)] = 1.0;
          x[cf_edge(r, 0, 2)] = x[cf_edge(r, 1, 3)] = -1.0;
        }
        for (int a = 0; a < K; a++) {
          Gx[a] = 0.0;
          for (int b = 0; b < K; b++)
            Gx[a] += G[a * K + b] * x[b];
          TU_ASSERT_CLOSE(Gx[a], mpz_d(mu[space]) * x[a], 1e-12, 1e-12);
        }
      }
      CU_ASSERT_FATAL(LAPACKE_dsyev(LAPACK_ROW_MAJOR, 'N', 'U', K, G, K, ev) == 0);
      int n = 0;
      for (int s = 0; s < 3; s++)
        for (int c = 0; c < (s == 0 ? 1 : s == 1 ? r - 1 : K - r); c++)
          expect[n++] = mpz_d(mu[s]);
      for (int a = 0; a < K; a++) /* sort ascending like dsyev */
        for (int b = a + 1; b < K; b++)
          if (expect[b] < expect[a]) {
            double t = expect[a];
            expect[a] = expect[b];
            expect[b] = t;
          }
      for (int a = 0; a < K; a++)
        TU_ASSERT_CLOSE(ev[a], expect[a], 1e-12, 1e-9);
      free(T);
      free(G);
    }
  }
  mpz_clears(mu[0], mu[1], mu[2], NULL);
}

/* For large r the inclusion-matrix eigenvalues (Wilson): mu_0 = C(k,2)C(r-2,k-2),
 * mu_1 = (k-1)C(r-3,k-2), mu_2 = C(r-4,k-2), exact. */
static void test_mu_wilson(void) {
  mpz_t mu[3], e, f;
  mpz_inits(mu[0], mu[1], mu[2], e, f, NULL);
  int rs[] = {4, 5, 6, 11, 40, 150, 300};
  for (size_t i = 0; i < sizeof rs / sizeof rs[0]; i++)
    for (int k = 2; k <= rs[i]; k++) {
      int r = rs[i];
      dufm_clique_mu(mu[0], mu[1], mu[2], r, k);
      mpz_bin_uiui(e, (unsigned long)k, 2);
      mpz_bin_uiui(f, (unsigned long)r - 2, (unsigned long)k - 2);
      mpz_mul(e, e, f);
      CU_ASSERT(mpz_cmp(mu[0], e) == 0);
      mpz_bin_uiui(e, (unsigned long)r - 3, (unsigned long)k - 2);
      mpz_mul_ui(e, e, (unsigned long)k - 1);
      CU_ASSERT(mpz_cmp(mu[1], e) == 0);
      mpz_bin_uiui(e, (unsigned long)r - 4, (unsigned long)k - 2);
      CU_ASSERT(mpz_cmp(mu[2], e) == 0);
    }
  mpz_clears(mu[0], mu[1], mu[2], e, f, NULL);
}

/* ||T^+||_F^2 = sum 1/sigma^2 (SVD of explicit T) and ||W_{L-1}||_F^2. */
static void test_norms_explicit(void) {
  struct {
    int r, m, k[4];
    const char *z[4];
  } cases[] = {{3, 1, {2}, {"1"}},           {3, 2, {2, 3}, {"1", "5/2"}},
               {4, 1, {2}, {"3"}},           {4, 2, {2, 3}, {"1", "1/3"}},
               {5, 2, {3, 2}, {"2", "1/7"}}, {6, 3, {2, 4, 6}, {"1", "2/3", "9"}},
               {7, 2, {3, 5}, {"1", "1"}},   {8, 4, {2, 3, 4, 7}, {"1/2", "0", "3", "1/5"}}};
  for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
    int r = cases[c].r, m = cases[c].m, K = r * (r - 1) / 2, rows, wrows;
    mpq_t z[4], w2, t2;
    double rho[4];
    mpq_inits(w2, t2, NULL);
    for (int i = 0; i < m; i++) {
      mpq_init(z[i]);
      mpq_set_str(z[i], cases[c].z[i], 10);
      mpq_canonicalize(z[i]);
      rho[i] = sqrt(mpq_get_d(z[i]));
    }
    CU_ASSERT_FATAL(dufm_clique_norms(w2, t2, r, m, cases[c].k, z, NULL) == DUFM_OK);
    double *T = cf_build(r, m, cases[c].k, rho, 0, &rows);
    double *W = cf_build(r, m, cases[c].k, rho, 1, &wrows);
    double sv[64], pinv = 0.0, wf = 0.0;
    CU_ASSERT_FATAL(cf_singular(sv, T, rows, K) == 0);
    for (int a = 0; a < K; a++)
      pinv += 1.0 / (sv[a] * sv[a]);
    for (int a = 0; a < wrows * r; a++)
      wf += W[a] * W[a];
    TU_ASSERT_CLOSE(mpq_get_d(t2), pinv, 1e-12, 0);
    TU_ASSERT_CLOSE(mpq_get_d(w2), wf, 1e-12, 0);
    free(T);
    free(W);
    for (int i = 0; i < m; i++)
      mpq_clear(z[i]);
    mpq_clears(w2, t2, NULL);
  }
}

static void expect_norms_error(int r, int m, const int *k, const char *zs, const char *needle) {
  mpq_t z[4], w2, t2;
  mpq_inits(w2, t2, NULL);
  for (int i = 0; i < m; i++) {
    mpq_init(z[i]);
    mpq_set_str(z[i], zs, 10);
  }
  dufm_err err;
  dufm_err_clear(&err);
  CU_ASSERT(dufm_clique_norms(w2, t2, r, m, k, z, &err) == DUFM_EINVAL);
  CU_ASSERT(strstr(err.msg, needle) != NULL && strchr(err.msg, '\n') == NULL);
  if (strstr(err.msg, needle) == NULL)
    fprintf(stderr, "\n  message '%s' lacks '%s'\n", err.msg, needle);
  for (int i = 0; i < m; i++)
    mpq_clear(z[i]);
  mpq_clears(w2, t2, NULL);
}

static void test_norms_errors(void) {
  int k2[] = {2}, k3[] = {3}, k56[] = {5, 6}, k22[] = {2, 2}, k7[] = {7};
  expect_norms_error(2, 1, k2, "1", "r = 2");
  expect_norms_error(6, 1, k7, "1", "2..r");
  expect_norms_error(6, 2, k22, "1", "must not repeat");
  expect_norms_error(6, 1, k2, "-1", "nonnegative");
  expect_norms_error(6, 0, k2, "1", "at least one size");
  expect_norms_error(6, 2, k56, "1", "rank-deficient (mu_2 = 0)");
  expect_norms_error(3, 1, k3, "1", "rank-deficient (mu_1 = 0)");
  expect_norms_error(6, 1, k2, "0", "rank-deficient (mu_0 = 0)");
}

/* Closed-form rank of W_{L-1} B against the numerical rank of explicit matrices. */
static void test_rank_pre(void) {
  struct {
    int r, m, k[3];
    const char *z[3];
  } cases[] = {
      {3, 1, {2}, {"1"}},         {4, 1, {2}, {"1"}},         {4, 1, {4}, {"1"}},
      {5, 1, {5}, {"1"}},         {6, 1, {3}, {"1"}},         {6, 2, {3, 6}, {"1", "1"}},
      {6, 2, {3, 4}, {"0", "1"}}, {7, 2, {2, 7}, {"0", "2"}}, {8, 3, {2, 4, 5}, {"1", "1/3", "2"}},
      {8, 2, {4, 8}, {"1", "5"}}, {5, 2, {2, 3}, {"0", "0"}}};
  for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
    int r = cases[c].r, m = cases[c].m, K = r * (r - 1) / 2, rows, rank = -7;
    mpq_t z[3];
    double rho[3];
    for (int i = 0; i < m; i++) {
      mpq_init(z[i]);
      mpq_set_str(z[i], cases[c].z[i], 10);
      mpq_canonicalize(z[i]);
      rho[i] = sqrt(mpq_get_d(z[i]));
    }
    CU_ASSERT_FATAL(dufm_clique_rank_pre(&rank, r, m, cases[c].k, z, NULL) == DUFM_OK);
    double *W = cf_build(r, m, cases[c].k, rho, 1, &rows), *B = cf_incidence(r);
    double *P = calloc((size_t)rows * K, sizeof *P);
    for (int i = 0; i < rows; i++)
      for (int u = 0; u < r; u++)
        for (int e = 0; e < K; e++)
          P[i * K + e] += W[i * r + u] * B[u * K + e];
    int expect = 0;
    for (int i = 0; i < rows * K && expect == 0; i++)
      expect = P[i] != 0.0;
    if (expect)
      expect = cf_rank(P, rows, K);
    CU_ASSERT(rank == expect);
    if (rank != expect)
      fprintf(stderr, "\n  case %zu (r = %d): closed form %d, numerical %d\n", c, r, rank, expect);
    free(W);
    free(B);
    free(P);
    for (int i = 0; i < m; i++)
      mpq_clear(z[i]);
  }
}

int main(void) {
  CU_TestInfo tests[] = {{"mu against explicit T^T T", test_mu_explicit},
                         {"mu against Wilson's closed forms", test_mu_wilson},
                         {"norms against explicit matrices", test_norms_explicit},
                         {"norms error paths", test_norms_errors},
                         {"pre-activation rank", test_rank_pre},
                         CU_TEST_INFO_NULL};
  return tu_run_suite("clique", tests);
}
