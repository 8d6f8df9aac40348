/* Best block composition by dynamic programming over class counts (theory
 * section 6): F = sum_b (K_b / K) g_L(q_b (K / K_b)^(L+1)), additive over blocks,
 * so the best split of k classes extends a best split of k - K_b classes. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compare_internal.h"
#include "dufm/dnc.h"
#include "dufm/rational.h"

/* A low-rank block type: family, K_r, and edges dropped (matching) or added
 * (pendant); clique = optimized clique neurons with every size 2..r. */
typedef enum { FAM_NONE, FAM_COMPLETE, FAM_CLIQUE, FAM_MATCHING, FAM_PENDANT } family;

typedef struct {
  family fam;
  int r, extra;
  double value; /* (j / K) g_L of the block inside the whole problem */
} block_type;

typedef struct {
  const dufm_params *p;
  double log_c;       /* log(n lam_H) */
  double *log_lam;    /* log lam_l, l = 1..L in [0..L-1] */
  double *clique_log; /* per r: log of the optimal w2 t2 (NAN: not computed yet) */
  int max_r;
} dp_context;

/* log Q^(L+1) of an edge construction with K edges on V vertices whose incidence
 * matrix has rank rank_b (theory section 4), or of clique neurons on K_r when
 * log_w2t2 is finite (theory section 5: the last two factors replaced). */
static double log_qpow(const dp_context *c, long K, int V, int rank_b, double log_w2t2) {
  int L = c->p->L;
  double q = c->log_c + log(2.0 * K);
  for (int l = 1; l <= L - 2; l++)
    q += c->log_lam[l - 1] + log((double)rank_b);
  if (isfinite(log_w2t2))
    return q + c->log_lam[L - 2] + c->log_lam[L - 1] + log_w2t2;
  return q + c->log_lam[L - 2] + log((double)K * V / 4.0) + c->log_lam[L - 1] + log((double)K);
}

static dufm_status clique_log_product(double *out, dp_context *c, int r, dufm_err *err) {
  if (!isnan(c->clique_log[r])) {
    *out = c->clique_log[r];
    return DUFM_OK;
  }
  int m = r - 1;
  int *k = malloc((size_t)m * sizeof *k);
  mpq_t *z = malloc((size_t)m * sizeof *z);
  dufm_status st = DUFM_OK;
  if (k == NULL || z == NULL) {
    st = dufm_err_set(err, DUFM_ENOMEM, "out of memory for clique weights");
  } else {
    for (int i = 0; i < m; i++) {
      k[i] = i + 2;
      mpq_init(z[i]);
    }
    dufm_clique_opt opt;
    st = dufm_clique_optimize(z, &opt, r, m, k, err);
    if (st == DUFM_OK)
      c->clique_log[r] = log(opt.product);
    for (int i = 0; i < m; i++)
      mpq_clear(z[i]);
  }
  free(k);
  free(z);
  *out = c->clique_log[r];
  return st;
}

/* Block value (j / K) g_L(q (K / j)^(L+1)) from log q. */
static dufm_status block_value(double *out, const dp_context *c, int j, double logq,
                               dufm_err *err) {
  const dufm_params *p = c->p;
  double logQ = (logq + (p->L + 1) * log((double)p->K / j)) / (p->L + 1);
  dufm_gl g = {.value = 0.5};
  dufm_status st = DUFM_OK;
  if (logQ < 700.0) /* beyond, Q is deep in the zero regime */
    st = dufm_gl_eval_d(&g, p->L, exp(logQ), err);
  *out = (double)j / p->K * g.value;
  return st;
}

static dufm_status consider(block_type *bt, const dp_context *c, int j, family fam, int r,
                            int extra, double logq, dufm_err *err) {
  double v;
  dufm_status st = block_value(&v, c, j, logq, err);
  if (st == DUFM_OK && v < bt->value) {
    bt->fam = fam;
    bt->r = r;
    bt->extra = extra;
    bt->value = v;
  }
  return st;
}

/* Best low-rank block with exactly j classes (the same families as the menu of
 * single structures, menu.c), from closed-form norms in double: the DP only
 * chooses; the chosen composition is then evaluated exactly. */
