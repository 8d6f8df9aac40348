/* Rigorous enclosure of g_L in the nonzero regime.
 *
 * Candidates are dyadic, s = M 2^-k (M, k integers). On (0, (L+1)/(2L)] both
 *   P(s) = s^(L+1) (1-s)^(L-1)   and   G(s) = ((L+1) s - L s^2) / 2
 * are increasing (d ln P/ds = (L+1)/s - (L-1)/(1-s) > 0 and
 * G'(s) = ((L+1) - 2 L s)/2 > 0 there), and the root s* of P(s) = q_pow lies in
 * (0, 1/L), inside that interval. So P(s_lo) <= q_pow <= P(s_hi), decided with
 * integers, proves s_lo <= s* <= s_hi and then G(s_lo) <= g_L = G(s*) <= G(s_hi).
 * See proofs/gl.md. */
#include <math.h>
#include <mpfr.h>

#include "closed/gl_internal.h"

/* Bits of M below the leading one; the double start point has 53. */
#define MANT_BITS 62
/* Bisection stops when s_hi - s_lo <= 2^STOP_BITS units, about 2^-55 relative. */
#define STOP_BITS 6
/* Below s = 2^UNDERFLOW_TOP, g <= (L+1)/2 s < 2^-1070 is not a normal double. */
#define UNDERFLOW_TOP (-1090)

/* Working precision of the interval filter in cmp_p. */
#define FILTER_BITS 128

typedef struct {
  int L;
  unsigned long k;
  mpq_srcptr q;
  mpz_t lhs, rhs, tmp;
  mpfr_t q_lo, q_hi, s, p_lo, p_hi, x; /* FILTER_BITS each */
} checker;

/* Bounds p_lo <= P(M 2^-k) <= p_hi: every factor is positive, so rounding each
 * operation down (up) gives a lower (upper) bound. */
static void p_bound(checker *c, mpfr_t out, mpfr_rnd_t rnd) {
  mpfr_ui_sub(c->x, 1, c->s, rnd);
  mpfr_pow_ui(c->x, c->x, (unsigned long)c->L - 1, rnd);
  mpfr_pow_ui(out, c->s, (unsigned long)c->L + 1, rnd);
  mpfr_mul(out, out, c->x, rnd);
}

/* Sign of P(M 2^-k) - q_pow. First with 128-bit outward-rounded bounds (the
 * bisection never needs more unless M 2^-k is the root itself), then, when the
 * bounds overlap, exactly: M^(L+1) (2^k - M)^(L-1) den against num 2^(2kL). */
static int cmp_p(checker *c, const mpz_t M) {
  /* The filter needs s itself; M is wider than FILTER_BITS only after a
   * start point far off the root, and then it is skipped. */
  if (mpfr_set_z_2exp(c->s, M, -(mpfr_exp_t)c->k, MPFR_RNDN) == 0) {
    p_bound(c, c->p_hi, MPFR_RNDU);
    if (mpfr_less_p(c->p_hi, c->q_lo))
      return -1;
    p_bound(c, c->p_lo, MPFR_RNDD);
    if (mpfr_greater_p(c->p_lo, c->q_hi))
      return 1;
  }
  mpz_pow_ui(c->lhs, M, (unsigned long)c->L + 1);
  mpz_set_ui(c->tmp, 0);
  mpz_setbit(c->tmp, c->k);
  mpz_sub(c->tmp, c->tmp, M);
  mpz_pow_ui(c->tmp, c->tmp, (unsigned long)c->L - 1);
  mpz_mul(c->lhs, c->lhs, c->tmp);
  mpz_mul(c->lhs, c->lhs, mpq_denref(c->q));
  mpz_mul_2exp(c->rhs, mpq_numref(c->q), 2 * c->k * (unsigned long)c->L);
  return mpz_cmp(c->lhs, c->rhs);
}

/* G(M 2^-k) rounded in direction rnd: ((L+1) M 2^k - L M^2) / 2^(2k+1). */
static double g_rounded(checker *c, const mpz_t M, mpfr_rnd_t rnd) {
  mpz_mul_2exp(c->tmp, M, c->k);
  mpz_mul_ui(c->tmp, c->tmp, (unsigned long)c->L + 1);
  mpz_mul(c->lhs, M, M);
  mpz_submul_ui(c->tmp, c->lhs, (unsigned long)c->L);
  mpfr_t x;
  mpfr_init2(x, 53);
  mpfr_set_z_2exp(x, c->tmp, -(mpfr_exp_t)(2 * c->k + 1), rnd);
  double d = mpfr_get_d(x, rnd); /* same direction again: stays a bound in the subnormals */
  mpfr_clear(x);
  return d;
}

