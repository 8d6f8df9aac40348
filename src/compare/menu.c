/* The menu of single low-rank structures for a number of classes. */
#include <math.h>
#include <stdlib.h>

#include "compare_internal.h"

int dufm_i_triangular_root(long K) {
  long r = (long)((1.0 + sqrt(1.0 + 8.0 * (double)K)) / 2.0);
  for (long c = r - 1; c <= r + 1; c++)
    if (c >= 2 && c * (c - 1) / 2 == K)
      return (int)c;
  return 0;
}

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
  dufm_status st = dufm_structure_evaluate(&c->eval, s, p, err);
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

dufm_status dufm_i_family_graph(dufm_structure **out, int r, int drop, int pendant, dufm_err *err) {
  int K = r * (r - 1) / 2 - drop + pendant;
  int *u = malloc((size_t)K * sizeof *u), *v = malloc((size_t)K * sizeof *v);
  if (u == NULL || v == NULL) {
    free(u);
    free(v);
    return dufm_err_set(err, DUFM_ENOMEM, "out of memory for a graph");
  }
  int e = 0;
  for (int i = 0; i < r; i++)
    for (int j = i + 1; j < r; j++)
      if (!(j == i + 1 && i % 2 == 0 && i / 2 < drop))
        u[e] = i, v[e] = j, e++;
  for (int q = 0; q < pendant; q++)
    u[e] = q % r, v[e] = r + q, e++;
  dufm_status st = dufm_structure_graph(out, r + pendant, K, u, v, err);
  free(u);
  free(v);
  return st;
}

static dufm_status push_family(dufm_i_cand_list *list, int r, int drop, int pendant,
                               const dufm_params *p, dufm_err *err) {
  dufm_structure *s = NULL;
  dufm_status st = dufm_i_family_graph(&s, r, drop, pendant, err);
  if (st != DUFM_OK)
    return st;
  return dufm_i_cand_push(list, s, DUFM_ORIGIN_GRAPH_FAMILY, p, err);
}

dufm_status dufm_i_clique_all(dufm_structure **out, int r, dufm_err *err) {
  int m = r - 1;
  int *k = malloc((size_t)m * sizeof *k);
  if (k == NULL)
    return dufm_err_set(err, DUFM_ENOMEM, "out of memory for clique sizes");
  for (int i = 0; i < m; i++)
    k[i] = 2 + i;
  dufm_status st = dufm_structure_clique(out, r, m, k, NULL, err);
  free(k);
  return st;
}

static dufm_status push_clique(dufm_i_cand_list *list, int r, int kmin, int kmax,
                               const dufm_params *p, dufm_err *err) {
  int m = kmax - kmin + 1;
  int *k = malloc((size_t)m * sizeof *k);
  if (k == NULL)
    return dufm_err_set(err, DUFM_ENOMEM, "out of memory for clique sizes");
  for (int i = 0; i < m; i++)
    k[i] = kmin + i;
  dufm_structure *s = NULL;
  dufm_status st = dufm_structure_clique(&s, r, m, k, NULL, err);
  free(k);
  if (st != DUFM_OK)
    return st;
  return dufm_i_cand_push(list, s, DUFM_ORIGIN_CLIQUE, p, err);
}

dufm_status dufm_i_menu_single(dufm_i_cand_list *list, int K, const dufm_params *p,
                               const dufm_compare_opts *o, dufm_err *err) {
  dufm_status st = DUFM_OK;
  int rmax = dufm_i_menu_max_r(K, o);
  int r = dufm_i_triangular_root(K);
  if (r >= 3 && (o->max_r <= 0 || r <= o->max_r)) {
    dufm_structure *s = NULL;
    st = dufm_structure_complete(&s, r, err);
    if (st == DUFM_OK)
      st = dufm_i_cand_push(list, s, DUFM_ORIGIN_PAPER, p, err);
    if (st == DUFM_OK && o->cliques && r >= 4)
      st = push_clique(list, r, 2, 3, p, err);
    if (st == DUFM_OK && o->cliques && r >= 5)
      st = push_clique(list, r, 2, r, p, err);
    if (st == DUFM_OK && o->cliques && r == 4)
      st = push_clique(list, r, 2, 4, p, err);
  }
  for (int q = 3; q <= rmax && st == DUFM_OK; q++) {
    long full = (long)q * (q - 1) / 2;
    long drop = full - K, pendant = K - full;
    if (drop >= 1 && drop <= q / 2)
      st = push_family(list, q, (int)drop, 0, p, err);
    else if (pendant >= 1 && pendant <= q)
      st = push_family(list, q, 0, (int)pendant, p, err);
  }
  return st;
}
