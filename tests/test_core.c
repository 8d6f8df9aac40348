/* Exact decimal parsing, parameters and the error record. */
#include <gmp.h>
#include <math.h>
#include <string.h>

#include "dufm/params.h"
#include "dufm/rational.h"
#include "testutil.h"

static int parses_to(const char *text, const char *expected) {
  mpq_t q, e;
  mpq_inits(q, e, NULL);
  int ok = dufm_q_parse(q, text, NULL) == DUFM_OK;
  mpq_set_str(e, expected, 10);
  mpq_canonicalize(e);
  ok = ok && mpq_equal(q, e);
  if (!ok)
    fprintf(stderr, "\n  '%s' did not parse to %s\n", text, expected);
  mpq_clears(q, e, NULL);
  return ok;
}

static void test_parse_exact(void) {
  CU_ASSERT(parses_to("0.004", "1/250"));
  CU_ASSERT(parses_to("4e-3", "1/250"));
  CU_ASSERT(parses_to("4E-3", "1/250"));
  CU_ASSERT(parses_to(".5", "1/2"));
  CU_ASSERT(parses_to("5.", "5"));
  CU_ASSERT(parses_to("-2.50", "-5/2"));
  CU_ASSERT(parses_to("+7", "7"));
  CU_ASSERT(parses_to("1/3", "1/3"));
  CU_ASSERT(parses_to("0.1/0.3", "1/3"));
  CU_ASSERT(parses_to("1e3", "1000"));
  CU_ASSERT(parses_to("0", "0"));
  CU_ASSERT(parses_to("0.1", "1/10"));
}

static void test_parse_rejects(void) {
  const char *bad[] = {"",      " 1",  "1 ",  "abc", "nan", "inf", "-inf", "0x10",      "1e", "1e+",
                       "1.2.3", "--1", "1/0", "1/",  "/2",  ".",   "e5",   "1e1000000", "1,5"};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    mpq_t q;
    mpq_init(q);
    dufm_err err;
    dufm_err_clear(&err);
    dufm_status st = dufm_q_parse(q, bad[i], &err);
    CU_ASSERT(st == DUFM_EFORMAT);
    CU_ASSERT(strlen(err.msg) > 0 && strchr(err.msg, '\n') == NULL);
    if (st == DUFM_OK)
      fprintf(stderr, "\n  '%s' was accepted\n", bad[i]);
    mpq_clear(q);
  }
}

static void test_log_far_outside_double(void) {
  mpq_t q;
  mpq_init(q);
  CU_ASSERT(dufm_q_parse(q, "1e-5000", NULL) == DUFM_OK);
  TU_ASSERT_CLOSE(dufm_q_log(q), -5000.0 * log(10.0), 1e-14, 0);
  CU_ASSERT(dufm_q_get_d(q) == 0.0);
  CU_ASSERT(dufm_q_parse(q, "3e5000", NULL) == DUFM_OK);
  TU_ASSERT_CLOSE(dufm_q_log(q), 5000.0 * log(10.0) + log(3.0), 1e-14, 0);
  CU_ASSERT(isinf(dufm_q_get_d(q)));
  CU_ASSERT(dufm_q_parse(q, "0.004", NULL) == DUFM_OK);
  CU_ASSERT(dufm_q_get_d(q) == 0.004);
  mpq_clear(q);
}

static void test_params(void) {
  dufm_params p;
  dufm_err err;
  CU_ASSERT(dufm_params_init(&p, 0, 10, 1, &err) == DUFM_EINVAL);
  CU_ASSERT(strstr(err.msg, "L = 0") != NULL);
  CU_ASSERT(dufm_params_init(&p, 4, 1, 1, &err) == DUFM_EINVAL);
  CU_ASSERT(strstr(err.msg, "K = 1") != NULL);
  CU_ASSERT(dufm_params_init(&p, 4, 10, 0, &err) == DUFM_EINVAL);
  CU_ASSERT_FATAL(dufm_params_init(&p, 4, 10, 1, &err) == DUFM_OK);
  CU_ASSERT(dufm_params_set_lambda(&p, DUFM_LAMBDA_ALL, "0.004", &err) == DUFM_OK);
  CU_ASSERT(dufm_params_set_lambda(&p, 2, "0.5", &err) == DUFM_OK);
  CU_ASSERT(dufm_params_set_lambda(&p, DUFM_LAMBDA_H, "-1", &err) == DUFM_EINVAL);
  CU_ASSERT(dufm_params_set_lambda(&p, DUFM_LAMBDA_H, "x", &err) == DUFM_EFORMAT);
  CU_ASSERT(dufm_params_set_lambda(&p, 4, "1", &err) == DUFM_EINVAL);
  CU_ASSERT(p.lam_h_d == 0.004 && p.lam_w_d[0] == 0.004 && p.lam_w_d[2] == 0.5);
  CU_ASSERT(mpq_cmp_ui(p.lam_w[1], 1, 250) == 0);
  dufm_params c;
  CU_ASSERT_FATAL(dufm_params_copy(&c, &p, &err) == DUFM_OK);
  CU_ASSERT(mpq_equal(c.lam_w[2], p.lam_w[2]) && c.L == 4 && c.K == 10);
  dufm_params_clear(&c);
  dufm_params_clear(&p);
  dufm_params_clear(&p); /* second clear is a no-op */
}

static void test_err_prefix(void) {
  dufm_err err;
  dufm_err_set(&err, DUFM_EFORMAT, "rule %d", 3);
  dufm_err_prefix(&err, "file %s", "a.npy");
  CU_ASSERT_STRING_EQUAL(err.msg, "file a.npy: rule 3");
  CU_ASSERT_STRING_EQUAL(dufm_status_name(err.status), "format_error");
  CU_ASSERT(dufm_err_set(NULL, DUFM_EIO, "ignored") == DUFM_EIO);
}

int main(void) {
  CU_TestInfo tests[] = {{"parse exact decimals", test_parse_exact},
                         {"parse rejects malformed", test_parse_rejects},
                         {"log outside double range", test_log_far_outside_double},
                         {"params", test_params},
                         {"error prefix", test_err_prefix},
                         CU_TEST_INFO_NULL};
  return tu_run_suite("core", tests);
}
