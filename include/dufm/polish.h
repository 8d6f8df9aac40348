/* dufm/polish.h: high-accuracy local minimization of the L-DUFM loss
 * (per-sample form) near a given configuration.
 * The loss is smooth except where a pre-activation P_l = W_{l-1} H_{l-1}
 * (l = 2..L) crosses zero. A *pattern* is a 0/1 mask M_l of the shape of P_l;
 * with M fixed, H_l = M_l .* P_l and the loss is a polynomial F_M. The
 * *piece* of M is F_M on its region {P >= 0 where M = 1, P <= 0 where M = 0};
 * there F_M and the true loss coincide, value and forward pass alike.
 * - dufm_polish_pattern: minimizes the loss on the piece of the current
 *   pattern, M = [P > 1e-7 max|P_l|] (entries within that of 0 are *kinks*,
 *   counted inactive). Stage DUFM_POLISH_PIECE (default) is an active-set
 *   trust-region Newton-CG for min F_M over the region: kinks are held at
 *   P = 0, entries reaching 0 are held, held entries whose one-sided
 *   multiplier says the interior is lower are released into their own side.
 *   It stops at a KKT point of the piece: the Lagrangian gradient, with
 *   multipliers of the right sign found by bounded least squares, is at most
 *   rel_tol times the loss (docs/search.md, "Polish"). The pattern never
 *   changes; whether a neighbouring piece is lower is reported per kink.
 * - dufm_polish: for points on kinks, where plain L-BFGS stalls: L-BFGS on the
 *   softplus-smoothed loss, softplus_beta(z) = log(1 + exp(beta z)) / beta,
 *   with beta raised from beta_start by beta_factor up to beta_end, then on the
 *   exact loss, then dufm_polish_pattern.
 * Every candidate point is re-evaluated with dufm_eval (the generic evaluator,
 * an independent code path) and the returned configuration is the best seen by
 * that loss: polishing never returns a higher loss than its input. The line
 * search accepts Hager-Zhang approximate Wolfe points, so the gradient can be
 * driven far below the level where loss differences drown in rounding. */
#ifndef DUFM_POLISH_H
#define DUFM_POLISH_H

#include "dufm/error.h"
#include "dufm/export.h"
#include "dufm/model.h"
#include "dufm/params.h"

DUFM_BEGIN_DECLS

/* The pattern stage. */
typedef enum {
  DUFM_POLISH_PIECE = 0,  /* active-set KKT polish of the fixed piece (default) */
  DUFM_POLISH_ROUNDS = 1, /* augmented-Lagrangian L-BFGS rounds holding the kinks at 0:
                             cheaper, not a KKT test (what dufm search and the atlas use) */
  DUFM_POLISH_CROSS = 2   /* kink-aware active set that may move kinks to either side
                             (the pattern can change; judged by the two-sided test) */
} dufm_polish_stage;

typedef struct {
  double rel_tol;     /* stop when the piece's KKT residual / loss <= rel_tol (default 1e-10) */
  long max_evals;     /* loss + gradient evaluations for the whole call (default 100000) */
  int memory;         /* L-BFGS pairs (default 20) */
  int rounds;         /* augmented-Lagrangian rounds (stage ROUNDS, and the fallback when the
                         dense kink Jacobian is too large): outer rounds / 4 (default 4) */
  double beta_start;  /* dufm_polish: first softplus sharpness (default 100) */
  double beta_end;    /* last one (default 1e5) */
  double beta_factor; /* multiplier between stages, > 1 (default 10) */
  dufm_polish_stage stage; /* pattern stage (default DUFM_POLISH_PIECE) */
} dufm_polish_opts;

void dufm_polish_opts_default(dufm_polish_opts *o);

/* Checks the options; the message names the field. */
dufm_status dufm_polish_opts_check(const dufm_polish_opts *o, dufm_err *err);

