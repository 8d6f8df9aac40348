/* Clique-neuron closed forms on K_r (dufm/clique.h, theory section 5). The
 * derivations are in proofs/clique.md; the optimizer is in clique_opt.c. */
#include "dufm/clique.h"

#include <stdlib.h>

#include "closed/clique_internal.h"
#include "dufm/params.h"

void dufm_i_binom(mpz_t out, long n, long j) {
  if (n < 0 || j < 0 || j > n)
    mpz_set_ui(out, 0);
  else
    mpz_bin_uiui(out, (unsigned long)n, (unsigned long)j);
}

void dufm_i_clique_mult(long mult[3], int r) {
  long K = (long)r * (r - 1) / 2;
  mult[0] = 1;
  mult[1] = r - 1;
  mult[2] = K - r;
}

dufm_status dufm_i_clique_check(int r, int m, const int *k, const mpq_t *z, dufm_err *err) {
  if (r < 3 || r > DUFM_I_CLIQUE_MAX_R)
    return dufm_err_set(err, DUFM_EINVAL, "r = %d: clique constructions need 3 <= r <= %d", r,
                        DUFM_I_CLIQUE_MAX_R);
  if (m < 1)
    return dufm_err_set(err, DUFM_EINVAL, "clique sizes: at least one size is needed");
  for (int i = 0; i < m; i++) {
    if (k[i] < 2 || k[i] > r)
      return dufm_err_set(err, DUFM_EINVAL, "clique size %d: sizes must lie in 2..r = 2..%d", k[i],
                          r);
    for (int j = 0; j < i; j++)
      if (k[j] == k[i])
        return dufm_err_set(err, DUFM_EINVAL, "clique size %d: sizes must not repeat", k[i]);
    if (z != NULL && mpq_sgn(z[i]) < 0)
      return dufm_err_set(err, DUFM_EINVAL, "clique size %d: squared weight must be nonnegative",
                          k[i]);
  }
  return DUFM_OK;
}

void dufm_clique_mu(mpz_t mu0, mpz_t mu1, mpz_t mu2, int r, int k) {
  /* (T^T T)_{ef} counts the k-subsets containing e and f: c2, c3 or c4 as e, f
   * span 2, 3 or 4 vertices; then apply the T(r) eigenvalues of Adj and Non. */
  long K = (long)r * (r - 1) / 2;
  mpz_t c2, c3, c4;
  mpz_inits(c2, c3, c4, NULL);
  dufm_i_binom(c2, r - 2, k - 2);
  dufm_i_binom(c3, r - 3, k - 3);
  dufm_i_binom(c4, r - 4, k - 4);
  mpz_set(mu0, c2);
  mpz_addmul_ui(mu0, c3, 2UL * (unsigned long)(r - 2));
  mpz_addmul_ui(mu0, c4, (unsigned long)(K - 2L * r + 3)); /* = (r-2)(r-3)/2 >= 0 */
  mpz_set(mu1, c2);
  if (r >= 4)
    mpz_addmul_ui(mu1, c3, (unsigned long)(r - 4));
  else
    mpz_submul_ui(mu1, c3, (unsigned long)(4 - r));
  mpz_submul_ui(mu1, c4, (unsigned long)(r - 3));
  mpz_set(mu2, c2);
  mpz_submul_ui(mu2, c3, 2);
  mpz_add(mu2, mu2, c4);
  mpz_clears(c2, c3, c4, NULL);
}

void dufm_i_clique_eig(mpq_t mu[3], int r, int m, const int *k, const mpq_t *z) {
  mpz_t e[3];
  mpq_t term;
  mpz_inits(e[0], e[1], e[2], NULL);
  mpq_init(term);
  for (int j = 0; j < 3; j++)
    mpq_set_ui(mu[j], 0, 1);
  for (int i = 0; i < m; i++) {
    dufm_clique_mu(e[0], e[1], e[2], r, k[i]);
    for (int j = 0; j < 3; j++) {
      mpq_set_z(term, e[j]);
      mpq_mul(term, term, z[i]);
      mpq_add(mu[j], mu[j], term);
    }
  }
  mpq_clear(term);
  mpz_clears(e[0], e[1], e[2], NULL);
}

int dufm_i_clique_deficient(const mpq_t mu[3], int r) {
  long mult[3];
  dufm_i_clique_mult(mult, r);
  for (int j = 0; j < 3; j++)
    if (mult[j] > 0 && mpq_sgn(mu[j]) == 0)
      return j;
  return -1;
}

void dufm_i_clique_w2(mpq_t w2, int r, int m, const int *k, const mpq_t *z) {
  /* Each row rho_k w_S has r entries +-rho_k / 2. */
  mpz_t c;
  mpq_t term;
  mpz_init(c);
  mpq_init(term);
  mpq_set_ui(w2, 0, 1);
  for (int i = 0; i < m; i++) {
    dufm_i_binom(c, r, k[i]);
    mpq_set_z(term, c);
    mpq_mul(term, term, z[i]);
    mpq_add(w2, w2, term);
  }
  mpq_set_ui(term, (unsigned long)r, 4);
  mpq_mul(w2, w2, term);
  mpq_clear(term);
  mpz_clear(c);
}