dufm_status dufm_i_gl_enclose(double *lower, double *upper, int L, const mpq_t q_pow, double s_mant,
                              long s_exp2, dufm_err *err) {
  int e;
  double frac = frexp(s_mant, &e); /* s = frac 2^(s_exp2 + e), frac in [0.5, 1) */
  long top = s_exp2 + e;
  if (!(s_mant > 0) || !isfinite(s_mant) || top > 1)
    return dufm_err_set(err, DUFM_ENUMERIC, "g_L enclosure (L = %d): bad start point", L);
  checker c = {.L = L, .k = (unsigned long)(MANT_BITS - top), .q = q_pow};
  mpz_t m0, lo, hi, bound, w;
  mpz_inits(c.lhs, c.rhs, c.tmp, m0, lo, hi, bound, w, NULL);
  mpfr_inits2(FILTER_BITS, c.q_lo, c.q_hi, c.s, c.p_lo, c.p_hi, c.x, (mpfr_ptr)0);
  mpfr_set_q(c.q_lo, q_pow, MPFR_RNDD);
  mpfr_set_q(c.q_hi, q_pow, MPFR_RNDU);
  dufm_status st = DUFM_OK;

  if (top < UNDERFLOW_TOP) {
    /* g < 2^-1070: the double enclosure is [0, smallest subnormal] and one
     * check of s_hi = 2^(top+1) >= 2 s proves it (each check costs a product
     * as long as q_pow, so this matters when q_pow has millions of digits). */
    c.k = (unsigned long)(-(top + 1));
    mpz_set_ui(hi, 1);
    if (cmp_p(&c, hi) >= 0) {
      *lower = 0.0;
      *upper = g_rounded(&c, hi, MPFR_RNDU);
      goto cleanup;
    }
    c.k = (unsigned long)(MANT_BITS - top);
  }

  mpz_set_d(m0, ldexp(frac, MANT_BITS)); /* exact: frac has 53 bits */
  /* bound = floor((L+1) 2^k / (2L)): the end of the monotone interval. */
  mpz_set_ui(bound, 0);
  mpz_setbit(bound, c.k);
  mpz_mul_ui(bound, bound, (unsigned long)L + 1);
  mpz_fdiv_q_ui(bound, bound, 2 * (unsigned long)L);
  if (mpz_cmp(m0, bound) > 0)
    mpz_set(m0, bound);

  /* Widen each side by 4x until verified; the ends 0 and bound always verify. */
  mpz_set_ui(w, 1);
  mpz_mul_2exp(w, w, MANT_BITS - 50);
  for (;;) {
    mpz_sub(lo, m0, w);
    if (mpz_sgn(lo) < 0)
      mpz_set_ui(lo, 0);
    if (cmp_p(&c, lo) <= 0)
      break;
    if (mpz_sgn(lo) == 0) {
      st = dufm_err_set(err, DUFM_ENUMERIC, "g_L enclosure (L = %d): no lower bracket", L);
      goto cleanup;
    }
    mpz_mul_2exp(w, w, 2);
  }
  mpz_set_ui(w, 1);
  mpz_mul_2exp(w, w, MANT_BITS - 50);
  for (;;) {
    mpz_add(hi, m0, w);
    if (mpz_cmp(hi, bound) > 0)
      mpz_set(hi, bound);
    if (cmp_p(&c, hi) >= 0)
      break;
    if (mpz_cmp(hi, bound) == 0) {
      st = dufm_err_set(err, DUFM_ENUMERIC, "g_L enclosure (L = %d): no upper bracket", L);
      goto cleanup;
    }
    mpz_mul_2exp(w, w, 2);
  }

  /* Bisect (keeping both invariants) until the bracket is below double resolution. */
  for (;;) {
    mpz_sub(w, hi, lo);
    if (mpz_sizeinbase(w, 2) <= STOP_BITS)
      break;
    mpz_add(w, lo, hi);
    mpz_fdiv_q_2exp(w, w, 1);
    if (cmp_p(&c, w) <= 0)
      mpz_set(lo, w);
    else
      mpz_set(hi, w);
  }

  *lower = g_rounded(&c, lo, MPFR_RNDD);
  *upper = g_rounded(&c, hi, MPFR_RNDU);
  /* g_L <= 1/2 always; G(s_hi) may pass it when s* is within rounding of 1/L. */
  if (*upper > 0.5)
    *upper = 0.5;

cleanup:
  mpz_clears(c.lhs, c.rhs, c.tmp, m0, lo, hi, bound, w, NULL);
  mpfr_clears(c.q_lo, c.q_hi, c.s, c.p_lo, c.p_hi, c.x, (mpfr_ptr)0);
  return st;
}
