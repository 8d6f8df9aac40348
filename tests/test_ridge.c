/* The ridge relaxation F(t) (theory section 7) against explicit ridge
 * regression on explicit T, a dense scan of F, and its limit and error cases. */
#include <gmp.h>
#include <lapacke.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "clique_fixtures.h"
#include "dufm/bounds.h"
#include "dufm/clique.h"
#include "dufm/structure.h"
#include "testutil.h"

/* F(t) of the ridge relaxation, evaluated directly (reference for the scan). */
static double ridge_f(double t, int L, double lam, int K, int nj, const double *g, const int *m,
                      double log_a) {
  double f = 0.0;
  for (int j = 0; j < nj; j++)
    f += m[j] * lam / (2.0 * (t * t * g[j] + K * lam));
  return f + (t > 0 ? 0.5 * L * exp(log_a / L + (2.0 / L) * log(t)) : 0.0);
}

/* Explicit ridge regression on explicit T (r = 5, sizes {2, 3}, L = 3): the
 * closed-form F at the reported t is the loss of an explicit configuration,
 * and nearby t are no better. */
static double explicit_ridge_loss(double t, const double *T, int rows, int K, double lam,
                                  double penalty_coef, int L) {
  double *G = cf_gram(T, rows, K), *Wt = malloc((size_t)K * rows * sizeof *Wt), fit = 0.0, w2 = 0.0;
  for (int i = 0; i < K * K; i++)
    G[i] = t * t * G[i] + (i / K == i % K ? K * lam : 0.0);
  for (int e = 0; e < K; e++)
    for (int i = 0; i < rows; i++)
      Wt[e * rows + i] = t * T[i * K + e]; /* right-hand side t T^T */
  CU_ASSERT_FATAL(LAPACKE_dposv(LAPACK_ROW_MAJOR, 'U', K, rows, G, K, Wt, rows) == 0);
  for (int e = 0; e < K; e++)
    for (int f = 0; f < K; f++) {
      double o = 0.0;
      for (int i = 0; i < rows; i++)
        o += Wt[e * rows + i] * t * T[i * K + f];
      fit += (o - (e == f)) * (o - (e == f));
    }
  for (int i = 0; i < K * rows; i++)
    w2 += Wt[i] * Wt[i];
  free(G);
  free(Wt);
  return fit / (2.0 * K) + 0.5 * lam * w2 + 0.5 * L * penalty_coef * pow(t, 2.0 / L);
}

static void test_ridge_explicit(void) {
  int r = 5, K = 10, L = 3, k[2] = {2, 3}, rows, wrows;
  double rho[2] = {1.0, sqrt(0.5)}, lam = 0.005;
  mpq_t z[2];
  mpq_inits(z[0], z[1], NULL);
  mpq_set_ui(z[0], 1, 1);
  mpq_set_ui(z[1], 1, 2);
  dufm_params p;
  tu_params(&p, L, K, 1, "0.005");
  dufm_ridge rv;
  CU_ASSERT_FATAL(dufm_ridge_clique(&rv, &p, r, 2, k, z, NULL) == DUFM_OK);
  double *T = cf_build(r, 2, k, rho, 0, &rows), *W = cf_build(r, 2, k, rho, 1, &wrows);
  double wf = 0.0;
  for (int i = 0; i < wrows * r; i++)
    wf += W[i] * W[i];
  /* A = (n lam ||B||^2) (lam ||I_r||^2) (lam ||W_{L-1}||^2), ||B||^2 = 2K. */
  double coef = pow((lam * 2 * K) * (lam * r) * (lam * wf), 1.0 / L);
  TU_ASSERT_CLOSE(explicit_ridge_loss(rv.t, T, rows, K, lam, coef, L), rv.value, 1e-11, 0);
  CU_ASSERT(rv.value < 0.5);
  for (int s = -1; s <= 1; s += 2)
    CU_ASSERT(explicit_ridge_loss(rv.t * (1 + s * 1e-3), T, rows, K, lam, coef, L) >= rv.value);
  free(T);
  free(W);
  mpq_clears(z[0], z[1], NULL);
  dufm_params_clear(&p);
}

