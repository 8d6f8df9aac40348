/* Writing side: a certificate from a structure (dufm_cert_make). The choices
 * made here (which rationals, which s_lo) need no justification: the checker
 * verifies the result from scratch. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "certificate/cert_internal.h"
#include "dufm/rational.h"

/* Unscaled entries are 0, +-1/2, 1, 1 - 1/|C| or rho/2: 2^-44 recovers the
 * small-denominator ones exactly from their doubles. */
#define ENTRY_RTOL 0x1p-44
/* Scales only need to be close to optimal: small denominators read better. */
#define SCALE_RTOL 1e-12
#define SCALE_SAME 1e-11
/* The exact loss must match the closed form this closely (a bug guard). */
#define DRIFT_TOL 1e-9

/* Exact unscaled matrices: rounded build entries, and W_L = H_L^+ unless the
 * rounded W_L already gives W_L H_L = I exactly (graphs: W_L = I). */
static dufm_status exact_unscaled(dufm_cert *c, const dufm_config *U, dufm_err *err) {
  const int L = c->p.L, K = c->p.K;
  for (int l = 0; l <= L; l++) {
    const dufm_mat *src = l == 0 ? &U->H1 : &U->W[l - 1];
    for (int i = 0; i < src->rows; i++)
      for (int j = 0; j < src->cols; j++)
        dufm_i_rationalize(c->m[l][(size_t)i * src->cols + j], DUFM_MAT_AT(src, i, j), ENTRY_RTOL);
  }
  size_t nh = (size_t)c->d[L - 1] * (size_t)K, no = (size_t)K * (size_t)K;
  mpq_t *h = dufm_i_q_alloc(nh), *o = dufm_i_q_alloc(no);
  mpq_t tmp;
  mpq_init(tmp);
  dufm_status st = h && o ? dufm_i_cert_hidden(h, c, err)
                          : dufm_err_set(err, DUFM_ENOMEM, "out of memory for a certificate");
  if (st == DUFM_OK) {
    dufm_i_cert_mul(o, c->m[L], h, K, c->d[L - 1], K, 0, tmp);
    int identity = 1;
    for (int i = 0; i < K && identity; i++)
      for (int j = 0; j < K && identity; j++)
        identity = mpq_cmp_ui(o[(size_t)i * K + j], i == j, 1) == 0;
    if (!identity)
      st = dufm_i_pinv(c->m[L], h, c->d[L - 1], K, err);
  }
  dufm_i_q_free(h, h ? nh : 0);
  dufm_i_q_free(o, o ? no : 0);
  mpq_clear(tmp);
  return st;
}

/* Multiplies every row by a rational close to its rescale-optimal factor, read
 * off the materialized configuration as D_ij / U_ij at the row's largest entry
 * (every row lies inside one block, and each block has one factor per layer).
 * Equal factors get the same rational through a small per-layer cache. */
static dufm_status rescale(dufm_cert *c, const dufm_config *U, const dufm_config *D,
                           dufm_err *err) {
  dufm_status st = DUFM_OK;
  for (int l = 0; l <= c->p.L && st == DUFM_OK; l++) {
    const dufm_mat *u = l == 0 ? &U->H1 : &U->W[l - 1], *dm = l == 0 ? &D->H1 : &D->W[l - 1];
    double *ys = malloc((size_t)u->rows * sizeof *ys);
    mpq_t *qs = dufm_i_q_alloc((size_t)u->rows);
    int ncache = 0;
    if (ys == NULL || qs == NULL)
      st = dufm_err_set(err, DUFM_ENOMEM, "out of memory for a certificate");
    for (int i = 0; i < u->rows && st == DUFM_OK; i++) {
      int jmax = 0;
      for (int j = 1; j < u->cols; j++)
        if (fabs(DUFM_MAT_AT(u, i, j)) > fabs(DUFM_MAT_AT(u, i, jmax)))
          jmax = j;
      double umax = DUFM_MAT_AT(u, i, jmax);
      double y = umax != 0.0 ? DUFM_MAT_AT(dm, i, jmax) / umax : 0.0;
      int k = 0;
      while (k < ncache && !(fabs(y - ys[k]) <= SCALE_SAME * fabs(ys[k])))
        k++;
      if (k == ncache) {
        ys[ncache] = y;
        dufm_i_rationalize(qs[ncache++], y, SCALE_RTOL);
      }
      for (int j = 0; j < u->cols; j++)
        mpq_mul(c->m[l][(size_t)i * u->cols + j], c->m[l][(size_t)i * u->cols + j], qs[k]);
    }
    free(ys);
    dufm_i_q_free(qs, qs ? (size_t)u->rows : 0);
  }
  return st;
}

