/* Certificates: storage, the exact loss and the polynomials of the DNC bound
 * (proofs/certificate.md). Shared by the writer and the checker. */
#include <stdlib.h>

#include "certificate/cert_internal.h"

int dufm_i_cert_rows(const dufm_cert *c, int l) { return c->d[l]; }

int dufm_i_cert_cols(const dufm_cert *c, int l) { return l == 0 ? c->p.K : c->d[l - 1]; }

void dufm_cert_clear(dufm_cert *c) {
  if (c == NULL)
    return;
  if (c->m != NULL) {
    for (int l = 0; l <= c->p.L; l++) {
      if (c->m[l] == NULL)
        continue;
      size_t count = (size_t)dufm_i_cert_rows(c, l) * (size_t)dufm_i_cert_cols(c, l);
      for (size_t i = 0; i < count; i++)
        mpq_clear(c->m[l][i]);
      free(c->m[l]);
    }
    free(c->m);
  }
  if (c->d != NULL) { /* the scalars are initialized together with the widths */
    mpq_clears(c->loss, c->dnc_qpow, c->s_lo, c->bound, NULL);
    free(c->d);
  }
  free(c->structure);
  dufm_params_clear(&c->p);
  *c = (dufm_cert){0};
}

dufm_status dufm_i_cert_check_widths(const int *d, int L, int K, dufm_err *err) {
  if (d[L] != K)
    return dufm_err_set(err, DUFM_EINVAL, "the output width d[L] = %d must equal K = %d", d[L], K);
  long long total = 0;
  for (int l = 0; l <= L; l++) {
    if (d[l] < 1 || d[l] > DUFM_CERT_MAX_WIDTH)
      return dufm_err_set(err, DUFM_EINVAL, "width %d outside 1..%d", d[l], DUFM_CERT_MAX_WIDTH);
    /* Both factors are at most 10^7, so the product and the sum stay small. */
    total += (long long)d[l] * (l == 0 ? K : d[l - 1]);
    if (total > DUFM_CERT_MAX_ENTRIES)
      return dufm_err_set(err, DUFM_EINVAL, "more than %ld matrix entries",
                          (long)DUFM_CERT_MAX_ENTRIES);
  }
  return DUFM_OK;
}

dufm_status dufm_i_cert_alloc(dufm_cert *c, const int *d, dufm_err *err) {
  const int L = c->p.L;
  dufm_status st = dufm_i_cert_check_widths(d, L, c->p.K, err);
  if (st != DUFM_OK)
    return st;
  c->d = malloc((size_t)(L + 1) * sizeof *c->d);
  if (c->d == NULL)
    return dufm_err_set(err, DUFM_ENOMEM, "out of memory for a certificate");
  for (int l = 0; l <= L; l++)
    c->d[l] = d[l];
  mpq_inits(c->loss, c->dnc_qpow, c->s_lo, c->bound, NULL);
  c->m = calloc((size_t)(L + 1), sizeof *c->m);
  if (c->m == NULL)
    return dufm_err_set(err, DUFM_ENOMEM, "out of memory for a certificate");
  for (int l = 0; l <= L; l++) {
    size_t count = (size_t)dufm_i_cert_rows(c, l) * (size_t)dufm_i_cert_cols(c, l);
    c->m[l] = malloc(count * sizeof **c->m);
    if (c->m[l] == NULL)
      return dufm_err_set(err, DUFM_ENOMEM, "out of memory for a certificate");
    for (size_t i = 0; i < count; i++)
      mpq_init(c->m[l][i]);
  }
  return DUFM_OK;
}

mpq_t *dufm_i_q_alloc(size_t count) {
  mpq_t *a = malloc((count ? count : 1) * sizeof *a);
  if (a != NULL)
    for (size_t i = 0; i < count; i++)
      mpq_init(a[i]);
  return a;
}

void dufm_i_q_free(mpq_t *a, size_t count) {
  if (a == NULL)
    return;
  for (size_t i = 0; i < count; i++)
    mpq_clear(a[i]);
  free(a);
}