/* Random inputs against a dense scan of u = ln t in [-150, 150] refined by
 * golden section, and t = 0. */
static void test_ridge_scan(void) {
  for (int it = 0; it < tu_iterations(30); it++) {
    int L = 1 + (int)(12 * tu_urand()), K = 3 + (int)(50 * tu_urand()), m[3];
    m[0] = (int)(K * tu_urand());
    m[1] = (int)((K - m[0]) * tu_urand());
    m[2] = K - m[0] - m[1];
    double g[3], lam = exp(-12 * tu_urand()), log_a = -40 + 50 * tu_urand();
    for (int j = 0; j < 3; j++)
      g[j] = tu_urand() < 0.2 ? 0.0 : exp(24 * tu_urand() - 12);
    dufm_ridge rv;
    CU_ASSERT_FATAL(dufm_ridge_eval(&rv, L, lam, K, 3, g, m, log_a, NULL) == DUFM_OK);
    double best = 0.5, ub = 0.0, h = 0.002;
    for (double u = -150; u <= 150; u += h) {
      double f = ridge_f(exp(u), L, lam, K, 3, g, m, log_a);
      if (f < best) {
        best = f;
        ub = u;
      }
    }
    if (best < 0.5) {
      double lo = ub - h, hi = ub + h, phi = 0.5 * (sqrt(5.0) - 1);
      for (int i = 0; i < 80; i++) {
        double x1 = hi - phi * (hi - lo), x2 = lo + phi * (hi - lo);
        if (ridge_f(exp(x1), L, lam, K, 3, g, m, log_a) <
            ridge_f(exp(x2), L, lam, K, 3, g, m, log_a))
          hi = x2;
        else
          lo = x1;
      }
      best = fmin(best, ridge_f(exp(0.5 * (lo + hi)), L, lam, K, 3, g, m, log_a));
    }
    TU_ASSERT_CLOSE(rv.value, best, 1e-12, 1e-14);
    TU_ASSERT_CLOSE(ridge_f(rv.t, L, lam, K, 3, g, m, log_a), rv.value, 1e-12, 1e-14);
    CU_ASSERT(rv.err >= 0 && rv.err < 1e-12);
  }
}

static void expect_ridge_error(int L, double lam, int K, int nj, double g0, int m0, double log_a) {
  double g[2] = {g0, 1.0};
  int m[2] = {m0, K - 2};
  dufm_ridge rv;
  dufm_err err;
  dufm_err_clear(&err);
  CU_ASSERT(dufm_ridge_eval(&rv, L, lam, K, nj, g, m, log_a, &err) == DUFM_EINVAL);
  CU_ASSERT(strlen(err.msg) > 0 && strchr(err.msg, '\n') == NULL);
}

