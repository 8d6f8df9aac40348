/* The clique weight optimizer (dufm_clique_optimize): its certificate against
 * its own product, single sizes, brute-force grids and nested size sets. */
#include <gmp.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dufm/clique.h"
#include "testutil.h"

/* Exact w2 * t2 at weights z, through dufm_clique_norms. */
static double norms_product(int r, int m, const int *k, const mpq_t *z) {
  mpq_t w2, t2;
  mpq_inits(w2, t2, NULL);
  double out = NAN;
  if (dufm_clique_norms(w2, t2, r, m, k, z, NULL) == DUFM_OK) {
    mpq_mul(w2, w2, t2);
    out = mpq_get_d(w2);
  }
  mpq_clears(w2, t2, NULL);
  return out;
}

/* Runs the optimizer; returns the status, fills out, the norms-evaluated
 * product of the returned weights (if check is non-NULL) and the number of
 * positive weights and the last size carrying one (if support is non-NULL). */
static dufm_status run_support(dufm_clique_opt *out, double *check, int support[2], int r, int m,
                               const int *k) {
  mpq_t z[128];
  for (int i = 0; i < m; i++)
    mpq_init(z[i]);
  dufm_status st = dufm_clique_optimize(z, out, r, m, k, NULL);
  if (st == DUFM_OK && check != NULL) {
    *check = norms_product(r, m, k, z);
    int has_one = 0;
    for (int i = 0; i < m; i++) {
      CU_ASSERT(mpq_sgn(z[i]) >= 0 && mpq_cmp_ui(z[i], 1, 1) <= 0);
      has_one |= mpq_cmp_ui(z[i], 1, 1) == 0;
    }
    CU_ASSERT(has_one);
  }
  if (st == DUFM_OK && support != NULL) {
    support[0] = 0;
    for (int i = 0; i < m; i++)
      if (mpq_sgn(z[i]) > 0) {
        support[0]++;
        support[1] = k[i];
      }
  }
  for (int i = 0; i < m; i++)
    mpq_clear(z[i]);
  return st;
}

static dufm_status run(dufm_clique_opt *out, double *check, int r, int m, const int *k) {
  return run_support(out, check, NULL, r, m, k);
}

static void test_single_size(void) {
  int rs[] = {3, 4, 5, 6, 9, 12, 30, 100};
  for (size_t a = 0; a < sizeof rs / sizeof rs[0]; a++) {
    int r = rs[a];
    for (int k = 2; k <= (r > 3 ? r - 2 : 2); k++) {
      dufm_clique_opt out;
      double check;
      mpq_t one;
      mpq_init(one);
      mpq_set_ui(one, 1, 1);
      CU_ASSERT_FATAL(run(&out, &check, r, 1, &k) == DUFM_OK);
      TU_ASSERT_CLOSE(out.product, norms_product(r, 1, &k, &one), TU_TOL1, 0);
      TU_ASSERT_CLOSE(out.lower_bound, out.product, TU_TOL1, 0);
      CU_ASSERT(out.lower_bound <= out.product);
      if (k == 2) /* section 4 on K_r: ||W||^2 = K r / 4, T = I_K */
        TU_ASSERT_CLOSE(out.product, (r * (r - 1) / 2.0) * (r * (r - 1) / 2.0) * r / 4.0, TU_TOL1,
                        0);
      mpq_clear(one);
    }
  }
}

/* All sizes 2..r, and {2, r-1, r} whose optimum mixes two sizes: certified gap
 * below 1e-9, and the r = 100 menu case fast. For 5 <= r the certificate shows
 * that the single size ceil(r/2) is optimal among all mixtures (gap 0). */