void dufm_i_cert_mul(mpq_t *out, const mpq_t *W, const mpq_t *H, int rows, int inner, int K,
                     int relu, mpq_t tmp) {
  /* Zero entries are skipped: the constructions are sparse. */
  for (int i = 0; i < rows; i++) {
    for (int j = 0; j < K; j++)
      mpq_set_ui(out[(size_t)i * K + j], 0, 1);
    for (int k = 0; k < inner; k++) {
      const mpq_t *w = &W[(size_t)i * inner + k];
      if (mpq_sgn(*w) == 0)
        continue;
      for (int j = 0; j < K; j++) {
        if (mpq_sgn(H[(size_t)k * K + j]) == 0)
          continue;
        mpq_mul(tmp, *w, H[(size_t)k * K + j]);
        mpq_add(out[(size_t)i * K + j], out[(size_t)i * K + j], tmp);
      }
    }
    if (relu)
      for (int j = 0; j < K; j++)
        if (mpq_sgn(out[(size_t)i * K + j]) < 0)
          mpq_set_ui(out[(size_t)i * K + j], 0, 1);
  }
}

/* out = sum of squares of count entries. */
static void frob2(mpq_t out, const mpq_t *a, size_t count, mpq_t tmp) {
  mpq_set_ui(out, 0, 1);
  for (size_t i = 0; i < count; i++) {
    mpq_mul(tmp, a[i], a[i]);
    mpq_add(out, out, tmp);
  }
}

dufm_status dufm_i_cert_hidden(mpq_t *out, const dufm_cert *c, dufm_err *err) {
  const int L = c->p.L, K = c->p.K;
  int maxw = 1;
  for (int l = 0; l < L; l++)
    maxw = c->d[l] > maxw ? c->d[l] : maxw;
  size_t cap = (size_t)maxw * (size_t)K, count = (size_t)c->d[0] * (size_t)K;
  mpq_t *a = dufm_i_q_alloc(cap), *b = dufm_i_q_alloc(cap);
  mpq_t tmp;
  mpq_init(tmp);
  dufm_status st = DUFM_OK;
  if (a == NULL || b == NULL) {
    st = dufm_err_set(err, DUFM_ENOMEM, "out of memory for the exact forward pass");
    goto cleanup;
  }
  const mpq_t *h = c->m[0];
  for (int l = 1; l < L; l++) {
    mpq_t *dst = h == a ? b : a;
    if ((st = dufm_i_cert_product_bound(c, c->m[l], c->d[l], c->d[l - 1], h, K, l, err)) != DUFM_OK)
      goto cleanup;
    dufm_i_cert_mul(dst, c->m[l], h, c->d[l], c->d[l - 1], K, 1, tmp);
    h = dst;
    count = (size_t)c->d[l] * (size_t)K;
  }
  for (size_t i = 0; i < count; i++)
    mpq_set(out[i], h[i]);
cleanup:
  dufm_i_q_free(a, a ? cap : 0);
  dufm_i_q_free(b, b ? cap : 0);
  mpq_clear(tmp);
  return st;
}