static void test_ridge_limits(void) {
  double g[2] = {1.0, 0.0};
  int m[2] = {3, 2};
  dufm_ridge rv;
  CU_ASSERT(dufm_ridge_eval(&rv, 3, 0.0, 5, 2, g, m, -2.0, NULL) == DUFM_OK);
  CU_ASSERT(rv.value == 0.2 && rv.t == 0.0); /* only the null space is left */
  CU_ASSERT(dufm_ridge_eval(&rv, 3, 0.1, 5, 2, g, m, -INFINITY, NULL) == DUFM_OK);
  CU_ASSERT(rv.value == 0.2 && isinf(rv.t));
  g[0] = 0.0;
  CU_ASSERT(dufm_ridge_eval(&rv, 3, 0.1, 5, 2, g, m, 1.0, NULL) == DUFM_OK);
  CU_ASSERT(rv.value == 0.5 && rv.t == 0.0);
  g[0] = 1.0;
  CU_ASSERT(dufm_ridge_eval(&rv, 3, 0.1, 5, 2, g, m, 300.0, NULL) == DUFM_OK);
  CU_ASSERT(rv.value == 0.5 && rv.t == 0.0); /* huge A: the zero solution */
  expect_ridge_error(0, 0.1, 5, 2, 1.0, 2, 0.0);
  expect_ridge_error(3, -0.1, 5, 2, 1.0, 2, 0.0);
  expect_ridge_error(3, NAN, 5, 2, 1.0, 2, 0.0);
  expect_ridge_error(3, 0.1, 5, 2, -1.0, 2, 0.0);
  expect_ridge_error(3, 0.1, 5, 2, INFINITY, 2, 0.0);
  expect_ridge_error(3, 0.1, 5, 2, 1.0, 3, 0.0); /* multiplicities sum to 6 */
  expect_ridge_error(3, 0.1, 5, 2, 1.0, -1, 0.0);
  expect_ridge_error(3, 0.1, 5, 2, 1.0, 2, NAN);
  expect_ridge_error(3, 0.1, 5, 2, 1.0, 2, INFINITY);
  expect_ridge_error(3, 0.1, 5, 0, 1.0, 2, 0.0);
  dufm_params p;
  int k = 2;
  mpq_t z;
  mpq_init(z);
  mpq_set_ui(z, 1, 1);
  dufm_err err;
  tu_params(&p, 1, 10, 1, "0.01");
  CU_ASSERT(dufm_ridge_clique(&rv, &p, 5, 1, &k, &z, &err) == DUFM_EINVAL);
  CU_ASSERT(strstr(err.msg, "L >= 2") != NULL);
  dufm_params_clear(&p);
  tu_params(&p, 3, 11, 1, "0.01");
  CU_ASSERT(dufm_ridge_clique(&rv, &p, 5, 1, &k, &z, &err) == DUFM_EINVAL);
  CU_ASSERT(strstr(err.msg, "K = 10") != NULL);
  dufm_params_clear(&p);
  mpq_clear(z);
}

/* Ridge of one block, second route: explicit unscaled matrices (class-mean
 * form) give A = a_0 ... a_{L-1} as doubles; the block is a problem of Kb
 * classes with every lambda times f = K / Kb. DNC and edge blocks end with
 * H_L = I (one eigenvalue 1); cliques go through dufm_ridge_clique at parameters
 * with K = Kb (checked against explicit regression above). */
static double block_ridge(const char *spec, const dufm_params *p, int K) {
  dufm_structure *s = NULL;
  CU_ASSERT_FATAL(dufm_structure_parse(&s, spec, NULL) == DUFM_OK);
  int Kb = dufm_structure_K(s) ? dufm_structure_K(s) : K, L = p->L;
  double f = (double)K / Kb, log_a = log(f * p->n * p->lam_h_d), value = NAN;
  dufm_params q;
  CU_ASSERT_FATAL(dufm_params_init(&q, L, Kb < 2 ? 2 : Kb, p->n, NULL) == DUFM_OK);
  mpq_t v, fq;
  mpq_inits(v, fq, NULL);
  mpq_set_ui(fq, (unsigned long)K, (unsigned long)Kb);
  mpq_canonicalize(fq);
  mpq_mul(v, p->lam_h, fq);
  CU_ASSERT(dufm_params_set_lambda_q(&q, DUFM_LAMBDA_H, v, NULL) == DUFM_OK);
  for (int l = 0; l < L; l++) {
    mpq_mul(v, p->lam_w[l], fq);
    CU_ASSERT(dufm_params_set_lambda_q(&q, l, v, NULL) == DUFM_OK);
  }
  dufm_structure_eval e = {0};
  CU_ASSERT_FATAL(Kb < 2 || dufm_structure_evaluate(&e, s, &q, NULL) == DUFM_OK);
  dufm_ridge rv = {0};
  if (dufm_structure_kind_of(s) == DUFM_STRUCTURE_CLIQUE) {
    CU_ASSERT_FATAL(dufm_ridge_clique(&rv, &q, e.clique.r, e.clique.m, e.clique.k,
                                      (const mpq_t *)e.clique.z, NULL) == DUFM_OK);
    value = rv.value;
  } else {
    /* explicit norms; dnc:1 (no problem of one class to build) is I_1 */
    double h = 1.0, w[DUFM_MAX_L];
    for (int l = 0; l < L; l++)
      w[l] = 1.0;
    if (Kb >= 2) {
      dufm_config c;
      CU_ASSERT_FATAL(dufm_structure_build(&c, s, &q, DUFM_FORM_CLASS_MEANS, NULL) == DUFM_OK);
      h = 0.0;
      for (long i = 0; i < (long)c.H1.rows * c.H1.cols; i++)
        h += c.H1.data[i] * c.H1.data[i];
      for (int l = 0; l < L - 1; l++) {
        w[l] = 0.0;
        for (long i = 0; i < (long)c.W[l].rows * c.W[l].cols; i++)
          w[l] += c.W[l].data[i] * c.W[l].data[i];
      }
      dufm_config_clear(&c);
    }
    log_a += log(h);
    for (int l = 0; l < L - 1; l++)
      log_a += log(f * p->lam_w_d[l] * w[l]);
    double gamma = 1.0;
    CU_ASSERT_FATAL(
        dufm_ridge_eval(&rv, L, f * p->lam_w_d[L - 1], Kb, 1, &gamma, &Kb, log_a, NULL) == DUFM_OK);
    value = rv.value;
  }
  dufm_structure_eval_clear(&e);
  dufm_params_clear(&q);
  mpq_clears(v, fq, NULL);
  dufm_structure_free(s);
  return value;
}

