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

/* Largest r of the menus for K classes under the options. */
int dufm_i_menu_max_r(int K, const dufm_compare_opts *o);

/* The low-rank families, one table for the menu and the block DP: member
 * writes the family's structure with K classes on the base graph K_q, or leaves
 * *out NULL when it has none. */
typedef struct {
  dufm_origin origin;
  int clique; /* left out when the options exclude cliques */
  dufm_status (*member)(dufm_structure **out, int K, int q, dufm_err *err);
} dufm_i_family;

extern const dufm_i_family dufm_i_families[];
extern const int dufm_i_nfamilies;

/* Member of family f with K classes on K_q under the options (*out NULL: none). */
dufm_status dufm_i_family_member(dufm_structure **out, int f, int K, int q,
                                 const dufm_compare_opts *o, dufm_err *err);

/* Appends every member with exactly K classes of every family, q = 3..max_r. */
dufm_status dufm_i_menu_single(dufm_i_cand_list *list, int K, const dufm_params *p,
                               const dufm_compare_opts *o, dufm_err *err);

/* Best block composition for p->K by dynamic programming over class counts
 * (theory section 6); *out is NULL when no composition with at least two blocks
 * and one low-rank block beats the single structures. */
dufm_status dufm_i_best_composition(dufm_structure **out, dufm_block_rule *rule,
                                    const dufm_params *p, const dufm_compare_opts *o,
                                    dufm_err *err);

/* The best low-rank block with j classes: a family of the menu's table and
 * its base graph K_q, and its value (j / K) g_L inside the whole problem. */
typedef struct {
  int family; /* -1: none */
  int q;
  double value;
} dufm_i_block_type;

/* Best member with exactly j classes of the menu's families (q = 3..max_r;
 * only q = q_only when q_only > 0). */
dufm_status dufm_i_best_block(dufm_i_block_type *bt, const dufm_params *p, int j, int q_only,
                              const dufm_compare_opts *o, dufm_err *err);

/* The large-K rule (compare.h), for K > the full DP's limit. */
dufm_status dufm_i_best_composition_large(dufm_structure **out, const dufm_params *p,
                                          const dufm_compare_opts *o, double dnc_class,
                                          dufm_err *err);

/* The verdict rule of dufm_comparison_add_search, from cand[] and search. */
void dufm_i_compare_verdict(dufm_comparison *c);

void dufm_i_search_candidate_free(dufm_search_candidate *s);

#endif
