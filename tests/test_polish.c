/* The polish module. Reference values come from other paths: the DNC closed
 * form (dufm_dnc_eval) for the L = 1 optimum, the structure closed form for
 * srg:5, the generic evaluator dufm_eval for every polished loss, and central
 * differences for the gradients of the piece and the smoothed loss. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "dufm/dnc.h"
#include "dufm/optim.h"
#include "dufm/polish.h"
#include "dufm/structure.h"
#include "optim/polish_internal.h"
#include "testutil.h"

static double eval_loss(const dufm_config *x, const dufm_params *p) {
  dufm_loss l;
  CU_ASSERT_FATAL(dufm_eval(&l, NULL, x, p, DUFM_FORM_SAMPLES, NULL) == DUFM_OK);
  return l.loss;
}

/* L = 1 is smooth (no ReLU): polish reaches the DNC closed form (theory
 * section 3: DNC is optimal at L = 1) to the gradient tolerance. */
static void test_l1_reaches_dnc(void) {
  dufm_params p;
  tu_params(&p, 1, 3, 2, "0.004");
  int d[2] = {4, 3};
  dufm_config x;
  CU_ASSERT_FATAL(dufm_optim_init_gaussian(&x, 1, d, 6, 0.3, 7, NULL) == DUFM_OK);
  dufm_polish_opts o;
  dufm_polish_opts_default(&o);
  dufm_polish_report r;
  CU_ASSERT_FATAL(dufm_polish_pattern(&x, &r, &p, &o, NULL) == DUFM_OK);
  dufm_gl dnc;
  CU_ASSERT_FATAL(dufm_dnc_eval(&dnc, &p, NULL) == DUFM_OK);
  TU_ASSERT_CLOSE(r.loss, dnc.value, 1e-12, 0.0);
  TU_ASSERT_CLOSE(eval_loss(&x, &p), r.loss, 0.0, 0.0);
  CU_ASSERT(r.converged);
  CU_ASSERT(r.rel_grad <= 1e-10);
  CU_ASSERT(r.loss <= r.loss_in);
  CU_ASSERT_EQUAL(r.layers, 0);
  dufm_polish_report_clear(&r);
  dufm_config_clear(&x);
  dufm_params_clear(&p);
}

/* srg:5 sits exactly on kinks; polishing never ends above its closed form. */
static void test_srg5_closed_form_or_below(void) {
  dufm_params p;
  tu_params(&p, 4, 10, 1, "0.004");
  dufm_structure *s = NULL;
  CU_ASSERT_FATAL(dufm_structure_parse(&s, "srg:5", NULL) == DUFM_OK);
  dufm_structure_eval e = {0};
  CU_ASSERT_FATAL(dufm_structure_evaluate(&e, s, &p, NULL) == DUFM_OK);
  dufm_config x;
  CU_ASSERT_FATAL(dufm_structure_materialize(&x, s, &p, DUFM_FORM_SAMPLES, NULL) == DUFM_OK);
  dufm_polish_opts o;
  dufm_polish_opts_default(&o);
  o.max_evals = 6000;
  dufm_polish_report r;
  CU_ASSERT_FATAL(dufm_polish(&x, &r, &p, &o, NULL) == DUFM_OK);
  TU_ASSERT_CLOSE(r.loss_in, e.loss, 1e-12, 0.0);
  CU_ASSERT(r.loss <= e.upper);
  CU_ASSERT(r.loss <= r.loss_in);
  TU_ASSERT_CLOSE(eval_loss(&x, &p), r.loss, 0.0, 0.0);
  CU_ASSERT(r.evals <= o.max_evals + 100);
  dufm_polish_report_clear(&r);
  dufm_config_clear(&x);
  dufm_structure_eval_clear(&e);
  dufm_structure_free(s);
  dufm_params_clear(&p);
}

/* From random points and tiny budgets the returned loss never rises, and the
 * report's loss is dufm_eval's at the returned configuration. */
static void test_never_increases(void) {
  dufm_params p;
  tu_params(&p, 3, 4, 2, "0.01");
  int d[4] = {5, 6, 5, 4};
  for (int seed = 0; seed < 6; seed++) {
    dufm_config x;
    CU_ASSERT_FATAL(dufm_optim_init_gaussian(&x, 3, d, 8, 0.4, (uint64_t)seed, NULL) == DUFM_OK);
    double before = eval_loss(&x, &p);
    dufm_polish_opts o;
    dufm_polish_opts_default(&o);
    o.max_evals = 15 + 40 * seed;
    dufm_polish_report r;
    dufm_status st = seed % 2 ? dufm_polish(&x, &r, &p, &o, NULL)
                              : dufm_polish_pattern(&x, &r, &p, &o, NULL);
    CU_ASSERT_FATAL(st == DUFM_OK);
    CU_ASSERT(r.loss_in == before);
    CU_ASSERT(r.loss <= before);
    CU_ASSERT(eval_loss(&x, &p) == r.loss);
    /* On a consistent pattern the piece is the true loss. */
    if (r.violations == 0 && r.kinks == 0)
      TU_ASSERT_CLOSE(r.piece_loss, r.loss, 1e-13, 0.0);
    CU_ASSERT_EQUAL(r.active + r.inactive, r.entries);
    CU_ASSERT_EQUAL(r.entries, (long)(6 + 5) * 8);
    dufm_polish_report_clear(&r);
    dufm_config_clear(&x);
  }
  dufm_params_clear(&p);
}

