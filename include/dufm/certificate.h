/* dufm/certificate.h: machine-checkable certificates that a structure beats DNC.
 *
 * A certificate holds the parameters, an explicit class-mean configuration with
 * rational entries, its exact loss, and a rational lower bound on the DNC loss
 * g_L(Q_DNC) from the polynomial characterization of g_L. It proves
 * "min F < every DNC loss" when the stated loss equals the recomputed one and is
 * below the bound. Text format: proofs/certificates/FORMAT.md; why a valid
 * certificate proves the claim: proofs/certificate.md. Every decision of the
 * checker is exact (GMP rationals); no floating point is involved. */
#ifndef DUFM_CERTIFICATE_H
#define DUFM_CERTIFICATE_H

#include <gmp.h>
#include <stdio.h>

#include "dufm/error.h"
#include "dufm/export.h"
#include "dufm/params.h"
#include "dufm/structure.h"

DUFM_BEGIN_DECLS

#define DUFM_CERT_VERSION 1
/* Limits enforced by the parser (and by dufm_cert_check): matrix entries in one
 * certificate, one width, decimal digits of one integer (numerator or
 * denominator), characters of the informational structure line. */
#define DUFM_CERT_MAX_ENTRIES (1L << 22)
#define DUFM_CERT_MAX_WIDTH 1000000
#define DUFM_CERT_MAX_DIGITS 1000000
#define DUFM_CERT_MAX_NAME 4096
/* Largest certificate file dufm_cert_load reads (bytes). */
#define DUFM_CERT_MAX_BYTES (64u << 20)
/* dufm_cert_check refuses (DUFM_EINVAL) a certificate whose DNC side would
 * need more than this many times its own size in bits of arithmetic (the
 * powers of dnc-s-lo up to 2L), plus 2^20 bits. */
#define DUFM_CERT_WORK_FACTOR 64
/* The exact loss recomputation is bounded too: before each exact matrix
 * product the checker bounds the bits of its result from the bits of its
 * factors (K bits(W) + rows bits(H) + rows K (log2(inner) + 1)) and refuses
 * (DUFM_EINVAL, before computing) a product that could exceed this factor
 * times the largest dimension times the certificate's own size in bits, plus
 * 2^24, and never more than DUFM_CERT_MAX_WORK_BITS (1 GiB of numbers). */
#define DUFM_CERT_PRODUCT_FACTOR 64
#define DUFM_CERT_MAX_WORK_BITS 8589934592.0

typedef struct {
  dufm_params p;   /* L, K, n and the exact lambdas */
  char *structure; /* informational spec (not checked); malloc'ed */
  int *d;          /* d[0..L]: widths d_1..d_L of H_1..H_L, and d[L] = K */
  /* m[0] = M_1 (d[0] x K), m[l] = W_l (d[l] x d[l-1]) for l = 1..L; row-major
   * arrays of initialized mpq_t. */
  mpq_t **m;
  mpq_t loss;      /* stated exact loss of the configuration */
  mpq_t dnc_qpow;  /* stated Q_DNC^(L+1) = K^(L+1) n lam_H lam_1 ... lam_L */
  int zero_regime; /* stated case: 1 when Q_DNC^(L+1) >= Q_0^(L+1) (g_L = 1/2) */
  mpq_t s_lo;      /* stated s_lo */
  mpq_t bound;     /* stated ((L+1) s_lo - L s_lo^2) / 2 <= F_DNC */
} dufm_cert;

/* Frees everything c owns and zero-fills it; a no-op on NULL and on a zero-filled
 * or cleared record. */
void dufm_cert_clear(dufm_cert *c);

/* Builds the certificate of structure s at p (out uninitialized; clear it
 * afterwards whatever the status): the construction of dufm_structure_build in class-mean form with
 * entries turned into nearby rationals (continued fractions), W_L recomputed as
 * the exact pseudo-inverse of H_L when the rounded one is not exact, every row
 * rescaled by a rational close to the rescale-optimal factor of
 * dufm_structure_materialize; its exact loss; and the DNC bound with a rational
 * s_lo just below the root. It does not decide the claim: run dufm_cert_check
 * (a structure that does not beat DNC gives a certificate whose claim is false).
 * Errors: those of dufm_structure_evaluate and dufm_structure_materialize,
 * DUFM_EINVAL above DUFM_CERT_MAX_ENTRIES, DUFM_ENUMERIC when H_L is singular or
 * the exact loss drifts from the closed form by more than 1e-9 (a bug guard). */
dufm_status dufm_cert_make(dufm_cert *out, const dufm_structure *s, const dufm_params *p,
                           dufm_err *err);

/* Writes c in the text format. DUFM_EIO on a write error. */
dufm_status dufm_cert_write(FILE *f, const dufm_cert *c, dufm_err *err);

/* Writes c to path through a temporary file in the same folder renamed into
 * place, so a failure leaves nothing behind. DUFM_EIO names the path. */
dufm_status dufm_cert_save(const char *path, const dufm_cert *c, dufm_err *err);

/* Parses len bytes of certificate text (out uninitialized; clear it
 * afterwards whatever the status). Strict: fixed line order, single spaces,
 * canonical rationals (lowest terms, no '+', no leading zeros, "-0" and "P/1"
 * refused), every line ended by '\n', nothing after "end", limits above.
 * DUFM_EFORMAT with the message "NAME:LINE: rule" (name is used only in messages), DUFM_ENOMEM. */
