/* dufm_compare: the menu, the block-composition DP against exhaustive search,
 * the verdict rules, the bracket [lower bound, best] and the ridge relaxation. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dufm/compare.h"
#include "dufm/dnc.h"
#include "testutil.h"

static double eval_spec(const char *spec, const dufm_params *p) {
  dufm_structure *s = NULL;
  dufm_structure_eval e = {0};
  double loss = NAN;
  if (dufm_structure_parse(&s, spec, NULL) == DUFM_OK &&
      dufm_structure_evaluate(&e, s, p, NULL) == DUFM_OK)
    loss = e.loss;
  dufm_structure_eval_clear(&e);
  dufm_structure_free(s);
  return loss;
}

/* Best single low-rank block value (j / K) g_L(...) for j classes inside a
 * K-class problem, by evaluating each single structure of the j-class menu as a
 * block next to DNC filler: value(spec + dnc:(K-j)) - (K-j)/K * F_DNC. */
static double block_value(const char *spec, int j, const dufm_params *p, double dnc) {
  char buf[4096];
  if (j == p->K)
    snprintf(buf, sizeof buf, "%s", spec);
  else
    snprintf(buf, sizeof buf, "%s+dnc:%d", spec, p->K - j);
  return eval_spec(buf, p) - (double)(p->K - j) / p->K * dnc;
}

/* Exhaustive search over multisets of low-rank blocks (sizes from the menu of
 * each j, evaluated through the structure module only), versus the DP's
 * composition inside dufm_compare. Small K keeps the search cheap. */
static void test_dp_matches_exhaustive(void) {
  const int Ls[] = {3, 4, 5};
  const char *lams[] = {"0.004", "0.0001"};
  for (int a = 0; a < 3; a++)
    for (int b = 0; b < 2; b++)
      for (int K = 4; K <= 16; K++) {
        dufm_params p;
        tu_params(&p, Ls[a], K, 1, lams[b]);
        dufm_gl dnc;
        CU_ASSERT_FATAL(dufm_dnc_eval(&dnc, &p, NULL) == DUFM_OK);
        /* v[j]: best value of one low-rank block of j classes. */
        double v[17];
        for (int j = 0; j <= K; j++)
          v[j] = INFINITY;
        for (int j = 2; j <= K; j++) {
          dufm_params q;
          tu_params(&q, Ls[a], j, 1, lams[b]);
          dufm_compare_opts o;
          dufm_compare_opts_default(&o);
          o.blocks = 0;
          dufm_comparison c;
          CU_ASSERT_FATAL(dufm_compare(&c, &q, &o, NULL) == DUFM_OK);
          for (int i = 0; i < c.ncand; i++) {
            if (i == c.dnc_index || !c.cand[i].eval.applicable)
              continue;
            double bv = block_value(dufm_structure_name(c.cand[i].structure), j, &p, dnc.value);
            if (bv < v[j])
              v[j] = bv;
          }
          dufm_comparison_clear(&c);
          dufm_params_clear(&q);
        }
        /* Exhaustive: best[k] over all splits into low-rank blocks and DNC classes. */
        double best[17];
        best[0] = 0;
        for (int k = 1; k <= K; k++) {
          best[k] = best[k - 1] + dnc.value / K;
          for (int j = 2; j <= k; j++)
            if (best[k - j] + v[j] < best[k])
              best[k] = best[k - j] + v[j];
        }
        dufm_comparison c;
        CU_ASSERT_FATAL(dufm_compare(&c, &p, NULL, NULL) == DUFM_OK);
        double got = c.cand[c.best_index].eval.loss;
        CU_ASSERT(tu_close(got, best[K], 1e-12, 1e-15, "DP best vs exhaustive"));
        if (!tu_close(got, best[K], 1e-12, 1e-15, ""))
          fprintf(stderr, "  L=%d K=%d lambda=%s best=%s\n", Ls[a], K, lams[b],
                  dufm_structure_name(c.cand[c.best_index].structure));
        dufm_comparison_clear(&c);
        dufm_params_clear(&p);
      }
}

