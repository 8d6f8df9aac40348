/* Certificates (dufm/certificate.h): the writer's claims against the closed
 * forms and an independent exact re-derivation (cert_reference.h); round
 * trips, file errors and random parameters. Parser strictness and mutations:
 * test_certificate_parse.c. */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cert_reference.h"
#include "dufm/certificate.h"
#include "dufm/compare.h"
#include "dufm/dnc.h"
#include "dufm/rational.h"
#include "testutil.h"

/* Certificate of spec at (L, lambda for every strength, n = 1); K from spec. */
static dufm_status make(dufm_cert *c, const char *spec, int L, const char *lambda) {
  dufm_structure *s = NULL;
  dufm_params p = {0};
  dufm_err err;
  dufm_status st = dufm_structure_parse(&s, spec, &err);
  if (st == DUFM_OK)
    st = dufm_params_init(&p, L, dufm_structure_K(s), 1, &err);
  if (st == DUFM_OK)
    st = dufm_params_set_lambda(&p, DUFM_LAMBDA_ALL, lambda, &err);
  if (st == DUFM_OK)
    st = dufm_cert_make(c, s, &p, &err);
  if (st != DUFM_OK)
    fprintf(stderr, "\n  make %s L=%d: %s\n", spec, L, err.msg);
  dufm_structure_free(s);
  dufm_params_clear(&p);
  return st;
}

static dufm_cert_result check(const dufm_cert *c) {
  dufm_cert_report r;
  dufm_err err;
  dufm_status st = dufm_cert_check(&r, c, &err);
  CU_ASSERT_EQUAL(st, DUFM_OK);
  dufm_cert_result res = r.result;
  /* The checker's loss is the independent one, whatever the verdict. */
  mpq_t ref;
  mpq_init(ref);
  ref_loss(ref, c);
  CU_ASSERT(mpq_equal(ref, r.loss));
  mpq_clear(ref);
  dufm_cert_report_clear(&r);
  return res;
}

/* Valid, proven by the reference, and consistent with the closed forms: the
 * loss matches the structure's and the bound sits just below F_DNC. */
static void expect_valid(const char *spec, int L, const char *lambda) {
  dufm_cert c;
  if (make(&c, spec, L, lambda) != DUFM_OK) {
    CU_FAIL("make failed");
    return;
  }
  CU_ASSERT_EQUAL(check(&c), DUFM_CERT_VALID);
  CU_ASSERT(ref_claim_holds(&c));
  dufm_gl dnc;
  CU_ASSERT_EQUAL(dufm_dnc_eval(&dnc, &c.p, NULL), DUFM_OK);
  double bound = dufm_q_get_d(c.bound);
  CU_ASSERT(bound <= dnc.upper);
  TU_ASSERT_CLOSE(bound, dnc.value, 1e-11, 0.0);
  dufm_structure *s = NULL;
  dufm_structure_eval e;
  CU_ASSERT_EQUAL(dufm_structure_parse(&s, c.structure, NULL), DUFM_OK);
  CU_ASSERT_EQUAL(dufm_structure_evaluate(&e, s, &c.p, NULL), DUFM_OK);
  TU_ASSERT_CLOSE(dufm_q_get_d(c.loss), e.loss, 1e-10, 0.0);
  dufm_structure_eval_clear(&e);
  dufm_structure_free(s);
  dufm_cert_clear(&c);
}

static void test_srg5_valid(void) { expect_valid("srg:5", 4, "0.004"); }

/* The paper's construction never beats DNC at L = 3: the claim is false and
 * every other check passes (certify refuses on exactly this result). */
static void test_srg5_l3_claim_false(void) {
  dufm_cert c;
  CU_ASSERT_EQUAL_FATAL(make(&c, "srg:5", 3, "0.004"), DUFM_OK);
  CU_ASSERT_EQUAL(check(&c), DUFM_CERT_CLAIM_FALSE);
  CU_ASSERT(!ref_claim_holds(&c));
  dufm_cert_clear(&c);
}

