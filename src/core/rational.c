#include "dufm/rational.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <mpfr.h>
#include <stdlib.h>
#include <string.h>

/* Parses [+-]digits[.digits][(e|E)[+-]digits] from [s, end) into out. */
static dufm_status parse_decimal(mpq_t out, const char *s, const char *end, dufm_err *err) {
  int negative = 0;
  if (s < end && (*s == '+' || *s == '-'))
    negative = (*s++ == '-');
  const char *int_begin = s;
  while (s < end && isdigit((unsigned char)*s))
    s++;
  size_t int_len = (size_t)(s - int_begin);
  const char *frac_begin = s;
  size_t frac_len = 0;
  if (s < end && *s == '.') {
    frac_begin = ++s;
    while (s < end && isdigit((unsigned char)*s))
      s++;
    frac_len = (size_t)(s - frac_begin);
  }
  if (int_len + frac_len == 0)
    return dufm_err_set(err, DUFM_EFORMAT,
                        "expected a decimal number (digits, optional '.', "
                        "optional exponent) or a fraction P/Q");
  long exp10 = 0;
  if (s < end && (*s == 'e' || *s == 'E')) {
    s++;
    int exp_negative = 0;
    if (s < end && (*s == '+' || *s == '-'))
      exp_negative = (*s++ == '-');
    if (s == end || !isdigit((unsigned char)*s))
      return dufm_err_set(err, DUFM_EFORMAT, "exponent needs digits after 'e'");
    while (s < end && isdigit((unsigned char)*s)) {
      exp10 = exp10 * 10 + (*s++ - '0');
      if (exp10 > DUFM_Q_MAX_EXP10)
        return dufm_err_set(err, DUFM_EFORMAT, "decimal exponent beyond +-%d", DUFM_Q_MAX_EXP10);
    }
    if (exp_negative)
      exp10 = -exp10;
  }
  if (s != end)
    return dufm_err_set(err, DUFM_EFORMAT, "unexpected character '%c' in a number", *s);

  char *digits = malloc(int_len + frac_len + 1);
  if (digits == NULL)
    return dufm_err_set(err, DUFM_ENOMEM, "out of memory parsing a number");
  memcpy(digits, int_begin, int_len);
  memcpy(digits + int_len, frac_begin, frac_len);
  digits[int_len + frac_len] = '\0';
  mpz_t num, den;
  mpz_init(num);
  mpz_init(den);
  mpz_set_str(num, digits, 10);
  free(digits);
  long scale = exp10 - (long)frac_len;
  mpz_set_ui(den, 1);
  if (scale >= 0) {
    mpz_t p;
    mpz_init(p);
    mpz_ui_pow_ui(p, 10, (unsigned long)scale);
    mpz_mul(num, num, p);
    mpz_clear(p);
  } else {
    mpz_ui_pow_ui(den, 10, (unsigned long)(-scale));
  }
  if (negative)
    mpz_neg(num, num);
  mpq_set_num(out, num);
  mpq_set_den(out, den);
  mpq_canonicalize(out);
  mpz_clear(num);
  mpz_clear(den);
  return DUFM_OK;
}

dufm_status dufm_q_parse(mpq_t out, const char *text, dufm_err *err) {
  if (text == NULL || *text == '\0')
    return dufm_err_set(err, DUFM_EFORMAT, "empty number");
  const char *end = text + strlen(text);
  const char *slash = strchr(text, '/');
  if (slash == NULL)
    return parse_decimal(out, text, end, err);
  mpq_t den;
  mpq_init(den);
  dufm_status st = parse_decimal(out, text, slash, err);
  if (st == DUFM_OK)
    st = parse_decimal(den, slash + 1, end, err);
  if (st == DUFM_OK && mpq_sgn(den) == 0)
    st = dufm_err_set(err, DUFM_EFORMAT, "fraction with zero denominator");
  if (st == DUFM_OK)
    mpq_div(out, out, den);
  mpq_clear(den);
  return st;
}

static double log_z(const mpz_t z) {
  long exp2;
  double mant = mpz_get_d_2exp(&exp2, z); /* |z| = mant * 2^exp2, mant in [0.5, 1) */
  return log(fabs(mant)) + (double)exp2 * M_LN2;
}

double dufm_q_log(const mpq_t q) {
  if (mpq_sgn(q) == 0)
    return -INFINITY;
  return log_z(mpq_numref(q)) - log_z(mpq_denref(q));
}

/* mpq_get_d truncates and overflows silently; MPFR rounds as asked and
 * saturates correctly. */
static double q_get_d(const mpq_t q, mpfr_rnd_t rnd) {
  mpfr_t x;
  mpfr_init2(x, 53);
  mpfr_set_q(x, q, rnd);
  double d = mpfr_get_d(x, rnd);
  mpfr_clear(x);
  return d;
}

double dufm_q_get_d(const mpq_t q) { return q_get_d(q, MPFR_RNDN); }

double dufm_q_get_d_down(const mpq_t q) { return q_get_d(q, MPFR_RNDD); }

void dufm_q_pow_ui(mpq_t out, const mpq_t base, unsigned long e) {
  mpz_t num, den;
  mpz_init(num);
  mpz_init(den);
  mpz_pow_ui(num, mpq_numref(base), e);
  mpz_pow_ui(den, mpq_denref(base), e);
  mpq_set_num(out, num);
  mpq_set_den(out, den);
  mpq_canonicalize(out);
  mpz_clear(num);
  mpz_clear(den);
}

char *dufm_q_to_string(const mpq_t q) { return mpq_get_str(NULL, 10, q); }
