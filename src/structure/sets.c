/* Set systems as structures: the record, the inline form sets:S_1,...,S_K
 * (grammar in dufm/sets.h) and the layers it describes at a depth L. */
#include <stdlib.h>
#include <string.h>

#include "dufm/sets.h"
#include "structure/structure_internal.h"

void dufm_i_sets_free(dufm_i_sets *t) {
  if (t == NULL)
    return;
  for (int i = 0; i < t->ngiven; i++)
    free(t->act[i]);
  free(t->act);
  free(t->rows);
  free(t);
}

dufm_status dufm_i_sets_push(dufm_i_sets *t, int rows, const unsigned char *act, dufm_err *err) {
  int *nr = realloc(t->rows, (size_t)(t->ngiven + 1) * sizeof *nr);
  if (nr != NULL)
    t->rows = nr;
  unsigned char **na = realloc(t->act, (size_t)(t->ngiven + 1) * sizeof *na);
  if (na != NULL)
    t->act = na;
  unsigned char *copy = malloc((size_t)rows * (size_t)t->K + 1);
  if (nr == NULL || na == NULL || copy == NULL) {
    free(copy);
    return dufm_err_set(err, DUFM_ENOMEM, "out of memory for a pattern layer");
  }
  memcpy(copy, act, (size_t)rows * (size_t)t->K);
  t->rows[t->ngiven] = rows;
  t->act[t->ngiven++] = copy;
  return DUFM_OK;
}

dufm_status dufm_i_sets_structure(dufm_structure **out, dufm_i_sets *t, const char *name,
                                  dufm_err *err) {
  dufm_structure *s;
  dufm_status st = dufm_i_structure_alloc(&s, DUFM_STRUCTURE_SETS, err);
  if (st != DUFM_OK) {
    dufm_i_sets_free(t);
    return st;
  }
  s->sets = t;
  s->K = t->K;
  dufm_i_str str = {0};
  dufm_i_str_printf(&str, "%s", name);
  return dufm_i_structure_finish(out, s, &str, err);
}

/* 0-9 then a-z, or -1. */
static int symbol(char c) {
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'z')
    return 10 + (c - 'a');
  return -1;
}

static char symbol_char(int v) { return (char)(v < 10 ? '0' + v : 'a' + (v - 10)); }

/* One item of symbols in [s, stop) into the 0/1 vector in (size n); what names
 * the item in messages. */
static dufm_status parse_item(unsigned char *in, int n, const char *s, const char *stop,
                              const char *what, int index, dufm_err *err) {
  memset(in, 0, (size_t)n);
  if (s == stop)
    return dufm_err_set(err, DUFM_EFORMAT, "%s %d is empty (expected symbols 0-9, a-z)", what,
                        index);
  for (const char *c = s; c < stop; c++) {
    int v = symbol(*c);
    if (v < 0 || v >= n)
      return dufm_err_set(err, DUFM_EFORMAT, "%s %d '%.*s': '%c' is not a symbol %s", what, index,
                          (int)(stop - s), s, *c, v < 0 ? "(0-9, a-z)" : "in range");
    if (in[v])
      return dufm_err_set(err, DUFM_EINVAL, "%s %d '%.*s': '%c' is repeated", what, index,
                          (int)(stop - s), s, *c);
    in[v] = 1;
  }
  return DUFM_OK;
}

static const char *find_char(const char *s, const char *end, char c) {
  while (s < end && *s != c)
    s++;
  return s;
}

/* Canonical text of a 0/1 vector: its symbols in increasing order. */
static void put_item(dufm_i_str *name, const unsigned char *in, int n) {
  for (int v = 0; v < n; v++)
    if (in[v])
      dufm_i_str_printf(name, "%c", symbol_char(v));
}

/* Rows sorted by size, then lexicographically by their increasing symbols
 * (the canonical order of dufm/pattern.h); insertion sort, rows are few. */
static int row_before(const unsigned char *a, const unsigned char *b, int n) {
  int sa = 0, sb = 0;
  for (int i = 0; i < n; i++)
    sa += a[i], sb += b[i];
  if (sa != sb)
    return sa < sb;
  for (int i = 0; i < n; i++)
    if (a[i] != b[i])
      return a[i];
  return 0;
}

static void sort_rows(unsigned char *rows, int count, int n) {
  unsigned char tmp[DUFM_SETS_MAX_K];
  for (int i = 1; i < count; i++) {
    memcpy(tmp, rows + (size_t)i * n, (size_t)n);
    int j = i;
    while (j > 0 && row_before(tmp, rows + (size_t)(j - 1) * n, n)) {
      memcpy(rows + (size_t)j * n, rows + (size_t)(j - 1) * n, (size_t)n);
      j--;
    }
    memcpy(rows + (size_t)j * n, tmp, (size_t)n);
  }
}

