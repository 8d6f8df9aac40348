/* dufm/params.h: problem parameters of the L-DUFM (theory section 1).
 *
 * Every regularization strength is kept twice: exactly, as the rational the
 * user typed, and as the nearest double. Exact comparisons use the former. */
#ifndef DUFM_PARAMS_H
#define DUFM_PARAMS_H

#include <gmp.h>

#include "dufm/error.h"
#include "dufm/export.h"

DUFM_BEGIN_DECLS

#define DUFM_MAX_L 1000
#define DUFM_MAX_K 10000000
#define DUFM_MAX_N 1000000

typedef struct {
  int L;          /* depth, 1 <= L <= DUFM_MAX_L */
  int K;          /* classes, 2 <= K <= DUFM_MAX_K */
  int n;          /* samples per class, 1 <= n <= DUFM_MAX_N */
  mpq_t lam_h;    /* lambda_H, exact, >= 0 */
  mpq_t *lam_w;   /* lambda_1..lambda_L in lam_w[0..L-1], exact, >= 0 */
  double lam_h_d; /* nearest doubles of the above */
  double *lam_w_d;
} dufm_params;

/* Initializes p for the given sizes with every lambda equal to zero.
 * Rejects sizes outside the ranges above (message names L, K or n). p
 * uninitialized; clear it afterwards whatever the status. */
dufm_status dufm_params_init(dufm_params *p, int L, int K, int n, dufm_err *err);

/* Frees everything p owns and zero-fills it; a no-op on NULL and on a zero-filled
 * or cleared record. */
void dufm_params_clear(dufm_params *p);

/* Sets lambda_H (which = -1), lambda_l (which = l - 1 in 0..L-1) or all of them
 * (which = DUFM_LAMBDA_ALL) from exact rational text. Rejects negative values,
 * malformed text, and values whose nearest double is 0 while they are positive
 * ("underflows to 0 as a double") or is infinite (DUFM_EFORMAT or DUFM_EINVAL;
 * the caller names the flag). */
#define DUFM_LAMBDA_H (-1)
#define DUFM_LAMBDA_ALL (-2)
dufm_status dufm_params_set_lambda(dufm_params *p, int which, const char *text, dufm_err *err);

/* Same with an exact rational value (no check of its double: exact-only
 * callers such as the certificate parser use it). */
dufm_status dufm_params_set_lambda_q(dufm_params *p, int which, const mpq_t value, dufm_err *err);

/* dst becomes a deep copy of src. dst uninitialized; clear it afterwards
 * whatever the status. */
dufm_status dufm_params_copy(dufm_params *dst, const dufm_params *src, dufm_err *err);

DUFM_END_DECLS

#endif
