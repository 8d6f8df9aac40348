/* certificate/cert_internal.h: the trusting layer of the certificate module
 * (dufm/certificate.h). Callers have checked shapes and limits. */
#ifndef DUFM_CERT_INTERNAL_H
#define DUFM_CERT_INTERNAL_H

#include <gmp.h>

#include "dufm/certificate.h"

/* Rows and columns of matrix l of c: M_1 (l = 0) is d[0] x K, W_l is d[l] x d[l-1]. */
int dufm_i_cert_rows(const dufm_cert *c, int l);
int dufm_i_cert_cols(const dufm_cert *c, int l);

/* Validates d[0..L] (1 <= d_i <= DUFM_CERT_MAX_WIDTH, d[L] = K) and the total
 * number of entries against DUFM_CERT_MAX_ENTRIES. DUFM_EINVAL names the rule. */
dufm_status dufm_i_cert_check_widths(const int *d, int L, int K, dufm_err *err);

/* Copies widths d[0..L] into c (whose p is initialized) and allocates every
 * matrix as zeros. Validates the widths first. */
dufm_status dufm_i_cert_alloc(dufm_cert *c, const int *d, dufm_err *err);

/* Arrays of count initialized rationals (NULL on allocation failure); free
 * with dufm_i_q_free(a, count), which accepts NULL. */
mpq_t *dufm_i_q_alloc(size_t count);
void dufm_i_q_free(mpq_t *a, size_t count);

/* out (rows x K) = W (rows x inner) H (inner x K), then ReLU when relu != 0;
 * row-major; tmp is scratch. out must not alias W or H. */
void dufm_i_cert_mul(mpq_t *out, const mpq_t *W, const mpq_t *H, int rows, int inner, int K,
                     int relu, mpq_t tmp);

/* out (d[L-1] x K, initialized) = H_L = s(W_{L-1} ... s(W_1 M_1)); H_1 = M_1. */
/* The work bound (cert_cost.c): the cap in bits for c, and DUFM_EINVAL when
 * the exact product A B (rows x inner, inner x K) of layer `layer` could
 * exceed it. */
double dufm_i_cert_work_cap(const dufm_cert *c);
dufm_status dufm_i_cert_product_bound(const dufm_cert *c, const mpq_t *A, int rows, int inner,
                                      const mpq_t *B, int K, int layer, dufm_err *err);

dufm_status dufm_i_cert_hidden(mpq_t *out, const dufm_cert *c, dufm_err *err);

/* out = 1/(2K) ||W_L s(... s(W_1 M_1)) - I||_F^2 + (n lam_H/2) ||M_1||_F^2
 *       + sum_l (lam_l/2) ||W_l||_F^2, exact. DUFM_ENOMEM only. */
dufm_status dufm_i_cert_loss(mpq_t out, const dufm_cert *c, dufm_err *err);

/* out = K^(L+1) n lam_H lam_1 ... lam_L. */
void dufm_i_cert_dnc_qpow(mpq_t out, const dufm_params *p);

/* out = P(1/L) = (L-1)^(L-1) / L^(2L), the DNC zero-regime threshold Q_0^(L+1). */
void dufm_i_cert_threshold(mpq_t out, int L);

/* out = P(s) = s^(L+1) (1 - s)^(L-1); out must not alias s. */
void dufm_i_cert_poly(mpq_t out, const mpq_t s, int L);

/* out = G(s) = ((L+1) s - L s^2) / 2. */
void dufm_i_cert_gval(mpq_t out, const mpq_t s, int L);

/* Sets c->dnc_qpow, c->zero_regime, c->s_lo (a rational just below the root of
 * P(s) = Q_DNC^(L+1), verified exactly; 0 as a fallback) and c->bound = G(s_lo)
 * from c->p (cert_make.c). */
void dufm_i_cert_dnc_bound(dufm_cert *c);

/* out = the first continued-fraction convergent p/q of x with
 * |x - p/q| <= rtol |x| (x itself at worst: a double's expansion ends). 0 for
 * x = 0 or a non-finite x. */
void dufm_i_rationalize(mpq_t out, double x, double rtol);

/* W (K x nh) = (H^T H)^{-1} H^T for H (nh x K), exact (Gauss-Jordan), so that
 * W H = I_K. DUFM_ENUMERIC when H has rank below K. */
dufm_status dufm_i_pinv(mpq_t *W, const mpq_t *H, int nh, int K, dufm_err *err);

/* When a clique part of s has a weight z_k that is not the square of a
 * rational, *out = the same structure with rational rho_k close to sqrt(z_k)
 * (clique:R:k@rho,...); else *out = NULL. e is the evaluation of s. */
dufm_status dufm_i_cert_square_weights(dufm_structure **out, const dufm_structure *s,
                                       const dufm_structure_eval *e, dufm_err *err);

#endif
