/* dufm/model.h: explicit L-DUFM configurations and the generic evaluator
 * (theory sections 1 and 2). */
#ifndef DUFM_MODEL_H
#define DUFM_MODEL_H

#include "dufm/error.h"
#include "dufm/export.h"
#include "dufm/matrix.h"
#include "dufm/params.h"

DUFM_BEGIN_DECLS

/* A configuration: H1 (d[0] x cols) and W[l] (d[l+1] x d[l]) for l = 0..L-1, with
 * d[L] = K. In per-sample form cols = K n, samples grouped by class (column j
 * belongs to class j / n); in class-mean form cols = K. */
typedef struct {
  int L, K;
  int cols; /* columns of H1 */
  int *d;   /* d[0..L] */
  dufm_mat H1;
  dufm_mat *W; /* W[0..L-1] */
} dufm_config;

typedef enum {
  DUFM_FORM_SAMPLES,    /* columns = K n, fit 1/(2N), H1 weight lam_H */
  DUFM_FORM_CLASS_MEANS /* columns = K, fit 1/(2K), H1 weight n lam_H */
} dufm_form;

/* Allocates a zero configuration with widths d[0..L] (d[L] = K) and the given
 * number of H1 columns. c uninitialized; clear it afterwards whatever the
 * status. */
dufm_status dufm_config_init(dufm_config *c, int L, const int *d, int cols, dufm_err *err);
/* Frees everything c owns and zero-fills it; a no-op on NULL and on a zero-filled
 * or cleared record. */
void dufm_config_clear(dufm_config *c);
/* dst becomes a deep copy of src. dst uninitialized; clear it afterwards
 * whatever the status. */
dufm_status dufm_config_copy(dufm_config *dst, const dufm_config *src, dufm_err *err);

/* Checks that c matches p in the given form (L, K, columns); the message names
 * the mismatch. */
dufm_status dufm_config_check(const dufm_config *c, const dufm_params *p, dufm_form form,
                              dufm_err *err);

typedef struct {
  double loss; /* fit + reg */
  double fit;  /* 1/(2N) ||O - Y||_F^2 (per-sample) or 1/(2K) ||O - I||_F^2 */
  double reg;  /* (lam_H/2)||H1||^2 (times n in class-mean form) + sum (lam_l/2)||W_l||^2 */
  double a0;   /* a_0 of theory section 2 (lam_H ||H1||^2, times n in class-mean form) */
} dufm_loss;

/* Forward pass and loss. If grad is non-NULL it must be a configuration of the
 * same shapes; it receives dF/dH1 and dF/dW_l (at a ReLU kink the derivative of
 * max(z, 0) is taken as 0, as PyTorch does). */
dufm_status dufm_eval(dufm_loss *out, dufm_config *grad, const dufm_config *c, const dufm_params *p,
                      dufm_form form, dufm_err *err);

/* A reusable evaluation workspace: every intermediate of the forward and
 * backward pass for one shape (L, d[0..L], cols), so that repeated evaluations
 * (the optimizer's inner loop) allocate nothing. Not thread safe: one workspace
 * per thread. */
typedef struct dufm_eval_ws dufm_eval_ws;

/* Largest evaluation workspace (matrix entries: the pre-activations and
 * activations of every layer over all columns) dufm_eval_ws_alloc accepts;
 * larger shapes are DUFM_EINVAL before any allocation (1 GiB of doubles). */
#define DUFM_EVAL_MAX_ENTRIES (1L << 27)

/* Allocates a workspace for configurations shaped like c (only the shape is
 * read); DUFM_EINVAL above DUFM_EVAL_MAX_ENTRIES. *out NULL on failure; free it
 * with dufm_eval_ws_free (a no-op on NULL). */
dufm_status dufm_eval_ws_alloc(dufm_eval_ws **out, const dufm_config *c, dufm_err *err);
void dufm_eval_ws_free(dufm_eval_ws *ws);

/* dufm_eval with a caller's workspace (which must match c's shape, else
 * DUFM_EINVAL). grad must not be c itself. Cost: L dgemm calls for the loss,
 * 3L with the gradient; no allocation. Bitwise reproducible run to run. Returns
 * DUFM_ENUMERIC (out still filled) when the loss is not finite. */
dufm_status dufm_eval_with(dufm_loss *out, dufm_config *grad, const dufm_config *c,
                           const dufm_params *p, dufm_form form, dufm_eval_ws *ws, dufm_err *err);

/* Forward quantities of the configuration last evaluated with ws (owned by ws,
 * valid until its next use): pre-activations P_l = W_{l-1} H_{l-1} and
 * activations H_l = relu(P_l) for l = 2..L (d[l-1] x cols), and the output O
 * (K x cols). Out-of-range l gives NULL (H_1 is the configuration's own). */
const dufm_mat *dufm_eval_ws_preact(const dufm_eval_ws *ws, int l);
const dufm_mat *dufm_eval_ws_hidden(const dufm_eval_ws *ws, int l);
const dufm_mat *dufm_eval_ws_output(const dufm_eval_ws *ws);

/* Output O = W_L H_L into out (K x cols). out uninitialized; clear it afterwards
 * whatever the status. */
dufm_status dufm_forward_output(dufm_mat *out, const dufm_config *c, dufm_err *err);

/* The rescale-optimal loss of c (theory section 2): the minimum of the loss over
 * all positive rescalings of H1 and every W_l. Writes also the optimal total
 * output scale t (relative to c) when t_out is non-NULL. (Derivation:
 * proofs/rescale.md.) It is an infimum: t = 0 (the zero solution) is a limit of
 * rescalings, and when some a_i = 0 the penalty's infimum 0 is not attained. The
 * result never exceeds the loss of c itself (t = 1 is a candidate). */
dufm_status dufm_rescaled_loss(double *out, double *t_out, const dufm_config *c,
                               const dufm_params *p, dufm_form form, dufm_err *err);

DUFM_END_DECLS

#endif