static void test_gap(void) {
  int rs[] = {3, 4, 5, 8, 10, 20, 30, 40, 50, 60, 80, 100};
  int k[128];
  for (int mode = 0; mode < 2; mode++)
    for (size_t a = 0; a < sizeof rs / sizeof rs[0]; a++) {
      int r = rs[a], m = 0, support[2] = {0, 0};
      for (int i = 2; i <= r; i++)
        if (mode == 0 || i == 2 || i >= r - 1)
          k[m++] = i;
      dufm_clique_opt out;
      double check;
      struct timespec t0, t1;
      clock_gettime(CLOCK_MONOTONIC, &t0);
      CU_ASSERT_FATAL(run_support(&out, &check, support, r, m, k) == DUFM_OK);
      clock_gettime(CLOCK_MONOTONIC, &t1);
      double secs = (double)(t1.tv_sec - t0.tv_sec) + 1e-9 * (double)(t1.tv_nsec - t0.tv_nsec);
      double gap = (out.product - out.lower_bound) / out.product;
      CU_ASSERT(out.lower_bound <= out.product);
      CU_ASSERT(gap < 1e-9);
      TU_ASSERT_CLOSE(check, out.product, TU_TOL1, 0);
      if (mode == 0 && r >= 5)
        CU_ASSERT(support[0] == 1 && support[1] == (r + 1) / 2 && gap < 4 * TU_DBL_EPS);
      if (mode == 1)
        CU_ASSERT(support[0] == 2);
      if (gap >= 1e-9 || getenv("DUFM_TEST_VERBOSE"))
        fprintf(stderr, "\n  %s r = %d: product %.17g gap %.3g, %d iterations, %.4f s",
                mode == 0 ? "all sizes" : "{2,r-1,r}", r, out.product, gap, out.iterations, secs);
    }
}

/* Brute force over the mass simplex x_i = z_i C(r,k_i) / sum: the product is
 * (r/4) sum_j m_j / (sum_i x_i mu_j(k_i) / C(r,k_i)). */
static double grid_min(int r, int m, const int *k, int steps) {
  double v[3][3], mult[3] = {1, r - 1, r * (r - 1) / 2.0 - r}, best = INFINITY;
  mpz_t mu[3], c;
  mpz_inits(mu[0], mu[1], mu[2], c, NULL);
  for (int i = 0; i < m; i++) {
    dufm_clique_mu(mu[0], mu[1], mu[2], r, k[i]);
    mpz_bin_uiui(c, (unsigned long)r, (unsigned long)k[i]);
    for (int j = 0; j < 3; j++)
      v[i][j] = mpz_get_d(mu[j]) / mpz_get_d(c);
  }
  mpz_clears(mu[0], mu[1], mu[2], c, NULL);
  for (int a = 0; a <= steps; a++)
    for (int b = 0; b <= (m == 3 ? steps - a : 0); b++) {
      double x[3] = {(double)a / steps, m == 3 ? (double)b / steps : 1.0 - (double)a / steps, 0};
      if (m == 3)
        x[2] = 1.0 - x[0] - x[1];
      double f = 0.0;
      for (int j = 0; j < 3; j++) {
        double d = 0.0;
        for (int i = 0; i < m; i++)
          d += x[i] * v[i][j];
        f += mult[j] > 0 ? (d > 0 ? mult[j] / d : INFINITY) : 0.0;
      }
      best = fmin(best, 0.25 * r * f);
    }
  return best;
}

static void test_grid(void) {
  struct {
    int r, m, k[3];
  } cases[] = {{3, 2, {2, 3}},    {6, 2, {2, 3}},     {8, 2, {2, 5}},   {8, 3, {3, 4, 5}},
               {8, 3, {2, 6, 8}}, {12, 3, {2, 4, 6}}, {12, 2, {3, 11}}, {20, 3, {2, 3, 10}}};
  for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
    dufm_clique_opt out;
    CU_ASSERT_FATAL(run(&out, NULL, cases[c].r, cases[c].m, cases[c].k) == DUFM_OK);
    double g = grid_min(cases[c].r, cases[c].m, cases[c].k, cases[c].m == 2 ? 100000 : 600);
    CU_ASSERT(out.lower_bound <= g);
    CU_ASSERT(out.product <= g * (1 + 1e-14));
    if (!(out.lower_bound <= g) || !(out.product <= g * (1 + 1e-14)))
      fprintf(stderr, "\n  case %zu: lower %.17g product %.17g grid %.17g\n", c, out.lower_bound,
              out.product, g);
  }
}

