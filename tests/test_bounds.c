/* The universal lower bound and the ridge relaxation against exact-fit values
 * (theory section 7): g_L (dufm_gl_eval) of DNC and clique constructions, and
 * explicit random configurations. test_ridge.c checks F(t) itself. */
#include <gmp.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "dufm/bounds.h"
#include "dufm/clique.h"
#include "dufm/dnc.h"
#include "dufm/gl.h"
#include "dufm/rational.h"
#include "testutil.h"

static double gl_value(int L, const mpq_t q_pow) {
  dufm_gl g;
  CU_ASSERT_FATAL(dufm_gl_eval(&g, L, q_pow, NULL) == DUFM_OK);
  return g.value;
}

static void test_lower_bound_qpow(void) {
  dufm_params p;
  tu_params(&p, 3, 6, 5, "0.01");
  CU_ASSERT_FATAL(dufm_params_set_lambda(&p, 1, "1/3", NULL) == DUFM_OK);
  mpq_t q, e;
  mpq_inits(q, e, NULL);
  dufm_lower_bound_qpow(q, &p);
  mpq_set_ui(e, 36UL * 5, 3000000UL); /* K^2 n lam_H lam_1 lam_2 lam_3 */
  mpq_canonicalize(e);
  CU_ASSERT(mpq_equal(q, e));
  dufm_params_clear(&p);
  /* L = 1: the bound is the DNC value (UFM optimality). */
  tu_params(&p, 1, 7, 2, "0.003");
  dufm_lower_bound_qpow(q, &p);
  dufm_dnc_qpow(e, &p);
  CU_ASSERT(mpq_equal(q, e));
  dufm_params_clear(&p);
  mpq_clears(q, e, NULL);
}

/* Random class-mean configurations, half of them near DNC: f(t) of the
 * rescale-optimal loss (theory section 2) stays above g_L(Q_lb) at every t. */
static void test_lower_bound_configs(void) {
  const char *lams[] = {"0.0001", "0.001", "0.004", "0.02", "0.1"};
  double closest = INFINITY;
  for (int it = 0; it < tu_iterations(300); it++) {
    int L = 1 + it % 4, K = 2 + (int)(4 * tu_urand()), n = 1 + it % 3, near = it % 2, d[6];
    dufm_params p;
    tu_params(&p, L, K, n, lams[(int)(5 * tu_urand())]);
    for (int l = 0; l < L; l++)
      d[l] = near ? K : 1 + (int)(6 * tu_urand());
    d[L] = K;
    double a_log = 0.0;
    int rows = d[0];
    double *H = calloc((size_t)rows * K, sizeof *H);
    for (int i = 0; i < rows * K; i++)
      H[i] = (near && i / K == i % K ? 1.0 : 0.0) + (near ? 0.2 : 1.0) * (2 * tu_urand() - 1);
    a_log += log(p.n * p.lam_h_d); /* a_0 = n lam_H ||H1||^2 */
    double h2 = 0.0;
    for (int i = 0; i < rows * K; i++)
      h2 += H[i] * H[i];
    a_log += log(h2);
    for (int l = 0; l < L; l++) { /* H <- W_l H, ReLU except after the last layer */
      int out_rows = d[l + 1];
      double *W = malloc((size_t)out_rows * rows * sizeof *W), w2 = 0.0;
      double *next = calloc((size_t)out_rows * K, sizeof *next);
      for (int i = 0; i < out_rows * rows; i++) {
        W[i] =
            (near && i / rows == i % rows ? 1.0 : 0.0) + (near ? 0.2 : 1.0) * (2 * tu_urand() - 1);
        w2 += W[i] * W[i];
      }
      for (int i = 0; i < out_rows; i++)
        for (int c = 0; c < K; c++) {
          for (int j = 0; j < rows; j++)
            next[i * K + c] += W[i * rows + j] * H[j * K + c];
          if (l < L - 1 && next[i * K + c] < 0)
            next[i * K + c] = 0.0;
        }
      a_log += log(p.lam_w_d[l] * w2);
      free(W);
      free(H);
      H = next;
      rows = out_rows;
    }
    double o2 = 0.0, tr = 0.0, Q = exp(a_log / (L + 1));
    for (int i = 0; i < K * K; i++)
      o2 += H[i] * H[i];
    for (int c = 0; c < K; c++)
      tr += H[c * K + c];
    mpq_t q;
    mpq_init(q);
    dufm_lower_bound_qpow(q, &p);
    double bound = gl_value(L, q);
    double fmin_t = 0.5;
    for (double u = -30; u <= 30; u += 0.002) {
      double t = exp(u);
      fmin_t = fmin(fmin_t, (t * t * o2 - 2 * t * tr + K) / (2.0 * K) +
                                0.5 * (L + 1) * Q * pow(t, 2.0 / (L + 1)));
    }
    CU_ASSERT(fmin_t >= bound * (1 - 1e-13));
    if (bound < 0.49)
      closest = fmin(closest, fmin_t / bound);
    mpq_clear(q);
    free(H);
    dufm_params_clear(&p);
  }
  if (getenv("DUFM_TEST_VERBOSE"))
    fprintf(stderr, "\n  smallest loss / bound below the zero regime: %.6f", closest);
}

