/* The rescale-optimal loss of a configuration (theory section 2; derivation in
 * proofs/rescale.md). */
#include <float.h>
#include <math.h>

#include "dufm/gl.h"
#include "dufm/model.h"

/* Kahan sums over the output: ||O||^2 and <O, Y>, Y the targets of the form
 * (class i owns the columns [i per, (i + 1) per)). */
static void output_moments(double *oo, double *oy, const dufm_mat *o, int per) {
  double s2 = 0.0, c2 = 0.0, s1 = 0.0, c1 = 0.0;
  for (int i = 0; i < o->rows; i++) {
    const double *row = o->data + (size_t)i * (size_t)o->cols;
    for (int j = 0; j < o->cols; j++) {
      double y = row[j] * row[j] - c2, t = s2 + y;
      c2 = (t - s2) - y;
      s2 = t;
    }
    for (int j = i * per; j < (i + 1) * per && j < o->cols; j++) {
      double y = row[j] - c1, t = s1 + y;
      c1 = (t - s1) - y;
      s1 = t;
    }
  }
  *oo = s2;
  *oy = s1;
}

/* ||O - b Y||^2, computed directly: it equals cols (a - b^2), whose
 * subtraction would cancel when the output is nearly proportional to Y. */
static double residual_along_y(const dufm_mat *o, int per, double b) {
  double s = 0.0, c = 0.0;
  for (int i = 0; i < o->rows; i++) {
    const double *row = o->data + (size_t)i * (size_t)o->cols;
    for (int j = 0; j < o->cols; j++) {
      double e = row[j] - ((j / per == i) ? b : 0.0);
      double y = e * e - c, t = s + y;
      c = (t - s) - y;
      s = t;
    }
  }
  return s;
}

static double log_pos(double x) { return x > 0.0 ? log(x) : -INFINITY; }

dufm_status dufm_rescaled_loss(double *out, double *t_out, const dufm_config *c,
                               const dufm_params *p, dufm_form form, dufm_err *err) {
  dufm_eval_ws *ws = NULL;
  dufm_loss loss;
  dufm_status st = dufm_config_check(c, p, form, err);
  if (st == DUFM_OK)
    st = dufm_eval_ws_alloc(&ws, c, err);
  if (st == DUFM_OK)
    st = dufm_eval_with(&loss, NULL, c, p, form, ws, err);
  if (st != DUFM_OK)
    goto cleanup;
  /* The fit of t O is 1/2 - b t + a t^2 / 2 because ||Y||^2 = cols in both forms. */
  double oo, oy;
  output_moments(&oo, &oy, dufm_eval_ws_output(ws), form == DUFM_FORM_SAMPLES ? p->n : 1);
  const double a = oo / (double)c->cols, b = oy / (double)c->cols;
  const int L = c->L;
  double value = 0.5, t = 0.0;
  if (a > 0.0 && b > 0.0) {
    /* ln Q = mean of ln a_i, each a_i = lambda ||X||^2 taken in logs so that
     * neither a factor nor the product can underflow or overflow; any a_i = 0
     * makes Q = 0 (the penalty's infimum is then 0). */
    const double lam_h1 = form == DUFM_FORM_SAMPLES ? p->lam_h_d : (double)p->n * p->lam_h_d;
    double log_q = log_pos(lam_h1) + log_pos(dufm_mat_frob2(&c->H1));
    for (int k = 0; k < L; k++)
      log_q += log_pos(p->lam_w_d[k]) + log_pos(dufm_mat_frob2(&c->W[k]));
    log_q /= (double)(L + 1);
    /* t = (b / a) tau turns the 1-D problem into g_L at Q'. */
    double log_qp = log_q + ((double)(L - 1) * log(a) - 2.0 * (double)L * log(b)) / (double)(L + 1);
    double g = 0.5, tau = 0.0;
    /* Q' > 1 exceeds every threshold Q_0 <= 1: only tau = 0 remains. Testing in
     * logs also keeps an overflowing Q' away from dufm_gl_eval_d. */
    if (log_qp <= 0.0) {
      dufm_gl gl;
      st = dufm_gl_eval_d(&gl, L, exp(log_qp), err);
      if (st != DUFM_OK) {
        dufm_err_prefix(err, "rescaled loss");
        goto cleanup;
      }
      g = gl.value;
      tau = gl.t;
    }
    /* 1/2 - (b^2/a)(1/2 - g) written as a sum of nonnegative terms. */
    const double resid =
        residual_along_y(dufm_eval_ws_output(ws), form == DUFM_FORM_SAMPLES ? p->n : 1, b) /
        (double)c->cols;
    value = (b / a) * b * g + 0.5 * resid / a;
    t = (b / a) * tau;
  }
  if (!isfinite(value)) {
    st = dufm_err_set(err, DUFM_ENUMERIC, "rescaled loss is not finite");
    goto cleanup;
  }
  /* t = 1 is a candidate, so value <= loss up to rounding: clamp a rounding
   * excess, report a real one (it would mean g_L is wrong). */
  if (value > loss.loss) {
    if (value > loss.loss * (1.0 + 64.0 * DBL_EPSILON)) {
      st = dufm_err_set(err, DUFM_ENUMERIC, "rescaled loss %.17g exceeds the loss %.17g", value,
                        loss.loss);
      goto cleanup;
    }
    value = loss.loss;
    t = 1.0;
  }
  *out = value;
  if (t_out != NULL)
    *t_out = t;
cleanup:
  dufm_eval_ws_free(ws);
  return st;
}
