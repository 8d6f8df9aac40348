/* The generic evaluator: forward pass, loss parts and the backward pass. */
#include <cblas.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dufm/model.h"
#include "model/model_internal.h"

struct dufm_eval_ws {
  int L, cols;
  int *d;          /* d[0..L] */
  dufm_mat *pre;   /* pre[k] = W[k-1] act(k-1), k = 1..L-1 (pre[0] unused) */
  dufm_mat *act;   /* act[k] = relu(pre[k]); act(0) is the configuration's H1 */
  dufm_mat out;    /* O = W[L-1] act(L-1) */
  double *g0, *g1; /* backward ping-pong buffers, max(d[1..L]) x cols each */
  double *sq;      /* sq[0..L], the parameter norms for dufm_eval_with */
  double *block;   /* one allocation behind every buffer above */
};

/* Adds rows * cols doubles to *total unless the byte count would overflow. */
static int add_size(size_t *total, int rows, int cols) {
  size_t term = (size_t)rows * (size_t)cols;
  if (term > SIZE_MAX / sizeof(double) || *total > SIZE_MAX / sizeof(double) - term)
    return 0;
  *total += term;
  return 1;
}

static void set_view(dufm_mat *m, int rows, int cols, double **cursor) {
  m->rows = rows;
  m->cols = cols;
  m->data = *cursor;
  *cursor += (size_t)rows * (size_t)cols;
}

dufm_status dufm_eval_ws_alloc(dufm_eval_ws **out, const dufm_config *c, dufm_err *err) {
  *out = NULL;
  dufm_status st = dufm_i_config_shapes(c, err);
  if (st != DUFM_OK)
    return st;
  int L = c->L, cols = c->cols, maxw = 1;
  size_t total = 0;
  int ok = add_size(&total, c->K, cols);
  for (int k = 1; k <= L; k++)
    maxw = c->d[k] > maxw ? c->d[k] : maxw;
  for (int k = 1; k < L; k++)
    ok = ok && add_size(&total, c->d[k], cols) && add_size(&total, c->d[k], cols);
  ok = ok && add_size(&total, maxw, cols) && add_size(&total, maxw, cols);
  if (!ok)
    return dufm_err_set(err, DUFM_ENOMEM, "evaluation workspace for %d columns is too large", cols);
  /* Checked before allocating: a small folder can describe a huge evaluation. */
  if (total > DUFM_EVAL_MAX_ENTRIES)
    return dufm_err_set(err, DUFM_EINVAL,
                        "evaluating %d columns through widths up to %d needs %zu matrix entries, "
                        "more than the limit of %ld",
                        cols, maxw, total, (long)DUFM_EVAL_MAX_ENTRIES);
  dufm_eval_ws *ws = calloc(1, sizeof *ws);
  if (ws == NULL)
    return dufm_err_set(err, DUFM_ENOMEM, "out of memory for an evaluation workspace");
  ws->d = malloc((size_t)(L + 1) * sizeof *ws->d);
  ws->pre = calloc((size_t)L, sizeof *ws->pre);
  ws->act = calloc((size_t)L, sizeof *ws->act);
  ws->sq = malloc((size_t)(L + 1) * sizeof *ws->sq);
  ws->block = malloc(total * sizeof(double));
  if (ws->d == NULL || ws->pre == NULL || ws->act == NULL || ws->sq == NULL || ws->block == NULL) {
    dufm_eval_ws_free(ws);
    return dufm_err_set(err, DUFM_ENOMEM, "out of memory for an evaluation workspace");
  }
  ws->L = L;
  ws->cols = cols;
  memcpy(ws->d, c->d, (size_t)(L + 1) * sizeof *ws->d);
  double *cursor = ws->block;
  for (int k = 1; k < L; k++) {
    set_view(&ws->pre[k], c->d[k], cols, &cursor);
    set_view(&ws->act[k], c->d[k], cols, &cursor);
  }
  set_view(&ws->out, c->K, cols, &cursor);
  ws->g0 = cursor;
  ws->g1 = cursor + (size_t)maxw * (size_t)cols;
  *out = ws;
  return DUFM_OK;
}

void dufm_eval_ws_free(dufm_eval_ws *ws) {
  if (ws == NULL)
    return;
  free(ws->block);
  free(ws->sq);
  free(ws->act);
  free(ws->pre);
  free(ws->d);
  free(ws);
}

const dufm_mat *dufm_eval_ws_preact(const dufm_eval_ws *ws, int l) {
  return (l >= 2 && l <= ws->L) ? &ws->pre[l - 1] : NULL;
}

