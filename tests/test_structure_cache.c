/* The clique weight optimizer runs at the first evaluation of a structure (or
 * dufm_structure_optimize), not at parse, and its result stays in the
 * structure (reads the internal record: an internal suite). */
#include <CUnit/CUnit.h>
#include <string.h>

#include "dufm/structure.h"
#include "structure/structure_internal.h"
#include "testutil.h"

static dufm_structure *parse_ok(const char *spec) {
  dufm_structure *s = NULL;
  dufm_err err;
  if (dufm_structure_parse(&s, spec, &err) != DUFM_OK)
    fprintf(stderr, "\n  '%s' rejected: %s\n", spec, err.msg);
  CU_ASSERT_FATAL(s != NULL);
  return s;
}

static void test_deferred(void) {
  dufm_structure *s = parse_ok("dnc:2+clique:5:2..5");
  const char *before = dufm_structure_name(s);
  /* parse only recorded the sizes: the provisional name lists them all */
  CU_ASSERT_STRING_EQUAL(before, "dnc:2+clique:5:2..5");
  CU_ASSERT(s->pending && s->parts[1]->pending && s->parts[1]->nk == 4);
  dufm_params p;
  tu_params(&p, 3, 12, 1, "0.001");
  dufm_structure_eval e1, e2;
  CU_ASSERT_FATAL(dufm_structure_evaluate(&e1, s, &p, NULL) == DUFM_OK);
  CU_ASSERT(!s->pending && !s->parts[1]->pending && s->parts[1]->nk == 1);
  CU_ASSERT_STRING_EQUAL(dufm_structure_name(s), "dnc:2+clique:5:3");
  CU_ASSERT_STRING_EQUAL(before, "dnc:2+clique:5:2..5"); /* still valid (ASan) */
  /* the second evaluation finds the weights settled: nothing is redone */
  const char *name = dufm_structure_name(s);
  mpq_t *z = s->parts[1]->z;
  CU_ASSERT_FATAL(dufm_structure_evaluate(&e2, s, &p, NULL) == DUFM_OK);
  CU_ASSERT(s->parts[1]->z == z && dufm_structure_name(s) == name);
  const dufm_structure_eval *c1 = &e1.blocks.items[1], *c2 = &e2.blocks.items[1];
  CU_ASSERT(c2->clique.optimized && c2->clique.m == 1 && c2->clique.k[0] == 3);
  CU_ASSERT(mpq_equal(c1->clique.z[0], c2->clique.z[0]) && e1.loss == e2.loss);
  CU_ASSERT(c1->clique.opt.product == c2->clique.opt.product);
  CU_ASSERT(dufm_structure_optimize(s, NULL) == DUFM_OK && dufm_structure_name(s) == name);
  CU_ASSERT(dufm_structure_optimize(NULL, NULL) == DUFM_EINVAL);
  dufm_structure_eval_clear(&e1);
  dufm_structure_eval_clear(&e2);
  dufm_structure_free(s);
  dufm_params_clear(&p);
}

/* An explicit dufm_structure_optimize gives the name the menu, tables and paper
 * print; fixed weights are final at once; hopeless sizes fail at parse. */
static void test_explicit(void) {
  dufm_structure *s = parse_ok("clique:6:2,3");
  CU_ASSERT(s->pending && s->opt.iterations == 0);
  CU_ASSERT(dufm_structure_optimize(s, NULL) == DUFM_OK);
  CU_ASSERT(!s->pending && s->optimized && s->opt.product > 0.0);
  CU_ASSERT_STRING_EQUAL(dufm_structure_name(s), "clique:6:3"); /* z_2 = 0 on K_6 */
  dufm_structure_free(s);
  s = parse_ok("clique:5:2@0,3@1");
  CU_ASSERT(!s->pending && !s->optimized);
  CU_ASSERT_STRING_EQUAL(dufm_structure_name(s), "clique:5:3@1");
  dufm_structure_free(s);
  dufm_err err;
  CU_ASSERT(dufm_structure_parse(&s, "clique:5:4,5", &err) == DUFM_EINVAL && s == NULL);
  CU_ASSERT(strstr(err.msg, "rank-deficient for every choice") != NULL);
  /* a composition of finished parts is finished */
  s = parse_ok("srg:4+clique:5:2@1");
  CU_ASSERT(!s->pending);
  dufm_structure_free(s);
}

int main(void) {
  CU_TestInfo tests[] = {{"optimizer deferred to the first evaluation, then cached", test_deferred},
                         {"explicit optimize, fixed weights, parse errors", test_explicit},
                         CU_TEST_INFO_NULL};
  return tu_run_suite("structure cache", tests);
}