dufm_status dufm_clique_norms(mpq_t w2, mpq_t t2, int r, int m, const int *k, const mpq_t *z,
                              dufm_err *err) {
  dufm_status st = dufm_i_clique_check(r, m, k, z, err);
  if (st != DUFM_OK)
    return st;
  mpq_t mu[3], term;
  mpq_inits(mu[0], mu[1], mu[2], term, NULL);
  dufm_i_clique_eig(mu, r, m, k, z);
  int bad = dufm_i_clique_deficient(mu, r);
  if (bad >= 0) {
    st = dufm_err_set(err, DUFM_EINVAL, "clique weights make T rank-deficient (mu_%d = 0)", bad);
    goto cleanup;
  }
  dufm_i_clique_w2(w2, r, m, k, z);
  long mult[3];
  dufm_i_clique_mult(mult, r);
  mpq_set_ui(t2, 0, 1);
  for (int j = 0; j < 3; j++) {
    if (mult[j] == 0)
      continue;
    mpq_inv(term, mu[j]);
    mpz_mul_ui(mpq_numref(term), mpq_numref(term), (unsigned long)mult[j]);
    mpq_canonicalize(term);
    mpq_add(t2, t2, term);
  }
cleanup:
  mpq_clears(mu[0], mu[1], mu[2], term, NULL);
  return st;
}

dufm_status dufm_clique_rank_pre(int *rank, int r, int m, const int *k, const mpq_t *z,
                                 dufm_err *err) {
  dufm_status st = dufm_i_clique_check(r, m, k, z, err);
  if (st != DUFM_OK)
    return st;
  /* W^T W = alpha I + beta J; 4 beta sums s_u s_v over the rows (both in S,
   * both out, or split), 4 (alpha + beta) is the diagonal sum_z C(r,k). */
  mpz_t c, tmp;
  mpq_t alpha4, beta4, term;
  mpz_inits(c, tmp, NULL);
  mpq_inits(alpha4, beta4, term, NULL);
  for (int i = 0; i < m; i++) {
    dufm_i_binom(c, r - 2, k[i] - 2);
    dufm_i_binom(tmp, r - 2, k[i]);
    mpz_add(c, c, tmp);
    dufm_i_binom(tmp, r - 2, k[i] - 1);
    mpz_submul_ui(c, tmp, 2);
    mpq_set_z(term, c);
    mpq_mul(term, term, z[i]);
    mpq_add(beta4, beta4, term);
    dufm_i_binom(c, r, k[i]);
    mpq_set_z(term, c);
    mpq_mul(term, term, z[i]);
    mpq_add(alpha4, alpha4, term);
  }
  mpq_sub(alpha4, alpha4, beta4);
  /* B^T (alpha I + beta J) B = alpha (2I + Adj) + 4 beta J_K: eigenvalue
   * 2(r-1)(alpha + r beta) on the ones vector, (r-2) alpha on the (r-1)-space,
   * 0 on the (K-r)-space. */
  mpq_set_ui(term, (unsigned long)r, 1);
  mpq_mul(term, term, beta4);
  mpq_add(term, term, alpha4);
  *rank = (mpq_sgn(alpha4) != 0 ? r - 1 : 0) + (mpq_sgn(term) != 0 ? 1 : 0);
  mpq_clears(alpha4, beta4, term, NULL);
  mpz_clears(c, tmp, NULL);
  return DUFM_OK;
}

void dufm_i_clique_head(mpq_t out, const dufm_params *p, int r) {
  /* a_0 = n lam_H ||B||^2 = n lam_H 2K; a_l = lam_l rank(B) = lam_l r. */
  mpq_t term;
  mpq_init(term);
  mpq_set_ui(term, 2UL * (unsigned long)p->K * (unsigned long)p->n, 1);
  mpq_mul(out, term, p->lam_h);
  mpq_set_ui(term, (unsigned long)r, 1);
  for (int l = 1; l <= p->L - 2; l++) {
    mpq_mul(out, out, p->lam_w[l - 1]);
    mpq_mul(out, out, term);
  }
  mpq_clear(term);
}

dufm_status dufm_i_clique_check_params(const dufm_params *p, int r, dufm_err *err) {
  if (p->L < 2)
    return dufm_err_set(err, DUFM_EINVAL, "L = %d: clique constructions need L >= 2", p->L);
  if (r >= 3 && r <= DUFM_I_CLIQUE_MAX_R && (long)p->K != (long)r * (r - 1) / 2)
    return dufm_err_set(err, DUFM_EINVAL, "K = %d: a clique construction on K_%d needs K = %ld",
                        p->K, r, (long)r * (r - 1) / 2);
  return DUFM_OK;
}

dufm_status dufm_clique_qpow(mpq_t out, const dufm_params *p, int r, int m, const int *k,
                             const mpq_t *z, dufm_err *err) {
  dufm_status st = dufm_i_clique_check_params(p, r, err);
  if (st != DUFM_OK)
    return st;
  mpq_t w2, t2;
  mpq_inits(w2, t2, NULL);
  st = dufm_clique_norms(w2, t2, r, m, k, z, err);
  if (st == DUFM_OK) {
    dufm_i_clique_head(out, p, r);
    mpq_mul(out, out, p->lam_w[p->L - 2]);
    mpq_mul(out, out, w2);
    mpq_mul(out, out, p->lam_w[p->L - 1]);
    mpq_mul(out, out, t2);
  }
  mpq_clears(w2, t2, NULL);
  return st;
}
