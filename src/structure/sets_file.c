/* Pattern files "pattern:FILE" (format in dufm/sets.h). */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dufm/sets.h"
#include "structure/structure_internal.h"

#define LINE_MAX_LEN 65536

static const char *skip_space(const char *s) {
  while (*s == ' ' || *s == '\t')
    s++;
  return s;
}

/* A nonnegative decimal integer at *s (advanced past it), at most hi. */
static int read_int(long *out, const char **s, long hi) {
  const char *c = *s;
  long v = 0;
  if (!isdigit((unsigned char)*c))
    return -1;
  while (isdigit((unsigned char)*c)) {
    v = v * 10 + (*c - '0');
    if (v > hi)
      return -1;
    c++;
  }
  *out = v;
  *s = c;
  return 0;
}

/* The types of one layer line after "layer l:" into act (rows x K, grown as
 * needed); *rows receives the neuron count. */
static dufm_status parse_types(unsigned char **act, int *rows, const char *s, int K,
                               dufm_err *err) {
  int n = 0, cap = 0;
  unsigned char type[DUFM_SETS_MAX_K];
  for (s = skip_space(s); *s != '\0'; s = skip_space(s)) {
    if (*s == '-' && *skip_space(s + 1) == '\0')
      break;         /* "-": the layer has no neuron; caught below */
    if (*s == '(') { /* "(k dead)" ends the line */
      long k;
      const char *c = skip_space(s + 1);
      if (read_int(&k, &c, 1L << 30) != 0 || strncmp(skip_space(c), "dead)", 5) != 0 ||
          *skip_space(skip_space(c) + 5) != '\0')
        return dufm_err_set(err, DUFM_EFORMAT, "expected '(k dead)' at the end, got '%s'", s);
      break;
    }
    long m = 1;
    if (isdigit((unsigned char)*s)) {
      if (read_int(&m, &s, DUFM_SETS_MAX_ROWS) != 0 || *s != 'x' || m < 1)
        return dufm_err_set(err, DUFM_EFORMAT, "multiplicity must be 'mx{...}' with 1 <= m <= %d",
                            DUFM_SETS_MAX_ROWS);
      s++;
    }
    if (*s != '{')
      return dufm_err_set(err, DUFM_EFORMAT, "expected a type '{a,b,...}' at '%s'", s);
    s++;
    memset(type, 0, sizeof type);
    long prev = -1;
    for (;;) {
      long c;
      if (read_int(&c, &s, 1L << 30) != 0)
        return dufm_err_set(err, DUFM_EFORMAT, "expected a class number inside '{...}' at '%s'", s);
      if (c >= K)
        return dufm_err_set(err, DUFM_EINVAL, "class %ld is not in 0..%d", c, K - 1);
      if (c <= prev)
        return dufm_err_set(err, DUFM_EINVAL,
                            "classes of a type must be increasing (%ld after %ld)", c, prev);
      type[c] = 1;
      prev = c;
      if (*s == ',') {
        s++;
        continue;
      }
      if (*s == '}') {
        s++;
        break;
      }
      return dufm_err_set(err, DUFM_EFORMAT, "expected ',' or '}' at '%s'", s);
    }
    if (n + m > DUFM_SETS_MAX_ROWS)
      return dufm_err_set(err, DUFM_EINVAL, "more than %d neurons in a layer", DUFM_SETS_MAX_ROWS);
    if (n + m > cap) {
      cap = 2 * (n + (int)m) + 8;
      unsigned char *grown = realloc(*act, (size_t)cap * (size_t)K);
      if (grown == NULL)
        return dufm_err_set(err, DUFM_ENOMEM, "out of memory for a pattern layer");
      *act = grown;
    }
    for (long i = 0; i < m; i++)
      memcpy(*act + (size_t)(n++) * K, type, (size_t)K);
  }
  if (n == 0)
    return dufm_err_set(err, DUFM_EINVAL, "a layer needs at least one live neuron");
  for (int c = 0; c < K; c++) {
    int any = 0;
    for (int i = 0; i < n; i++)
      any |= (*act)[(size_t)i * K + c];
    if (!any)
      return dufm_err_set(err, DUFM_EINVAL,
                          "class %d is active on no neuron (every later layer would be 0 on it)",
                          c);
  }
  *rows = n;
  return DUFM_OK;
}