/* More sizes can only help: {2,3} <= min({2}, {3}) and all sizes <= {2,3}. */
static void test_nested(void) {
  for (int r = 5; r <= 40; r += 5) {
    int k2 = 2, k3 = 3, k23[] = {2, 3}, all[64];
    for (int i = 0; i < r - 1; i++)
      all[i] = i + 2;
    dufm_clique_opt o2, o3, o23, oall;
    CU_ASSERT_FATAL(run(&o2, NULL, r, 1, &k2) == DUFM_OK);
    CU_ASSERT_FATAL(run(&o3, NULL, r, 1, &k3) == DUFM_OK);
    CU_ASSERT_FATAL(run(&o23, NULL, r, 2, k23) == DUFM_OK);
    CU_ASSERT_FATAL(run(&oall, NULL, r, r - 1, all) == DUFM_OK);
    CU_ASSERT(o23.product <= fmin(o2.product, o3.product));
    CU_ASSERT(oall.product <= o23.product * (1 + 1e-15));
  }
}

/* Seeded random size sets: certified gap below 1e-9, never worse than the best
 * single size of the set. */
static void test_random_sets(void) {
  gmp_randstate_t rs;
  gmp_randinit_default(rs);
  gmp_randseed_ui(rs, 20260601);
  for (int it = 0; it < tu_iterations(60); it++) {
    int r = 5 + (int)gmp_urandomm_ui(rs, 116), k[128], m = 0;
    for (int i = 2; i <= r; i++)
      if (gmp_urandomm_ui(rs, 8) == 0 || i == 2 + (it % (r - 3)))
        k[m++] = i;
    dufm_clique_opt out, single;
    CU_ASSERT_FATAL(run(&out, NULL, r, m, k) == DUFM_OK);
    double best_single = INFINITY;
    for (int i = 0; i < m; i++)
      if (k[i] <= r - 2 && run(&single, NULL, r, 1, &k[i]) == DUFM_OK)
        best_single = fmin(best_single, single.product);
    CU_ASSERT(out.lower_bound <= out.product);
    CU_ASSERT((out.product - out.lower_bound) / out.product < 1e-9);
    CU_ASSERT(out.product <= best_single * (1 + 1e-15));
  }
  gmp_randclear(rs);
}

static void test_errors(void) {
  int k56[] = {5, 6}, k3 = 3, k33[] = {3, 3}, k1 = 1;
  mpq_t z[2];
  mpq_inits(z[0], z[1], NULL);
  dufm_clique_opt out;
  dufm_err err;
  CU_ASSERT(dufm_clique_optimize(z, &out, 6, 2, k56, &err) == DUFM_EINVAL);
  CU_ASSERT(strstr(err.msg, "rank-deficient") != NULL);
  CU_ASSERT(dufm_clique_optimize(z, &out, 3, 1, &k3, &err) == DUFM_EINVAL);
  CU_ASSERT(dufm_clique_optimize(z, &out, 6, 2, k33, &err) == DUFM_EINVAL);
  CU_ASSERT(strstr(err.msg, "repeat") != NULL);
  CU_ASSERT(dufm_clique_optimize(z, &out, 6, 1, &k1, &err) == DUFM_EINVAL);
  CU_ASSERT(dufm_clique_optimize(z, &out, 2, 1, &k3, &err) == DUFM_EINVAL);
  mpq_clears(z[0], z[1], NULL);
}

int main(void) {
  CU_TestInfo tests[] = {{"single sizes", test_single_size},
                         {"certified gap", test_gap},
                         {"bound below brute-force grids", test_grid},
                         {"nested size sets", test_nested},
                         {"random size sets", test_random_sets},
                         {"error paths", test_errors},
                         CU_TEST_INFO_NULL};
  return tu_run_suite("clique_opt", tests);
}
