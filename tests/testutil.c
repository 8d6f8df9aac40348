#include "testutil.h"

#include <CUnit/Basic.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dufm/process.h"

int tu_close(double a, double b, double rtol, double atol, const char *label) {
  double scale = fmax(fabs(a), fabs(b));
  int ok = isfinite(a) && isfinite(b) ? fabs(a - b) <= atol + rtol * scale : a == b;
  if (!ok)
    fprintf(stderr, "\n  mismatch %s: %.17g vs %.17g (rel diff %.3g, rtol %.3g, atol %.3g)\n",
            label, a, b, scale > 0 ? fabs(a - b) / scale : 0.0, rtol, atol);
  return ok;
}

const char *tu_data_path(const char *name) {
  static char buf[4096];
  snprintf(buf, sizeof buf, "%s/data/%s", DUFM_SOURCE_ROOT, name);
  return buf;
}

const char *tu_tmpdir(void) {
  static char buf[256];
  const char *base = getenv("TMPDIR");
  snprintf(buf, sizeof buf, "%s/dufm-test-XXXXXX", base ? base : "/tmp");
  if (mkdtemp(buf) == NULL)
    return NULL;
  return buf;
}

int tu_iterations(int base) {
  const char *m = getenv("DUFM_TEST_MULTIPLIER");
  int mult = m ? atoi(m) : 1;
  return base * (mult > 0 ? mult : 1);
}

int tu_run_suite(const char *name, CU_TestInfo *tests) {
  dufm_init_process(DUFM_INIT_DEFAULT); /* as the dufm command does */
  if (CU_initialize_registry() != CUE_SUCCESS)
    return 2;
  CU_SuiteInfo suites[] = {{name, NULL, NULL, NULL, NULL, tests}, CU_SUITE_INFO_NULL};
  if (CU_register_suites(suites) != CUE_SUCCESS) {
    CU_cleanup_registry();
    return 2;
  }
  CU_basic_set_mode(CU_BRM_VERBOSE);
  CU_basic_run_tests();
  unsigned failed = CU_get_number_of_failures() + CU_get_number_of_tests_failed();
  unsigned run = CU_get_number_of_tests_run();
  CU_cleanup_registry();
  return (failed == 0 && run > 0) ? 0 : 1;
}

static unsigned long long urand_state = 88172645463325252ULL;

double tu_urand(void) {
  urand_state ^= urand_state << 13;
  urand_state ^= urand_state >> 7;
  urand_state ^= urand_state << 17;
  return (double)(urand_state >> 11) * 0x1p-53;
}

void tu_params(dufm_params *p, int L, int K, int n, const char *lambda) {
  CU_ASSERT_FATAL(dufm_params_init(p, L, K, n, NULL) == DUFM_OK);
  CU_ASSERT_FATAL(dufm_params_set_lambda(p, DUFM_LAMBDA_ALL, lambda, NULL) == DUFM_OK);
}

int tu_same_config(const dufm_config *a, const dufm_config *b) {
  if (a->L != b->L || a->cols != b->cols)
    return 0;
  for (int l = 0; l <= a->L; l++)
    if (a->d[l] != b->d[l])
      return 0;
  if (memcmp(a->H1.data, b->H1.data, (size_t)a->d[0] * a->cols * sizeof(double)) != 0)
    return 0;
  for (int l = 0; l < a->L; l++)
    if (memcmp(a->W[l].data, b->W[l].data, (size_t)a->d[l + 1] * a->d[l] * sizeof(double)) != 0)
      return 0;
  return 1;
}