/* Central differences of the piece (mask) and softplus losses. */
static void test_gradients(void) {
  dufm_params p;
  tu_params(&p, 3, 3, 1, "0.02");
  int d[4] = {4, 5, 4, 3};
  dufm_config x;
  CU_ASSERT_FATAL(dufm_optim_init_gaussian(&x, 3, d, 3, 0.5, 11, NULL) == DUFM_OK);
  dufm_i_pe *pe = NULL;
  CU_ASSERT_FATAL(dufm_i_pe_alloc(&pe, &x, &p, NULL) == DUFM_OK);
  size_t n = pe->nparam;
  double *v = malloc(n * sizeof *v), *g = malloc(n * sizeof *g);
  dufm_i_flatten(v, &x);
  dufm_i_pe_mask_from(pe, v);
  for (int mode = 0; mode < 3; mode++) {
    pe->act = mode == 0 ? DUFM_I_ACT_MASK : DUFM_I_ACT_SOFTPLUS;
    pe->beta = mode == 1 ? 3.0 : 50.0;
    double f = dufm_i_pe_eval(pe, v, g);
    CU_ASSERT(isfinite(f));
    double worst = 0.0;
    for (size_t i = 0; i < n; i++) {
      double keep = v[i], h = 1e-6;
      v[i] = keep + h;
      double fp = dufm_i_pe_eval(pe, v, NULL);
      v[i] = keep - h;
      double fm = dufm_i_pe_eval(pe, v, NULL);
      v[i] = keep;
      worst = fmax(worst, fabs((fp - fm) / (2 * h) - g[i]));
    }
    CU_ASSERT(worst < 1e-7);
  }
  /* ReLU mode and dufm_eval agree on the loss. */
  pe->act = DUFM_I_ACT_RELU;
  TU_ASSERT_CLOSE(dufm_i_pe_eval(pe, v, NULL), eval_loss(&x, &p), 1e-14, 0.0);
  free(v);
  free(g);
  dufm_i_pe_free(pe);
  dufm_config_clear(&x);
  dufm_params_clear(&p);
}

static void test_bad_options(void) {
  dufm_polish_opts o;
  dufm_err err;
  dufm_polish_opts_default(&o);
  CU_ASSERT(dufm_polish_opts_check(&o, &err) == DUFM_OK);
  o.max_evals = 0;
  CU_ASSERT(dufm_polish_opts_check(&o, &err) == DUFM_EINVAL);
  dufm_polish_opts_default(&o);
  o.beta_factor = 1.0;
  CU_ASSERT(dufm_polish_opts_check(&o, &err) == DUFM_EINVAL);
  dufm_polish_opts_default(&o);
  o.rel_tol = -1;
  CU_ASSERT(dufm_polish_opts_check(&o, &err) == DUFM_EINVAL);
  CU_ASSERT(strstr(err.msg, "rel_tol") != NULL);
  /* A configuration that does not match the parameters. */
  dufm_params p;
  tu_params(&p, 2, 3, 1, "0.01");
  int d[3] = {3, 3, 4};
  dufm_config x;
  CU_ASSERT_FATAL(dufm_optim_init_gaussian(&x, 2, d, 4, 0.1, 1, NULL) == DUFM_OK);
  dufm_polish_opts_default(&o);
  dufm_polish_report r;
  CU_ASSERT(dufm_polish(&x, &r, &p, &o, &err) == DUFM_EINVAL);
  dufm_polish_report_clear(&r);
  dufm_config_clear(&x);
  dufm_params_clear(&p);
}

int main(void) {
  CU_TestInfo tests[] = {{"L = 1 polish reaches the DNC closed form", test_l1_reaches_dnc},
                         {"srg:5 polishes to its closed form or below", test_srg5_closed_form_or_below},
                         {"polish never increases the loss", test_never_increases},
                         {"piece and softplus gradients by differences", test_gradients},
                         {"bad options and shapes", test_bad_options},
                         CU_TEST_INFO_NULL};
  return tu_run_suite("polish", tests);
}