static dufm_status best_block(block_type *bt, dp_context *c, int j, const dufm_compare_opts *o,
                              dufm_err *err) {
  bt->fam = FAM_NONE;
  bt->value = INFINITY;
  dufm_status st = DUFM_OK;
  int r = dufm_i_triangular_root(j);
  if (r >= 3 && r <= c->max_r) {
    st = consider(bt, c, j, FAM_COMPLETE, r, 0, log_qpow(c, j, r, r, NAN), err);
    double lp;
    if (st == DUFM_OK && o->cliques && r >= 4 &&
        (st = clique_log_product(&lp, c, r, err)) == DUFM_OK)
      st = consider(bt, c, j, FAM_CLIQUE, r, 0, log_qpow(c, j, r, r, lp), err);
  }
  for (int q = 3; q <= c->max_r && st == DUFM_OK; q++) {
    long full = (long)q * (q - 1) / 2, drop = full - j, pendant = j - full;
    if (drop >= 1 && drop <= q / 2) {
      /* K_4 minus a perfect matching is the 4-cycle and K_3 minus an edge a path:
       * bipartite, so rank B = r - 1 (theory section 4). */
      int rank_b = (q == 4 && drop == 2) || q == 3 ? q - 1 : q;
      st = consider(bt, c, j, FAM_MATCHING, q, (int)drop, log_qpow(c, j, q, rank_b, NAN), err);
    } else if (pendant >= 1 && pendant <= q) {
      st = consider(bt, c, j, FAM_PENDANT, q, (int)pendant,
                    log_qpow(c, j, q + (int)pendant, q + (int)pendant, NAN), err);
    }
  }
  return st;
}

static dufm_status make_block(dufm_structure **out, const block_type *bt, dufm_err *err) {
  switch (bt->fam) {
  case FAM_COMPLETE:
    return dufm_structure_complete(out, bt->r, err);
  case FAM_CLIQUE:
    return dufm_i_clique_all(out, bt->r, err);
  case FAM_MATCHING:
    return dufm_i_family_graph(out, bt->r, bt->extra, 0, err);
  case FAM_PENDANT:
    return dufm_i_family_graph(out, bt->r, 0, bt->extra, err);
  case FAM_NONE:
    break;
  }
  return dufm_err_set(err, DUFM_EINVAL, "internal: empty block type");
}

/* Builds block_1 + ... + dnc:M from the DP's choices. */
static dufm_status build_composition(dufm_structure **out, const block_type *types,
                                     const int *choice, int K, dufm_err *err) {
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
      st = make_block(&parts[i++], &types[choice[k]], err);
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

dufm_status dufm_i_best_composition(dufm_structure **out, const dufm_params *p,
                                    const dufm_compare_opts *o, dufm_err *err) {
  *out = NULL;
  int K = p->K;
  if (p->L < 2)
    return DUFM_OK; /* low-rank blocks need L >= 2 */
  for (int l = 0; l < p->L; l++)
    if (mpq_sgn(p->lam_w[l]) == 0)
      return DUFM_OK; /* Q = 0 for every structure: nothing beats DNC's loss 0 */
  if (mpq_sgn(p->lam_h) == 0)
    return DUFM_OK;
  dp_context c = {.p = p, .log_c = log((double)p->n) + dufm_q_log(p->lam_h)};
  c.max_r = dufm_i_menu_max_r(K, o);
  c.log_lam = malloc((size_t)p->L * sizeof *c.log_lam);
  c.clique_log = malloc(((size_t)c.max_r + 1) * sizeof *c.clique_log);
  block_type *types = calloc((size_t)K + 1, sizeof *types);
  double *best = malloc(((size_t)K + 1) * sizeof *best);
  int *choice = malloc(((size_t)K + 1) * sizeof *choice); /* 0: one DNC class */
  dufm_status st = DUFM_OK;
  if (types == NULL || best == NULL || choice == NULL || c.log_lam == NULL ||
      c.clique_log == NULL) {
    st = dufm_err_set(err, DUFM_ENOMEM, "out of memory for the DP over %d classes", K);
    goto cleanup;
  }
  for (int l = 0; l < p->L; l++)
    c.log_lam[l] = dufm_q_log(p->lam_w[l]);
  for (int r = 0; r <= c.max_r; r++)
    c.clique_log[r] = NAN;
  dufm_gl dnc;
  st = dufm_dnc_eval(&dnc, p, err);
  double dnc_class = dnc.value / K;
  for (int j = 2; j <= K && st == DUFM_OK; j++)
    st = best_block(&types[j], &c, j, o, err);
  if (st != DUFM_OK)
    goto cleanup;
  best[0] = 0;
  for (int k = 1; k <= K; k++) {
    best[k] = best[k - 1] + dnc_class;
    choice[k] = 0;
    /* A low-rank block must win by more than rounding: exact ties (blocks in
     * the zero regime, say) stay DNC. */
    for (int j = 2; j <= k; j++)
      if (types[j].fam != FAM_NONE &&
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
    st = build_composition(out, types, choice, K, err);
cleanup:
  free(c.log_lam);
  free(c.clique_log);
  free(types);
  free(best);
  free(choice);
  return st;
}