/* Invariants of every comparison on a grid: sorted losses, DNC present, the
 * verdict follows from the exact comparisons, lower bound <= every loss, ridge
 * <= exact fit (equal for DNC), composition losses re-evaluate identically. */
static void test_invariants(void) {
  const char *lams[] = {"0.004", "0.0001", "0.05"};
  for (int L = 1; L <= 7; L++)
    for (int K = 2; K <= 40; K += (K < 12 ? 1 : 7))
      for (int b = 0; b < 3; b++) {
        dufm_params p;
        tu_params(&p, L, K, 1 + (K % 3), lams[b]);
        dufm_comparison c;
        CU_ASSERT_FATAL(dufm_compare(&c, &p, NULL, NULL) == DUFM_OK);
        int below = 0;
        CU_ASSERT(strcmp(dufm_structure_name(c.cand[c.dnc_index].structure), "dnc") == 0);
        for (int i = 0; i < c.ncand; i++) {
          const dufm_candidate *x = &c.cand[i];
          if (!x->eval.applicable) {
            CU_ASSERT(L == 1);
            continue;
          }
          if (i > 0 && c.cand[i - 1].eval.applicable)
            CU_ASSERT(c.cand[i - 1].eval.loss <= x->eval.loss);
          CU_ASSERT(x->eval.lower <= x->eval.loss && x->eval.loss <= x->eval.upper);
          CU_ASSERT(c.lower_bound.lower <= x->eval.upper);
          below += x->vs_dnc == DUFM_CMP_BELOW;
          /* The exact verdict and the doubles agree. */
          if (x->vs_dnc == DUFM_CMP_BELOW)
            CU_ASSERT(x->eval.upper <= c.cand[c.dnc_index].eval.upper);
          if (x->has_ridge)
            CU_ASSERT(x->ridge.value <= x->eval.loss * (1 + 1e-10) + 1e-15);
          CU_ASSERT(tu_close(eval_spec(dufm_structure_name(x->structure), &p), x->eval.loss, 1e-14,
                             1e-16, "re-evaluated candidate"));
        }
        const dufm_candidate *d = &c.cand[c.dnc_index];
        CU_ASSERT(d->has_ridge && tu_close(d->ridge.value, d->eval.loss, 1e-9, 1e-14, "DNC ridge"));
        if (below > 0)
          CU_ASSERT(c.verdict == DUFM_VERDICT_DNC_NOT_OPTIMAL);
        if (below == 0)
          CU_ASSERT(c.verdict != DUFM_VERDICT_DNC_NOT_OPTIMAL);
        if (c.verdict == DUFM_VERDICT_ZERO_SOLUTION)
          CU_ASSERT(d->eval.regime != DUFM_REGIME_NONZERO && c.cand[c.best_index].eval.loss == 0.5);
        dufm_comparison_clear(&c);
        dufm_params_clear(&p);
      }
}

/* theory section 4: srg:r beats DNC iff 2^(L-3) r < (r-1)^(L-2) while DNC is
 * nonzero; the paper's candidate in the menu must say so. */
static void test_paper_criterion(void) {
  for (int L = 2; L <= 7; L++)
    for (int r = 3; r <= 12; r++) {
      dufm_params p;
      tu_params(&p, L, r * (r - 1) / 2, 1, "0.0001");
      dufm_compare_opts o;
      dufm_compare_opts_default(&o);
      o.blocks = 0;
      dufm_comparison c;
      CU_ASSERT_FATAL(dufm_compare(&c, &p, &o, NULL) == DUFM_OK);
      int i = dufm_comparison_find(&c, DUFM_ORIGIN_PAPER);
      CU_ASSERT_FATAL(i >= 0);
      const dufm_candidate *srg = &c.cand[i];
      CU_ASSERT_STRING_EQUAL(dufm_origin_name(srg->origin), "paper");
      if (c.cand[c.dnc_index].eval.regime == DUFM_REGIME_NONZERO) {
        double lhs = pow(2, L - 3) * r, rhs = pow(r - 1, L - 2);
        CU_ASSERT((srg->vs_dnc == DUFM_CMP_BELOW) == (lhs < rhs));
      }
      dufm_comparison_clear(&c);
      dufm_params_clear(&p);
    }
}