typedef struct {
  double loss_in;        /* dufm_eval loss of the input */
  double loss;           /* dufm_eval loss of the output; <= loss_in */
  double piece_loss;     /* the piece's loss at the output (= loss when consistent) */
  double grad_norm;      /* ||grad of the piece|| at the output */
  double rel_grad;       /* grad_norm / piece_loss */
  int converged;         /* rel_grad <= rel_tol */
  double eval_grad_norm; /* ||grad|| from dufm_eval at the output (kink derivative 0) */
  long evals;            /* loss + gradient evaluations spent */
  const char *stage;     /* what produced the output: "input", "softplus", "exact", "pattern" */
  /* The pattern of the output: L - 1 layers (pre-activations P_2..P_L), layer
   * l - 2 has d[l-1] x cols entries, row-major, 1 = active. Owned. */
  int layers;
  long entries;
  unsigned char *pattern;
  long active, inactive;
  /* Optimality conditions of the piece: active >= 0 and inactive < 0, except
   * on kinks: entries at P = 0 (held there by the pattern stage), counted by
   * their pattern bit, with multipliers mu of the Lagrangian F_M + sum mu P.
   * grad_norm is the gradient of that Lagrangian (the piece's when there are
   * no kinks). A KKT point of the piece needs mu >= 0 on inactive kinks and
   * mu <= 0 on active ones; a minimum of the true loss needs more: with
   * mu0 = mu (+ dF/dH on active kinks) between 0 and dF/dH on every kink. */
  long violations;          /* off-kink entries on the wrong side: active < 0 or inactive > 0 */
  long kinks;               /* entries held at P = 0 */
  double kink_residual;     /* largest |P| on the kink entries */
  long kink_kkt_violations; /* kinks breaking the piece's sign condition (1e-6 relative slack) */
  long kink_descents;       /* kinks with mu0 outside [0, dF/dH]: with the other kinks held at
                               0, moving this one to its other side lowers the loss at first
                               order (a neighbouring piece is lower), when kink_rank == kinks */
  long kink_rank;           /* rank of the kinks' constraint Jacobian (-1: not computed) */
  double min_active;        /* smallest active pre-activation (+inf if none) */
  double max_inactive;      /* largest inactive pre-activation (-inf if none) */
  int strict;               /* violations == 0 && kinks == 0: an interior point of its piece */
  const char *method;       /* pattern stage: "piece", "rounds", "cross"; "none" (inspect) */
} dufm_polish_report;

/* Frees everything r owns and zero-fills it; a no-op on NULL and on a zero-filled
 * or cleared record. */
void dufm_polish_report_clear(dufm_polish_report *r);

/* Fixed-pattern polish of x in place (x must be in per-sample form for p).
 * rep uninitialized; clear it afterwards whatever the status.
 * Errors: DUFM_EINVAL (shapes, options), DUFM_ENOMEM, DUFM_ENUMERIC (input loss
 * not finite). Reaching the budget without convergence is not an error
 * (rep->converged = 0). */
dufm_status dufm_polish_pattern(dufm_config *x, dufm_polish_report *rep, const dufm_params *p,
                                const dufm_polish_opts *o, dufm_err *err);

/* Softplus continuation, exact L-BFGS, then fixed-pattern polish (budget split
 * 40 / 20 / 40 % of max_evals, unused evaluations passed on; with the piece stage the
 * first two are capped at 24000 / 12000 and the pattern stage gets the rest). As above. */
dufm_status dufm_polish(dufm_config *x, dufm_polish_report *rep, const dufm_params *p,
                        const dufm_polish_opts *o, dufm_err *err);

/* The pattern report alone (no optimization) at x: rep->pattern, counts,
 * margins, piece loss and gradient with active = P > 0. rep uninitialized;
 * clear it afterwards whatever the status. */
dufm_status dufm_polish_inspect(dufm_polish_report *rep, const dufm_config *x, const dufm_params *p,
                                dufm_err *err);

DUFM_END_DECLS

#endif
