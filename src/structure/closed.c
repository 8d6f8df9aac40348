/* Exact closed forms of single structures (theory sections 3-5; derivations in
 * proofs/edge.md): factor norms, Q^(L+1), ranks, and g_L at the result. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "dufm/rational.h"
#include "structure/structure_internal.h"

dufm_status dufm_i_eval_alloc(dufm_structure_eval *e, int L, dufm_err *err) {
  e->L = L; /* from here on dufm_structure_eval_clear knows the rationals exist */
  mpq_inits(e->q_pow, e->q_scaled, e->m1_norm2, NULL);
  e->rank_hidden = calloc((size_t)L, sizeof *e->rank_hidden);
  e->rank_preact = calloc((size_t)L, sizeof *e->rank_preact);
  e->w_norm2 = malloc((size_t)L * sizeof *e->w_norm2);
  if (e->w_norm2 != NULL)
    for (int l = 0; l < L; l++)
      mpq_init(e->w_norm2[l]);
  if (e->rank_hidden == NULL || e->rank_preact == NULL || e->w_norm2 == NULL)
    return dufm_err_set(err, DUFM_ENOMEM, "out of memory for a structure evaluation");
  e->rank_preact[0] = -1; /* P_1 does not exist */
  return DUFM_OK;
}

void dufm_structure_eval_clear(dufm_structure_eval *e) {
  if (e == NULL)
    return;
  if (e->L > 0)
    mpq_clears(e->q_pow, e->q_scaled, e->m1_norm2, NULL);
  if (e->w_norm2 != NULL)
    for (int l = 0; l < e->L; l++)
      mpq_clear(e->w_norm2[l]);
  if (e->kind == DUFM_STRUCTURE_CLIQUE) {
    if (e->clique.z != NULL)
      for (int i = 0; i < e->clique.m; i++)
        mpq_clear(e->clique.z[i]);
    free(e->clique.k);
    free(e->clique.z);
  } else if (e->kind == DUFM_STRUCTURE_BLOCKS) {
    if (e->blocks.items != NULL)
      for (int b = 0; b < e->blocks.count; b++)
        dufm_structure_eval_clear(&e->blocks.items[b]);
    free(e->blocks.items);
  }
  free(e->w_norm2);
  free(e->rank_hidden);
  free(e->rank_preact);
  memset(e, 0, sizeof *e);
}

/* Copies the clique's sizes and weights into e. */
static dufm_status copy_clique(dufm_structure_eval *e, const dufm_structure *s, dufm_err *err) {
  e->clique.r = s->r;
  e->clique.k = malloc((size_t)s->nk * sizeof *e->clique.k);
  e->clique.z = malloc((size_t)s->nk * sizeof *e->clique.z);
  if (e->clique.k == NULL || e->clique.z == NULL)
    return dufm_err_set(err, DUFM_ENOMEM, "out of memory for clique weights");
  e->clique.m = s->nk;
  for (int i = 0; i < s->nk; i++) {
    e->clique.k[i] = s->k[i];
    mpq_init(e->clique.z[i]);
    mpq_set(e->clique.z[i], s->z[i]);
  }
  e->clique.optimized = s->optimized;
  e->clique.opt = s->opt;
  return DUFM_OK;
}

/* Edge and clique constructions share every layer but the last two. */
static dufm_status edge_like(dufm_structure_eval *e, const dufm_structure *s, int K, int L,
                             dufm_err *err) {
  /* K_r, r >= 3, is connected and not bipartite: rank B = r for cliques. */
  int rank_b = s->kind == DUFM_STRUCTURE_CLIQUE ? s->r : s->rank_b, rank_pre = s->rank_pre;
  mpq_set_ui(e->m1_norm2, 2 * (unsigned long)K, 1); /* two ones per column of B */
  for (int l = 0; l < L - 2; l++)
    mpq_set_ui(e->w_norm2[l], (unsigned long)rank_b, 1); /* ||P_B||^2 = trace = rank */
  if (s->kind == DUFM_STRUCTURE_GRAPH) {
    e->graph.r = s->r;
    e->graph.rank_b = rank_b;
    /* K rows of r entries +-1/2 */
    mpq_set_ui(e->w_norm2[L - 2], (unsigned long)K * (unsigned long)s->r, 4);
    mpq_canonicalize(e->w_norm2[L - 2]);
    mpq_set_ui(e->w_norm2[L - 1], (unsigned long)K, 1);
  } else {
    dufm_status st =
        dufm_clique_norms(e->w_norm2[L - 2], e->w_norm2[L - 1], s->r, s->nk, s->k, s->z, err);
    /* GMP functions assume canonical rationals; do not rely on the callee. */
    mpq_canonicalize(e->w_norm2[L - 2]);
    mpq_canonicalize(e->w_norm2[L - 1]);
    if (st == DUFM_OK)
      st = dufm_clique_rank_pre(&rank_pre, s->r, s->nk, s->k, s->z, err);
    if (st == DUFM_OK)
      st = copy_clique(e, s, err);
    if (st != DUFM_OK)
      return st;
  }
  for (int l = 1; l <= L - 1; l++) /* H_l = B for l <= L-1 */
    e->rank_hidden[l - 1] = rank_b;
  for (int l = 2; l <= L - 1; l++) /* P_l = P_B B = B */
    e->rank_preact[l - 1] = rank_b;
  e->rank_preact[L - 1] = rank_pre;
  e->rank_hidden[L - 1] = K; /* I_K, or T with full column rank */
  e->rank_out = K;
  return DUFM_OK;
}

