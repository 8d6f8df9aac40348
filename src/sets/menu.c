/* The compare menu of set systems (docs/theory.md section 9) and
 * dufm_sets_compare. */
#include <math.h>
#include <stddef.h>
#include <string.h>

#include "dufm/sets.h"

/* The set systems observed below DNC at small K (lambda = 0.004, n = 1),
 * written in the inline grammar of dufm/sets.h. */
static const struct {
  int K;
  const char *spec;
} menu[] = {
    {3, "sets:01,0,1"},            /* {a,b}, {a}, {b}: rank 2 */
    {4, "sets:0,1,2,012"},         /* a star: {a}, {b}, {c}, {a,b,c} */
    {5, "sets:01,12,23,03,0123"},  /* the 4-cycle's edges and all four types */
    {6, "sets:01,02,03,12,13,23"}, /* edges of K_4, one-class last layer */
    {6, "sets:01,02,03,12,13,23/last:0,1,2,3,4,5,012,034,135,245"}, /* + stars */
};

const char *dufm_sets_menu_spec(int K, int i) {
  for (size_t k = 0; k < sizeof menu / sizeof menu[0]; k++)
    if (menu[k].K == K && i-- == 0)
      return menu[k].spec;
  return NULL;
}

dufm_status dufm_sets_compare(dufm_comparison *out, const dufm_params *p,
                              const dufm_compare_opts *o, dufm_err *err) {
  dufm_status st = dufm_compare(out, p, o, err);
  const char *spec;
  for (int i = 0; st == DUFM_OK && p->L >= 2 && (spec = dufm_sets_menu_spec(p->K, i)) != NULL;
       i++) {
    dufm_structure *s = NULL;
    dufm_sets_solution sol;
    dufm_candidate cand = {0};
    st = dufm_structure_parse(&s, spec, err);
    if (st != DUFM_OK)
      break;
    st = dufm_sets_solve(&sol, s, p, NULL, err);
    if (st == DUFM_OK)
      st = dufm_sets_candidate(&cand, s, DUFM_ORIGIN_SETS, &sol, p, &out->cand[out->dnc_index].eval,
                               err);
    dufm_sets_solution_clear(&sol);
    if (st == DUFM_EINVAL || st == DUFM_ENOTAPPLICABLE) {
      /* Not realizable at this depth: listed as not applicable. */
      dufm_err ignored;
      dufm_structure_eval_clear(&cand.eval);
      cand = (dufm_candidate){
          .structure = s, .origin = DUFM_ORIGIN_SETS, .vs_dnc = DUFM_CMP_UNDECIDED};
      dufm_structure_evaluate(&cand.eval, s, p, &ignored);
      cand.eval.applicable = 0;
      st = DUFM_OK;
    }
    if (st == DUFM_OK) {
      st = dufm_comparison_add(out, &cand, err); /* takes s */
    } else {
      dufm_structure_eval_clear(&cand.eval);
      dufm_structure_free(s);
    }
  }
  return st;
}
