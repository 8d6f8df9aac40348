/* The pattern-consistent start of a sets/pattern structure and the layout it
 * realizes (dufm/sets.h; proofs/sets.md "The start"). */
#include <lapacke.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "structure/structure_internal.h"

/* Ho-Kashyap iterations per neuron; every case of the menu needs far fewer. */
#define HK_MAX_ITER 20000
/* Strict separation: the smallest signed margin relative to the largest. */
#define HK_MARGIN 1e-6

void dufm_sets_layout_clear(dufm_sets_layout *lay) {
  if (lay == NULL)
    return;
  if (lay->act != NULL)
    for (int i = 0; i < lay->L; i++)
      free(lay->act[i]);
  free(lay->act);
  free(lay->d);
  memset(lay, 0, sizeof *lay);
}

/* out (n x m) = pseudo-inverse of a (m x n), singular values below 1e-12 of the
 * largest dropped. 0, or -1 when the SVD fails or memory runs out. */
static int pinv(double *out, const double *a, int m, int n) {
  int k = m < n ? m : n;
  double *u = malloc((size_t)m * k * sizeof *u), *vt = malloc((size_t)k * n * sizeof *vt);
  double *sv = malloc((size_t)k * sizeof *sv), *sup = malloc((size_t)k * sizeof *sup);
  double *copy = malloc((size_t)m * n * sizeof *copy);
  int rc = -1;
  if (u == NULL || vt == NULL || sv == NULL || sup == NULL || copy == NULL)
    goto cleanup;
  memcpy(copy, a, (size_t)m * n * sizeof *copy);
  if (LAPACKE_dgesvd(LAPACK_ROW_MAJOR, 'S', 'S', m, n, copy, n, sv, u, k, vt, n, sup) != 0)
    goto cleanup;
  for (int i = 0; i < n; i++)
    for (int j = 0; j < m; j++) {
      double x = 0.0;
      for (int q = 0; q < k; q++)
        if (sv[q] > 1e-12 * sv[0])
          x += vt[(size_t)q * n + i] * u[(size_t)j * k + q] / sv[q];
      out[(size_t)i * m + j] = x;
    }
  rc = 0;
cleanup:
  free(u);
  free(vt);
  free(sv);
  free(sup);
  free(copy);
  return rc;
}

/* Ho-Kashyap: w (d entries) with sign(w . h_c) = sign[c] strictly for the K
 * columns h_c of h (d x K), given hp = h^+ (K x d): b > 0 starts at 1,
 * w = Y^+ b with Y = diag(sign) h^T (so Y^+ = hp diag(sign)), e = Y w - b,
 * b += (e + |e|) / 2. Separable data converge; e <= 0 with e != 0 proves
 * inseparability. 1 found (w scaled to max |w . h_c| = 1), 0 not. */
static int separate(double *w, const double *h, const double *hp, int d, int K,
                    const signed char *sign, double *b, double *y) {
  for (int c = 0; c < K; c++)
    b[c] = 1.0;
  for (int it = 0; it < HK_MAX_ITER; it++) {
    for (int i = 0; i < d; i++) {
      double x = 0.0;
      for (int c = 0; c < K; c++)
        x += hp[(size_t)c * d + i] * sign[c] * b[c]; /* (h^T)^+ = (h^+)^T */
      w[i] = x;
    }
    double lo = INFINITY, big = 0.0, emax = -INFINITY, emin = INFINITY, bn = 0.0;
    for (int c = 0; c < K; c++) {
      double x = 0.0;
      for (int i = 0; i < d; i++)
        x += w[i] * h[(size_t)i * K + c];
      y[c] = sign[c] * x;
      lo = fmin(lo, y[c]);
      big = fmax(big, fabs(y[c]));
      emax = fmax(emax, y[c] - b[c]);
      emin = fmin(emin, y[c] - b[c]);
      bn = fmax(bn, b[c]);
    }
    if (big > 0.0 && lo >= HK_MARGIN * big) {
      for (int i = 0; i < d; i++)
        w[i] /= big;
      return 1;
    }
    if (emax <= 1e-12 * bn && emin < -1e-9 * bn)
      return 0;
    for (int c = 0; c < K; c++) {
      double e = y[c] - b[c];
      b[c] += 0.5 * (e + fabs(e));
    }
  }
  return 0;
}

/* The requested activity of layer l (2..L) of s, or NULL for the default last
 * layer; *rows its neuron count. Layer 1 (l = 1) gives the sign pattern of H_1. */