static void test_cliques_valid(void) {
  expect_valid("clique:5:2,3", 3, "0.004"); /* beats DNC at depth 3 */
  expect_valid("clique:5:2,3", 4, "0.004");
  expect_valid("clique:4:2,3", 4, "0.004");
  expect_valid("clique:5:2@1,3@sqrt(2)", 4, "0.004"); /* rounded to rational rho */
}

/* Optimized weights that are not rational squares are replaced by rational rho. */
static void test_square_weights(void) {
  dufm_cert c;
  CU_ASSERT_EQUAL_FATAL(make(&c, "clique:6:2,5", 4, "0.004"), DUFM_OK);
  CU_ASSERT(strchr(c.structure, '@') != NULL);
  dufm_cert_clear(&c);
  expect_valid("clique:6:2,5", 4, "0.004");
  expect_valid("clique:5:2..5+dnc:2", 4, "0.004"); /* a composition */
  expect_valid("clique:6:2,5+dnc:3", 4, "0.004");
}

/* srg:10 at L = 5: DNC sits at the zero solution, s_lo = 1/L, bound 1/2. */
static void test_zero_regime(void) {
  dufm_cert c;
  CU_ASSERT_EQUAL_FATAL(make(&c, "srg:10", 5, "0.004"), DUFM_OK);
  CU_ASSERT(c.zero_regime);
  CU_ASSERT_EQUAL(mpq_cmp_ui(c.s_lo, 1, 5), 0);
  CU_ASSERT_EQUAL(mpq_cmp_ui(c.bound, 1, 2), 0);
  CU_ASSERT_EQUAL(check(&c), DUFM_CERT_VALID);
  CU_ASSERT(ref_claim_holds(&c));
  dufm_cert_clear(&c);
}

static char *text_of(const dufm_cert *c, size_t *len) {
  char *buf = NULL;
  FILE *f = open_memstream(&buf, len);
  CU_ASSERT_EQUAL(dufm_cert_write(f, c, NULL), DUFM_OK);
  fclose(f);
  return buf;
}

static void test_roundtrip(void) {
  dufm_cert c, d;
  CU_ASSERT_EQUAL_FATAL(make(&c, "clique:5:2,3", 4, "1/300"), DUFM_OK);
  size_t n1, n2;
  char *t1 = text_of(&c, &n1);
  dufm_err err;
  CU_ASSERT_EQUAL_FATAL(dufm_cert_parse(&d, t1, n1, "mem", &err), DUFM_OK);
  char *t2 = text_of(&d, &n2);
  CU_ASSERT(n1 == n2 && memcmp(t1, t2, n1) == 0);
  CU_ASSERT_EQUAL(check(&d), DUFM_CERT_VALID);
  const char *dir = tu_tmpdir();
  char path[512];
  snprintf(path, sizeof path, "%s/c.cert", dir);
  dufm_cert e;
  CU_ASSERT_EQUAL(dufm_cert_save(path, &c, &err), DUFM_OK);
  CU_ASSERT_EQUAL(dufm_cert_load(&e, path, &err), DUFM_OK);
  CU_ASSERT(mpq_equal(e.loss, c.loss) && e.p.L == 4);
  dufm_cert_clear(&e);
  unlink(path);
  rmdir(dir);
  free(t1);
  free(t2);
  dufm_cert_clear(&c);
  dufm_cert_clear(&d);
}

