/* Configuration surgery for chains: an identity layer inserted, a class
 * deleted. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "dufm/search.h"

/* Every factor scaled by y_i with prod y_i = 1 so that a_i y_i^2 is the same
 * for all (the rescale-optimal balance at a fixed output, theory section 2). */
static void rebalance(dufm_config *c, const dufm_params *p) {
  const int L = c->L;
  double loga = 0.0, a[DUFM_MAX_L + 1];
  for (int i = 0; i <= L; i++) {
    const dufm_mat *m = i == 0 ? &c->H1 : &c->W[i - 1];
    double lam = i == 0 ? p->lam_h_d : p->lam_w_d[i - 1], s = 0.0;
    for (size_t k = 0; k < (size_t)m->rows * m->cols; k++)
      s += m->data[k] * m->data[k];
    a[i] = lam * s;
    if (!(a[i] > 0.0) || !isfinite(a[i]))
      return; /* nothing to balance against */
    loga += log(a[i]);
  }
  double logg = loga / (L + 1);
  for (int i = 0; i <= L; i++) {
    dufm_mat *m = i == 0 ? &c->H1 : &c->W[i - 1];
    double y = exp(0.5 * (logg - log(a[i])));
    for (size_t k = 0; k < (size_t)m->rows * m->cols; k++)
      m->data[k] *= y;
  }
}

dufm_status dufm_search_lift(dufm_config *out, const dufm_config *c, int pos,
                             const dufm_params *target, dufm_err *err) {
  memset(out, 0, sizeof *out);
  if (pos < 1 || pos > c->L - 1)
    return dufm_err_set(err, DUFM_EINVAL,
                        "lift position %d: must be in 1..L-1 = %d (after a ReLU layer)", pos,
                        c->L - 1);
  if (target->L != c->L + 1 || target->K != c->K)
    return dufm_err_set(err, DUFM_EINVAL,
                        "lift: target L = %d, K = %d; the configuration has L = %d, K = %d",
                        target->L, target->K, c->L, c->K);
  int d[DUFM_MAX_L + 1];
  for (int l = 0; l <= pos; l++)
    d[l] = c->d[l];
  d[pos + 1] = c->d[pos];
  for (int l = pos + 1; l <= c->L; l++)
    d[l + 1] = c->d[l];
  dufm_status st = dufm_config_init(out, c->L + 1, d, c->cols, err);
  if (st != DUFM_OK)
    return st;
  memcpy(out->H1.data, c->H1.data, (size_t)c->d[0] * c->cols * sizeof(double));
  for (int l = 0; l < out->L; l++) {
    dufm_mat *w = &out->W[l];
    if (l == pos) {
      for (int i = 0; i < w->rows; i++)
        w->data[(size_t)i * w->cols + i] = 1.0;
      continue;
    }
    const dufm_mat *src = &c->W[l < pos ? l : l - 1];
    memcpy(w->data, src->data, (size_t)src->rows * src->cols * sizeof(double));
  }
  rebalance(out, target);
  return DUFM_OK;
}

dufm_status dufm_search_delete_class(dufm_config *out, const dufm_config *c, int n, int k,
                                     dufm_err *err) {
  memset(out, 0, sizeof *out);
  if (n < 1 || c->cols != c->K * n)
    return dufm_err_set(err, DUFM_EINVAL, "delete class: %d columns are not K n = %d x %d", c->cols,
                        c->K, n);
  if (c->K < 3 || k < 0 || k >= c->K)
    return dufm_err_set(err, DUFM_EINVAL, "delete class %d: needs 0 <= k < K = %d and K >= 3", k,
                        c->K);
  int d[DUFM_MAX_L + 1];
  memcpy(d, c->d, (size_t)(c->L + 1) * sizeof *d);
  d[c->L] = c->K - 1;
  dufm_status st = dufm_config_init(out, c->L, d, c->cols - n, err);
  if (st != DUFM_OK)
    return st;
  for (int i = 0; i < c->d[0]; i++)
    for (int j = 0, jj = 0; j < c->cols; j++)
      if (j / n != k)
        out->H1.data[(size_t)i * out->cols + jj++] = c->H1.data[(size_t)i * c->cols + j];
  for (int l = 0; l < c->L - 1; l++)
    memcpy(out->W[l].data, c->W[l].data, (size_t)c->W[l].rows * c->W[l].cols * sizeof(double));
  const dufm_mat *wl = &c->W[c->L - 1];
  for (int i = 0, ii = 0; i < wl->rows; i++)
    if (i != k)
      memcpy(out->W[c->L - 1].data + (size_t)ii++ * wl->cols, wl->data + (size_t)i * wl->cols,
             (size_t)wl->cols * sizeof(double));
  return DUFM_OK;
}