dufm_status dufm_i_closed_single(dufm_structure_eval *e, const dufm_structure *s,
                                 const dufm_params *p, int K, dufm_err *err) {
  const int L = p->L;
  e->K = K;
  e->kind = s->kind; /* before any allocation: dufm_structure_eval_clear reads it */
  if (s->kind == DUFM_STRUCTURE_DNC) {
    /* Identities of size K: every norm and every rank is K. */
    mpq_set_ui(e->m1_norm2, (unsigned long)K, 1);
    for (int l = 0; l < L; l++) {
      mpq_set_ui(e->w_norm2[l], (unsigned long)K, 1);
      e->rank_hidden[l] = K;
      if (l > 0)
        e->rank_preact[l] = K;
    }
    e->rank_out = K;
  } else {
    /* a no-op unless s is a clique with pending weights (the family DP) */
    dufm_status st = dufm_i_clique_optimize((dufm_structure *)s, err);
    if (st != DUFM_OK)
      return st;
    if (L < 2)
      return dufm_err_set(err, DUFM_ENOTAPPLICABLE, "%s: edge constructions need L >= 2", s->name);
    st = edge_like(e, s, K, L, err);
    if (st != DUFM_OK)
      return st;
  }
  /* q_pow = (n lam_H ||M_1||^2) prod_l lam_l ||W_l||^2 */
  mpq_set_ui(e->q_pow, (unsigned long)p->n, 1);
  mpq_mul(e->q_pow, e->q_pow, p->lam_h);
  mpq_mul(e->q_pow, e->q_pow, e->m1_norm2);
  for (int l = 0; l < L; l++) {
    mpq_mul(e->q_pow, e->q_pow, p->lam_w[l]);
    mpq_mul(e->q_pow, e->q_pow, e->w_norm2[l]);
  }
  e->applicable = 1;
  return DUFM_OK;
}

dufm_status dufm_i_eval_gl(dufm_structure_eval *e, dufm_err *err) {
  dufm_gl gl;
  dufm_status st = dufm_gl_eval(&gl, e->L, e->q_scaled, err);
  if (st != DUFM_OK)
    return st;
  e->lower = gl.lower;
  e->upper = gl.upper;
  /* The double path may sit a few ulps outside the rigorous enclosure; the
   * enclosure wins so that lower <= loss <= upper always holds. */
  e->loss = gl.value < gl.lower ? gl.lower : gl.value > gl.upper ? gl.upper : gl.value;
  e->regime = gl.regime;
  e->t = gl.t;
  return DUFM_OK;
}

dufm_status dufm_structure_evaluate(dufm_structure_eval *out, const dufm_structure *s,
                                    const dufm_params *p, dufm_err *err) {
  memset(out, 0, sizeof *out);
  /* Weights to be optimized are settled once and kept in s (logically const:
   * only the cached weights and the name change, never what s stands for). */
  dufm_status st = dufm_structure_optimize((dufm_structure *)s, err);
  if (st == DUFM_OK)
    st = dufm_i_eval_alloc(out, p->L, err);
  if (st != DUFM_OK)
    return st;
  if (s->kind == DUFM_STRUCTURE_BLOCKS)
    return dufm_i_eval_blocks(out, s, p, err);
  out->K = s->K == 0 ? p->K : s->K;
  if (out->K != p->K)
    return dufm_err_set(err, DUFM_EINVAL, "%s has K = %d classes but the parameters have K = %d",
                        s->name, s->K, p->K);
  if (s->kind == DUFM_STRUCTURE_SETS) {
    out->kind = DUFM_STRUCTURE_SETS;
    out->sets.cert_loss = NAN;
    return dufm_err_set(
        err, DUFM_ENOTAPPLICABLE,
        "%s has no closed form (its loss comes from pattern polish: dufm_sets_solve)", s->name);
  }
  st = dufm_i_closed_single(out, s, p, out->K, err);
  if (st == DUFM_OK) {
    mpq_set(out->q_scaled, out->q_pow);
    st = dufm_i_eval_gl(out, err);
  }
  return st;
}
