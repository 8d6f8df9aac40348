/* The universal lower bound and the clique ridge relaxation (dufm/bounds.h);
 * derivations in proofs/bounds.md. */
#include <math.h>

#include "closed/clique_internal.h"
#include "dufm/bounds.h"
#include "dufm/dnc.h"
#include "dufm/rational.h"

void dufm_lower_bound_qpow(mpq_t out, const dufm_params *p) {
  /* ||O||_* <= product of the Frobenius norms caps the output's trace norm, and
   * the best K x K fit of rank K with trace norm tau is tau/K times I_K. */
  mpq_t k2;
  mpq_init(k2);
  mpq_set_ui(k2, (unsigned long)p->K * (unsigned long)p->K, 1);
  dufm_dnc_c1pow(out, p);
  mpq_mul(out, out, k2);
  mpq_clear(k2);
}

dufm_status dufm_ridge_clique(dufm_ridge *out, const dufm_params *p, int r, int m, const int *k,
                              const mpq_t *z, dufm_err *err) {
  *out = (dufm_ridge){.value = 0.5};
  dufm_status st = dufm_i_clique_check_params(p, r, err);
  if (st == DUFM_OK)
    st = dufm_i_clique_check(r, m, k, z, err);
  if (st != DUFM_OK)
    return st;
  mpq_t a, w2;
  mpq_inits(a, w2, NULL);
  dufm_i_clique_w2(w2, r, m, k, z);
  dufm_i_clique_head(a, p, r);
  mpq_mul(a, a, p->lam_w[p->L - 2]);
  mpq_mul(a, a, w2);
  st = dufm_ridge_clique_at(out, p->L, p->lam_w[p->L - 1], r, m, k, z, a, err);
  mpq_clears(a, w2, NULL);
  return st;
}

dufm_status dufm_ridge_clique_at(dufm_ridge *out, int L, const mpq_t lam_L, int r, int m,
                                 const int *k, const mpq_t *z, const mpq_t A, dufm_err *err) {
  *out = (dufm_ridge){.value = 0.5};
  dufm_status st = dufm_i_clique_check(r, m, k, z, err);
  if (st != DUFM_OK)
    return st;
  if (mpq_sgn(lam_L) < 0 || mpq_sgn(A) < 0)
    return dufm_err_set(err, DUFM_EINVAL, "ridge: lam_L and A must be nonnegative");
  mpq_t mu[3];
  mpq_inits(mu[0], mu[1], mu[2], NULL);
  dufm_i_clique_eig(mu, r, m, k, z);
  long mult[3];
  dufm_i_clique_mult(mult, r);
  /* The eigenvalues can be far beyond the double range (C(r, k) for r in the
   * thousands): divide them by the largest, which F absorbs into A and t. */
  int jmax = 0;
  for (int j = 1; j < 3; j++)
    if (mpq_cmp(mu[j], mu[jmax]) > 0)
      jmax = j;
  double log_g = mpq_sgn(mu[jmax]) > 0 ? dufm_q_log(mu[jmax]) : 0.0;
  double gamma[3];
  int im[3];
  for (int j = 0; j < 3; j++) {
    if (j != jmax && mpq_sgn(mu[jmax]) > 0)
      mpq_div(mu[j], mu[j], mu[jmax]);
    im[j] = (int)mult[j];
  }
  for (int j = 0; j < 3; j++)
    gamma[j] = j == jmax ? (mpq_sgn(mu[j]) > 0 ? 1.0 : 0.0) : dufm_q_get_d(mu[j]);
  double log_a = dufm_q_log(A) - log_g; /* F(t; g gamma, A) = F(t sqrt(g); gamma, A / g) */
  st = dufm_ridge_eval(out, L, dufm_q_get_d(lam_L), r * (r - 1) / 2, 3, gamma, im, log_a, err);
  if (st == DUFM_OK && out->t > 0.0 && isfinite(out->t))
    out->t *= exp(-0.5 * log_g);
  mpq_clears(mu[0], mu[1], mu[2], NULL);
  return st;
}
