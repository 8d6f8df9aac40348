/* Internal helpers of the compare module. */
#ifndef DUFM_COMPARE_INTERNAL_H
#define DUFM_COMPARE_INTERNAL_H

#include "dufm/compare.h"

/* A growable list of candidates. */
typedef struct {
  dufm_candidate *items;
  int count, cap;
  int skip_ridge; /* the DP needs only the exact losses */
} dufm_i_cand_list;

/* Evaluates s at p and appends it (takes ownership of s whatever the outcome).
 * Not-applicable structures are appended with eval.applicable = 0. */
dufm_status dufm_i_cand_push(dufm_i_cand_list *list, dufm_structure *s, dufm_origin origin,
                             const dufm_params *p, dufm_err *err);

/* Frees the candidates and the array. */
void dufm_i_cand_list_clear(dufm_i_cand_list *list);

/* r with r (r - 1) / 2 = K, or 0. */
int dufm_i_triangular_root(long K);

/* Largest r of the menus for K classes under the options. */
int dufm_i_menu_max_r(int K, const dufm_compare_opts *o);

/* Appends every single low-rank structure with exactly K classes to list: srg:r,
 * optimized cliques, complete graphs minus a matching and plus pendant edges. */
dufm_status dufm_i_menu_single(dufm_i_cand_list *list, int K, const dufm_params *p,
                               const dufm_compare_opts *o, dufm_err *err);

/* K_r minus the matching {0-1, 2-3, ...} of size drop, plus pendant edges from
 * new vertices r, r+1, ... to vertices 0, 1, ... (a graph structure). */
dufm_status dufm_i_family_graph(dufm_structure **out, int r, int drop, int pendant, dufm_err *err);

/* Optimized clique neurons on K_r with every size 2..r. */
dufm_status dufm_i_clique_all(dufm_structure **out, int r, dufm_err *err);

/* Best block composition for p->K by dynamic programming over class counts
 * (theory section 6); *out is NULL when no composition with at least two blocks
 * and one low-rank block beats the single structures. */
dufm_status dufm_i_best_composition(dufm_structure **out, const dufm_params *p,
                                    const dufm_compare_opts *o, dufm_err *err);

#endif