/* DNC (T = I_K): the ridge relaxation is the exact-fit g_L(K c_1). */
static void test_ridge_dnc(void) {
  int Ls[] = {1, 2, 3, 4, 7, 12}, Ks[] = {2, 3, 10, 45};
  const char *lams[] = {"1e-6", "0.0001", "0.003", "0.02", "0.1", "0.5"};
  for (size_t a = 0; a < 6; a++)
    for (size_t b = 0; b < 4; b++)
      for (size_t c = 0; c < 6; c++) {
        int L = Ls[a], K = Ks[b], n = 1 + (int)(a % 3);
        dufm_params p;
        tu_params(&p, L, K, n, lams[c]);
        mpq_t q, alog;
        mpq_inits(q, alog, NULL);
        dufm_dnc_qpow(q, &p);
        mpq_div(alog, q, p.lam_w[L - 1]); /* A = K^L n lam_H lam_1 ... lam_{L-1} */
        mpq_set_ui(q, (unsigned long)K, 1);
        mpq_div(alog, alog, q);
        double g = 1.0;
        int m = K;
        dufm_ridge rv;
        CU_ASSERT_FATAL(dufm_ridge_eval(&rv, L, p.lam_w_d[L - 1], K, 1, &g, &m, dufm_q_log(alog),
                                        NULL) == DUFM_OK);
        dufm_dnc_qpow(q, &p);
        TU_ASSERT_CLOSE(rv.value, gl_value(L, q), 1e-11, 1e-14);
        mpq_clears(q, alog, NULL);
        dufm_params_clear(&p);
      }
}

/* Clique constructions: lower bound <= ridge <= exact fit, equality for k = 2
 * alone (T = I_K). */
static void test_ridge_clique(void) {
  const char *lams[] = {"0.0001", "0.001", "0.005", "0.03"};
  int Ls[] = {2, 3, 4, 6}, rs[] = {4, 5, 6, 8};
  for (int a = 0; a < 4; a++)
    for (int b = 0; b < 4; b++)
      for (int c = 0; c < 4; c++)
        for (int set = 0; set < 3; set++) {
          int r = rs[b], L = Ls[a], K = r * (r - 1) / 2, k[16],
              m = set == 0   ? 1
                  : set == 1 ? 2
                             : r - 1;
          mpq_t z[16], q;
          mpq_init(q);
          for (int i = 0; i < m; i++) {
            k[i] = i + 2;
            mpq_init(z[i]);
            mpq_set_ui(z[i], 1, i + 1);
          }
          dufm_clique_opt opt;
          if (set == 2)
            CU_ASSERT_FATAL(dufm_clique_optimize(z, &opt, r, m, k, NULL) == DUFM_OK);
          dufm_params p;
          tu_params(&p, L, K, 1 + c % 2, lams[c]);
          dufm_ridge rv;
          CU_ASSERT_FATAL(dufm_ridge_clique(&rv, &p, r, m, k, z, NULL) == DUFM_OK);
          CU_ASSERT_FATAL(dufm_clique_qpow(q, &p, r, m, k, z, NULL) == DUFM_OK);
          double exact = gl_value(L, q);
          dufm_lower_bound_qpow(q, &p);
          double lower = gl_value(L, q);
          CU_ASSERT(rv.value <= exact + 1e-13 && lower <= rv.value + 1e-13);
          if (set == 0)
            TU_ASSERT_CLOSE(rv.value, exact, 1e-11, 1e-14);
          for (int i = 0; i < m; i++)
            mpq_clear(z[i]);
          mpq_clear(q);
          dufm_params_clear(&p);
        }
}

int main(void) {
  CU_TestInfo tests[] = {{"lower bound q_pow", test_lower_bound_qpow},
                         {"lower bound under random configurations", test_lower_bound_configs},
                         {"ridge equals g_L for DNC", test_ridge_dnc},
                         {"ridge between bound and exact fit (cliques)", test_ridge_clique},
                         CU_TEST_INFO_NULL};
  return tu_run_suite("bounds", tests);
}
