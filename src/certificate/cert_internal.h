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

#endif
