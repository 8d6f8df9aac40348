/* The ownership rule of dufm/error.h: a function that fills a record leaves it
 * safe to clear whatever the status (here: after failures, with the record
 * full of garbage on entry), clearing twice is safe, every clear function is a
 * no-op on NULL and on a zero-filled record, and allocators set *out = NULL on
 * failure. The sanitizer build turns any violation into a failure. */
#include <CUnit/CUnit.h>
#include <stdlib.h>
#include <string.h>

#include "dufm/analysis.h"
#include "dufm/atlas.h"
#include "dufm/certificate.h"
#include "dufm/compare.h"
#include "dufm/meta.h"
#include "dufm/model.h"
#include "dufm/npy.h"
#include "dufm/optim.h"
#include "dufm/pattern.h"
#include "dufm/polish.h"
#include "dufm/search.h"
#include "dufm/structure.h"
#include "testutil.h"

#define MISSING "/nonexistent-dufm-path/x"

/* Garbage in a record on entry: the function must not read it. */
#define GARBAGE(x) memset(&(x), 0xA5, sizeof(x))

/* Status st must be the expected failure; then the record is cleared twice. */
#define FAILS_THEN_CLEAR(call, want, clear, x)                                                     \
  do {                                                                                             \
    GARBAGE(x);                                                                                    \
    dufm_status st_ = (call);                                                                      \
    CU_ASSERT(st_ == (want));                                                                      \
    clear(&(x));                                                                                   \
    clear(&(x));                                                                                   \
  } while (0)

/* A zero-filled record, then NULL: both no-ops. */
#define ZERO_AND_NULL(type, clear)                                                                 \
  do {                                                                                             \
    type z_;                                                                                       \
    memset(&z_, 0, sizeof z_);                                                                     \
    clear(&z_);                                                                                    \
    clear(&z_);                                                                                    \
    clear(NULL);                                                                                   \
  } while (0)

static void test_clear_zero_and_null(void) {
  ZERO_AND_NULL(dufm_mat, dufm_mat_clear);
  ZERO_AND_NULL(dufm_params, dufm_params_clear);
  ZERO_AND_NULL(dufm_config, dufm_config_clear);
  ZERO_AND_NULL(dufm_meta, dufm_meta_clear);
  ZERO_AND_NULL(dufm_analysis, dufm_analysis_clear);
  ZERO_AND_NULL(dufm_pattern, dufm_pattern_clear);
  ZERO_AND_NULL(dufm_structure_eval, dufm_structure_eval_clear);
  ZERO_AND_NULL(dufm_comparison, dufm_comparison_clear);
  ZERO_AND_NULL(dufm_sweep_point, dufm_sweep_point_clear);
  ZERO_AND_NULL(dufm_cert, dufm_cert_clear);
  ZERO_AND_NULL(dufm_cert_report, dufm_cert_report_clear);
  ZERO_AND_NULL(dufm_optim_result, dufm_optim_result_clear);
  ZERO_AND_NULL(dufm_polish_report, dufm_polish_report_clear);
  ZERO_AND_NULL(dufm_search_plan, dufm_search_plan_clear);
  ZERO_AND_NULL(dufm_search_result, dufm_search_result_clear);
  ZERO_AND_NULL(dufm_search_outcome, dufm_search_outcome_clear);
  ZERO_AND_NULL(dufm_atlas_spec, dufm_atlas_spec_clear);
  ZERO_AND_NULL(dufm_atlas_entry, dufm_atlas_entry_clear);
  ZERO_AND_NULL(dufm_atlas_match, dufm_atlas_match_clear);
  ZERO_AND_NULL(dufm_atlas_job, dufm_atlas_job_clear);
  ZERO_AND_NULL(dufm_atlas_result, dufm_atlas_result_clear);
  ZERO_AND_NULL(dufm_atomic_file, dufm_atomic_file_abort);
  ZERO_AND_NULL(dufm_atomic_dir, dufm_atomic_dir_abort);
  dufm_structure_free(NULL);
  dufm_eval_ws_free(NULL);
  dufm_optim_free(NULL);
  dufm_atlas_free(NULL);
}

/* Failures in the core, model, io and certificate layers, several after part
 * of the record was filled (meta, certificate and atlas spec parsing). */