static void test_headline(void) {
  dufm_params p;
  tu_params(&p, 4, 10, 1, "0.004");
  dufm_comparison c;
  CU_ASSERT_FATAL(dufm_compare(&c, &p, NULL, NULL) == DUFM_OK);
  CU_ASSERT(c.verdict == DUFM_VERDICT_DNC_NOT_OPTIMAL);
  /* The best is strictly below srg:5 (clique neurons improve on the paper). */
  CU_ASSERT(c.cand[c.best_index].eval.loss < eval_spec("srg:5", &p));
  dufm_comparison_clear(&c);
  dufm_params_clear(&p);
  /* Huge lambda: everything at the zero solution. */
  tu_params(&p, 4, 10, 1, "1");
  CU_ASSERT_FATAL(dufm_compare(&c, &p, NULL, NULL) == DUFM_OK);
  CU_ASSERT(c.verdict == DUFM_VERDICT_ZERO_SOLUTION);
  dufm_comparison_clear(&c);
  dufm_params_clear(&p);
  /* L = 1: only DNC applies (the UFM), and it is optimal. */
  tu_params(&p, 1, 10, 1, "0.004");
  CU_ASSERT_FATAL(dufm_compare(&c, &p, NULL, NULL) == DUFM_OK);
  CU_ASSERT(c.verdict == DUFM_VERDICT_DNC_BEST_KNOWN);
  dufm_comparison_clear(&c);
  dufm_params_clear(&p);
  /* Large K and L complete (speed is measured in bench/, not here). */
  tu_params(&p, 50, 5000, 1, "0.004");
  CU_ASSERT_FATAL(dufm_compare(&c, &p, NULL, NULL) == DUFM_OK);
  CU_ASSERT(c.ncand >= 1);
  dufm_comparison_clear(&c);
  dufm_params_clear(&p);
}

/* The verdict rule of dufm_comparison_add_search: closed forms first, then a
 * verified certificate; a float loss below DNC alone proves nothing. */