static const unsigned char *given(const dufm_structure *s, int L, int l, int *rows) {
  const dufm_i_sets *t = s->sets;
  int i;
  if (!t->file) {
    i = l < L || L == 1 ? 0 : (t->last_given ? 1 : -1);
    if (l == 1)
      i = 0;
  } else {
    int m = t->ngiven + 1; /* last given layer */
    if (l == 1)
      i = 0;
    else if (l == L)
      i = m - 2;
    else if (l < m)
      i = l - 2;
    else
      i = m - 3; /* repeat the last non-final given layer */
  }
  if (i < 0)
    return NULL;
  *rows = t->rows[i];
  return t->act[i];
}

static dufm_status check_depth(const dufm_structure *s, int L, dufm_err *err) {
  const dufm_i_sets *t = s->sets;
  if (L < 2)
    return dufm_err_set(err, DUFM_ENOTAPPLICABLE, "%s: needs L >= 2 (a ReLU layer)", s->name);
  if (!t->file)
    return DUFM_OK;
  int m = t->ngiven + 1;
  if (t->fixed_L && L != t->fixed_L)
    return dufm_err_set(err, DUFM_ENOTAPPLICABLE, "%s describes L = %d (its 'L' line), not L = %d",
                        s->name, t->fixed_L, L);
  if (L < m)
    return dufm_err_set(err, DUFM_ENOTAPPLICABLE, "%s gives layers 2..%d: it needs L >= %d",
                        s->name, m, m);
  if (m == 2 && L > 2)
    return dufm_err_set(err, DUFM_ENOTAPPLICABLE,
                        "%s gives only layer 2 (no layer to repeat): it describes L = 2", s->name);
  return DUFM_OK;
}

/* Working memory of one start. */
typedef struct {
  double *h, *hnext, *hp, *w, *b, *y;
  signed char *sign;
  unsigned char *def; /* the default last layer */
} work;

static void work_free(work *k) {
  free(k->h);
  free(k->hnext);
  free(k->hp);
  free(k->w);
  free(k->b);
  free(k->y);
  free(k->sign);
  free(k->def);
}

/* The default last layer from H_{L-1} (k->h, d x K, k->hp its pinv): one-class
 * neurons where realizable, an all-class neuron when some class has none. */
static dufm_status default_last(work *k, int d, int K, int *rows, const char *name, dufm_err *err) {
  int n = 0, missing = 0;
  for (int c = 0; c < K; c++) {
    for (int j = 0; j < K; j++)
      k->sign[j] = j == c ? 1 : -1;
    if (separate(k->w, k->h, k->hp, d, K, k->sign, k->b, k->y)) {
      memset(k->def + (size_t)n * K, 0, (size_t)K);
      k->def[(size_t)n++ * K + c] = 1;
    } else {
      missing = 1;
    }
  }
  if (missing) {
    memset(k->def + (size_t)n * K, 1, (size_t)K);
    n++;
  }
  if (n == 0)
    return dufm_err_set(err, DUFM_EINVAL, "%s: empty default last layer", name);
  *rows = n;
  return DUFM_OK;
}