/* s_lo: a rational just below the root s* of P(s) = Q_DNC^(L+1) in (0, 1/L),
 * from the double fixed point s = Q (1 - s)^(-(L-1)/(L+1)) (a contraction with
 * factor at most 1/(L+1) below 1/L), then verified exactly and lowered until
 * P(s_lo) <= Q_DNC^(L+1). Falls back to s_lo = 0 (bound 0). */
void dufm_i_cert_dnc_bound(dufm_cert *c) {
  const int L = c->p.L;
  mpq_t q0, x, lim;
  mpq_inits(q0, x, lim, NULL);
  dufm_i_cert_dnc_qpow(c->dnc_qpow, &c->p);
  dufm_i_cert_threshold(q0, L);
  mpq_set_ui(lim, 1, (unsigned long)L);
  c->zero_regime = mpq_cmp(c->dnc_qpow, q0) >= 0;
  mpq_set_ui(c->s_lo, 0, 1);
  if (c->zero_regime) {
    mpq_set(c->s_lo, lim);
  } else if (mpq_sgn(c->dnc_qpow) > 0) {
    double log_q = dufm_q_log(c->dnc_qpow) / (L + 1), e = (double)(L - 1) / (L + 1), s = 0.0;
    for (int i = 0; i < 200; i++)
      s = exp(log_q - e * log1p(-s));
    double margin = 1e-12;
    for (int i = 0; i < 8 && s > 0.0; i++, margin *= 100.0) {
      dufm_i_rationalize(x, s * (1.0 - margin), 0.1 * margin);
      if (mpq_cmp(x, lim) > 0 || mpq_sgn(x) < 0)
        continue;
      mpq_set(c->s_lo, x);
      dufm_i_cert_poly(x, c->s_lo, L);
      if (mpq_cmp(x, c->dnc_qpow) <= 0)
        break;
      mpq_set_ui(c->s_lo, 0, 1);
    }
  }
  dufm_i_cert_gval(c->bound, c->s_lo, L);
  mpq_clears(q0, x, lim, NULL);
}

dufm_status dufm_cert_make(dufm_cert *out, const dufm_structure *s, const dufm_params *p,
                           dufm_err *err) {
  *out = (dufm_cert){0};
  dufm_structure_eval e;
  dufm_config U = {0}, D = {0};
  dufm_structure *rounded = NULL;
  dufm_status st = dufm_structure_evaluate(&e, s, p, err);
  if (st == DUFM_OK && (st = dufm_i_cert_square_weights(&rounded, s, &e, err)) == DUFM_OK &&
      rounded != NULL) {
    s = rounded;
    dufm_structure_eval_clear(&e);
    st = dufm_structure_evaluate(&e, s, p, err);
  }
  if (st == DUFM_OK)
    st = dufm_structure_build(&U, s, p, DUFM_FORM_CLASS_MEANS, err);
  if (st == DUFM_OK)
    st = dufm_structure_materialize(&D, s, p, DUFM_FORM_CLASS_MEANS, err);
  if (st == DUFM_OK)
    st = dufm_params_copy(&out->p, p, err);
  if (st == DUFM_OK && (out->structure = strdup(dufm_structure_name(s))) == NULL)
    st = dufm_err_set(err, DUFM_ENOMEM, "out of memory for a certificate");
  if (st == DUFM_OK && (st = dufm_i_cert_alloc(out, U.d, err)) == DUFM_EINVAL)
    dufm_err_prefix(err, "%s", dufm_structure_name(s));
  if (st == DUFM_OK)
    st = exact_unscaled(out, &U, err);
  if (st == DUFM_OK)
    st = rescale(out, &U, &D, err);
  if (st == DUFM_OK)
    st = dufm_i_cert_loss(out->loss, out, err);
  if (st == DUFM_OK) {
    double drift = fabs(dufm_q_get_d(out->loss) - e.loss);
    if (!(drift <= DRIFT_TOL * (1.0 + fabs(e.loss))))
      st = dufm_err_set(err, DUFM_ENUMERIC,
                        "%s: the rational configuration's loss %.17g drifted from the closed "
                        "form %.17g",
                        dufm_structure_name(s), dufm_q_get_d(out->loss), e.loss);
  }
  if (st == DUFM_OK)
    dufm_i_cert_dnc_bound(out);
  dufm_structure_eval_clear(&e);
  dufm_structure_free(rounded);
  dufm_config_clear(&U);
  dufm_config_clear(&D);
  if (st != DUFM_OK)
    dufm_cert_clear(out);
  return st;
}