/* One line (comment stripped); *t is allocated at the K line. */
static dufm_status parse_line(dufm_i_sets **t, char *line, dufm_err *err) {
  char *hash = strchr(line, '#');
  if (hash != NULL)
    *hash = '\0';
  const char *s = skip_space(line);
  size_t len = strlen(s);
  while (len > 0 && isspace((unsigned char)s[len - 1]))
    ((char *)s)[--len] = '\0';
  if (*s == '\0')
    return DUFM_OK;
  long v;
  if (*t == NULL) {
    if (s[0] != 'K' || (s[1] != ' ' && s[1] != '\t'))
      return dufm_err_set(err, DUFM_EFORMAT, "expected 'K <classes>' first");
    const char *c = skip_space(s + 1);
    if (read_int(&v, &c, 1L << 30) != 0 || *c != '\0' || v < 2 || v > DUFM_SETS_MAX_K)
      return dufm_err_set(err, DUFM_EINVAL, "K must be an integer in 2..%d", DUFM_SETS_MAX_K);
    *t = calloc(1, sizeof **t);
    if (*t == NULL)
      return dufm_err_set(err, DUFM_ENOMEM, "out of memory for a pattern");
    (*t)->K = (int)v;
    (*t)->file = 1;
    return DUFM_OK;
  }
  if (s[0] == 'L' && (s[1] == ' ' || s[1] == '\t')) {
    const char *c = skip_space(s + 1);
    if ((*t)->fixed_L || (*t)->ngiven > 0)
      return dufm_err_set(err, DUFM_EFORMAT, "'L' must come once, before the layers");
    if (read_int(&v, &c, DUFM_MAX_L) != 0 || *c != '\0' || v < 2)
      return dufm_err_set(err, DUFM_EINVAL, "L must be an integer in 2..%d", DUFM_MAX_L);
    (*t)->fixed_L = (int)v;
    return DUFM_OK;
  }
  if (strncmp(s, "layer", 5) != 0 || (s[5] != ' ' && s[5] != '\t'))
    return dufm_err_set(err, DUFM_EFORMAT,
                        "expected 'K N', 'L N', 'layer N: TYPES', a comment or a blank line");
  const char *c = skip_space(s + 5);
  if (read_int(&v, &c, DUFM_MAX_L) != 0 || *c != ':')
    return dufm_err_set(err, DUFM_EFORMAT, "expected 'layer N:'");
  if (v != (*t)->ngiven + 2)
    return dufm_err_set(err, DUFM_EINVAL,
                        "layer %ld: layers must be 2, 3, ... in order (expected %d)", v,
                        (*t)->ngiven + 2);
  unsigned char *act = NULL;
  int rows = 0;
  dufm_status st = parse_types(&act, &rows, c + 1, (*t)->K, err);
  if (st == DUFM_OK)
    st = dufm_i_sets_push(*t, rows, act, err);
  if (st != DUFM_OK)
    dufm_err_prefix(err, "layer %ld", v);
  free(act);
  return st;
}

dufm_status dufm_i_parse_pattern_file(dufm_structure **out, const char *path, dufm_err *err) {
  FILE *f = fopen(path, "r");
  if (f == NULL)
    return dufm_err_set(err, DUFM_EIO, "pattern file %s: cannot open: %s", path, strerror(errno));
  char *line = malloc(LINE_MAX_LEN);
  dufm_i_sets *t = NULL;
  dufm_status st = line == NULL ? dufm_err_set(err, DUFM_ENOMEM, "out of memory") : DUFM_OK;
  long no = 0;
  while (st == DUFM_OK && fgets(line, LINE_MAX_LEN, f) != NULL) {
    no++;
    size_t len = strlen(line);
    if (len == LINE_MAX_LEN - 1 && line[len - 1] != '\n')
      st = dufm_err_set(err, DUFM_EFORMAT, "line longer than %d characters", LINE_MAX_LEN - 2);
    else
      st = parse_line(&t, line, err);
    if (st != DUFM_OK && st != DUFM_ENOMEM)
      dufm_err_prefix(err, "pattern file %s:%ld", path, no);
  }
  if (st == DUFM_OK && ferror(f))
    st = dufm_err_set(err, DUFM_EIO, "pattern file %s: read error", path);
  if (st == DUFM_OK && (t == NULL || t->ngiven == 0))
    st = dufm_err_set(err, DUFM_EFORMAT, "pattern file %s: %s", path,
                      t == NULL ? "no 'K N' line" : "no 'layer 2: ...' line");
  if (st == DUFM_OK && t->fixed_L && t->fixed_L != t->ngiven + 1)
    st = dufm_err_set(err, DUFM_EINVAL, "pattern file %s: 'L %d' needs layers 2..%d, it has 2..%d",
                      path, t->fixed_L, t->fixed_L, t->ngiven + 1);
  fclose(f);
  free(line);
  if (st != DUFM_OK) {
    dufm_i_sets_free(t);
    return st;
  }
  size_t n = strlen(path) + 9;
  char *name = malloc(n);
  if (name == NULL) {
    dufm_i_sets_free(t);
    return dufm_err_set(err, DUFM_ENOMEM, "out of memory");
  }
  snprintf(name, n, "pattern:%s", path);
  st = dufm_i_sets_structure(out, t, name, err);
  free(name);
  return st;
}

dufm_status dufm_i_parse_pattern_path(dufm_structure **out, const char *s, const char *end,
                                      dufm_err *err) {
  size_t len = (size_t)(end - s);
  char *path = malloc(len + 1);
  if (path == NULL)
    return dufm_err_set(err, DUFM_ENOMEM, "out of memory");
  memcpy(path, s, len);
  path[len] = '\0';
  dufm_status st = dufm_i_parse_pattern_file(out, path, err);
  free(path);
  return st;
}