const dufm_mat *dufm_eval_ws_hidden(const dufm_eval_ws *ws, int l) {
  return (l >= 2 && l <= ws->L) ? &ws->act[l - 1] : NULL;
}

const dufm_mat *dufm_eval_ws_output(const dufm_eval_ws *ws) { return &ws->out; }

/* C (m x n) = A (m x k) B (k x n), all row-major and contiguous. */
static void gemm_nn(int m, int n, int k, const double *a, const double *b, double *c) {
  cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, m, n, k, 1.0, a, k, b, n, 0.0, c, n);
}

static void forward(dufm_eval_ws *ws, const dufm_config *c) {
  const int L = ws->L, cols = ws->cols;
  const double *h = c->H1.data;
  for (int k = 1; k < L; k++) {
    double *p = ws->pre[k].data, *a = ws->act[k].data;
    gemm_nn(ws->d[k], cols, ws->d[k - 1], c->W[k - 1].data, h, p);
    size_t count = (size_t)ws->d[k] * (size_t)cols;
    for (size_t i = 0; i < count; i++)
      a[i] = p[i] > 0.0 ? p[i] : 0.0;
    h = a;
  }
  gemm_nn(ws->d[L], cols, ws->d[L - 1], c->W[L - 1].data, h, ws->out.data);
}

static double mat_sum_sq(const dufm_mat *m) {
  return dufm_i_sum_sq(m->data, (size_t)m->rows * (size_t)m->cols);
}

/* r = O - Y. In either form class i owns the columns [i per, (i + 1) per). */
static void residual(double *r, const dufm_mat *o, int per) {
  memcpy(r, o->data, (size_t)o->rows * (size_t)o->cols * sizeof(double));
  for (int i = 0; i < o->rows; i++)
    for (int j = i * per; j < (i + 1) * per; j++)
      r[(size_t)i * (size_t)o->cols + (size_t)j] -= 1.0;
}

/* g = lam * w, the regularization part every gradient starts from. */
static void scaled_copy(dufm_mat *g, double lam, const dufm_mat *w) {
  size_t count = (size_t)w->rows * (size_t)w->cols;
  for (size_t i = 0; i < count; i++)
    g->data[i] = lam * w->data[i];
}

/* Backward pass from the residual O - Y in ws->g0, dF/dO = s (O - Y) (s folded
 * into the first dgemm calls). For layer k the buffer `cur` holds dF/d(W[k]
 * act(k)) / alpha; act(k) > 0 exactly where the ReLU derivative is 1, so the
 * pre-activations are not needed (kink: derivative 0, as PyTorch). With seeded
 * set, grad already holds the regularization part (the caller's update pass
 * wrote it); with gn2 set, ||grad||^2 is added block by block while in cache. */
static void backward(dufm_config *grad, double *gn2, const dufm_config *c, const dufm_params *p,
                     double s, double lam_h1, int seeded, dufm_eval_ws *ws) {
  const int L = ws->L, cols = ws->cols;
  double *cur = ws->g0, *nxt = ws->g1, alpha = s;
  for (int k = L - 1; k >= 0; k--) {
    const double *h = k == 0 ? c->H1.data : ws->act[k].data;
    const int rows = ws->d[k + 1], inner = ws->d[k];
    if (!seeded)
      scaled_copy(&grad->W[k], p->lam_w_d[k], &c->W[k]);
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, rows, inner, cols, alpha, cur, cols, h,
                cols, 1.0, grad->W[k].data, inner);
    if (gn2 != NULL)
      *gn2 += mat_sum_sq(&grad->W[k]); /* while the block is in cache */
    if (k == 0) {
      if (!seeded)
        scaled_copy(&grad->H1, lam_h1, &c->H1);
      cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, inner, cols, rows, alpha, c->W[0].data,
                  inner, cur, cols, 1.0, grad->H1.data, cols);
      if (gn2 != NULL)
        *gn2 += mat_sum_sq(&grad->H1);
      break;
    }
    cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, inner, cols, rows, alpha, c->W[k].data,
                inner, cur, cols, 0.0, nxt, cols);
    alpha = 1.0;
    size_t count = (size_t)inner * (size_t)cols;
    /* A select, not a branch: it vectorizes, and the sign of h is random. */
    for (size_t i = 0; i < count; i++)
      nxt[i] = h[i] > 0.0 ? nxt[i] : 0.0;
    double *swap = cur;
    cur = nxt;
    nxt = swap;
  }
}