/* dufm_structure_ridge of singles and compositions (blocks of one class
 * included) against the block-by-block second route. */
static void test_structure_ridge(void) {
  static const char *specs[] = {"srg:5",
                                "graph:0-1,1-2,2-0,2-3",
                                "clique:5:2,3",
                                "clique:6:2@1,3@1/2",
                                "srg:4+dnc:3+clique:5:2,3",
                                "dnc:1+srg:4",
                                "dnc:1+clique:4:2,3",
                                NULL};
  static const char *lams[] = {"0.001", "0.004", "0.02"};
  for (int L = 2; L <= 4; L++)
    for (int li = 0; li < 3; li++)
      for (int i = 0; specs[i] != NULL; i++) {
        dufm_structure *s = NULL;
        CU_ASSERT_FATAL(dufm_structure_parse(&s, specs[i], NULL) == DUFM_OK);
        int K = dufm_structure_K(s);
        dufm_params p;
        tu_params(&p, L, K, 2, lams[li]);
        dufm_structure_eval e;
        dufm_ridge rv;
        CU_ASSERT_FATAL(dufm_structure_evaluate(&e, s, &p, NULL) == DUFM_OK);
        CU_ASSERT_FATAL(dufm_structure_ridge(&rv, s, &e, &p, NULL) == DUFM_OK);
        double want = 0.0;
        char buf[128];
        snprintf(buf, sizeof buf, "%s", specs[i]);
        for (char *part = strtok(buf, "+"); part != NULL; part = strtok(NULL, "+")) {
          dufm_structure *b = NULL;
          CU_ASSERT_FATAL(dufm_structure_parse(&b, part, NULL) == DUFM_OK);
          int Kb = dufm_structure_K(b);
          dufm_structure_free(b);
          want += (double)Kb / K * block_ridge(part, &p, K);
        }
        char label[200];
        snprintf(label, sizeof label, "%s L=%d lambda=%s", specs[i], L, lams[li]);
        CU_ASSERT(tu_close(rv.value, want, 1e-12, 1e-15, label));
        CU_ASSERT(rv.value <= e.loss + 1e-12); /* T^+ is one ridge candidate */
        dufm_structure_eval_clear(&e);
        dufm_params_clear(&p);
        dufm_structure_free(s);
      }
}

int main(void) {
  CU_TestInfo tests[] = {{"ridge against explicit regression", test_ridge_explicit},
                         {"ridge against a dense scan", test_ridge_scan},
                         {"ridge limits and errors", test_ridge_limits},
                         {"ridge of structures and compositions", test_structure_ridge},
                         CU_TEST_INFO_NULL};
  return tu_run_suite("ridge", tests);
}
