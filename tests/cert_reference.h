/* An independent re-derivation of a certificate's claim for the tests: plain
 * dense loops over GMP rationals, sharing no code with src/certificate. It
 * decides the mathematical claim itself (true loss of the configuration below
 * the bound G(s_lo), with s_lo in [0, 1/L] and P(s_lo) <= Q_DNC^(L+1)),
 * whatever numbers the certificate states. */
#ifndef DUFM_TEST_CERT_REFERENCE_H
#define DUFM_TEST_CERT_REFERENCE_H

#include <gmp.h>
#include <stdlib.h>

#include "dufm/certificate.h"

/* out = loss of c's configuration (class-mean form). */
static void ref_loss(mpq_t out, const dufm_cert *c) {
  const int L = c->p.L, K = c->p.K;
  mpq_t t, acc;
  mpq_inits(t, acc, NULL);
  int rows = c->d[0];
  mpq_t *h = malloc((size_t)rows * K * sizeof *h);
  for (int i = 0; i < rows * K; i++) {
    mpq_init(h[i]);
    mpq_set(h[i], c->m[0][i]);
  }
  for (int l = 1; l <= L; l++) {
    int nr = c->d[l];
    mpq_t *g = malloc((size_t)nr * K * sizeof *g);
    for (int i = 0; i < nr; i++)
      for (int j = 0; j < K; j++) {
        mpq_set_ui(acc, 0, 1);
        for (int k = 0; k < rows; k++) {
          mpq_mul(t, c->m[l][i * rows + k], h[k * K + j]);
          mpq_add(acc, acc, t);
        }
        if (l < L && mpq_sgn(acc) < 0)
          mpq_set_ui(acc, 0, 1);
        mpq_init(g[i * K + j]);
        mpq_set(g[i * K + j], acc);
      }
    for (int i = 0; i < rows * K; i++)
      mpq_clear(h[i]);
    free(h);
    h = g;
    rows = nr;
  }
  mpq_set_ui(out, 0, 1);
  for (int i = 0; i < K; i++)
    for (int j = 0; j < K; j++) {
      if (i == j)
        mpq_set_ui(t, 1, 1), mpq_sub(t, h[i * K + j], t);
      else
        mpq_set(t, h[i * K + j]);
      mpq_mul(t, t, t);
      mpq_add(out, out, t);
    }
  mpq_set_ui(t, 1, 2 * (unsigned long)K);
  mpq_mul(out, out, t);
  for (int l = 0; l <= L; l++) {
    int n = c->d[l] * (l == 0 ? K : c->d[l - 1]);
    mpq_set_ui(acc, 0, 1);
    for (int i = 0; i < n; i++) {
      mpq_mul(t, c->m[l][i], c->m[l][i]);
      mpq_add(acc, acc, t);
    }
    if (l == 0)
      mpq_mul(acc, acc, c->p.lam_h), mpq_set_ui(t, (unsigned long)c->p.n, 2);
    else
      mpq_mul(acc, acc, c->p.lam_w[l - 1]), mpq_set_ui(t, 1, 2);
    mpq_mul(acc, acc, t);
    mpq_add(out, out, acc);
  }
  for (int i = 0; i < K * K; i++)
    mpq_clear(h[i]);
  free(h);
  mpq_clears(t, acc, NULL);
}

/* 1 when the claim is mathematically proven by c's configuration and s_lo. */
static int ref_claim_holds(const dufm_cert *c) {
  const int L = c->p.L;
  mpq_t loss, q, s1, p, g, t;
  mpq_inits(loss, q, s1, p, g, t, NULL);
  ref_loss(loss, c);
  mpq_set_ui(q, (unsigned long)c->p.n, 1);
  mpq_mul(q, q, c->p.lam_h);
  for (int l = 0; l <= L; l++) {
    mpq_set_ui(t, (unsigned long)c->p.K, 1);
    mpq_mul(q, q, t);
    if (l < L)
      mpq_mul(q, q, c->p.lam_w[l]);
  }
  mpq_set_ui(t, 1, (unsigned long)L);
  int ok = mpq_sgn(c->s_lo) >= 0 && mpq_cmp(c->s_lo, t) <= 0;
  mpq_set_ui(p, 1, 1);
  mpq_set_ui(s1, 1, 1);
  mpq_sub(s1, s1, c->s_lo);
  for (int i = 0; i < L + 1; i++)
    mpq_mul(p, p, c->s_lo);
  for (int i = 0; i < L - 1; i++)
    mpq_mul(p, p, s1);
  ok = ok && mpq_cmp(p, q) <= 0;
  /* G(s) = s ((L+1) - L s) / 2 */
  mpq_set_ui(t, (unsigned long)L, 1);
  mpq_mul(g, t, c->s_lo);
  mpq_set_ui(t, (unsigned long)L + 1, 1);
  mpq_sub(g, t, g);
  mpq_mul(g, g, c->s_lo);
  mpq_set_ui(t, 1, 2);
  mpq_mul(g, g, t);
  ok = ok && mpq_cmp(loss, g) < 0;
  mpq_clears(loss, q, s1, p, g, t, NULL);
  return ok;
}

#endif
