/* The menu of single low-rank structures for a number of classes. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "compare_internal.h"
#include "structure/family.h"

int dufm_i_menu_max_r(int K, const dufm_compare_opts *o) {
  /* The smallest family member on K_r is K_r minus a perfect matching. */
  int r = 3;
  while ((long)(r + 1) * r / 2 - (r + 1) / 2 <= K)
    r++;
  if (o->max_r > 0 && r > o->max_r)
    r = o->max_r;
  return r;
}

dufm_status dufm_i_cand_push(dufm_i_cand_list *list, dufm_structure *s, dufm_origin origin,
                             const dufm_params *p, dufm_err *err) {
  /* Two menu entries may be one structure (clique:5:2,3 and clique:5:2..5 are
   * both clique:5:3 once optimized): list it once, under the first origin. */
  dufm_status st = dufm_structure_optimize(s, err);
  if (st != DUFM_OK) {
    dufm_structure_free(s);
    return st;
  }
  for (int i = 0; i < list->count; i++)
    if (strcmp(dufm_structure_name(list->items[i].structure), dufm_structure_name(s)) == 0) {
      dufm_structure_free(s);
      return DUFM_OK;
    }
  if (list->count == list->cap) {
    int cap = list->cap ? 2 * list->cap : 16;
    dufm_candidate *items = realloc(list->items, (size_t)cap * sizeof *items);
    if (items == NULL) {
      dufm_structure_free(s);
      return dufm_err_set(err, DUFM_ENOMEM, "out of memory for candidates");
    }
    list->items = items;
    list->cap = cap;
  }
  dufm_candidate *c = &list->items[list->count];
  *c = (dufm_candidate){0};
  c->structure = s;
  c->origin = origin;
  list->count++;
  st = dufm_structure_evaluate(&c->eval, s, p, err);
  if (st == DUFM_ENOTAPPLICABLE) {
    c->eval.applicable = 0;
    return DUFM_OK;
  }
  if (st != DUFM_OK)
    return st;
  if (list->skip_ridge)
    return DUFM_OK;
  c->has_ridge = dufm_structure_ridge(&c->ridge, s, &c->eval, p, NULL) == DUFM_OK;
  return DUFM_OK;
}

void dufm_i_cand_list_clear(dufm_i_cand_list *list) {
  for (int i = 0; i < list->count; i++) {
    dufm_structure_free(list->items[i].structure);
    dufm_structure_eval_clear(&list->items[i].eval);
  }
  free(list->items);
  *list = (dufm_i_cand_list){0};
}

/* Members with K classes on the base graph K_q (*out stays NULL when the
 * family has none). */
static dufm_status complete_member(dufm_structure **out, int K, int q, dufm_err *err) {
  return q >= 3 && dufm_i_triangular_root(K) == q ? dufm_structure_complete(out, q, err) : DUFM_OK;
}

static dufm_status clique_low_member(dufm_structure **out, int K, int q, dufm_err *err) {
  return q >= 4 && dufm_i_triangular_root(K) == q ? dufm_i_clique_range(out, q, 2, 3, err)
                                                  : DUFM_OK;
}

static dufm_status clique_all_member(dufm_structure **out, int K, int q, dufm_err *err) {
  return q >= 4 && dufm_i_triangular_root(K) == q ? dufm_i_clique_range(out, q, 2, q, err)
                                                  : DUFM_OK;
}

static dufm_status matching_member(dufm_structure **out, int K, int q, dufm_err *err) {
  long drop = (long)q * (q - 1) / 2 - K;
  return drop >= 1 && drop <= q / 2 ? dufm_i_family_graph(out, q, (int)drop, 0, err) : DUFM_OK;
}

static dufm_status pendant_member(dufm_structure **out, int K, int q, dufm_err *err) {
  long pendant = K - (long)q * (q - 1) / 2;
  return pendant >= 1 && pendant <= q ? dufm_i_family_graph(out, q, 0, (int)pendant, err) : DUFM_OK;
}

const dufm_i_family dufm_i_families[] = {
    {DUFM_ORIGIN_PAPER, 0, complete_member},       {DUFM_ORIGIN_CLIQUE, 1, clique_low_member},
    {DUFM_ORIGIN_CLIQUE, 1, clique_all_member},    {DUFM_ORIGIN_GRAPH_FAMILY, 0, matching_member},
    {DUFM_ORIGIN_GRAPH_FAMILY, 0, pendant_member},
};
const int dufm_i_nfamilies = (int)(sizeof dufm_i_families / sizeof dufm_i_families[0]);

dufm_status dufm_i_family_member(dufm_structure **out, int f, int K, int q,
                                 const dufm_compare_opts *o, dufm_err *err) {
  *out = NULL;
  if (dufm_i_families[f].clique && !o->cliques)
    return DUFM_OK;
  return dufm_i_families[f].member(out, K, q, err);
}

dufm_status dufm_i_menu_single(dufm_i_cand_list *list, int K, const dufm_params *p,
                               const dufm_compare_opts *o, dufm_err *err) {
  dufm_status st = DUFM_OK;
  int rmax = dufm_i_menu_max_r(K, o);
  for (int f = 0; f < dufm_i_nfamilies && st == DUFM_OK; f++)
    for (int q = 3; q <= rmax && st == DUFM_OK; q++) {
      dufm_structure *s = NULL;
      st = dufm_i_family_member(&s, f, K, q, o, err);
      if (st == DUFM_OK && s != NULL)
        st = dufm_i_cand_push(list, s, dufm_i_families[f].origin, p, err);
    }
  return st;
}
