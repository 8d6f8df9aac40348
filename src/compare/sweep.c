/* One point of a sweep (dufm_sweep_point_eval): the numbers table, plot ratio
 * and the paper's ratio experiment share, read from one comparison. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "dufm/compare.h"

dufm_status dufm_sweep_point_from(dufm_sweep_point *out, const dufm_comparison *cmp,
                                  const dufm_params *p, dufm_err *err) {
  memset(out, 0, sizeof *out);
  const dufm_candidate *dnc = &cmp->cand[cmp->dnc_index], *best = &cmp->cand[cmp->best_index];
  int c = dufm_comparison_find(cmp, DUFM_ORIGIN_PAPER);
  const dufm_candidate *srg = c >= 0 ? &cmp->cand[c] : NULL;
  out->L = p->L, out->K = p->K, out->n = p->n;
  out->dnc_loss = dnc->eval.loss;
  out->dnc_regime = dnc->eval.regime;
  out->has_paper = srg != NULL;
  out->srg_loss = srg ? srg->eval.loss : NAN;
  out->srg_ratio = srg ? srg->ratio_to_dnc : NAN;
  out->srg_vs_dnc = srg ? srg->vs_dnc : DUFM_CMP_UNDECIDED;
  out->best_loss = best->eval.loss;
  out->best_ratio = best->ratio_to_dnc;
  out->best_vs_dnc = best->vs_dnc;
  out->lower_bound = cmp->lower_bound.lower;
  out->verdict = cmp->verdict;
  out->evidence = cmp->evidence;
  if ((out->best = strdup(dufm_structure_name(best->structure))) == NULL)
    return dufm_err_set(err, DUFM_ENOMEM, "out of memory for a structure name");
  return DUFM_OK;
}

dufm_status dufm_sweep_point_eval(dufm_sweep_point *out, const dufm_params *p,
                                  const dufm_compare_opts *o, dufm_err *err) {
  memset(out, 0, sizeof *out);
  dufm_compare_opts def;
  if (o == NULL) {
    dufm_compare_opts_default(&def);
    o = &def;
  }
  dufm_comparison cmp;
  dufm_status st = dufm_compare(&cmp, p, o, err);
  if (st == DUFM_OK)
    st = dufm_sweep_point_from(out, &cmp, p, err);
  dufm_comparison_clear(&cmp);
  return st;
}

void dufm_sweep_point_clear(dufm_sweep_point *pt) {
  if (pt == NULL)
    return;
  free(pt->best);
  memset(pt, 0, sizeof *pt);
}