static int same_shape(const dufm_config *a, int L, const int *d, int cols) {
  if (a->L != L || a->cols != cols)
    return 0;
  for (int k = 0; k <= L; k++)
    if (a->d[k] != d[k])
      return 0;
  return 1;
}

double dufm_i_lam_h1(const dufm_params *p, dufm_form form) {
  return form == DUFM_FORM_SAMPLES ? p->lam_h_d : (double)p->n * p->lam_h_d;
}

/* The evaluation proper, on trusted inputs; sq[] holds the parameter norms
 * (see dufm_i_eval_seeded). Returns DUFM_ENUMERIC, without a message, when the
 * loss is not finite. */
static dufm_status evaluate(dufm_loss *out, double *gnorm2, dufm_config *grad, const dufm_config *c,
                            const dufm_params *p, dufm_form form, const double *sq, int seeded,
                            dufm_eval_ws *ws) {
  const int per = form == DUFM_FORM_SAMPLES ? p->n : 1;
  const double lam_h1 = dufm_i_lam_h1(p, form);
  forward(ws, c);
  /* Both forms average over the columns: N = K n samples, or K class means. */
  const double s = 1.0 / (double)c->cols;
  residual(ws->g0, &ws->out, per);
  out->fit = 0.5 * s * dufm_i_sum_sq(ws->g0, (size_t)c->K * (size_t)c->cols);
  out->a0 = lam_h1 * sq[0];
  double reg2 = out->a0;
  for (int k = 0; k < c->L; k++)
    reg2 += p->lam_w_d[k] * sq[1 + k];
  out->reg = 0.5 * reg2;
  out->loss = out->fit + out->reg;
  if (gnorm2 != NULL)
    *gnorm2 = 0.0;
  if (grad != NULL)
    backward(grad, gnorm2, c, p, s, lam_h1, seeded, ws);
  return isfinite(out->loss) ? DUFM_OK : DUFM_ENUMERIC;
}

dufm_status dufm_eval_with(dufm_loss *out, dufm_config *grad, const dufm_config *c,
                           const dufm_params *p, dufm_form form, dufm_eval_ws *ws, dufm_err *err) {
  dufm_status st = dufm_config_check(c, p, form, err);
  if (st != DUFM_OK)
    return st;
  if (!same_shape(c, ws->L, ws->d, ws->cols))
    return dufm_err_set(err, DUFM_EINVAL, "workspace was allocated for another shape");
  if (grad != NULL) {
    if (grad == c)
      return dufm_err_set(err, DUFM_EINVAL, "gradient output must not be the configuration");
    st = dufm_i_config_shapes(grad, err);
    if (st != DUFM_OK)
      return st;
    if (!same_shape(grad, c->L, c->d, c->cols))
      return dufm_err_set(err, DUFM_EINVAL, "gradient configuration has another shape");
  }
  ws->sq[0] = mat_sum_sq(&c->H1);
  for (int k = 0; k < c->L; k++)
    ws->sq[1 + k] = mat_sum_sq(&c->W[k]);
  if (evaluate(out, NULL, grad, c, p, form, ws->sq, 0, ws) != DUFM_OK)
    return dufm_err_set(err, DUFM_ENUMERIC, "loss is not finite (overflow or NaN entries)");
  return DUFM_OK;
}

dufm_status dufm_i_eval_seeded(dufm_loss *out, double *gnorm2, dufm_config *grad,
                               const dufm_config *c, const dufm_params *p, dufm_form form,
                               const double *sq, dufm_eval_ws *ws) {
  return evaluate(out, gnorm2, grad, c, p, form, sq, 1, ws);
}

dufm_status dufm_eval(dufm_loss *out, dufm_config *grad, const dufm_config *c, const dufm_params *p,
                      dufm_form form, dufm_err *err) {
  dufm_eval_ws *ws = NULL;
  dufm_status st = dufm_config_check(c, p, form, err);
  if (st == DUFM_OK)
    st = dufm_eval_ws_alloc(&ws, c, err);
  if (st == DUFM_OK)
    st = dufm_eval_with(out, grad, c, p, form, ws, err);
  dufm_eval_ws_free(ws);
  return st;
}

dufm_status dufm_forward_output(dufm_mat *out, const dufm_config *c, dufm_err *err) {
  dufm_eval_ws *ws = NULL;
  out->rows = out->cols = 0;
  out->data = NULL;
  dufm_status st = dufm_eval_ws_alloc(&ws, c, err);
  if (st == DUFM_OK) {
    forward(ws, c);
    st = dufm_mat_copy(out, &ws->out, err);
  }
  dufm_eval_ws_free(ws);
  return st;
}