static void test_verdict_rule(void) {
  dufm_params p;
  dufm_comparison c;
  /* (L, K) = (3, 4): no closed form below DNC (checked first). */
  tu_params(&p, 3, 4, 1, "0.004");
  CU_ASSERT_FATAL(dufm_compare(&c, &p, NULL, NULL) == DUFM_OK);
  CU_ASSERT(c.verdict == DUFM_VERDICT_DNC_BEST_KNOWN);
  CU_ASSERT(c.evidence == DUFM_EVIDENCE_NONE);
  CU_ASSERT(c.search == NULL);
  CU_ASSERT(strstr(c.searched, "closed-form menu") == c.searched);
  CU_ASSERT(strstr(c.searched, "no atlas entry, no search") != NULL);
  double dnc = c.cand[c.dnc_index].eval.loss;
  /* A float loss far below DNC without a certificate: still best known. */
  dufm_search_found f = {.loss = 0.5 * dnc, .source = "atlas entry", .budget = 1000, .seed = 7};
  dufm_err err;
  CU_ASSERT_FATAL(dufm_comparison_add_search(&c, &f, &err) == DUFM_OK);
  CU_ASSERT(c.verdict == DUFM_VERDICT_DNC_BEST_KNOWN);
  CU_ASSERT(c.evidence == DUFM_EVIDENCE_NONE);
  CU_ASSERT(c.search->vs_dnc == DUFM_CMP_UNDECIDED);
  CU_ASSERT(strstr(c.searched, "atlas entry: search budget 1000, seed 7") != NULL);
  CU_ASSERT(strstr(c.searched, "not certified below DNC") != NULL);
  /* The same with a verified certificate: not optimal, evidence certificate. */
  f.certificate = "x.cert";
  f.certificate_verified = 1;
  CU_ASSERT_FATAL(dufm_comparison_add_search(&c, &f, &err) == DUFM_OK);
  CU_ASSERT(c.verdict == DUFM_VERDICT_DNC_NOT_OPTIMAL);
  CU_ASSERT(c.evidence == DUFM_EVIDENCE_CERTIFICATE);
  CU_ASSERT(c.search->vs_dnc == DUFM_CMP_BELOW);
  CU_ASSERT(strcmp(c.search->certificate, "x.cert") == 0);
  CU_ASSERT(strstr(c.searched, ", certified below DNC") != NULL);
  /* Above DNC's enclosure: "above"; bad input refused, comparison unchanged. */
  f.certificate_verified = 0;
  f.loss = 2 * dnc;
  CU_ASSERT_FATAL(dufm_comparison_add_search(&c, &f, &err) == DUFM_OK);
  CU_ASSERT(c.search->vs_dnc == DUFM_CMP_ABOVE && c.verdict == DUFM_VERDICT_DNC_BEST_KNOWN);
  f.loss = NAN;
  CU_ASSERT(dufm_comparison_add_search(&c, &f, &err) == DUFM_EINVAL);
  CU_ASSERT(c.search->loss == 2 * dnc);
  dufm_comparison_clear(&c);
  dufm_params_clear(&p);
  /* A closed form exactly below DNC decides first, whatever the search says. */
  tu_params(&p, 4, 10, 1, "0.004");
  CU_ASSERT_FATAL(dufm_compare(&c, &p, NULL, NULL) == DUFM_OK);
  CU_ASSERT(c.verdict == DUFM_VERDICT_DNC_NOT_OPTIMAL && c.evidence == DUFM_EVIDENCE_CLOSED_FORM);
  f = (dufm_search_found){.loss = 0.99 * c.cand[c.best_index].eval.loss, .certificate_verified = 1};
  CU_ASSERT_FATAL(dufm_comparison_add_search(&c, &f, &err) == DUFM_OK);
  CU_ASSERT(c.evidence == DUFM_EVIDENCE_CLOSED_FORM);
  CU_ASSERT(strcmp(c.search->source, "search") == 0);
  dufm_comparison_clear(&c);
  dufm_params_clear(&p);
  /* Zero regime: zero_solution unless a certificate says otherwise. */
  tu_params(&p, 4, 10, 1, "1");
  CU_ASSERT_FATAL(dufm_compare(&c, &p, NULL, NULL) == DUFM_OK);
  CU_ASSERT(c.verdict == DUFM_VERDICT_ZERO_SOLUTION && c.evidence == DUFM_EVIDENCE_NONE);
  f = (dufm_search_found){.loss = 0.4};
  CU_ASSERT_FATAL(dufm_comparison_add_search(&c, &f, &err) == DUFM_OK);
  CU_ASSERT(c.verdict == DUFM_VERDICT_ZERO_SOLUTION);
  f.certificate_verified = 1;
  CU_ASSERT_FATAL(dufm_comparison_add_search(&c, &f, &err) == DUFM_OK);
  CU_ASSERT(c.verdict == DUFM_VERDICT_DNC_NOT_OPTIMAL && c.evidence == DUFM_EVIDENCE_CERTIFICATE);
  dufm_comparison_set_search_note(&c, "atlas not consulted, no search");
  CU_ASSERT(strstr(c.searched, "; atlas not consulted, no search") != NULL);
  dufm_comparison_clear(&c);
  dufm_params_clear(&p);
  CU_ASSERT(strcmp(dufm_verdict_name(DUFM_VERDICT_DNC_BEST_KNOWN), "dnc_best_known") == 0);
  CU_ASSERT(strcmp(dufm_evidence_name(DUFM_EVIDENCE_CLOSED_FORM), "closed_form") == 0);
  CU_ASSERT(strcmp(dufm_origin_name(DUFM_ORIGIN_SEARCH), "search") == 0);
}

int main(void) {
  CU_TestInfo tests[] = {{"verdict rule with search candidates", test_verdict_rule},
                         {"DP equals exhaustive search", test_dp_matches_exhaustive},
                         {"invariants on a grid", test_invariants},
                         {"paper criterion", test_paper_criterion},
                         {"headline and limits", test_headline},
                         CU_TEST_INFO_NULL};
  return tu_run_suite("compare", tests);
}
