/* dufm/rational.h: exact rationals (GMP mpq_t) for user inputs and losses. */
#ifndef DUFM_RATIONAL_H
#define DUFM_RATIONAL_H

#include <gmp.h>

#include "dufm/error.h"
#include "dufm/export.h"

DUFM_BEGIN_DECLS

/* Largest decimal exponent accepted by dufm_q_parse ("1e-100000"); larger ones
 * are rejected so that a typo cannot ask for gigabytes of digits. */
#define DUFM_Q_MAX_EXP10 100000

/* Parses text exactly into out: an optional sign, digits with an optional
 * decimal point, an optional exponent (e/E, signed integer), or a fraction
 * "P/Q" of two such integers. "0.004" becomes 1/250 exactly. Rejects empty
 * strings, spaces, nan, inf, hexadecimal and trailing garbage with DUFM_EFORMAT
 * (message: the rule broken, without the flag name; callers prefix it). */
dufm_status dufm_q_parse(mpq_t out, const char *text, dufm_err *err);

/* Natural logarithm of a positive rational, correct even when the rational is
 * far outside the double range (1e-100000). Returns -INFINITY for zero. */
double dufm_q_log(const mpq_t q);

/* Nearest double to q (0 or +-inf/denormal when q is outside the range). */
double dufm_q_get_d(const mpq_t q);

/* Largest double <= q (a rigorous lower bound, for certified bounds). */
double dufm_q_get_d_down(const mpq_t q);

/* out = base^e for e >= 0 (base may alias out). */
void dufm_q_pow_ui(mpq_t out, const mpq_t base, unsigned long e);

/* Newly malloc'ed "P/Q" (or "P") string; NULL on allocation failure. Free with free(). */
char *dufm_q_to_string(const mpq_t q);

DUFM_END_DECLS

#endif