static void test_io_errors(void) {
  dufm_cert c, d;
  dufm_err err;
  const char *dir = tu_tmpdir();
  char path[512];
  snprintf(path, sizeof path, "%s/missing/c.cert", dir);
  CU_ASSERT_EQUAL(dufm_cert_load(&d, path, &err), DUFM_EIO);
  CU_ASSERT(strstr(err.msg, path) != NULL);
  CU_ASSERT_EQUAL(dufm_cert_load(&d, dir, &err), DUFM_EIO); /* a folder */
  CU_ASSERT_EQUAL_FATAL(make(&c, "srg:5", 4, "0.004"), DUFM_OK);
  CU_ASSERT_EQUAL(dufm_cert_save(path, &c, &err), DUFM_EINVAL); /* refused before writing */
  CU_ASSERT(strstr(err.msg, path) != NULL);
  struct stat sb;
  CU_ASSERT(stat(path, &sb) != 0);
  CU_ASSERT_EQUAL(rmdir(dir), 0); /* nothing was left behind */
  dufm_cert_clear(&c);
  dufm_cert zero = {0};
  dufm_cert_report r;
  CU_ASSERT_EQUAL(dufm_cert_check(&r, &zero, &err), DUFM_EINVAL);
  dufm_cert_report_clear(&r);
  dufm_cert_clear(&zero);
}

/* Random depths and lambdas: the checker's verdict is the reference's, and it
 * agrees with the exact closed-form comparison whenever the margin is not tiny. */
static void test_random_parameters(void) {
  /* The last graph is bipartite: P_B has entries 1 - 1/5 and +-1/5. */
  const char *specs[] = {"srg:5",        "clique:5:2,3",          "srg:4",
                         "clique:4:2,3", "graph:0-1,1-2,2-0,2-3", "graph:0-1,1-2,2-3,3-0,0-4"};
  srand(12345);
  for (int it = 0; it < tu_iterations(12); it++) {
    const char *spec = specs[rand() % 6];
    int L = 2 + rand() % 5;
    char lambda[32];
    snprintf(lambda, sizeof lambda, "%de-%d", 1 + rand() % 9, 2 + rand() % 3);
    dufm_cert c;
    if (make(&c, spec, L, lambda) != DUFM_OK) {
      CU_FAIL("make failed");
      continue;
    }
    dufm_cert_result res = check(&c);
    CU_ASSERT(res == DUFM_CERT_VALID || res == DUFM_CERT_CLAIM_FALSE);
    CU_ASSERT_EQUAL(res == DUFM_CERT_VALID, ref_claim_holds(&c));
    dufm_structure *s = NULL, *dnc = NULL;
    dufm_structure_eval e, f;
    dufm_structure_parse(&s, c.structure, NULL);
    dufm_structure_dnc(&dnc, 0, NULL);
    CU_ASSERT_EQUAL(dufm_structure_evaluate(&e, s, &c.p, NULL), DUFM_OK);
    CU_ASSERT_EQUAL(dufm_structure_evaluate(&f, dnc, &c.p, NULL), DUFM_OK);
    double gap = (f.loss - e.loss) / f.loss;
    if (gap > 1e-9 && res != DUFM_CERT_VALID)
      fprintf(stderr, "\n  %s L=%d lambda=%s: beats DNC by %g but no certificate\n", spec, L,
              lambda, gap);
    CU_ASSERT(gap <= 1e-9 || res == DUFM_CERT_VALID);
    CU_ASSERT(res != DUFM_CERT_VALID || dufm_structure_compare(&e, &f) == DUFM_CMP_BELOW);
    dufm_structure_eval_clear(&e);
    dufm_structure_eval_clear(&f);
    dufm_structure_free(s);
    dufm_structure_free(dnc);
    dufm_cert_clear(&c);
  }
}

int main(void) {
  CU_TestInfo tests[] = {{"srg:5 at L = 4 is certified", test_srg5_valid},
                         {"srg:5 at L = 3: claim false", test_srg5_l3_claim_false},
                         {"clique certificates", test_cliques_valid},
                         {"rational square weights and compositions", test_square_weights},
                         {"zero regime of DNC", test_zero_regime},
                         {"write, parse, save, load", test_roundtrip},
                         {"file errors and empty certificates", test_io_errors},
                         {"random parameters vs reference", test_random_parameters},
                         CU_TEST_INFO_NULL};
  return tu_run_suite("certificate", tests);
}
