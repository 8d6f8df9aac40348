/* The shared measurements of dufm/analysis.h (class means, singular values,
 * the rank rule, the one "below" rule) and the sweep point of dufm/compare.h,
 * against hand-computed values and against dufm_compare itself. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "dufm/analysis.h"
#include "dufm/compare.h"
#include "testutil.h"

static void test_class_means(void) {
  /* K = 2, n = 2: columns 0, 1 are class 0 and columns 2, 3 class 1. */
  double v[] = {1, 3, 10, 20, -2, 2, 5, 7};
  dufm_mat x = {0}, m;
  dufm_err err;
  CU_ASSERT_FATAL(dufm_mat_init(&x, 2, 4, &err) == DUFM_OK);
  memcpy(x.data, v, sizeof v);
  CU_ASSERT_FATAL(dufm_class_means(&m, &x, 2, &err) == DUFM_OK);
  CU_ASSERT(m.rows == 2 && m.cols == 2);
  CU_ASSERT(DUFM_MAT_AT(&m, 0, 0) == 2 && DUFM_MAT_AT(&m, 0, 1) == 15);
  CU_ASSERT(DUFM_MAT_AT(&m, 1, 0) == 0 && DUFM_MAT_AT(&m, 1, 1) == 6);
  dufm_mat_clear(&m);
  /* 3 classes do not divide 4 columns: refused, out left empty. */
  CU_ASSERT(dufm_class_means(&m, &x, 3, &err) == DUFM_EINVAL);
  CU_ASSERT(m.data == NULL);
  dufm_mat_clear(&m);
  dufm_mat_clear(&x);
}

static void test_singular_values_rank(void) {
  /* [[0, 4], [3, 0], [0, 0]]: singular values 4 and 3. */
  dufm_mat a = {0};
  dufm_err err;
  CU_ASSERT_FATAL(dufm_mat_init(&a, 3, 2, &err) == DUFM_OK);
  DUFM_MAT_AT(&a, 0, 1) = 4, DUFM_MAT_AT(&a, 1, 0) = 3;
  double s[2];
  CU_ASSERT_FATAL(dufm_singular_values(s, &a, &err) == DUFM_OK);
  TU_ASSERT_CLOSE(s[0], 4, 1e-15, 0);
  TU_ASSERT_CLOSE(s[1], 3, 1e-15, 0);
  dufm_mat_clear(&a);
  double t[] = {4, 3, 1e-7, 0};
  CU_ASSERT_EQUAL(dufm_sv_rank(t, 4, 1e-6), 2);
  CU_ASSERT_EQUAL(dufm_sv_rank(t, 4, 1e-8), 3);
  double z[] = {0, 0};
  CU_ASSERT_EQUAL(dufm_sv_rank(z, 2, 1e-6), 0);
  CU_ASSERT_EQUAL(dufm_sv_rank(t, 0, 1e-6), 0);
  dufm_mat empty = {0};
  CU_ASSERT(dufm_singular_values(s, &empty, &err) == DUFM_EINVAL);
}

static void test_below_rule(void) {
  double lo = 0.25;
  CU_ASSERT(dufm_loss_below(lo * (1 - 4 * DUFM_BELOW_RTOL), lo));
  CU_ASSERT(!dufm_loss_below(lo * (1 - DUFM_BELOW_RTOL / 4), lo)); /* inside the margin */
  CU_ASSERT(!dufm_loss_below(lo, lo));
  CU_ASSERT(!dufm_loss_below(0.1, NAN));
  CU_ASSERT(dufm_loss_below(-1.0, 0.0));
}

/* Every field of the sweep point is the comparison's own. */
static void check_point(int L, int K, const char *lambda) {
  dufm_params p;
  tu_params(&p, L, K, 1, lambda);
  dufm_comparison cmp;
  dufm_sweep_point pt;
  dufm_err err;
  dufm_compare_opts o;
  dufm_compare_opts_default(&o);
  CU_ASSERT_FATAL(dufm_compare(&cmp, &p, &o, &err) == DUFM_OK);
  CU_ASSERT_FATAL(dufm_sweep_point_eval(&pt, &p, NULL, &err) == DUFM_OK);
  const dufm_candidate *dnc = &cmp.cand[cmp.dnc_index], *best = &cmp.cand[cmp.best_index];
  int c = dufm_comparison_find(&cmp, DUFM_ORIGIN_PAPER);
  CU_ASSERT(pt.L == L && pt.K == K && pt.n == 1);
  CU_ASSERT(pt.dnc_loss == dnc->eval.loss && pt.dnc_regime == dnc->eval.regime);
  CU_ASSERT(pt.has_paper == (c >= 0));
  if (c >= 0) {
    CU_ASSERT(pt.srg_loss == cmp.cand[c].eval.loss && pt.srg_ratio == cmp.cand[c].ratio_to_dnc &&
              pt.srg_vs_dnc == cmp.cand[c].vs_dnc);
  } else {
    CU_ASSERT(isnan(pt.srg_loss) && isnan(pt.srg_ratio));
  }
  CU_ASSERT_STRING_EQUAL(pt.best, dufm_structure_name(best->structure));
  CU_ASSERT(pt.best_loss == best->eval.loss && pt.best_ratio == best->ratio_to_dnc &&
            pt.best_vs_dnc == best->vs_dnc);
  CU_ASSERT(pt.lower_bound == cmp.lower_bound.lower && pt.verdict == cmp.verdict);
  dufm_sweep_point_clear(&pt);
  dufm_sweep_point_clear(&pt); /* clear twice is safe */
  dufm_comparison_clear(&cmp);
  dufm_params_clear(&p);
}

static void test_sweep_point(void) {
  check_point(4, 10, "0.004"); /* K = 10 = 5 * 4 / 2: srg:5 applies and is below DNC */
  check_point(3, 11, "0.004"); /* no r with r(r-1)/2 = 11 */
  check_point(5, 6, "0.0001");
  CU_ASSERT_STRING_EQUAL(dufm_regime_name(DUFM_REGIME_NONZERO), "nonzero");
  CU_ASSERT_STRING_EQUAL(dufm_regime_name(DUFM_REGIME_ZERO), "zero");
  CU_ASSERT_STRING_EQUAL(dufm_regime_name(DUFM_REGIME_TIE), "tie");
}

int main(void) {
  CU_TestInfo tests[] = {{"class means", test_class_means},
                         {"singular values and the rank rule", test_singular_values_rank},
                         {"the below rule", test_below_rule},
                         {"sweep point = the comparison's fields", test_sweep_point},
                         CU_TEST_INFO_NULL};
  return tu_run_suite("measure", tests);
}
