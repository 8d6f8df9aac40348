/* Ridge relaxation (theory section 7) of any evaluated structure, from its
 * exact evaluation record: no parameters are rebuilt for a block. */
#include <math.h>
#include <stdlib.h>

#include "dufm/rational.h"
#include "structure/structure_internal.h"

/* Ridge of one single (non-composition) evaluation e of e->K classes at p, its
 * lambdas taken times f = K / e->K (a block of a composition; f = 1 for a
 * single structure). The record's q_scaled is a_0 ... a_L at those lambdas, so
 * A = a_0 ... a_{L-1} = q_scaled / a_L with a_L = f lam_L ||W_L||^2. */
static dufm_status ridge_single(dufm_ridge *out, const dufm_structure_eval *e, const dufm_params *p,
                                const mpq_t f, dufm_err *err) {
  const int L = p->L;
  mpq_t lam_L, A;
  mpq_inits(lam_L, A, NULL);
  mpq_mul(lam_L, p->lam_w[L - 1], f);
  mpq_mul(A, lam_L, e->w_norm2[L - 1]);
  /* a_L = 0 only for lam_L = 0 (||W_L|| > 0): then F does not depend on A
   * (dufm_ridge_eval's limit case) and A = 0 stands in for it. */
  if (mpq_sgn(A) != 0)
    mpq_div(A, e->q_scaled, A);
  dufm_status st;
  if (e->kind == DUFM_STRUCTURE_CLIQUE) {
    st = dufm_ridge_clique_at(out, L, lam_L, e->clique.r, e->clique.m, e->clique.k,
                              (const mpq_t *)e->clique.z, A, err);
  } else {
    /* DNC and edge constructions end with H_L = I_K: one eigenvalue 1. */
    double gamma = 1.0;
    int mult = e->K;
    st = dufm_ridge_eval(out, L, dufm_q_get_d(lam_L), e->K, 1, &gamma, &mult, dufm_q_log(A), err);
  }
  mpq_clears(lam_L, A, NULL);
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
  mpq_t f;
  mpq_init(f);
  mpq_set_ui(f, 1, 1);
  if (e->kind != DUFM_STRUCTURE_BLOCKS) {
    dufm_status st = ridge_single(out, e, p, f, err);
    mpq_clear(f);
    return st;
  }
  out->value = 0;
  out->t = NAN; /* each block has its own scale */
  out->err = 0;
  dufm_status st = DUFM_OK;
  for (int b = 0; b < e->blocks.count && st == DUFM_OK; b++) {
    const dufm_structure_eval *eb = &e->blocks.items[b];
    mpq_set_ui(f, (unsigned long)e->K, (unsigned long)eb->K);
    mpq_canonicalize(f);
    dufm_ridge rb;
    st = ridge_single(&rb, eb, p, f, err);
    if (st == DUFM_OK) {
      double w = (double)eb->K / (double)e->K;
      out->value += w * rb.value;
      out->err += w * rb.err;
    }
  }
  mpq_clear(f);
  return st;
}
