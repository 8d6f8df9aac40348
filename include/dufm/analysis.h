/* dufm/analysis.h: measurements on an explicit configuration (theory section 8):
 * ranks and singular values per layer, neural-collapse metrics NC1-NC3,
 * stationarity, and a classification zero / underfit / low_rank / dnc / other.
 *
 * Definitions (N = K n samples, columns grouped by class; M_l = d_l x K class
 * means of H_l):
 * - rank: number of singular values sigma_i > rank_tol * sigma_max (0 for a
 *   zero matrix).
 * - NC1 = tr(S_W S_B^+) / K, S_W = (1/N) sum over samples of (h - mu_c)(h - mu_c)^T,
 *   S_B = (1/K) sum_c (mu_c - mu_G)(mu_c - mu_G)^T; S_B^+ keeps the directions
 *   whose singular value of the centered means exceeds rank_tol times the
 *   largest (within-class spread orthogonal to the class means is not counted).
 * - NC2 = || G/||G||_F - I_K/sqrt(K) ||_F, G = M_l^T M_l.
 * - NC3 = || A/||A||_F - B/||B||_F ||_F, A = W_l^T W_l, B = M_l M_l^T (d_l x d_l).
 * A metric that is undefined (a zero denominator) is NaN.
 *
 * Classification, the first rule that applies:
 * - DUFM_CLASS_ZERO when |loss - 1/2| <= 1e-9 (DUFM_ZERO_LOSS_TOL): the all-zero
 *   solution (loss exactly 1/2) or a configuration numerically on it, whose
 *   ranks are rounding noise;
 * - DUFM_CLASS_UNDERFIT when the output's class means O have rank_out < K, where
 *   rank_out counts singular values above rank_tol * max(sigma_max(O), 1): the
 *   scale 1 is that of the target I_K, so it cannot vanish, and a tiny output
 *   has rank 0 (some class is not fitted);
 * - DUFM_CLASS_LOW_RANK when some M_l (l = 1..L) has rank < K (relative to its
 *   own sigma_max: layers can be rescaled freely, and with a full-rank output
 *   no layer is negligible);
 * - DUFM_CLASS_DNC when NC2 < nc2_tol on every layer l = 1..L;
 * - else DUFM_CLASS_OTHER. */
#ifndef DUFM_ANALYSIS_H
#define DUFM_ANALYSIS_H

#include "dufm/error.h"
#include "dufm/export.h"
#include "dufm/model.h"
#include "dufm/params.h"

DUFM_BEGIN_DECLS

typedef enum {
  DUFM_CLASS_DNC,      /* every class-mean layer has rank K and an orthogonal-frame Gram */
  DUFM_CLASS_LOW_RANK, /* some class-mean layer has rank < K, the output has rank K */
  DUFM_CLASS_OTHER,
  DUFM_CLASS_ZERO,    /* loss 1/2 within DUFM_ZERO_LOSS_TOL: the zero solution */
  DUFM_CLASS_UNDERFIT /* the output's class means have rank < K */
} dufm_classification;

#define DUFM_ZERO_LOSS_TOL 1e-9

typedef struct {
  double rank_tol; /* relative singular-value threshold for ranks, in (0, 1) (default 1e-6) */
  double kink_tol; /* |pre-activation| <= kink_tol * max|P_l| counts as a kink, in [0, 1)
                      (default 1e-9) */
  double nc2_tol;  /* NC2 below this on every layer (with full ranks) means DNC, > 0
                      (default 1e-3) */
} dufm_analysis_opts;

/* Per layer l = 1..L (index l - 1): H_l is the input of W_l (H_1 the free
 * features), P_l = W_{l-1} H_{l-1} its pre-activation (l >= 2). */
typedef struct {
  int rows;                /* d_l */
  int rank_mean;           /* rank of the class-mean matrix M_l of H_l */
  int rank_pre;            /* rank of the class means of P_l (-1 for l = 1) */
  int rank_post;           /* rank of the class means of H_l (= rank_mean) */
  int rank_samples;        /* rank of H_l itself (all N columns) */
  int nsv;                 /* min(d_l, K) */
  double *singular_values; /* of M_l, descending, nsv entries (owned) */
  double nc1, nc2, nc3;    /* theory section 8 (nc1 = 0 when n = 1) */
} dufm_layer_stats;

typedef struct {
  int L, K, n;
  double loss, fit, reg, rescaled_loss; /* per-sample form (dufm_eval, dufm_rescaled_loss) */
  double grad_norm;                     /* Frobenius norm of the full gradient */
  long kinks;                           /* pre-activations within kink_tol of zero */
  dufm_layer_stats *layers;             /* L entries */
  int rank_out; /* rank of the class means of the output O (relative to max(sigma_max, 1)) */
  dufm_classification classification;
  double rank_tol, kink_tol, nc2_tol; /* the options used */
} dufm_analysis;

void dufm_analysis_opts_default(dufm_analysis_opts *o);

/* Analyses c (per-sample form, n = c->cols / K, which must equal p->n) at p;
 * o = NULL takes the defaults. out uninitialized; clear it afterwards whatever
 * the status. Errors: DUFM_EINVAL for options out of range
 * or a configuration that does not match p (dufm_config_check), DUFM_ENUMERIC
 * for a non-finite loss or a failed SVD, DUFM_ENOMEM. Cost: one evaluation with
 * gradient, and per layer SVDs of the d_l x K class means and of H_l (d_l x N). */
dufm_status dufm_analyze(dufm_analysis *out, const dufm_config *c, const dufm_params *p,
                         const dufm_analysis_opts *o, dufm_err *err);

/* Frees everything a owns and zero-fills it; a no-op on NULL and on a zero-filled
 * or cleared record. */
void dufm_analysis_clear(dufm_analysis *a);

/* "dnc", "low_rank", "other", "zero" or "underfit". */
const char *dufm_classification_name(dufm_classification c);

/* ---- measurements every caller shares (the figures, the experiments and
 * dufm_analyze use these, so they agree to the bit) */

/* out (rows x K) = class means of x (rows x K n, the n columns of class c
 * contiguous). out uninitialized; clear it afterwards whatever the status.
 * DUFM_EINVAL when K < 1 or K does not divide the columns. */
dufm_status dufm_class_means(dufm_mat *out, const dufm_mat *x, int K, dufm_err *err);

/* The min(rows, cols) singular values of m, descending, into s (caller
 * allocated). DUFM_EINVAL for an empty m, DUFM_ENUMERIC when LAPACK fails. */
dufm_status dufm_singular_values(double *s, const dufm_mat *m, dufm_err *err);

/* The rank rule of this header: the number of s[i] > tol * s[0] (s descending,
 * count of them; 0 when count = 0 or s[0] = 0). */
int dufm_sv_rank(const double *s, int count, double tol);

/* The one "below a closed form" rule (dufm check --expect-below, optimize's
 * below_dnc and below_best_structure, the paper's counts): a double loss is
 * below a closed form whose rigorous enclosure starts at closed_lower when
 * loss < closed_lower - DUFM_BELOW_RTOL |closed_lower|. The margin covers the
 * rounding of the configuration's own double loss: a smaller gap proves
 * nothing either way. */
#define DUFM_BELOW_RTOL 1e-12
int dufm_loss_below(double loss, double closed_lower);

DUFM_END_DECLS

#endif
