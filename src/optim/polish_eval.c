/* The loss on a flat parameter vector with a chosen activation (ReLU, a fixed
 * mask, or softplus): the piece and the smoothed loss of the polish module. The
 * generic evaluator dufm_eval stays the independent check of every result. */
#include <cblas.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "optim/polish_internal.h"

dufm_status dufm_i_pe_alloc(dufm_i_pe **out, const dufm_config *c, const dufm_params *p,
                            dufm_err *err) {
  *out = NULL;
  const int L = c->L, cols = c->cols;
  int maxw = 1;
  size_t total = (size_t)c->K * cols, nparam = (size_t)c->d[0] * cols, nmask = 0;
  for (int k = 0; k < L; k++)
    nparam += (size_t)c->d[k + 1] * c->d[k];
  for (int k = 1; k <= L; k++)
    maxw = c->d[k] > maxw ? c->d[k] : maxw;
  for (int k = 1; k < L; k++) {
    total += 3 * (size_t)c->d[k] * cols;
    nmask += (size_t)c->d[k] * cols;
  }
  total += 2 * (size_t)maxw * cols;
  dufm_i_pe *pe = calloc(1, sizeof *pe);
  if (pe == NULL)
    return dufm_err_set(err, DUFM_ENOMEM, "out of memory for the polish evaluator");
  pe->d = malloc((size_t)(L + 1) * sizeof *pe->d);
  pe->lam_w = malloc((size_t)L * sizeof *pe->lam_w);
  pe->pre = calloc((size_t)L, sizeof *pe->pre);
  pe->hid = calloc((size_t)L, sizeof *pe->hid);
  pe->der = calloc((size_t)L, sizeof *pe->der);
  pe->moff = calloc((size_t)L, sizeof *pe->moff);
  pe->mask = calloc(nmask > 0 ? nmask : 1, 1);
  pe->block = malloc(total * sizeof(double));
  if (pe->d == NULL || pe->lam_w == NULL || pe->pre == NULL || pe->hid == NULL || pe->der == NULL ||
      pe->moff == NULL || pe->mask == NULL || pe->block == NULL) {
    dufm_i_pe_free(pe);
    return dufm_err_set(err, DUFM_ENOMEM, "out of memory for the polish evaluator");
  }
  memcpy(pe->d, c->d, (size_t)(L + 1) * sizeof *pe->d);
  pe->L = L;
  pe->cols = cols;
  pe->per = cols / c->K;
  pe->nparam = nparam;
  pe->nmask = nmask;
  pe->lam_h = p->lam_h_d;
  for (int k = 0; k < L; k++)
    pe->lam_w[k] = p->lam_w_d[k];
  pe->act = DUFM_I_ACT_RELU;
  pe->beta = 1.0;
  double *cur = pe->block;
  size_t off = 0;
  for (int k = 1; k < L; k++) {
    size_t m = (size_t)c->d[k] * cols;
    pe->pre[k] = cur;
    pe->hid[k] = cur + m;
    pe->der[k] = cur + 2 * m;
    cur += 3 * m;
    pe->moff[k] = off;
    off += m;
  }
  pe->out = cur;
  cur += (size_t)c->K * cols;
  pe->g0 = cur;
  pe->g1 = cur + (size_t)maxw * cols;
  *out = pe;
  return DUFM_OK;
}

void dufm_i_pe_free(dufm_i_pe *pe) {
  if (pe == NULL)
    return;
  free(pe->block);
  free(pe->mask);
  free(pe->moff);
  free(pe->der);
  free(pe->hid);
  free(pe->pre);
  free(pe->lam_w);
  free(pe->d);
  free(pe);
}

void dufm_i_flatten(double *v, const dufm_config *c) {
  size_t m = (size_t)c->d[0] * c->cols;
  memcpy(v, c->H1.data, m * sizeof *v);
  v += m;
  for (int k = 0; k < c->L; k++) {
    m = (size_t)c->d[k + 1] * c->d[k];
    memcpy(v, c->W[k].data, m * sizeof *v);
    v += m;
  }
}

void dufm_i_unflatten(dufm_config *c, const double *v) {
  size_t m = (size_t)c->d[0] * c->cols;
  memcpy(c->H1.data, v, m * sizeof *v);
  v += m;
  for (int k = 0; k < c->L; k++) {
    m = (size_t)c->d[k + 1] * c->d[k];
    memcpy(c->W[k].data, v, m * sizeof *v);
    v += m;
  }
}

static double sum_sq(const double *x, size_t n) {
  double s = 0.0;
  for (size_t i = 0; i < n; i++)
    s += x[i] * x[i];
  return s;
}

/* Pointers to W[k] inside the flat vector. */
static const double *wblock(const dufm_i_pe *pe, const double *x, int k) {
  const double *w = x + (size_t)pe->d[0] * pe->cols;
  for (int j = 0; j < k; j++)
    w += (size_t)pe->d[j + 1] * pe->d[j];
  return w;
}

