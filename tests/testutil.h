/* Shared helpers for the CUnit suites. */
#ifndef DUFM_TESTUTIL_H
#define DUFM_TESTUTIL_H

#include <CUnit/CUnit.h>
#include <stdio.h>

#include "dufm/model.h"
#include "dufm/params.h"

/* Machine epsilon multiples, named as in GSL's tests. */
#define TU_DBL_EPS 2.220446049250313e-16
#define TU_TOL1 (16.0 * TU_DBL_EPS)
#define TU_TOL2 (256.0 * TU_DBL_EPS)

/* Nonzero when |a - b| <= atol + rtol * max(|a|, |b|); prints both on failure
 * with the caller's label, so a failure shows every input. */
int tu_close(double a, double b, double rtol, double atol, const char *label);

#define TU_ASSERT_CLOSE(a, b, rtol, atol)                                                          \
  CU_ASSERT(tu_close((a), (b), (rtol), (atol), #a " vs " #b))

/* Path of a file under the source tree's data/ folder (static buffer). */
const char *tu_data_path(const char *name);

/* Fresh empty temporary folder (static buffer); the caller removes it. */
const char *tu_tmpdir(void);

/* Registers one suite of NULL-terminated tests, runs it verbosely, returns the
 * process exit status (0 when every assertion passed). */
int tu_run_suite(const char *name, CU_TestInfo *tests);

/* Uniform in [0, 1) from a fixed xorshift64 sequence (the same every run). */
double tu_urand(void);

/* Initializes p for (L, K, n) with every lambda set from exact text; a failure
 * is a fatal assertion. */
void tu_params(dufm_params *p, int L, int K, int n, const char *lambda);

/* Number of iterations for randomized tests: base times $DUFM_TEST_MULTIPLIER. */
int tu_iterations(int base);

/* 1 when a and b have the same shape and bit-identical H1 and W_l. */
int tu_same_config(const dufm_config *a, const dufm_config *b);

#endif
