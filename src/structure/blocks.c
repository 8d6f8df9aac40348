/* Block compositions (theory section 6, proofs/blocks.md) and the exact
 * comparison of two evaluations. */
#include <mpfr.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dufm/rational.h"
#include "structure/structure_internal.h"

/* Adds the block's contribution (K_b / K) [lower, upper] to the running
 * enclosure with outward rounding (all terms are >= 0). */
static void add_enclosure(mpfr_t lo, mpfr_t hi, const dufm_structure_eval *b, int K) {
  mpfr_t x;
  mpfr_init2(x, 64);
  mpfr_set_d(x, b->lower, MPFR_RNDD);
  mpfr_mul_ui(x, x, (unsigned long)b->K, MPFR_RNDD);
  mpfr_div_ui(x, x, (unsigned long)K, MPFR_RNDD);
  mpfr_add(lo, lo, x, MPFR_RNDD);
  mpfr_set_d(x, b->upper, MPFR_RNDU);
  mpfr_mul_ui(x, x, (unsigned long)b->K, MPFR_RNDU);
  mpfr_div_ui(x, x, (unsigned long)K, MPFR_RNDU);
  mpfr_add(hi, hi, x, MPFR_RNDU);
  mpfr_clear(x);
}

/* Norms and ranks of the block-diagonal configuration are sums over blocks. */
static void add_block_data(dufm_structure_eval *e, const dufm_structure_eval *b) {
  mpq_add(e->m1_norm2, e->m1_norm2, b->m1_norm2);
  for (int l = 0; l < e->L; l++) {
    mpq_add(e->w_norm2[l], e->w_norm2[l], b->w_norm2[l]);
    e->rank_hidden[l] += b->rank_hidden[l];
    if (l > 0)
      e->rank_preact[l] += b->rank_preact[l];
  }
  e->rank_out += b->rank_out;
}

dufm_status dufm_i_eval_blocks(dufm_structure_eval *e, const dufm_structure *s,
                               const dufm_params *p, dufm_err *err) {
  const int K = s->K, L = p->L;
  e->K = K;
  if (K != p->K)
    return dufm_err_set(err, DUFM_EINVAL, "%s has K = %d classes but the parameters have K = %d",
                        s->name, K, p->K);
  e->kind = DUFM_STRUCTURE_BLOCKS;
  e->blocks.items = calloc((size_t)s->nparts, sizeof *e->blocks.items);
  if (e->blocks.items == NULL)
    return dufm_err_set(err, DUFM_ENOMEM, "out of memory for a composition's evaluation");
  e->blocks.count = s->nparts;
  mpfr_t lo, hi;
  mpfr_inits2(64, lo, hi, (mpfr_ptr)0);
  mpfr_set_zero(lo, 1);
  mpfr_set_zero(hi, 1);
  mpq_t ratio;
  mpq_init(ratio);
  dufm_status st = DUFM_OK;
  int all_zero = 1;
  double loss = 0.0;
  for (int b = 0; b < s->nparts && st == DUFM_OK; b++) {
    dufm_structure_eval *sub = &e->blocks.items[b];
    const int Kb = s->parts[b]->K;
    st = dufm_i_eval_alloc(sub, L, err);
    if (st == DUFM_OK)
      st = dufm_i_closed_single(sub, s->parts[b], p, Kb, err);
    if (st != DUFM_OK) {
      dufm_err_prefix(err, "block %d", b + 1);
      break;
    }
    /* The block's per-class problem has Q scaled by K / K_b (theory 6). */
    mpq_set_ui(ratio, (unsigned long)K, (unsigned long)Kb);
    mpq_canonicalize(ratio);
    dufm_q_pow_ui(ratio, ratio, (unsigned long)L + 1);
    mpq_mul(sub->q_scaled, sub->q_pow, ratio);
    st = dufm_i_eval_gl(sub, err);
    if (st != DUFM_OK)
      break;
    loss += (double)Kb / K * sub->loss;
    add_enclosure(lo, hi, sub, K);
    add_block_data(e, sub);
    all_zero = all_zero && sub->regime == DUFM_REGIME_ZERO;
  }
  if (st == DUFM_OK) {
    e->applicable = 1;
    e->lower = mpfr_get_d(lo, MPFR_RNDD);
    e->upper = mpfr_get_d(hi, MPFR_RNDU);
    e->loss = loss < e->lower ? e->lower : loss > e->upper ? e->upper : loss;
    e->regime = all_zero ? DUFM_REGIME_ZERO : DUFM_REGIME_NONZERO;
    e->t = 0.0;
  }
  mpfr_clears(lo, hi, (mpfr_ptr)0);
  mpq_clear(ratio);
  return st;
}