static void test_failed_fills_low(void) {
  dufm_params p;
  FAILS_THEN_CLEAR(dufm_params_init(&p, 0, 5, 1, NULL), DUFM_EINVAL, dufm_params_clear, p);
  dufm_mat m;
  FAILS_THEN_CLEAR(dufm_mat_init(&m, 0, 3, NULL), DUFM_EINVAL, dufm_mat_clear, m);
  FAILS_THEN_CLEAR(dufm_npy_read(&m, MISSING, NULL), DUFM_EIO, dufm_mat_clear, m);
  dufm_config c, bad = {0};
  int d[] = {3, 0, 4};
  FAILS_THEN_CLEAR(dufm_config_init(&c, 2, d, 4, NULL), DUFM_EINVAL, dufm_config_clear, c);
  FAILS_THEN_CLEAR(dufm_config_load(&c, NULL, MISSING, NULL), DUFM_EIO, dufm_config_clear, c);
  FAILS_THEN_CLEAR(dufm_forward_output(&m, &bad, NULL), DUFM_EINVAL, dufm_mat_clear, m);
  dufm_meta meta;
  static const char partial[] = "{\"format\": \"dufm-meta 1\", \"L\": 2, \"K\": 3, \"n\": 1, "
                                "\"lambda_h\": \"1/250\", \"lambda_w\": [\"1\", \"2\"], \"x";
  FAILS_THEN_CLEAR(dufm_meta_parse(&meta, partial, sizeof partial - 1, "t", NULL), DUFM_EFORMAT,
                   dufm_meta_clear, meta);
  int found;
  GARBAGE(meta);
  CU_ASSERT(dufm_meta_load(&meta, &found, MISSING, NULL) != DUFM_OK || found == 0);
  dufm_meta_clear(&meta);
  dufm_meta_clear(&meta);
  dufm_cert cert;
  static const char cert_text[] = "dufm-certificate 1\nL 2\nK 3\nn 1\nlambda_h 1/250\nbogus\n";
  FAILS_THEN_CLEAR(dufm_cert_parse(&cert, cert_text, sizeof cert_text - 1, "t", NULL), DUFM_EFORMAT,
                   dufm_cert_clear, cert);
  FAILS_THEN_CLEAR(dufm_cert_load(&cert, MISSING, NULL), DUFM_EIO, dufm_cert_clear, cert);
  dufm_atlas_spec spec;
  FAILS_THEN_CLEAR(dufm_atlas_spec_init(&spec, 0, 2, 2, 3, 1, "0.004", 10000, 0, NULL), DUFM_EINVAL,
                   dufm_atlas_spec_clear, spec);
  FAILS_THEN_CLEAR(dufm_atlas_spec_init(&spec, 1, 2, 2, 3, 1, "-1", 10000, 0, NULL), DUFM_EINVAL,
                   dufm_atlas_spec_clear, spec);
  dufm_atlas_entry entry;
  FAILS_THEN_CLEAR(dufm_atlas_entry_read(&entry, MISSING, NULL), DUFM_EIO, dufm_atlas_entry_clear,
                   entry);
  dufm_atlas_job job;
  const unsigned char junk[8] = {1, 2, 3};
  FAILS_THEN_CLEAR(dufm_atlas_job_unpack(&job, junk, sizeof junk, NULL), DUFM_EFORMAT,
                   dufm_atlas_job_clear, job);
  dufm_atlas_result res;
  FAILS_THEN_CLEAR(dufm_atlas_result_unpack(&res, junk, sizeof junk, NULL), DUFM_EFORMAT,
                   dufm_atlas_result_clear, res);
}

/* Failures of the structure, analysis, optim and search layers at parameters
 * the input does not match. */
