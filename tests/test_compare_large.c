/* The large-K block rule (dufm/compare.h): a restriction of the full block DP,
 * so its composition is never exactly below the full DP's; equal where the
 * full DP's best composition has one block on K_r (r among the largest) plus
 * blocks of at most DUFM_COMPARE_SMALL_BLOCK classes. Both sides are the
 * structure module's exact evaluations of the chosen compositions. */
#include <stdio.h>
#include <string.h>

#include "dufm/compare.h"
#include "testutil.h"

/* The blocks candidate of a comparison (NULL: none) under a full-DP limit. */
static dufm_status run(dufm_comparison *c, const dufm_params *p, int limit) {
  dufm_compare_opts o;
  dufm_compare_opts_default(&o);
  o.full_dp_max_k = limit;
  return dufm_compare(c, p, &o, NULL);
}

static const dufm_candidate *blocks(const dufm_comparison *c) {
  int i = dufm_comparison_find(c, DUFM_ORIGIN_BLOCKS);
  return i >= 0 ? &c->cand[i] : NULL;
}

/* Exact loss of the rule's candidate (or DNC when it has none) against the
 * full DP's (or DNC). */
static dufm_cmp rule_vs_full(const dufm_comparison *rule, const dufm_comparison *full) {
  const dufm_candidate *a = blocks(rule), *b = blocks(full);
  if (a == NULL)
    a = &rule->cand[rule->dnc_index];
  if (b == NULL)
    b = &full->cand[full->dnc_index];
  return dufm_structure_compare(&a->eval, &b->eval);
}

/* Sorted '+'-separated parts of a composition name, for an order-free match. */
static int same_parts(const char *a, const char *b) {
  char x[4096], y[4096];
  char *px[256], *py[256];
  int nx = 0, ny = 0;
  snprintf(x, sizeof x, "%s", a);
  snprintf(y, sizeof y, "%s", b);
  for (char *s = strtok(x, "+"); s && nx < 256; s = strtok(NULL, "+"))
    px[nx++] = s;
  for (char *s = strtok(y, "+"); s && ny < 256; s = strtok(NULL, "+"))
    py[ny++] = s;
  if (nx != ny)
    return 0;
  int used[256] = {0};
  for (int i = 0; i < nx; i++) {
    int found = 0;
    for (int j = 0; j < ny && !found; j++)
      if (!used[j] && strcmp(px[i], py[j]) == 0)
        used[j] = found = 1;
    if (!found)
      return 0;
  }
  return 1;
}

/* Documented cases: the full DP picks clique:r:... on the largest K_r plus
 * small blocks or DNC classes (e.g. L = 2, K = 1000: clique:45:23+dnc:10;
 * L = 3, K = 1000: clique:5:3+clique:45:23). The rule finds the same
 * composition, so the same exact loss. */
static void test_equal_on_documented_cases(void) {
  const int Ks[] = {300, 1000, 1500};
  for (int a = 0; a < 3; a++)
    for (int L = 2; L <= 4; L++) {
      dufm_params p;
      dufm_comparison full, rule;
      tu_params(&p, L, Ks[a], 1, "0.0001");
      CU_ASSERT_FATAL(run(&full, &p, 100000) == DUFM_OK);
      CU_ASSERT_FATAL(run(&rule, &p, 1) == DUFM_OK);
      CU_ASSERT_EQUAL(full.block_rule, DUFM_BLOCK_RULE_FULL);
      CU_ASSERT_EQUAL(rule.block_rule, DUFM_BLOCK_RULE_LARGE_K);
      const dufm_candidate *f = blocks(&full), *r = blocks(&rule);
      /* K = 300 = 25 * 24 / 2: the single clique:25:13 wins, no mix on either side. */
      CU_ASSERT_FATAL((f == NULL) == (r == NULL) && (f != NULL || Ks[a] == 300));
      if (f != NULL)
        CU_ASSERT(same_parts(dufm_structure_name(f->structure), dufm_structure_name(r->structure)));
      CU_ASSERT_EQUAL(rule_vs_full(&rule, &full), DUFM_CMP_EQUAL);
      if (f != NULL && rule_vs_full(&rule, &full) != DUFM_CMP_EQUAL)
        printf("\n  L = %d K = %d: full %s, rule %s\n", L, Ks[a], dufm_structure_name(f->structure),
               dufm_structure_name(r->structure));
      dufm_comparison_clear(&full);
      dufm_comparison_clear(&rule);
      dufm_params_clear(&p);
    }
}

/* Seeded (L, K, lambda, n): the rule's result is never exactly below the full
 * DP's, and its candidate (when any) is exactly below DNC. */
static void test_never_better_than_full(void) {
  const char *lams[] = {"0.01", "0.001", "0.0001", "0.00001", "1e-7"};
  int runs = tu_iterations(12);
  for (int t = 0; t < runs; t++) {
    int L = 2 + (int)(tu_urand() * 4), K = 20 + (int)(tu_urand() * 500);
    int n = 1 + (int)(tu_urand() * 3);
    const char *lam = lams[(int)(tu_urand() * 5)];
    dufm_params p;
    dufm_comparison full, rule;
    tu_params(&p, L, K, n, lam);
    CU_ASSERT_FATAL(run(&full, &p, 100000) == DUFM_OK);
    CU_ASSERT_FATAL(run(&rule, &p, 1) == DUFM_OK);
    dufm_cmp c = rule_vs_full(&rule, &full);
    CU_ASSERT(c == DUFM_CMP_EQUAL || c == DUFM_CMP_ABOVE);
    if (c == DUFM_CMP_BELOW)
      printf("\n  L = %d K = %d n = %d lambda = %s: the rule beat the full DP\n", L, K, n, lam);
    const dufm_candidate *r = blocks(&rule);
    if (r != NULL)
      CU_ASSERT_EQUAL(r->vs_dnc, DUFM_CMP_BELOW);
    dufm_comparison_clear(&full);
    dufm_comparison_clear(&rule);
    dufm_params_clear(&p);
  }
}

/* Beyond the default limit the rule runs by itself; no blocks: "none". */
static void test_rule_names(void) {
  dufm_params p;
  dufm_comparison c;
  tu_params(&p, 2, DUFM_COMPARE_FULL_DP_MAX_K + 1, 1, "0.00001");
  CU_ASSERT_FATAL(dufm_compare(&c, &p, NULL, NULL) == DUFM_OK);
  CU_ASSERT_EQUAL(c.block_rule, DUFM_BLOCK_RULE_LARGE_K);
  CU_ASSERT_STRING_EQUAL(dufm_block_rule_name(c.block_rule), "large-K");
  dufm_comparison_clear(&c);
  dufm_compare_opts o;
  dufm_compare_opts_default(&o);
  o.blocks = 0;
  CU_ASSERT_FATAL(dufm_compare(&c, &p, &o, NULL) == DUFM_OK);
  CU_ASSERT_EQUAL(c.block_rule, DUFM_BLOCK_RULE_NONE);
  dufm_comparison_clear(&c);
  dufm_params_clear(&p);
}

int main(void) {
  CU_TestInfo tests[] = {
      {"equal to the full DP on documented cases", test_equal_on_documented_cases},
      {"never better than the full DP", test_never_better_than_full},
      {"rule names", test_rule_names},
      CU_TEST_INFO_NULL};
  return tu_run_suite("compare_large", tests);
}
