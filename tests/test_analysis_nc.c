/* Collapse metrics, ranks and kinks on small hand-computed examples (every
 * expected value worked out on paper in the comments), invariances, and NC3's
 * QR path against explicit d x d matrices. */
#include "analysis_fixtures.h"

#define REL 1e-13

/* 1-hidden-layer example (L = 1, K = 2, n = 1): M = [1 1; 0 1], W = diag(1, 2).
 * G = M^T M = [1 1; 1 2], ||G|| = sqrt 7, tr G = 3:
 *   NC2^2 = 1 - 2 tr G / (sqrt 7 sqrt 2) + 1 = 2 - 6 / sqrt 14.
 * A = W^T W = diag(1, 4), B = M M^T = [2 1; 1 1] (||B|| = sqrt 7), tr AB = 6:
 *   NC3^2 = 2 - 12 / sqrt 119.
 * Singular values of M: eigenvalues of G are (3 +- sqrt 5)/2, so the golden ratio
 * phi and 1/phi. */
static void test_nc2_nc3_by_hand(void) {
  int d[] = {2, 2};
  const double h1[] = {1, 1, 0, 1}, w1[] = {1, 0, 0, 2};
  const double *w[] = {w1};
  dufm_params p;
  params(&p, 1, 2, 1, 1e-3, 1e-3);
  dufm_config c;
  config_from(&c, 1, d, 2, h1, w);
  dufm_analysis an;
  analyze_ok(&an, &c, &p, -1, -1);
  const dufm_layer_stats *s = &an.layers[0];
  TU_ASSERT_CLOSE(s->nc2, 0.6296288974669553, REL, 0);
  TU_ASSERT_CLOSE(s->nc3, 0.9486631665486682, REL, 0);
  TU_ASSERT_CLOSE(s->singular_values[0], (1 + sqrt(5.0)) / 2, REL, 0);
  TU_ASSERT_CLOSE(s->singular_values[1], (sqrt(5.0) - 1) / 2, REL, 0);
  CU_ASSERT(s->nc1 == 0 && s->rank_mean == 2 && s->rank_pre == -1 && an.kinks == 0);
  CU_ASSERT(an.rank_out == 2 && an.classification == DUFM_CLASS_OTHER);
  dufm_analysis_clear(&an);
  dufm_config_clear(&c);
  dufm_params_clear(&p);
}

/* Runs a 1-layer example with K = 2, n = 2 and identity (or given) W. */
static void analyze_k2n2(dufm_analysis *an, int d0, const double *h1, const double *w1) {
  int d[] = {d0, 2};
  const double eye[] = {1, 0, 0, 1};
  const double *w[] = {w1 ? w1 : eye};
  dufm_params p;
  params(&p, 1, 2, 2, 1e-3, 1e-3);
  dufm_config c;
  config_from(&c, 1, d, 4, h1, w);
  analyze_ok(an, &c, &p, -1, -1);
  dufm_config_clear(&c);
  dufm_params_clear(&p);
}

static void test_nc1_by_hand(void) {
  dufm_analysis an;
  /* d = 1: classes {1, 3} and {-1, -3}, means 2 and -2 (global 0). S_B = 4,
   * S_W = (1 + 1 + 1 + 1) / 4 = 1, NC1 = (1/4) / 2 = 1/8. G = [4 -4; -4 4],
   * ||G|| = 8, tr G = 8: NC2^2 = 2 - sqrt 2. Rank 1 < K, and with L = 1 the
   * output has rank 1 too: underfit. */
  const double h1a[] = {1, 3, -1, -3}, w1a[] = {1, -1};
  analyze_k2n2(&an, 1, h1a, w1a);
  TU_ASSERT_CLOSE(an.layers[0].nc1, 0.125, REL, 0);
  TU_ASSERT_CLOSE(an.layers[0].nc2, sqrt(2 - sqrt(2.0)), REL, 0);
  TU_ASSERT_CLOSE(an.layers[0].singular_values[0], 2 * sqrt(2.0), REL, 0);
  CU_ASSERT(an.layers[0].rank_mean == 1 && an.rank_out == 1 &&
            an.classification == DUFM_CLASS_UNDERFIT);
  dufm_analysis_clear(&an);
  /* d = 2: columns (1.5, 1), (0.5, 1) | (-1, 1.5), (-1, 0.5); means (1, 1) and
   * (-1, 1), centered +-(1, 0): S_B = e1 e1^T. S_W = (2 (0.25 e1 e1^T) +
   * 2 (0.25 e2 e2^T)) / 4, so tr(S_W S_B^+) = 1/8 and NC1 = 1/16. The means are
   * orthogonal with equal norms (NC2 = 0) and M M^T = 2 I (NC3 = 0 with W = I):
   * the rule classifies dnc, because it reads ranks and NC2, not NC1. */
  const double h1b[] = {1.5, 0.5, -1, -1, 1, 1, 1.5, 0.5};
  analyze_k2n2(&an, 2, h1b, NULL);
  TU_ASSERT_CLOSE(an.layers[0].nc1, 0.0625, REL, 0);
  CU_ASSERT(an.layers[0].nc2 < 1e-15 && an.layers[0].nc3 < 1e-15);
  CU_ASSERT(an.classification == DUFM_CLASS_DNC);
  dufm_analysis_clear(&an);
  /* Spread orthogonal to the means: columns (1, +-0.5), (-1, +-0.5). S_B^+
   * lives on e1, S_W on e2: NC1 = 0, though H_1 has rank 2 and M_1 rank 1. */
  const double h1c[] = {1, 1, -1, -1, 0.5, -0.5, 0.5, -0.5};
  analyze_k2n2(&an, 2, h1c, NULL);
  CU_ASSERT(an.layers[0].nc1 == 0.0);
  CU_ASSERT(an.layers[0].rank_mean == 1 && an.layers[0].rank_samples == 2);
  dufm_analysis_clear(&an);
}