static void test_failed_fills_high(void) {
  dufm_params p;
  tu_params(&p, 3, 7, 1, "0.004"); /* srg:4 has K = 6, not 7 */
  dufm_structure *s = (dufm_structure *)&p;
  dufm_err err;
  CU_ASSERT(dufm_structure_parse(&s, "srg:4+", &err) == DUFM_EFORMAT && s == NULL);
  CU_ASSERT_FATAL(dufm_structure_parse(&s, "srg:4", NULL) == DUFM_OK);
  dufm_structure_eval e;
  FAILS_THEN_CLEAR(dufm_structure_evaluate(&e, s, &p, NULL), DUFM_EINVAL, dufm_structure_eval_clear,
                   e);
  dufm_config c;
  FAILS_THEN_CLEAR(dufm_structure_build(&c, s, &p, DUFM_FORM_SAMPLES, NULL), DUFM_EINVAL,
                   dufm_config_clear, c);
  FAILS_THEN_CLEAR(dufm_structure_materialize(&c, s, &p, DUFM_FORM_SAMPLES, NULL), DUFM_EINVAL,
                   dufm_config_clear, c);
  dufm_cert cert;
  FAILS_THEN_CLEAR(dufm_cert_make(&cert, s, &p, NULL), DUFM_EINVAL, dufm_cert_clear, cert);
  /* x: a configuration for K = 6 classes, which p (K = 7) does not match */
  dufm_params p6;
  tu_params(&p6, 3, 6, 1, "0.004");
  dufm_config x;
  CU_ASSERT_FATAL(dufm_structure_materialize(&x, s, &p6, DUFM_FORM_SAMPLES, NULL) == DUFM_OK);
  dufm_analysis a;
  FAILS_THEN_CLEAR(dufm_analyze(&a, &x, &p, NULL, NULL), DUFM_EINVAL, dufm_analysis_clear, a);
  dufm_pattern pt;
  FAILS_THEN_CLEAR(dufm_pattern_extract(&pt, &x, &p, NULL, NULL), DUFM_EINVAL, dufm_pattern_clear,
                   pt);
  dufm_mat m;
  FAILS_THEN_CLEAR(dufm_class_means(&m, &x.H1, 0, NULL), DUFM_EINVAL, dufm_mat_clear, m);
  dufm_polish_report rep;
  FAILS_THEN_CLEAR(dufm_polish_inspect(&rep, &x, &p, NULL), DUFM_EINVAL, dufm_polish_report_clear,
                   rep);
  FAILS_THEN_CLEAR(dufm_optim_init_gaussian(&c, 3, x.d, x.cols, -1.0, 1, NULL), DUFM_EINVAL,
                   dufm_config_clear, c);
  int narrow[] = {1, 1, 1, 6};
  FAILS_THEN_CLEAR(dufm_optim_init_embed(&c, &x, narrow, 0.0, 1, NULL), DUFM_EINVAL,
                   dufm_config_clear, c);
  dufm_optim_opts oo;
  dufm_optim_opts_default(&oo);
  oo.iters = 0;
  dufm_optim_result r;
  FAILS_THEN_CLEAR(dufm_optim_run(&r, &x, &p6, &oo, NULL), DUFM_EINVAL, dufm_optim_result_clear, r);
  dufm_optim *solver = (dufm_optim *)&p;
  CU_ASSERT(dufm_optim_alloc(&solver, 3, x.d, x.cols, &oo, NULL) == DUFM_EINVAL && solver == NULL);
  FAILS_THEN_CLEAR(dufm_search_lift(&c, &x, 0, &p6, NULL), DUFM_EINVAL, dufm_config_clear, c);
  FAILS_THEN_CLEAR(dufm_search_delete_class(&c, &x, 1, -1, NULL), DUFM_EINVAL, dufm_config_clear,
                   c);
  dufm_search_opts so;
  dufm_search_opts_default(&so);
  so.budget = 10;
  dufm_search_plan plan;
  FAILS_THEN_CLEAR(dufm_search_plan_init(&plan, &p6, &so, 0.0, NULL), DUFM_EINVAL,
                   dufm_search_plan_clear, plan);
  dufm_search_outcome out;
  FAILS_THEN_CLEAR(dufm_search(&out, &p6, &so, NULL, 0, NULL), DUFM_EINVAL,
                   dufm_search_outcome_clear, out);
  dufm_config_clear(&x);
  dufm_structure_free(s);
  dufm_params_clear(&p6);
  dufm_params_clear(&p);
}

int main(void) {
  CU_TestInfo tests[] = {
      {"clear: NULL, zero-filled, twice", test_clear_zero_and_null},
      {"failed fills then clear (core, io, certificate, atlas)", test_failed_fills_low},
      {"failed fills then clear (structure, analysis, optim, search)", test_failed_fills_high},
      CU_TEST_INFO_NULL};
  return tu_run_suite("ownership", tests);
}
