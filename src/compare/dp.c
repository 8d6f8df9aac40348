/* Best block composition by dynamic programming over class counts (theory
 * section 6): F = sum_b (K_b / K) g_L(q_b (K / K_b)^(L+1)), additive over blocks,
 * so the best split of k classes extends a best split of k - K_b classes. */
#include <math.h>
#include <stdlib.h>

#include "compare_internal.h"
#include "dufm/dnc.h"
#include "structure/family.h"

typedef dufm_i_block_type block_type;

/* Block value (j / K) g_L(q (K / j)^(L+1)) from log q. */
static dufm_status block_value(double *out, const dufm_params *p, int j, double logq,
                               dufm_err *err) {
  double logQ = (logq + (p->L + 1) * log((double)p->K / j)) / (p->L + 1);
  dufm_gl g = {.value = 0.5};
  dufm_status st = DUFM_OK;
  if (logQ < 700.0) /* beyond, Q is deep in the zero regime */
    st = dufm_gl_eval_d(&g, p->L, exp(logQ), err);
  *out = (double)j / p->K * g.value;
  return st;
}

/* Best member with exactly j classes of the menu's families, ranked by the
 * structure module's exact Q^(L+1) rounded to double: the DP only chooses; the
 * chosen composition is then evaluated exactly. */
dufm_status dufm_i_best_block(block_type *bt, const dufm_params *p, int j, int q_only,
                              const dufm_compare_opts *o, dufm_err *err) {
  bt->family = -1;
  bt->value = INFINITY;
  dufm_status st = DUFM_OK;
  int rmax = dufm_i_menu_max_r(j, o);
  int qlo = q_only > 0 ? q_only : 3, qhi = q_only > 0 && q_only < rmax ? q_only : rmax;
  for (int f = 0; f < dufm_i_nfamilies && st == DUFM_OK; f++)
    for (int q = qlo; q <= qhi && st == DUFM_OK; q++) {
      dufm_structure *s = NULL;
      double logq, v;
      st = dufm_i_family_member(&s, f, j, q, o, err);
      if (st != DUFM_OK || s == NULL)
        continue;
      st = dufm_i_structure_log_qpow(&logq, s, p, j, err);
      if (st == DUFM_OK)
        st = block_value(&v, p, j, logq, err);
      if (st == DUFM_OK && v < bt->value) {
        bt->family = f;
        bt->q = q;
        bt->value = v;
      }
      dufm_structure_free(s);
    }
  return st;
}

/* Builds block_1 + ... + dnc:M from the DP's choices. */
static dufm_status build_composition(dufm_structure **out, const block_type *types,
                                     const int *choice, int K, const dufm_compare_opts *o,
                                     dufm_err *err) {
  int count = 0, dnc = 0;
  for (int k = K; k > 0; k -= choice[k] > 0 ? choice[k] : 1)
    count += choice[k] > 0;
  dufm_structure **parts = calloc((size_t)count + 1, sizeof *parts);
  if (parts == NULL)
    return dufm_err_set(err, DUFM_ENOMEM, "out of memory for a composition");
  dufm_status st = DUFM_OK;
  int i = 0;
  for (int k = K; k > 0; k -= choice[k] > 0 ? choice[k] : 1) {
    if (choice[k] == 0)
      dnc++;
    else if (st == DUFM_OK)
      st = dufm_i_family_member(&parts[i++], types[choice[k]].family, choice[k], types[choice[k]].q,
                                o, err);
  }
  if (st == DUFM_OK && dnc > 0)
    st = dufm_structure_dnc(&parts[i++], dnc, err);
  if (st == DUFM_OK) {
    st = dufm_structure_blocks(out, i, parts, err); /* takes the parts, not the array */
  } else {
    for (int b = 0; b < i; b++)
      dufm_structure_free(parts[b]);
  }
  free(parts);
  return st;
}

dufm_status dufm_i_best_composition(dufm_structure **out, dufm_block_rule *rule,
                                    const dufm_params *p, const dufm_compare_opts *o,
                                    dufm_err *err) {
  *out = NULL;
  *rule = DUFM_BLOCK_RULE_NONE;
  int K = p->K;
  if (p->L < 2)
    return DUFM_OK; /* low-rank blocks need L >= 2 */
  for (int l = 0; l < p->L; l++)
    if (mpq_sgn(p->lam_w[l]) == 0)
      return DUFM_OK; /* Q = 0 for every structure: nothing beats DNC's loss 0 */
  if (mpq_sgn(p->lam_h) == 0)
    return DUFM_OK;
  int limit = o->full_dp_max_k > 0 ? o->full_dp_max_k : DUFM_COMPARE_FULL_DP_MAX_K;
  if (K > limit) {
    dufm_gl dnc_large;
    dufm_status st = dufm_dnc_eval(&dnc_large, p, err);
    *rule = DUFM_BLOCK_RULE_LARGE_K;
    return st != DUFM_OK ? st : dufm_i_best_composition_large(out, p, o, dnc_large.value / K, err);
  }
  *rule = DUFM_BLOCK_RULE_FULL;
  block_type *types = calloc((size_t)K + 1, sizeof *types);
  double *best = malloc(((size_t)K + 1) * sizeof *best);
  int *choice = malloc(((size_t)K + 1) * sizeof *choice); /* 0: one DNC class */
  dufm_status st = DUFM_OK;
  if (types == NULL || best == NULL || choice == NULL) {
    st = dufm_err_set(err, DUFM_ENOMEM, "out of memory for the DP over %d classes", K);
    goto cleanup;
  }
  dufm_gl dnc;
  st = dufm_dnc_eval(&dnc, p, err);
  double dnc_class = dnc.value / K;
  /* Building the members dominates (j edges each): progress by work done. */
  int report = o->progress != NULL && K >= DUFM_COMPARE_PROGRESS_K;
  long total = (long)K * (K + 1) / 2, next = 0;
  for (int j = 2; j <= K && st == DUFM_OK; j++) {
    st = dufm_i_best_block(&types[j], p, j, 0, o, err);
    long done = (long)j * (j + 1) / 2;
    if (report && (done >= next || j == K)) {
      o->progress(o->progress_data, done, total);
      next = done + total / 100;
    }
  }
  if (st != DUFM_OK)
    goto cleanup;
  best[0] = 0;
  for (int k = 1; k <= K; k++) {
    best[k] = best[k - 1] + dnc_class;
    choice[k] = 0;
    /* A low-rank block must win by more than rounding: exact ties (blocks in
     * the zero regime, say) stay DNC. */
    for (int j = 2; j <= k; j++)
      if (types[j].family >= 0 &&
          best[k - j] + types[j].value < best[k] - 1e-13 * (best[k] + 1e-300)) {
        best[k] = best[k - j] + types[j].value;
        choice[k] = j;
      }
  }
  /* Worth reporting only when it mixes blocks: a single block is in the menu. */
  int low_rank = 0, blocks = 0;
  for (int k = K; k > 0; k -= choice[k] > 0 ? choice[k] : 1)
    low_rank += choice[k] > 0;
  for (int k = K, dnc_seen = 0; k > 0; k -= choice[k] > 0 ? choice[k] : 1) {
    if (choice[k] > 0)
      blocks++;
    else if (!dnc_seen)
      blocks++, dnc_seen = 1;
  }
  if (low_rank > 0 && blocks > 1)
    st = build_composition(out, types, choice, K, o, err);
cleanup:
  free(types);
  free(best);
  free(choice);
  return st;
}
