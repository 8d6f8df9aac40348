/* dufm_compare: the menu, the exact comparison with DNC and the verdict. */
#include <math.h>
#include <stdlib.h>

#include "compare_internal.h"
#include "dufm/dnc.h"

void dufm_compare_opts_default(dufm_compare_opts *o) {
  o->max_r = 0;
  o->blocks = 1;
  o->cliques = 1;
  o->full_dp_max_k = 0;
  o->progress = NULL;
  o->progress_data = NULL;
}

const char *dufm_block_rule_name(dufm_block_rule r) {
  switch (r) {
  case DUFM_BLOCK_RULE_NONE:
    return "none";
  case DUFM_BLOCK_RULE_FULL:
    return "full";
  case DUFM_BLOCK_RULE_LARGE_K:
    return "large-K";
  }
  return "unknown";
}

const char *dufm_verdict_name(dufm_verdict v) {
  switch (v) {
  case DUFM_VERDICT_DNC_NOT_OPTIMAL:
    return "dnc_not_optimal";
  case DUFM_VERDICT_DNC_BEST_KNOWN:
    return "dnc_best_known";
  case DUFM_VERDICT_ZERO_SOLUTION:
    return "zero_solution";
  }
  return "unknown";
}

const char *dufm_cmp_name(dufm_cmp c) {
  switch (c) {
  case DUFM_CMP_BELOW:
    return "below";
  case DUFM_CMP_EQUAL:
    return "equal";
  case DUFM_CMP_ABOVE:
    return "above";
  case DUFM_CMP_UNDECIDED:
    return "undecided";
  }
  return "unknown";
}

const char *dufm_origin_name(dufm_origin o) {
  switch (o) {
  case DUFM_ORIGIN_DNC:
    return "dnc";
  case DUFM_ORIGIN_PAPER:
    return "paper";
  case DUFM_ORIGIN_CLIQUE:
    return "clique";
  case DUFM_ORIGIN_GRAPH_FAMILY:
    return "graph family";
  case DUFM_ORIGIN_BLOCKS:
    return "blocks (DP)";
  case DUFM_ORIGIN_USER:
    return "user";
  case DUFM_ORIGIN_SEARCH:
    return "search";
  case DUFM_ORIGIN_SETS:
    return "sets";
  }
  return "unknown";
}

int dufm_comparison_find(const dufm_comparison *c, dufm_origin origin) {
  for (int i = 0; i < c->ncand; i++)
    if (c->cand[i].origin == origin && c->cand[i].eval.applicable)
      return i;
  return -1;
}

void dufm_comparison_clear(dufm_comparison *c) {
  if (c == NULL)
    return;
  dufm_i_cand_list list = {c->cand, c->ncand, c->ncand, 0};
  dufm_i_cand_list_clear(&list);
  dufm_i_search_candidate_free(c->search);
  *c = (dufm_comparison){0};
}

/* Applicable candidates first, by loss; ties keep menu order (stable by index). */
static int by_loss(const void *pa, const void *pb) {
  const dufm_candidate *a = pa, *b = pb;
  if (a->eval.applicable != b->eval.applicable)
    return b->eval.applicable - a->eval.applicable;
  if (a->eval.loss != b->eval.loss)
    return a->eval.loss < b->eval.loss ? -1 : 1;
  return 0;
}

/* Sorts the candidates, finds DNC and the best, and sets the verdict
 * (dufm_i_compare_verdict). */
static void decide(dufm_comparison *out, const dufm_structure *dnc_structure) {
  qsort(out->cand, (size_t)out->ncand, sizeof *out->cand, by_loss);
  for (int i = 0; i < out->ncand; i++)
    if (out->cand[i].structure == dnc_structure)
      out->dnc_index = i;
  /* The first applicable candidate has the lowest loss; if DNC ties it exactly,
   * name DNC. */
  out->best_index = out->cand[0].vs_dnc == DUFM_CMP_EQUAL ? out->dnc_index : 0;
  dufm_i_compare_verdict(out);
}

static dufm_status build_menu(dufm_i_cand_list *list, dufm_block_rule *rule, const dufm_params *p,
                              const dufm_compare_opts *o, dufm_err *err) {
  dufm_structure *s = NULL;
  dufm_status st = dufm_structure_dnc(&s, 0, err);
  if (st == DUFM_OK)
    st = dufm_i_cand_push(list, s, DUFM_ORIGIN_DNC, p, err);
  if (st == DUFM_OK && p->L >= 2)
    st = dufm_i_menu_single(list, p->K, p, o, err);
  if (st == DUFM_OK && o->blocks) {
    dufm_structure *blocks = NULL;
    st = dufm_i_best_composition(&blocks, rule, p, o, err);
    if (st == DUFM_OK && blocks != NULL)
      st = dufm_i_cand_push(list, blocks, DUFM_ORIGIN_BLOCKS, p, err);
  }
  return st;
}

dufm_status dufm_compare(dufm_comparison *out, const dufm_params *p, const dufm_compare_opts *o,
                         dufm_err *err) {
  *out = (dufm_comparison){0};
  dufm_compare_opts defaults;
  if (o == NULL) {
    dufm_compare_opts_default(&defaults);
    o = &defaults;
  }
  dufm_i_cand_list list = {0};
  dufm_status st = build_menu(&list, &out->block_rule, p, o, err);
  mpq_t lb;
  mpq_init(lb);
  dufm_lower_bound_qpow(lb, p);
  if (st == DUFM_OK)
    st = dufm_gl_eval(&out->lower_bound, p->L, lb, err);
  mpq_clear(lb);
  out->cand = list.items;
  out->ncand = list.count;
  if (st != DUFM_OK)
    return st;
  /* DNC is pushed first. */
  list.items[0].origin = DUFM_ORIGIN_DNC;
  for (int i = 0; i < list.count; i++) {
    dufm_candidate *c = &list.items[i];
    if (!c->eval.applicable) {
      c->vs_dnc = DUFM_CMP_UNDECIDED;
      c->ratio_to_dnc = NAN;
      continue;
    }
    c->vs_dnc = i == 0 ? DUFM_CMP_EQUAL : dufm_structure_compare(&c->eval, &list.items[0].eval);
    c->ratio_to_dnc = c->eval.loss / list.items[0].eval.loss;
    if (i > 0 && c->vs_dnc == DUFM_CMP_UNDECIDED)
      out->undecided++;
  }
  decide(out, list.items[0].structure);
  dufm_comparison_set_search_note(out, "no atlas entry, no search");
  return DUFM_OK;
}

dufm_status dufm_comparison_add(dufm_comparison *c, dufm_candidate *cand, dufm_err *err) {
  dufm_candidate *items = realloc(c->cand, (size_t)(c->ncand + 1) * sizeof *items);
  if (items == NULL) {
    dufm_structure_free(cand->structure);
    dufm_structure_eval_clear(&cand->eval);
    *cand = (dufm_candidate){0};
    return dufm_err_set(err, DUFM_ENOMEM, "out of memory for candidates");
  }
  c->cand = items;
  dufm_structure *dnc_structure = c->cand[c->dnc_index].structure;
  c->cand[c->ncand++] = *cand;
  *cand = (dufm_candidate){0};
  if (c->cand[c->ncand - 1].eval.applicable && c->cand[c->ncand - 1].vs_dnc == DUFM_CMP_UNDECIDED)
    c->undecided++;
  decide(c, dnc_structure);
  return DUFM_OK;
}