/* One atom of the distribution of clamped q over blocks: weight K_b of side a
 * or b (the other weight 0). */
typedef struct {
  mpq_srcptr c;
  long wa, wb;
} atom;

static int cmp_atom(const void *x, const void *y) {
  return mpq_cmp(((const atom *)x)->c, ((const atom *)y)->c);
}

/* Appends e's atoms, clamped at thr, with weights on side a (side = 0) or b. */
static int add_atoms(atom *atoms, int n, const dufm_structure_eval *e, const mpq_t thr, int side) {
  int count = e->kind == DUFM_STRUCTURE_BLOCKS ? e->blocks.count : 1;
  for (int i = 0; i < count; i++) {
    const dufm_structure_eval *b = e->kind == DUFM_STRUCTURE_BLOCKS ? &e->blocks.items[i] : e;
    atoms[n].c = mpq_cmp(b->q_scaled, thr) > 0 ? thr : b->q_scaled;
    atoms[n].wa = side == 0 ? b->K : 0;
    atoms[n].wb = side == 0 ? 0 : b->K;
    n++;
  }
  return n;
}

/* First-order stochastic order of the clamped distributions: -1 when a's lies
 * below (F_a >= F_b everywhere, not equal), 0 equal, 1 above, 2 neither.
 * Weights are compared as K_b / K_a vs K_b' / K_b by cross-multiplying (at most
 * DUFM_MAX_K^2 < 2^63). */
static int stochastic_order(const dufm_structure_eval *a, const dufm_structure_eval *b) {
  int na = a->kind == DUFM_STRUCTURE_BLOCKS ? a->blocks.count : 1;
  int nb = b->kind == DUFM_STRUCTURE_BLOCKS ? b->blocks.count : 1;
  atom *atoms = malloc((size_t)(na + nb) * sizeof *atoms);
  if (atoms == NULL)
    return 2; /* no memory: fall back to the enclosures */
  mpq_t thr;
  mpq_init(thr);
  dufm_gl_threshold_qpow(thr, a->L);
  int n = add_atoms(atoms, 0, a, thr, 0);
  n = add_atoms(atoms, n, b, thr, 1);
  qsort(atoms, (size_t)n, sizeof *atoms, cmp_atom);
  int64_t fa = 0, fb = 0;
  int pos = 0, neg = 0;
  for (int i = 0; i < n; i++) {
    fa += atoms[i].wa;
    fb += atoms[i].wb;
    if (i + 1 < n && mpq_cmp(atoms[i].c, atoms[i + 1].c) == 0)
      continue; /* the CDFs are compared after every atom at this value */
    int64_t diff = fa * (int64_t)b->K - fb * (int64_t)a->K;
    pos = pos || diff > 0;
    neg = neg || diff < 0;
  }
  mpq_clear(thr);
  free(atoms);
  return pos && neg ? 2 : pos ? -1 : neg ? 1 : 0;
}

dufm_cmp dufm_structure_compare(const dufm_structure_eval *a, const dufm_structure_eval *b) {
  if (!a->applicable || !b->applicable)
    return DUFM_CMP_UNDECIDED;
  if (a->kind == DUFM_STRUCTURE_SETS || b->kind == DUFM_STRUCTURE_SETS)
    return DUFM_CMP_UNDECIDED; /* no closed form: certificates decide (dufm/sets.h) */
  if (a->L == b->L) {
    int order = stochastic_order(a, b);
    if (order != 2)
      return (dufm_cmp)order;
  }
  if (a->upper < b->lower)
    return DUFM_CMP_BELOW;
  if (a->lower > b->upper)
    return DUFM_CMP_ABOVE;
  return DUFM_CMP_UNDECIDED;
}