/* Householder reflection Q = I - 2 v v^T / v^T v applied to the rows of x
 * (x <- Q x, x is d x cols), and to the columns (x <- x Q, x is rows x d). */
static void reflect_rows(dufm_mat *x, const double *v) {
  double vv = 0;
  for (int i = 0; i < x->rows; i++)
    vv += v[i] * v[i];
  for (int j = 0; j < x->cols; j++) {
    double dot = 0;
    for (int i = 0; i < x->rows; i++)
      dot += v[i] * DUFM_MAT_AT(x, i, j);
    for (int i = 0; i < x->rows; i++)
      DUFM_MAT_AT(x, i, j) -= 2 * dot / vv * v[i];
  }
}

static void reflect_cols(dufm_mat *x, const double *v) {
  double vv = 0;
  for (int j = 0; j < x->cols; j++)
    vv += v[j] * v[j];
  for (int i = 0; i < x->rows; i++) {
    double dot = 0;
    for (int j = 0; j < x->cols; j++)
      dot += v[j] * DUFM_MAT_AT(x, i, j);
    for (int j = 0; j < x->cols; j++)
      DUFM_MAT_AT(x, i, j) -= 2 * dot / vv * v[j];
  }
}

/* NC2 depends only on the Gram of M up to scale: invariant under M -> s Q M.
 * NC3 is invariant when W -> t W Q^T follows the same rotation. */
static void test_invariance(void) {
  for (int it = 0; it < tu_iterations(10); it++) {
    int d[] = {5, 3}, n = 1 + it % 3;
    dufm_params p;
    params(&p, 1, 3, n, 1e-3, 1e-3);
    dufm_config c;
    CU_ASSERT_FATAL(dufm_config_init(&c, 1, d, 3 * n, NULL) == DUFM_OK);
    fill(&c.H1, 1.0);
    fill(&c.W[0], 1.0);
    dufm_analysis a, b;
    analyze_ok(&a, &c, &p, -1, -1);
    double v[5];
    for (int i = 0; i < 5; i++)
      v[i] = grand();
    reflect_rows(&c.H1, v);
    reflect_cols(&c.W[0], v);
    for (int i = 0; i < 15 * n; i++)
      c.H1.data[i] *= 1e3;
    for (int i = 0; i < 15; i++)
      c.W[0].data[i] *= 0.25;
    analyze_ok(&b, &c, &p, -1, -1);
    TU_ASSERT_CLOSE(b.layers[0].nc2, a.layers[0].nc2, 1e-12, 1e-15);
    TU_ASSERT_CLOSE(b.layers[0].nc3, a.layers[0].nc3, 1e-12, 1e-15);
    TU_ASSERT_CLOSE(b.layers[0].nc1, a.layers[0].nc1, 1e-10, 1e-15);
    TU_ASSERT_CLOSE(b.layers[0].singular_values[2], 1e3 * a.layers[0].singular_values[2], 1e-12, 0);
    dufm_analysis_clear(&a);
    dufm_analysis_clear(&b);
    dufm_config_clear(&c);
    dufm_params_clear(&p);
  }
}

/* Wide layers take NC3's QR path (d_l > d_{l+1} + K), narrow ones the direct
 * one; both against explicit d x d matrices. */