/* Activation and its derivative, entry by entry. */
static void activate(dufm_i_pe *pe, int k, size_t m) {
  const double *p = pe->pre[k];
  double *h = pe->hid[k], *dr = pe->der[k];
  const unsigned char *mk = pe->mask + pe->moff[k];
  switch (pe->act) {
  case DUFM_I_ACT_RELU:
    for (size_t i = 0; i < m; i++) {
      h[i] = p[i] > 0.0 ? p[i] : 0.0;
      dr[i] = p[i] > 0.0 ? 1.0 : 0.0;
    }
    break;
  case DUFM_I_ACT_MASK:
    for (size_t i = 0; i < m; i++) {
      h[i] = mk[i] ? p[i] : 0.0;
      dr[i] = mk[i] ? 1.0 : 0.0;
      pe->outside += ((mk[i] && p[i] < 0.0) || (!mk[i] && p[i] > 0.0)) &&
                     (pe->mult == NULL || isnan(pe->mult[pe->moff[k] + i]));
    }
    break;
  case DUFM_I_ACT_SOFTPLUS: {
    const double b = pe->beta;
    for (size_t i = 0; i < m; i++) {
      double z = b * p[i];
      /* log(1 + e^z) = max(z, 0) + log1p(e^-|z|): no overflow either way. */
      h[i] = (fmax(z, 0.0) + log1p(exp(-fabs(z)))) / b;
      dr[i] = z >= 0.0 ? 1.0 / (1.0 + exp(-z)) : exp(z) / (1.0 + exp(z));
    }
    break;
  }
  }
}

static void forward(dufm_i_pe *pe, const double *x) {
  const int L = pe->L, cols = pe->cols;
  const double *h = x;
  for (int k = 1; k < L; k++) {
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, pe->d[k], cols, pe->d[k - 1], 1.0,
                wblock(pe, x, k - 1), pe->d[k - 1], h, cols, 0.0, pe->pre[k], cols);
    activate(pe, k, (size_t)pe->d[k] * cols);
    h = pe->hid[k];
  }
  cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, pe->d[L], cols, pe->d[L - 1], 1.0,
              wblock(pe, x, L - 1), pe->d[L - 1], h, cols, 0.0, pe->out, cols);
}

void dufm_i_pe_mask_from(dufm_i_pe *pe, const double *x) {
  dufm_i_act saved = pe->act;
  pe->act = DUFM_I_ACT_RELU;
  forward(pe, x);
  pe->act = saved;
  for (int k = 1; k < pe->L; k++) {
    size_t m = (size_t)pe->d[k] * pe->cols;
    unsigned char *mk = pe->mask + pe->moff[k];
    for (size_t i = 0; i < m; i++)
      mk[i] = pe->pre[k][i] > 0.0;
  }
}

double dufm_i_pe_eval(dufm_i_pe *pe, const double *x, double *g) {
  const int L = pe->L, cols = pe->cols, K = pe->d[L];
  pe->evals++;
  pe->outside = 0;
  forward(pe, x);
  if (pe->act == DUFM_I_ACT_MASK && pe->confine && pe->outside > 0)
    return INFINITY;
  double *r = pe->g0;
  memcpy(r, pe->out, (size_t)K * cols * sizeof *r);
  for (int i = 0; i < K; i++)
    for (int j = i * pe->per; j < (i + 1) * pe->per; j++)
      r[(size_t)i * cols + j] -= 1.0;
  const double s = 1.0 / cols;
  double fit = 0.5 * s * sum_sq(r, (size_t)K * cols);
  double reg = pe->lam_h * sum_sq(x, (size_t)pe->d[0] * cols);
  for (int k = 0; k < L; k++)
    reg += pe->lam_w[k] * sum_sq(wblock(pe, x, k), (size_t)pe->d[k + 1] * pe->d[k]);
  double f = fit + 0.5 * reg;
  if (pe->mult != NULL)
    for (int k = 1; k < L; k++) {
      size_t m = (size_t)pe->d[k] * cols;
      const double *mu = pe->mult + pe->moff[k], *q = pe->pre[k];
      for (size_t i = 0; i < m; i++)
        if (!isnan(mu[i]))
          f += mu[i] * q[i] + 0.5 * pe->rho * q[i] * q[i];
    }
  if (!isfinite(f))
    return NAN;
  if (g == NULL)
    return f;
  /* g = reg part, then the products; cur holds dF/d(W[k] h_k) scaled by alpha. */
  size_t m = (size_t)pe->d[0] * cols;
  for (size_t i = 0; i < m; i++)
    g[i] = pe->lam_h * x[i];
  double *gw[DUFM_MAX_L];
  double *gp = g + m;
  for (int k = 0; k < L; k++) {
    const double *w = wblock(pe, x, k);
    size_t mk = (size_t)pe->d[k + 1] * pe->d[k];
    gw[k] = gp;
    for (size_t i = 0; i < mk; i++)
      gp[i] = pe->lam_w[k] * w[i];
    gp += mk;
  }
  double *cur = pe->g0, *nxt = pe->g1, alpha = s;
  for (int k = L - 1; k >= 0; k--) {
    const double *h = k == 0 ? x : pe->hid[k];
    const int rows = pe->d[k + 1], inner = pe->d[k];
    const double *w = wblock(pe, x, k);
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, rows, inner, cols, alpha, cur, cols, h,
                cols, 1.0, gw[k], inner);
    if (k == 0) {
      cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, inner, cols, rows, alpha, w, inner, cur,
                  cols, 1.0, g, cols);
      break;
    }
    cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, inner, cols, rows, alpha, w, inner, cur,
                cols, 0.0, nxt, cols);
    alpha = 1.0;
    size_t cnt = (size_t)inner * cols;
    const double *dr = pe->der[k];
    if (pe->mult != NULL) {
      const double *mu = pe->mult + pe->moff[k], *q = pe->pre[k];
      double *dh = pe->dh + pe->moff[k];
      for (size_t i = 0; i < cnt; i++) {
        dh[i] = nxt[i];
        nxt[i] = nxt[i] * dr[i] + (isnan(mu[i]) ? 0.0 : mu[i] + pe->rho * q[i]);
      }
    } else {
      for (size_t i = 0; i < cnt; i++)
        nxt[i] *= dr[i];
    }
    double *t = cur;
    cur = nxt;
    nxt = t;
  }
  return f;
}