dufm_status dufm_i_parse_sets(dufm_structure **out, const char *s, const char *end, dufm_err *err) {
  const char *slash = find_char(s, end, '/');
  int K = 1;
  for (const char *c = s; c < slash; c++)
    K += *c == ',';
  dufm_i_sets *t = calloc(1, sizeof *t);
  unsigned char *cls = calloc((size_t)K * DUFM_SETS_MAX_SYMBOLS, 1);
  unsigned char *types = NULL, *last = NULL;
  dufm_i_str name = {0};
  dufm_status st = DUFM_OK;
  if (t == NULL || cls == NULL) {
    st = dufm_err_set(err, DUFM_ENOMEM, "out of memory parsing sets");
    goto cleanup;
  }
  if (K < 2 || K > DUFM_SETS_MAX_K) {
    st = dufm_err_set(err, DUFM_EINVAL, "sets: K = %d classes; needs 2 <= K <= %d", K,
                      DUFM_SETS_MAX_K);
    goto cleanup;
  }
  t->K = K;
  const char *p = s;
  for (int c = 0; c < K && st == DUFM_OK; c++) {
    const char *stop = find_char(p, slash, ',');
    st = parse_item(cls + (size_t)c * DUFM_SETS_MAX_SYMBOLS, DUFM_SETS_MAX_SYMBOLS, p, stop,
                    "class", c, err);
    p = stop + 1;
  }
  for (int a = 0; a < K && st == DUFM_OK; a++)
    for (int b = a + 1; b < K && st == DUFM_OK; b++)
      if (memcmp(cls + (size_t)a * DUFM_SETS_MAX_SYMBOLS, cls + (size_t)b * DUFM_SETS_MAX_SYMBOLS,
                 DUFM_SETS_MAX_SYMBOLS) == 0)
        st = dufm_err_set(err, DUFM_EINVAL,
                          "classes %d and %d have the same set (no layer could tell them apart)", a,
                          b);
  if (st != DUFM_OK)
    goto cleanup;
  /* Types: the symbols used, in increasing order; type row = classes holding it. */
  int r = 0;
  types = calloc((size_t)DUFM_SETS_MAX_SYMBOLS * (size_t)K, 1);
  if (types == NULL) {
    st = dufm_err_set(err, DUFM_ENOMEM, "out of memory parsing sets");
    goto cleanup;
  }
  for (int v = 0; v < DUFM_SETS_MAX_SYMBOLS; v++) {
    int used = 0;
    for (int c = 0; c < K; c++)
      used |= types[(size_t)r * K + c] = cls[(size_t)c * DUFM_SETS_MAX_SYMBOLS + v];
    r += used;
  }
  st = dufm_i_sets_push(t, r, types, err);
  dufm_i_str_printf(&name, "sets:");
  for (int c = 0; c < K; c++) {
    dufm_i_str_printf(&name, c ? "," : "");
    put_item(&name, cls + (size_t)c * DUFM_SETS_MAX_SYMBOLS, DUFM_SETS_MAX_SYMBOLS);
  }
  if (st == DUFM_OK && slash < end) {
    const char *q = slash + 1;
    if ((size_t)(end - q) < 5 || strncmp(q, "last:", 5) != 0) {
      st = dufm_err_set(err, DUFM_EFORMAT, "after '/' expected 'last:' and the last layer's types");
      goto cleanup;
    }
    q += 5;
    int rows = 1;
    for (const char *c = q; c < end; c++)
      rows += *c == ',';
    if (rows > DUFM_SETS_MAX_ROWS) {
      st = dufm_err_set(err, DUFM_EINVAL, "/last: %d neurons, more than %d", rows,
                        DUFM_SETS_MAX_ROWS);
      goto cleanup;
    }
    last = malloc((size_t)rows * (size_t)K);
    if (last == NULL) {
      st = dufm_err_set(err, DUFM_ENOMEM, "out of memory parsing sets");
      goto cleanup;
    }
    for (int i = 0; i < rows && st == DUFM_OK; i++) {
      const char *stop = find_char(q, end, ',');
      st = parse_item(last + (size_t)i * K, K, q, stop, "last-layer neuron", i, err);
      q = stop + 1;
    }
    if (st != DUFM_OK) {
      dufm_err_prefix(err, "/last");
      goto cleanup;
    }
    sort_rows(last, rows, K);
    st = dufm_i_sets_push(t, rows, last, err);
    t->last_given = 1;
    dufm_i_str_printf(&name, "/last:");
    for (int i = 0; i < rows; i++) {
      dufm_i_str_printf(&name, i ? "," : "");
      put_item(&name, last + (size_t)i * K, K);
    }
  }
  if (st == DUFM_OK && name.failed)
    st = dufm_err_set(err, DUFM_ENOMEM, "out of memory for a structure name");
  if (st == DUFM_OK) {
    st = dufm_i_sets_structure(out, t, name.buf, err);
    t = NULL;
  }
cleanup:
  if (st != DUFM_OK && st != DUFM_ENOMEM && err != NULL && strncmp(err->msg, "sets", 4) != 0)
    dufm_err_prefix(err, "sets");
  dufm_i_sets_free(t);
  free(name.buf);
  free(cls);
  free(types);
  free(last);
  return st;
}

int dufm_sets_fixed_L(const dufm_structure *s) {
  return s->kind == DUFM_STRUCTURE_SETS ? s->sets->fixed_L : 0;
}