dufm_status dufm_cert_parse(dufm_cert *out, const char *text, size_t len, const char *name,
                            dufm_err *err);

/* Reads and parses a file: DUFM_EIO when it cannot be read, else as above (out
 * uninitialized; clear it afterwards whatever the status). */
dufm_status dufm_cert_load(dufm_cert *out, const char *path, dufm_err *err);

typedef enum {
  DUFM_CERT_VALID = 0,
  DUFM_CERT_BAD_LOSS,       /* stated loss differs from the recomputed loss */
  DUFM_CERT_BAD_QPOW,       /* stated Q_DNC^(L+1) differs from the parameters' */
  DUFM_CERT_BAD_REGIME,     /* stated case disagrees with Q_DNC^(L+1) vs Q_0^(L+1) */
  DUFM_CERT_BAD_S_LO,       /* s_lo outside [0, 1/L] (zero case: s_lo != 1/L) */
  DUFM_CERT_BAD_INEQUALITY, /* s_lo^(L+1) (1 - s_lo)^(L-1) > Q_DNC^(L+1) */
  DUFM_CERT_BAD_BOUND,      /* stated bound differs from ((L+1) s_lo - L s_lo^2) / 2 */
  DUFM_CERT_CLAIM_FALSE     /* loss >= bound: nothing is proven */
} dufm_cert_result;

typedef struct {
  dufm_cert_result result; /* the first failed check, in the order of the enum */
  char detail[DUFM_ERR_MSG_MAX];
  mpq_t loss;  /* recomputed exact loss */
  mpq_t bound; /* recomputed bound G(s_lo) */
  int owned;   /* internal: nonzero once loss and bound are initialized */
} dufm_cert_report;

/* Re-derives everything from c alone, exactly: the configuration's loss, the
 * DNC Q^(L+1) from the parameters, the case, s_lo's range, the polynomial
 * inequality, the bound and the claim loss < bound. out uninitialized; clear it
 * afterwards whatever the status. Returns DUFM_OK
 * whenever the checks ran (the verdict is out->result); DUFM_EINVAL when c is
 * not a well-formed certificate (shapes, limits), DUFM_ENOMEM. Cost: one exact
 * forward pass (sum over layers of d[l] d[l-1] K rational products). */
dufm_status dufm_cert_check(dufm_cert_report *out, const dufm_cert *c, dufm_err *err);

/* Frees everything r owns and zero-fills it; a no-op on NULL and on a zero-filled
 * or cleared record. */
void dufm_cert_report_clear(dufm_cert_report *r);

/* Stable short name of a result ("valid", "loss", "dnc-qpow", ...). */
const char *dufm_cert_result_name(dufm_cert_result r);

/* ---- Certificates of explicit configurations (cert_config.c) */

/* How dufm_cert_from_config turns a configuration into rationals. */
typedef struct {
  /* The free features' columns of one class may differ from their class mean
   * by at most collapse_tol times the largest |entry| of H1 (max norm), in
   * [0, 1); default 1e-6. */
  double collapse_tol;
  /* The rounding is accepted when |exact loss - float loss| <= loss_tol
   * max(1, |float loss|), in (0, 1); default 1e-12. */
  double loss_tol;
} dufm_cert_round_opts;

/* What dufm_cert_from_config did (filled whenever the rounding ran). */
typedef struct {
  int bits;          /* grid 2^(e - bits) per matrix (2^e > its largest |entry|); 0: the
                        doubles exactly */
  double float_loss; /* loss of the class-mean configuration in double (dufm_eval) */
  double drift;      /* |exact loss of the certificate - float_loss| */
  double spread;     /* largest |H1 entry - its class mean| / max|H1| (0 for n = 1) */
} dufm_cert_round_info;

void dufm_cert_round_opts_default(dufm_cert_round_opts *o);

/* Builds a certificate (out uninitialized; clear it afterwards whatever the
 * status) for the configuration c (per-sample
 * form at p, n = c->cols / K as dufm_config_check requires): M_1 = the class
 * means of H1, W_l as given, every entry rounded to the nearest multiple of
 * 2^(e - bits), e the exponent of the matrix's largest |entry|, for the first
 * bits in 24, 32, 40, 48 whose exact loss is within loss_tol of the float loss
 * and below the DNC bound, else the doubles themselves (bits = 0). The
 * structure line is "config:LABEL" (label NULL: "config"; characters other
 * than visible ASCII become '_'). The exact loss and the decision come from the
 * checker (dufm_cert_check).
 * Returns DUFM_OK when out is a certificate that dufm_cert_check finds valid;
 * DUFM_ENOTAPPLICABLE when its exact loss is not below the DNC bound (the claim
 * is false; out then holds that certificate, for its loss and bound);
 * DUFM_EINVAL when c does not match p, an option is out of range, or the
 * classes are not collapsed (the message names the column, its class and the
 * deviation); DUFM_ENUMERIC for a non-finite float loss; DUFM_ENOMEM (on these
 * out holds nothing). info may be NULL. Cost: up to five exact forward
 * passes (each sum_l d_l d_(l-1) K rational products). */
dufm_status dufm_cert_from_config(dufm_cert *out, dufm_cert_round_info *info, const dufm_config *c,
                                  const dufm_params *p, const char *label,
                                  const dufm_cert_round_opts *o, dufm_err *err);

DUFM_END_DECLS

#endif
