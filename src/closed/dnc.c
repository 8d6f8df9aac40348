/* DNC closed form (theory section 3, proofs/dnc.md): M_1 = I_K and W_l = I_K give
 * a_0 = n lam_H K and a_l = lam_l K, so Q_DNC^(L+1) = K^(L+1) c_1^(L+1). */
#include "dufm/dnc.h"

void dufm_dnc_c1pow(mpq_t out, const dufm_params *p) {
  mpq_set_ui(out, (unsigned long)p->n, 1);
  mpq_mul(out, out, p->lam_h);
  for (int l = 0; l < p->L; l++)
    mpq_mul(out, out, p->lam_w[l]);
}

void dufm_dnc_qpow(mpq_t out, const dufm_params *p) {
  mpq_t kpow;
  mpq_init(kpow);
  mpz_ui_pow_ui(mpq_numref(kpow), (unsigned long)p->K, (unsigned long)p->L + 1);
  dufm_dnc_c1pow(out, p);
  mpq_mul(out, out, kpow);
  mpq_clear(kpow);
}

dufm_status dufm_dnc_eval(dufm_gl *out, const dufm_params *p, dufm_err *err) {
  mpq_t q_pow;
  mpq_init(q_pow);
  dufm_dnc_qpow(q_pow, p);
  dufm_status st = dufm_gl_eval(out, p->L, q_pow, err);
  mpq_clear(q_pow);
  return st;
}
