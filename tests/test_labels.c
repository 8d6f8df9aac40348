/* Honest labels of dufm_analyze (zero, underfit, low_rank, dnc, other) on
 * gradient-descent runs whose outcome is known: at a lambda in DNC's zero
 * regime every run ends at the zero solution; a start that fits one class and
 * whose other classes sit on dead ReLUs stays there (the kink derivative is 0). */
#include <math.h>
#include <string.h>

#include "dufm/analysis.h"
#include "dufm/optim.h"
#include "testutil.h"

static dufm_classification label_of(const dufm_config *x, const dufm_params *p, dufm_analysis *an) {
  dufm_err err;
  CU_ASSERT_FATAL(dufm_analyze(an, x, p, NULL, &err) == DUFM_OK);
  return an->classification;
}

/* lambda = 0.5 at L = 2, K = 3: K^3 lambda^3 = 3.375 > Q_0^3 = 1/16, the zero
 * regime; gd from Gaussian starts converges to 0, loss 1/2. */
static void test_zero_run(void) {
  dufm_params p;
  tu_params(&p, 2, 3, 1, "0.5");
  int d[] = {6, 6, 3};
  uint64_t seeds[] = {0, 1, 2};
  dufm_optim_opts o;
  dufm_optim_opts_default(&o);
  o.iters = 2000;
  o.threads = 1;
  dufm_optim_result res[3];
  dufm_err err;
  CU_ASSERT_FATAL(dufm_optim_runs(res, 3, seeds, d, NULL, &p, &o, &err) == DUFM_OK);
  for (int r = 0; r < 3; r++) {
    dufm_analysis an;
    TU_ASSERT_CLOSE(res[r].loss.loss, 0.5, 0, 1e-12);
    CU_ASSERT_EQUAL(label_of(&res[r].x, &p, &an), DUFM_CLASS_ZERO);
    CU_ASSERT_STRING_EQUAL(dufm_classification_name(an.classification), "zero");
    dufm_analysis_clear(&an);
    dufm_optim_result_clear(&res[r]);
  }
  dufm_params_clear(&p);
}

/* H1 = I_3, W1 = e0 e0^T, W2 = e0 e0^T: only class 0 reaches the output. gd
 * keeps classes 1 and 2 at zero (their pre-activations are exactly 0 and get
 * no gradient), so the run fits one class: underfit, output rank 1. */
static void test_underfit_run(void) {
  dufm_params p;
  tu_params(&p, 2, 3, 1, "0.001");
  int d[] = {3, 3, 3};
  dufm_config x0;
  dufm_err err;
  CU_ASSERT_FATAL(dufm_config_init(&x0, 2, d, 3, &err) == DUFM_OK);
  for (int i = 0; i < 3; i++)
    DUFM_MAT_AT(&x0.H1, i, i) = 1.0;
  DUFM_MAT_AT(&x0.W[0], 0, 0) = 1.0;
  DUFM_MAT_AT(&x0.W[1], 0, 0) = 1.0;
  dufm_optim_opts o;
  dufm_optim_opts_default(&o);
  o.iters = 500;
  dufm_optim_result res;
  CU_ASSERT_FATAL(dufm_optim_run(&res, &x0, &p, &o, &err) == DUFM_OK);
  dufm_analysis an;
  CU_ASSERT_EQUAL(label_of(&res.x, &p, &an), DUFM_CLASS_UNDERFIT);
  CU_ASSERT_EQUAL(an.rank_out, 1);
  /* Class 0 is fitted: loss about 1/2 - 1/6 (two unfitted classes of 1/6 each). */
  CU_ASSERT(res.loss.loss < 0.34 && res.loss.loss > 0.33);
  CU_ASSERT_STRING_EQUAL(dufm_classification_name(an.classification), "underfit");
  dufm_analysis_clear(&an);
  dufm_optim_result_clear(&res);
  dufm_config_clear(&x0);
  dufm_params_clear(&p);
}

/* A vanishing but nonzero output (every weight 1e-8, loss 1/2 - O(1e-8), not
 * within 1e-9 of 1/2): rank 0 against the target's scale, so underfit, never
 * "other with full ranks" from ranks relative to rounding noise. */
static void test_tiny_output(void) {
  dufm_params p;
  tu_params(&p, 2, 3, 1, "0.001");
  int d[] = {3, 3, 3};
  dufm_config x;
  dufm_err err;
  CU_ASSERT_FATAL(dufm_config_init(&x, 2, d, 3, &err) == DUFM_OK);
  for (int i = 0; i < 3; i++) {
    DUFM_MAT_AT(&x.H1, i, i) = 1.0;
    DUFM_MAT_AT(&x.W[0], i, i) = 1.0;
    DUFM_MAT_AT(&x.W[1], i, i) = 1e-7;
  }
  dufm_analysis an;
  CU_ASSERT_EQUAL(label_of(&x, &p, &an), DUFM_CLASS_UNDERFIT);
  CU_ASSERT(an.rank_out == 0 && an.layers[0].rank_mean == 3 && fabs(an.loss - 0.5) > 1e-9);
  dufm_analysis_clear(&an);
  /* The same at 1e-3 is fitted weakly but with rank 3: dnc (orthogonal frame). */
  for (int i = 0; i < 3; i++)
    DUFM_MAT_AT(&x.W[1], i, i) = 1e-3;
  CU_ASSERT_EQUAL(label_of(&x, &p, &an), DUFM_CLASS_DNC);
  dufm_analysis_clear(&an);
  dufm_config_clear(&x);
  dufm_params_clear(&p);
}

int main(void) {
  CU_TestInfo tests[] = {{"zero-regime runs are zero", test_zero_run},
                         {"a run fitting one class is underfit", test_underfit_run},
                         {"a vanishing output is underfit", test_tiny_output},
                         CU_TEST_INFO_NULL};
  return tu_run_suite("labels", tests);
}