dufm_status dufm_i_cert_loss(mpq_t out, const dufm_cert *c, dufm_err *err) {
  const int L = c->p.L, K = c->p.K;
  size_t nh = (size_t)c->d[L - 1] * (size_t)K, no = (size_t)K * (size_t)K;
  mpq_t *h = dufm_i_q_alloc(nh), *o = dufm_i_q_alloc(no);
  mpq_t tmp, sum, term;
  mpq_inits(tmp, sum, term, NULL);
  dufm_status st = DUFM_OK;
  if (h == NULL || o == NULL) {
    st = dufm_err_set(err, DUFM_ENOMEM, "out of memory for the exact forward pass");
    goto cleanup;
  }
  /* H_{l+1} = s(W_l H_l) up to H_L, output O = W_L H_L, all K class columns. */
  if ((st = dufm_i_cert_hidden(h, c, err)) != DUFM_OK)
    goto cleanup;
  if ((st = dufm_i_cert_product_bound(c, c->m[L], K, c->d[L - 1], h, K, L, err)) != DUFM_OK)
    goto cleanup;
  dufm_i_cert_mul(o, c->m[L], h, K, c->d[L - 1], K, 0, tmp);
  mpq_set_ui(sum, 0, 1);
  for (int i = 0; i < K; i++)
    for (int j = 0; j < K; j++) {
      mpq_set_ui(term, i == j ? 1 : 0, 1);
      mpq_sub(term, o[(size_t)i * K + j], term);
      mpq_mul(term, term, term);
      mpq_add(sum, sum, term);
    }
  mpq_set_ui(term, 1, 2 * (unsigned long)K);
  mpq_mul(out, sum, term);
  /* Penalties: (n lam_H / 2) ||M_1||^2 and (lam_l / 2) ||W_l||^2. */
  for (int l = 0; l <= L; l++) {
    frob2(sum, c->m[l], (size_t)dufm_i_cert_rows(c, l) * (size_t)dufm_i_cert_cols(c, l), tmp);
    if (l == 0) {
      mpq_set_ui(term, (unsigned long)c->p.n, 2);
      mpq_mul(term, term, c->p.lam_h);
    } else {
      mpq_set_ui(term, 1, 2);
      mpq_mul(term, term, c->p.lam_w[l - 1]);
    }
    mpq_mul(sum, sum, term);
    mpq_add(out, out, sum);
  }
cleanup:
  dufm_i_q_free(h, h ? nh : 0);
  dufm_i_q_free(o, o ? no : 0);
  mpq_clears(tmp, sum, term, NULL);
  return st;
}

void dufm_i_cert_dnc_qpow(mpq_t out, const dufm_params *p) {
  mpq_t t;
  mpq_init(t);
  mpz_ui_pow_ui(mpq_numref(t), (unsigned long)p->K, (unsigned long)p->L + 1);
  mpq_set_ui(out, (unsigned long)p->n, 1);
  mpq_mul(out, out, t);
  mpq_mul(out, out, p->lam_h);
  for (int l = 0; l < p->L; l++)
    mpq_mul(out, out, p->lam_w[l]);
  mpq_clear(t);
}

void dufm_i_cert_threshold(mpq_t out, int L) {
  mpq_t s;
  mpq_init(s);
  mpq_set_ui(s, 1, (unsigned long)L);
  dufm_i_cert_poly(out, s, L);
  mpq_clear(s);
}

void dufm_i_cert_poly(mpq_t out, const mpq_t s, int L) {
  mpq_t a, b;
  mpq_inits(a, b, NULL);
  mpz_pow_ui(mpq_numref(a), mpq_numref(s), (unsigned long)L + 1);
  mpz_pow_ui(mpq_denref(a), mpq_denref(s), (unsigned long)L + 1);
  mpq_set_ui(b, 1, 1);
  mpq_sub(b, b, s);
  /* (1 - s)^(L-1): a sign is possible for s > 1, so go through mpz powers. */
  mpz_pow_ui(mpq_numref(out), mpq_numref(b), (unsigned long)L - 1);
  mpz_pow_ui(mpq_denref(out), mpq_denref(b), (unsigned long)L - 1);
  mpq_canonicalize(a);
  mpq_canonicalize(out);
  mpq_mul(out, out, a);
  mpq_clears(a, b, NULL);
}

void dufm_i_cert_gval(mpq_t out, const mpq_t s, int L) {
  mpq_t a, b;
  mpq_inits(a, b, NULL);
  mpq_set_ui(a, (unsigned long)L + 1, 2);
  mpq_mul(a, a, s);
  mpq_mul(b, s, s);
  mpq_set_ui(out, (unsigned long)L, 2);
  mpq_mul(b, b, out);
  mpq_sub(out, a, b);
  mpq_clears(a, b, NULL);
}