static void test_nc3_paths(void) {
  for (int it = 0; it < tu_iterations(20); it++) {
    int K = 2 + it % 3, d[] = {K + 1 + (int)(urand() * 12), 1 + (int)(urand() * 6), K};
    dufm_params p;
    params(&p, 2, K, 1, 1e-3, 1e-3);
    dufm_config c;
    CU_ASSERT_FATAL(dufm_config_init(&c, 2, d, K, NULL) == DUFM_OK);
    fill(&c.H1, 1.0);
    fill(&c.W[0], 1.0);
    fill(&c.W[1], 1.0);
    dufm_eval_ws *ws = NULL;
    dufm_loss loss;
    CU_ASSERT_FATAL(dufm_eval_ws_alloc(&ws, &c, NULL) == DUFM_OK);
    CU_ASSERT_FATAL(dufm_eval_with(&loss, NULL, &c, &p, DUFM_FORM_SAMPLES, ws, NULL) == DUFM_OK);
    dufm_analysis an;
    analyze_ok(&an, &c, &p, -1, -1);
    TU_ASSERT_CLOSE(an.layers[0].nc3, ref_nc3(&c.W[0], &c.H1), 1e-12, 1e-15);
    dufm_mat m2 = ref_means(dufm_eval_ws_hidden(ws, 2), K);
    double want = ref_nc3(&c.W[1], &m2);
    CU_ASSERT(isnan(want) ? isnan(an.layers[1].nc3)
                          : tu_close(an.layers[1].nc3, want, 1e-12, 1e-15, "layer 2 NC3"));
    dufm_mat_clear(&m2);
    dufm_analysis_clear(&an);
    dufm_eval_ws_free(ws);
    dufm_config_clear(&c);
    dufm_params_clear(&p);
  }
}

/* H1 = I (n copies of each column), W1 rows (1, 0), (1, -1), (0, 0), (1e-12, 2):
 * P_2 = W1 per class, entries 1 0 1 -1 0 0 1e-12 2, max |P| = 2. Kinks per copy:
 * 4 at kink_tol 1e-9 (three zeros and 1e-12), 3 at 0, 7 at 0.6 (all but 2). */
static void test_kinks(void) {
  const double w1[] = {1, 0, 1, -1, 0, 0, 1e-12, 2}, w2[] = {1, 1, 1, 1, 1, 1, 1, 1};
  const double *w[] = {w1, w2};
  for (int n = 1; n <= 2; n++) {
    int d[] = {2, 4, 2};
    double h1[8] = {0};
    for (int j = 0; j < 2 * n; j++)
      h1[(j / n) * 2 * n + j] = 1;
    dufm_params p;
    params(&p, 2, 2, n, 1e-3, 1e-3);
    dufm_config c;
    config_from(&c, 2, d, 2 * n, h1, w);
    const double tols[] = {-1, 0, 0.6};
    const long want[] = {4, 3, 7};
    for (int t = 0; t < 3; t++) {
      dufm_analysis an;
      analyze_ok(&an, &c, &p, -1, tols[t]);
      CU_ASSERT(an.kinks == want[t] * n);
      CU_ASSERT(an.layers[1].rank_pre == 2 && an.layers[1].rank_mean == 2);
      dufm_analysis_clear(&an);
    }
    dufm_config_clear(&c);
    dufm_params_clear(&p);
  }
}

/* M = diag(1, 1e-7), W = I (L = 1, so the output is M): rank 1 at rank_tol
 * 1e-6 (underfit: class 1 is barely fitted), 2 at 1e-8 (other). */
static void test_rank_threshold(void) {
  int d[] = {2, 2};
  const double h1[] = {1, 0, 0, 1e-7}, w1[] = {1, 0, 0, 1};
  const double *w[] = {w1};
  dufm_params p;
  params(&p, 1, 2, 1, 1e-3, 1e-3);
  dufm_config c;
  config_from(&c, 1, d, 2, h1, w);
  dufm_analysis an;
  analyze_ok(&an, &c, &p, -1, -1);
  CU_ASSERT(an.layers[0].rank_mean == 1 && an.classification == DUFM_CLASS_UNDERFIT);
  dufm_analysis_clear(&an);
  analyze_ok(&an, &c, &p, 1e-8, -1);
  CU_ASSERT(an.layers[0].rank_mean == 2 && an.classification == DUFM_CLASS_OTHER);
  CU_ASSERT(an.rank_tol == 1e-8);
  dufm_analysis_clear(&an);
  dufm_config_clear(&c);
  dufm_params_clear(&p);
}

int main(void) {
  CU_TestInfo tests[] = {{"NC2, NC3 and singular values by hand", test_nc2_nc3_by_hand},
                         {"NC1 by hand", test_nc1_by_hand},
                         {"scaling and rotation invariance", test_invariance},
                         {"NC3 direct and QR paths", test_nc3_paths},
                         {"kinks by hand", test_kinks},
                         {"relative rank threshold", test_rank_threshold},
                         CU_TEST_INFO_NULL};
  return tu_run_suite("analysis_nc", tests);
}