dufm_status dufm_i_sets_start(dufm_sets_layout *lay, dufm_config *cfg, const dufm_structure *s,
                              int L, dufm_err *err) {
  const int K = s->K;
  dufm_sets_layout own = {0};
  work k = {0};
  if (cfg != NULL)
    memset(cfg, 0, sizeof *cfg);
  dufm_status st = check_depth(s, L, err);
  if (st != DUFM_OK)
    return st;
  own.L = L;
  own.K = K;
  own.d = calloc((size_t)L + 1, sizeof *own.d);
  own.act = calloc((size_t)L, sizeof *own.act);
  size_t big = (size_t)DUFM_SETS_MAX_ROWS + DUFM_SETS_MAX_K + 1;
  k.h = malloc(big * K * sizeof *k.h);
  k.hnext = malloc(big * K * sizeof *k.hnext);
  k.hp = malloc(big * K * sizeof *k.hp);
  k.w = malloc(big * sizeof *k.w);
  k.b = malloc((size_t)K * sizeof *k.b);
  k.y = malloc((size_t)K * sizeof *k.y);
  k.sign = malloc((size_t)K);
  k.def = malloc((size_t)(K + 1) * K);
  double **W = calloc((size_t)L + 1, sizeof *W); /* W[0] = H_1, W[l] = W_l */
  if (own.d == NULL || own.act == NULL || k.h == NULL || k.hnext == NULL || k.hp == NULL ||
      k.w == NULL || k.b == NULL || k.y == NULL || k.sign == NULL || k.def == NULL || W == NULL) {
    st = dufm_err_set(err, DUFM_ENOMEM, "out of memory for the start of %s", s->name);
    goto cleanup;
  }
  /* H_1 = 2 A_1 - 1; at L = 2 the inline form's types are H_1 itself (0/1),
   * so that the last layer is decided on the same matrix as at L >= 3. */
  const double off = !s->sets->file && L == 2 ? 0.0 : -1.0;
  int d = 0;
  const unsigned char *a = given(s, L, 1, &d);
  own.d[0] = d;
  W[0] = malloc((size_t)d * K * sizeof *W[0]);
  own.act[0] = malloc((size_t)d * K);
  if (W[0] == NULL || own.act[0] == NULL) {
    st = dufm_err_set(err, DUFM_ENOMEM, "out of memory for the start of %s", s->name);
    goto cleanup;
  }
  memcpy(own.act[0], a, (size_t)d * K);
  for (size_t i = 0; i < (size_t)d * K; i++)
    k.h[i] = W[0][i] = a[i] ? 1.0 : off;
  for (int l = 2; l <= L && st == DUFM_OK; l++) {
    int rows = 0;
    if (pinv(k.hp, k.h, d, K) != 0) { /* hp = h^+ (K x d) */
      st = dufm_err_set(err, DUFM_ENUMERIC, "%s: SVD failed at layer %d", s->name, l);
      break;
    }
    const unsigned char *want = given(s, L, l, &rows);
    if (want == NULL) {
      st = default_last(&k, d, K, &rows, s->name, err);
      want = k.def;
    }
    if (st != DUFM_OK)
      break;
    own.d[l - 1] = rows;
    own.act[l - 1] = malloc((size_t)rows * K);
    W[l - 1] = malloc((size_t)rows * d * sizeof *W[l - 1]);
    if (own.act[l - 1] == NULL || W[l - 1] == NULL) {
      st = dufm_err_set(err, DUFM_ENOMEM, "out of memory for the start of %s", s->name);
      break;
    }
    memcpy(own.act[l - 1], want, (size_t)rows * K);
    for (int i = 0; i < rows && st == DUFM_OK; i++) {
      for (int c = 0; c < K; c++)
        k.sign[c] = want[(size_t)i * K + c] ? 1 : -1;
      if (!separate(k.w, k.h, k.hp, d, K, k.sign, k.b, k.y)) {
        st = dufm_err_set(err, DUFM_EINVAL,
                          "%s: layer %d: neuron %d (active on exactly its classes) cannot be "
                          "realized from layer %d",
                          s->name, l, i, l - 1);
        break;
      }
      memcpy(W[l - 1] + (size_t)i * d, k.w, (size_t)d * sizeof *k.w);
      for (int c = 0; c < K; c++) {
        double x = 0.0;
        for (int j = 0; j < d; j++)
          x += k.w[j] * k.h[(size_t)j * K + c];
        k.hnext[(size_t)i * K + c] = x > 0.0 ? x : 0.0;
      }
    }
    double *tmp = k.h;
    k.h = k.hnext;
    k.hnext = tmp;
    d = rows;
  }
  if (st != DUFM_OK)
    goto cleanup;
  own.d[L] = K;
  /* W_L = H_L^+ (K x d): the least-squares fit of the identity. */
  W[L] = malloc((size_t)K * d * sizeof *W[L]);
  if (W[L] == NULL || pinv(W[L], k.h, d, K) != 0) {
    st = dufm_err_set(err, DUFM_ENUMERIC, "%s: the last layer's pseudo-inverse failed", s->name);
    goto cleanup;
  }
  if (cfg != NULL) {
    st = dufm_config_init(cfg, L, own.d, K, err);
    if (st != DUFM_OK)
      goto cleanup;
    memcpy(cfg->H1.data, W[0], (size_t)own.d[0] * K * sizeof *W[0]);
    for (int l = 1; l <= L; l++)
      memcpy(cfg->W[l - 1].data, W[l], (size_t)own.d[l] * own.d[l - 1] * sizeof *W[l]);
  }
cleanup:
  if (W != NULL)
    for (int l = 0; l <= L; l++)
      free(W[l]);
  free(W);
  work_free(&k);
  if (st == DUFM_OK && lay != NULL)
    *lay = own;
  else
    dufm_sets_layout_clear(&own);
  if (st != DUFM_OK && cfg != NULL)
    dufm_config_clear(cfg);
  return st;
}

dufm_status dufm_sets_layout_at(dufm_sets_layout *out, const dufm_structure *s, int L,
                                dufm_err *err) {
  memset(out, 0, sizeof *out);
  if (s == NULL || s->kind != DUFM_STRUCTURE_SETS)
    return dufm_err_set(err, DUFM_EINVAL, "%s is not a sets or pattern structure",
                        s == NULL ? "(null)" : s->name);
  return dufm_i_sets_start(out, NULL, s, L, err);
}
