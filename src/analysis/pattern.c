/* Activation patterns (dufm/pattern.h): which classes each ReLU neuron is
 * active on, grouped into types with multiplicities, in a canonical order so
 * that the signature does not depend on the order of the neurons. */
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/analysis_internal.h"
#include "dufm/pattern.h"

void dufm_pattern_opts_default(dufm_pattern_opts *o) { o->rel_tol = 1e-6; }

static void layer_clear(dufm_pattern_layer *y) {
  free(y->count);
  free(y->start);
  free(y->classes);
  free(y->neuron_type);
  free(y->text);
}

void dufm_pattern_clear(dufm_pattern *pt) {
  if (pt == NULL)
    return;
  for (int i = 0; pt->layers != NULL && i < pt->nlayers; i++)
    layer_clear(&pt->layers[i]);
  free(pt->layers);
  free(pt->signature);
  free(pt->shape);
  memset(pt, 0, sizeof *pt);
}

/* A growable string; on allocation failure it stays failed (s == NULL). */
typedef struct {
  char *s;
  size_t len, cap;
  int failed;
} strbuf;

#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
static void
sb_add(strbuf *b, const char *fmt, ...) {
  if (b->failed)
    return;
  for (;;) {
    va_list ap;
    va_start(ap, fmt);
    int w = vsnprintf(b->s ? b->s + b->len : NULL, b->s ? b->cap - b->len : 0, fmt, ap);
    va_end(ap);
    if (w < 0) {
      b->failed = 1;
      return;
    }
    if (b->s != NULL && b->len + (size_t)w < b->cap) {
      b->len += (size_t)w;
      return;
    }
    size_t cap = 2 * (b->cap + (size_t)w) + 64;
    char *s = realloc(b->s, cap);
    if (s == NULL) {
      free(b->s);
      *b = (strbuf){.failed = 1};
      return;
    }
    b->s = s;
    b->cap = cap;
  }
}

/* One neuron's active classes, for sorting. */
typedef struct {
  const int *cls;
  int size, idx;
} neuron_set;

static int set_cmp(const neuron_set *a, const neuron_set *b) {
  if (a->size != b->size)
    return a->size < b->size ? -1 : 1;
  for (int i = 0; i < a->size; i++)
    if (a->cls[i] != b->cls[i])
      return a->cls[i] < b->cls[i] ? -1 : 1;
  return 0;
}

static int neuron_cmp(const void *x, const void *y) {
  const neuron_set *a = x, *b = y;
  int c = set_cmp(a, b);
  return c != 0 ? c : (a->idx > b->idx) - (a->idx < b->idx);
}

static void add_set(strbuf *b, const int *cls, int size) {
  sb_add(b, "{");
  for (int i = 0; i < size; i++)
    sb_add(b, i ? ",%d" : "%d", cls[i]);
  sb_add(b, "}");
}

/* Types of one layer from its class means m (rows x K). */
static dufm_status layer_types(dufm_pattern_layer *y, const dufm_mat *m, double tol,
                               dufm_err *err) {
  const int rows = m->rows, K = m->cols;
  double big = 0.0;
  for (size_t i = 0; i < (size_t)rows * K; i++)
    big = fmax(big, m->data[i]);
  int *act = malloc(((size_t)rows * K + 1) * sizeof *act);
  neuron_set *ns = malloc(((size_t)rows + 1) * sizeof *ns);
  y->rows = rows;
  y->neuron_type = malloc(((size_t)rows + 1) * sizeof *y->neuron_type);
  y->count = malloc(((size_t)rows + 1) * sizeof *y->count);
  y->start = malloc(((size_t)rows + 2) * sizeof *y->start);
  y->classes = malloc(((size_t)rows * K + 1) * sizeof *y->classes);
  dufm_status st = DUFM_OK;
  if (act == NULL || ns == NULL || y->neuron_type == NULL || y->count == NULL || y->start == NULL ||
      y->classes == NULL) {
    st = dufm_err_set(err, DUFM_ENOMEM, "out of memory for the patterns of layer %d", y->layer);
    goto cleanup;
  }
  for (int i = 0; i < rows; i++) {
    int *a = act + (size_t)i * K, size = 0;
    for (int c = 0; c < K; c++)
      if (big > 0.0 && DUFM_MAT_AT(m, i, c) > tol * big)
        a[size++] = c;
    ns[i] = (neuron_set){a, size, i};
  }
  qsort(ns, (size_t)rows, sizeof *ns, neuron_cmp);
  y->start[0] = 0;
  for (int k = 0; k < rows; k++) {
    if (ns[k].size == 0) {
      y->dead++;
      y->neuron_type[ns[k].idx] = -1;
      continue;
    }
    if (y->ntypes == 0 || set_cmp(&ns[k - 1], &ns[k]) != 0 || ns[k - 1].size == 0) {
      int t = y->ntypes++;
      y->count[t] = 0;
      memcpy(y->classes + y->start[t], ns[k].cls, (size_t)ns[k].size * sizeof *y->classes);
      y->start[t + 1] = y->start[t] + ns[k].size;
    }
    y->count[y->ntypes - 1]++;
    y->neuron_type[ns[k].idx] = y->ntypes - 1;
  }
  strbuf b = {0};
  for (int t = 0; t < y->ntypes; t++) {
    sb_add(&b, t ? " " : "");
    if (y->count[t] > 1)
      sb_add(&b, "%dx", y->count[t]);
    add_set(&b, y->classes + y->start[t], y->start[t + 1] - y->start[t]);
  }
  if (y->dead > 0)
    sb_add(&b, "%s(%d dead)", y->ntypes ? " " : "", y->dead);
  if (rows == 0)
    sb_add(&b, "-");
  if (b.failed)
    st = dufm_err_set(err, DUFM_ENOMEM, "out of memory for the patterns of layer %d", y->layer);
  y->text = b.s;
cleanup:
  free(act);
  free(ns);
  return st;
}

