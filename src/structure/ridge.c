/* Ridge relaxation (theory section 7) of any evaluated structure. */
#include <math.h>
#include <stdlib.h>

#include "dufm/rational.h"
#include "structure/structure_internal.h"

/* Scales every lambda of a copy of p by K / Kb and sets its K to Kb. */
static dufm_status scaled_params(dufm_params *q, const dufm_params *p, int Kb, dufm_err *err) {
  /* A block may hold a single class, below the K >= 2 that dufm_params_init
   * demands of a whole problem: copy, then set K. */
  dufm_status st = dufm_params_copy(q, p, err);
  if (st != DUFM_OK)
    return st;
  q->K = Kb;
  mpq_t f, v;
  mpq_inits(f, v, NULL);
  mpq_set_si(f, p->K, (unsigned long)Kb);
  mpq_canonicalize(f);
  mpq_mul(v, p->lam_h, f);
  st = dufm_params_set_lambda_q(q, DUFM_LAMBDA_H, v, err);
  for (int l = 0; l < p->L && st == DUFM_OK; l++) {
    mpq_mul(v, p->lam_w[l], f);
    st = dufm_params_set_lambda_q(q, l, v, err);
  }
  mpq_clears(f, v, NULL);
  return st;
}

/* Ridge of one single (non-composition) block evaluated with its own norms, as a
 * problem of e->K classes at parameters p (whose K is e->K). */
static dufm_status ridge_single(dufm_ridge *out, const dufm_structure_eval *e, const dufm_params *p,
                                dufm_err *err) {
  if (e->kind == DUFM_STRUCTURE_CLIQUE)
    return dufm_ridge_clique(out, p, e->clique.r, e->clique.m, e->clique.k, e->clique.z, err);
  /* DNC and edge constructions end with H_L = I_K: one eigenvalue 1. */
  mpq_t A, term;
  mpq_inits(A, term, NULL);
  mpq_set_ui(A, (unsigned long)p->n, 1);
  mpq_mul(A, A, p->lam_h);
  mpq_mul(A, A, e->m1_norm2);
  for (int l = 0; l < p->L - 1; l++) {
    mpq_mul(term, p->lam_w[l], e->w_norm2[l]);
    mpq_mul(A, A, term);
  }
  double gamma = 1.0;
  int mult = e->K;
  dufm_status st =
      dufm_ridge_eval(out, p->L, p->lam_w_d[p->L - 1], e->K, 1, &gamma, &mult, dufm_q_log(A), err);
  mpq_clears(A, term, NULL);
  return st;
}

dufm_status dufm_structure_ridge(dufm_ridge *out, const dufm_structure *s,
                                 const dufm_structure_eval *e, const dufm_params *p,
                                 dufm_err *err) {
  (void)s;
  if (!e->applicable)
    return dufm_err_set(err, DUFM_ENOTAPPLICABLE, "structure not applicable at L = %d", p->L);
  if (e->kind == DUFM_STRUCTURE_SETS)
    return dufm_err_set(err, DUFM_ENOTAPPLICABLE, "sets/pattern structures have no ridge form");
  if (e->kind != DUFM_STRUCTURE_BLOCKS)
    return ridge_single(out, e, p, err);
  out->value = 0;
  out->t = NAN; /* each block has its own scale */
  out->err = 0;
  dufm_status st = DUFM_OK;
  for (int b = 0; b < e->blocks.count && st == DUFM_OK; b++) {
    dufm_params q;
    st = scaled_params(&q, p, e->blocks.items[b].K, err);
    dufm_ridge rb;
    if (st == DUFM_OK)
      st = ridge_single(&rb, &e->blocks.items[b], &q, err);
    if (st == DUFM_OK) {
      double w = (double)e->blocks.items[b].K / (double)p->K;
      out->value += w * rb.value;
      out->err += w * rb.err;
    }
    dufm_params_clear(&q);
  }
  return st;
}