typedef struct {
  int size, count;
} size_count;

static int size_count_cmp(const void *x, const void *y) {
  const size_count *a = x, *b = y;
  if (a->size != b->size)
    return a->size < b->size ? -1 : 1;
  return (a->count > b->count) - (a->count < b->count);
}

/* Signature, shape and hash from the layers. */
static dufm_status describe(dufm_pattern *pt, dufm_err *err) {
  strbuf sig = {0}, shape = {0};
  sb_add(&sig, "K=%d", pt->K);
  sb_add(&shape, "K=%d", pt->K);
  for (int i = 0; i < pt->nlayers; i++) {
    const dufm_pattern_layer *y = &pt->layers[i];
    sb_add(&sig, ";l%d:", y->layer);
    sb_add(&shape, ";l%d:", y->layer);
    size_count *sc = malloc(((size_t)y->ntypes + 1) * sizeof *sc);
    if (sc == NULL) {
      sig.failed = 1;
      break;
    }
    for (int t = 0; t < y->ntypes; t++) {
      sb_add(&sig, "%dx", y->count[t]);
      add_set(&sig, y->classes + y->start[t], y->start[t + 1] - y->start[t]);
      sb_add(&sig, " ");
      sc[t] = (size_count){y->start[t + 1] - y->start[t], y->count[t]};
    }
    qsort(sc, (size_t)y->ntypes, sizeof *sc, size_count_cmp);
    for (int t = 0; t < y->ntypes; t++)
      sb_add(&shape, "%dx[%d] ", sc[t].count, sc[t].size);
    free(sc);
    sb_add(&sig, "dead=%d", y->dead);
    sb_add(&shape, "dead=%d", y->dead);
  }
  pt->signature = sig.s;
  pt->shape = shape.s;
  if (sig.failed || shape.failed)
    return dufm_err_set(err, DUFM_ENOMEM, "out of memory for a pattern signature");
  uint64_t h = 14695981039346656037ULL;
  for (const unsigned char *s = (const unsigned char *)pt->signature; *s; s++)
    h = (h ^ *s) * 1099511628211ULL;
  pt->hash = h;
  snprintf(pt->hash_hex, sizeof pt->hash_hex, "%016" PRIx64, h);
  return DUFM_OK;
}

dufm_status dufm_pattern_extract(dufm_pattern *out, const dufm_config *c, const dufm_params *p,
                                 const dufm_pattern_opts *o, dufm_err *err) {
  memset(out, 0, sizeof *out);
  dufm_pattern_opts def;
  if (o == NULL) {
    dufm_pattern_opts_default(&def);
    o = &def;
  }
  if (!(o->rel_tol > 0.0 && o->rel_tol < 1.0))
    return dufm_err_set(err, DUFM_EINVAL, "rel_tol %g must lie strictly between 0 and 1",
                        o->rel_tol);
  dufm_eval_ws *ws = NULL;
  dufm_mat mh = {0};
  dufm_loss loss;
  dufm_status st = dufm_config_check(c, p, DUFM_FORM_SAMPLES, err);
  if (st == DUFM_OK)
    st = dufm_eval_ws_alloc(&ws, c, err);
  if (st == DUFM_OK)
    st = dufm_eval_with(&loss, NULL, c, p, DUFM_FORM_SAMPLES, ws, err);
  if (st != DUFM_OK)
    goto cleanup;
  out->L = c->L;
  out->K = c->K;
  out->rel_tol = o->rel_tol;
  out->nlayers = c->L - 1;
  out->layers = calloc((size_t)out->nlayers + 1, sizeof *out->layers);
  if (out->layers == NULL) {
    st = dufm_err_set(err, DUFM_ENOMEM, "out of memory for %d pattern layers", out->nlayers);
    goto cleanup;
  }
  for (int l = 2; l <= c->L && st == DUFM_OK; l++) {
    out->layers[l - 2].layer = l;
    st = dufm_i_class_means(&mh, dufm_eval_ws_hidden(ws, l), c->K, err);
    if (st == DUFM_OK)
      st = layer_types(&out->layers[l - 2], &mh, o->rel_tol, err);
    dufm_mat_clear(&mh);
  }
  if (st == DUFM_OK)
    st = describe(out, err);
cleanup:
  dufm_eval_ws_free(ws);
  return st;
}
