/* Spec strings (grammar in dufm/structure.h). */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "dufm/rational.h"
#include "structure/structure_internal.h"

/* Integers are plain digits; the bound only keeps the value in an int, the
 * families apply their own rules afterwards. */
#define INT_TEXT_MAX 1000000000

static dufm_status parse_int(int *out, const char *s, const char *end, const char *what,
                             dufm_err *err) {
  long value = 0;
  if (s == end)
    return dufm_err_set(err, DUFM_EFORMAT, "missing %s (expected decimal digits)", what);
  for (const char *c = s; c < end; c++) {
    if (!isdigit((unsigned char)*c))
      return dufm_err_set(err, DUFM_EFORMAT, "malformed %s '%.*s' (expected decimal digits)", what,
                          (int)(end - s), s);
    value = value * 10 + (*c - '0');
    if (value > INT_TEXT_MAX)
      return dufm_err_set(err, DUFM_EINVAL, "%s '%.*s' is too large", what, (int)(end - s), s);
  }
  *out = (int)value;
  return DUFM_OK;
}

/* Number of pieces of [s, end) separated by sep. */
static int count_pieces(const char *s, const char *end, char sep) {
  int n = 1;
  for (; s < end; s++)
    n += *s == sep;
  return n;
}

static const char *find_sep(const char *s, const char *end, char sep) {
  while (s < end && *s != sep)
    s++;
  return s;
}

static dufm_status parse_graph(dufm_structure **out, const char *s, const char *end,
                               dufm_err *err) {
  int m = count_pieces(s, end, ',');
  int *u = malloc((size_t)m * sizeof *u), *v = malloc((size_t)m * sizeof *v);
  int r = 0;
  dufm_status st = DUFM_OK;
  if (u == NULL || v == NULL)
    st = dufm_err_set(err, DUFM_ENOMEM, "out of memory parsing a graph");
  for (int i = 0; i < m && st == DUFM_OK; i++) {
    const char *stop = find_sep(s, end, ','), *dash = find_sep(s, stop, '-');
    if (s == stop)
      st = dufm_err_set(err, DUFM_EFORMAT, "empty edge %d (expected U-V)", i + 1);
    else if (dash == stop)
      st =
          dufm_err_set(err, DUFM_EFORMAT, "edge '%.*s' is not of the form U-V", (int)(stop - s), s);
    if (st == DUFM_OK)
      st = parse_int(&u[i], s, dash, "vertex", err);
    if (st == DUFM_OK)
      st = parse_int(&v[i], dash + 1, stop, "vertex", err);
    if (st == DUFM_OK) {
      r = u[i] >= r ? u[i] + 1 : r;
      r = v[i] >= r ? v[i] + 1 : r;
    }
    s = stop + 1;
  }
  if (st != DUFM_OK)
    dufm_err_prefix(err, "graph");
  else
    st = dufm_structure_graph(out, r < 2 ? 2 : r, m, u, v, err);
  free(u);
  free(v);
  return st;
}

/* "k" or "k@w" with w = rho (z = rho^2) or "sqrt(z)". *weighted tells which. */
static dufm_status parse_size(int *k, mpq_t z, int *weighted, const char *s, const char *end,
                              dufm_err *err) {
  const char *at = find_sep(s, end, '@');
  dufm_status st = parse_int(k, s, at, "clique size", err);
  *weighted = at < end;
  if (st != DUFM_OK || !*weighted)
    return st;
  const char *w = at + 1;
  size_t len = (size_t)(end - w);
  char *text = malloc(len + 1);
  if (text == NULL)
    return dufm_err_set(err, DUFM_ENOMEM, "out of memory parsing a weight");
  memcpy(text, w, len);
  text[len] = '\0';
  int root = len > 6 && strncmp(text, "sqrt(", 5) == 0 && text[len - 1] == ')';
  if (root)
    text[len - 1] = '\0';
  st = dufm_q_parse(z, root ? text + 5 : text, err);
  if (st == DUFM_OK && mpq_sgn(z) < 0)
    st = dufm_err_set(err, DUFM_EINVAL, "must be nonnegative");
  if (st != DUFM_OK)
    dufm_err_prefix(err, "weight of size %d", *k);
  else if (!root)
    mpq_mul(z, z, z);
  free(text);
  return st;
}

/* Number of sizes in [s, end): a piece "a..b" (no weight) stands for a..b. */
static int count_sizes(const char *s, const char *end) {
  int m = 0;
  while (s <= end) {
    const char *stop = find_sep(s, end, ',');
    const char *dots = NULL;
    for (const char *c = s; c + 1 < stop; c++)
      if (c[0] == '.' && c[1] == '.')
        dots = c;
    int a = 0, b = 0;
    if (dots != NULL && parse_int(&a, s, dots, "size", NULL) == DUFM_OK &&
        parse_int(&b, dots + 2, stop, "size", NULL) == DUFM_OK && b >= a && b - a < 100000)
      m += b - a + 1;
    else
      m++;
    s = stop + 1;
  }
  return m;
}

static dufm_status parse_clique(dufm_structure **out, const char *s, const char *end,
                                dufm_err *err) {
  const char *colon = find_sep(s, end, ':');
  int r, m = count_sizes(colon + 1, end), all_weighted = -1;
  dufm_status st = parse_int(&r, s, colon, "R", err);
  if (st == DUFM_OK && colon == end)
    st = dufm_err_set(err, DUFM_EFORMAT, "expected clique:R:k1,k2,... (sizes are missing)");
  if (st != DUFM_OK) {
    dufm_err_prefix(err, "clique");
    return st;
  }
  int *k = malloc((size_t)m * sizeof *k);
  mpq_t *z = malloc((size_t)m * sizeof *z);
  if (k == NULL || z == NULL) {
    free(k);
    free(z);
    return dufm_err_set(err, DUFM_ENOMEM, "out of memory parsing clique sizes");
  }
  for (int i = 0; i < m; i++)
    mpq_init(z[i]);
  s = colon + 1;
  int i = 0;
  while (i < m && st == DUFM_OK) {
    const char *stop = find_sep(s, end, ',');
    const char *dots = NULL;
    for (const char *c = s; c + 1 < stop; c++)
      if (c[0] == '.' && c[1] == '.')
        dots = c;
    int weighted = 0;
    if (dots != NULL && find_sep(s, stop, '@') == stop) {
      /* A range of sizes, optimized weights: "2..9". */
      int a = 0, b = 0;
      st = parse_int(&a, s, dots, "clique size", err);
      if (st == DUFM_OK)
        st = parse_int(&b, dots + 2, stop, "clique size", err);
      if (st == DUFM_OK && b < a)
        st = dufm_err_set(err, DUFM_EFORMAT, "size range %d..%d must be increasing", a, b);
      for (int x = a; st == DUFM_OK && x <= b && i < m; x++)
        k[i++] = x;
    } else {
      st = parse_size(&k[i], z[i], &weighted, s, stop, err);
      i++;
    }
    if (st == DUFM_OK && all_weighted >= 0 && weighted != all_weighted)
      st = dufm_err_set(err, DUFM_EFORMAT,
                        "either every size has a weight (k@w) or none has (optimized)");
    all_weighted = weighted;
    s = stop + 1;
  }
  if (st != DUFM_OK)
    dufm_err_prefix(err, "clique:%d", r);
  else
    st = dufm_structure_clique(out, r, m, k, all_weighted ? (const mpq_t *)z : NULL, err);
  for (int j = 0; j < m; j++)
    mpq_clear(z[j]);
  free(z);
  free(k);
  return st;
}

/* One block: family name, then its arguments. */
static dufm_status parse_part(dufm_structure **out, const char *s, const char *end, dufm_err *err) {
  const char *colon = find_sep(s, end, ':');
  size_t len = (size_t)(colon - s);
  int value = 0;
  dufm_status st;
#define IS(name) (len == strlen(name) && strncmp(s, name, len) == 0)
  if (IS("dnc") && colon == end)
    return dufm_structure_dnc(out, 0, err);
  if (!IS("dnc") && !IS("srg") && !IS("graph") && !IS("clique") && !IS("sets") && !IS("pattern"))
    return dufm_err_set(err, DUFM_EFORMAT,
                        "unknown family '%.*s' (expected dnc, dnc:M, srg:R, graph:EDGES, "
                        "clique:R:SIZES, sets:SETS or pattern:FILE)",
                        (int)len, s);
  if (colon == end)
    return dufm_err_set(err, DUFM_EFORMAT, "'%.*s' needs arguments after ':'", (int)len, s);
  if (IS("sets"))
    return dufm_i_parse_sets(out, colon + 1, end, err);
  if (IS("pattern"))
    return dufm_i_parse_pattern_path(out, colon + 1, end, err);
  if (IS("graph"))
    return parse_graph(out, colon + 1, end, err);
  if (IS("clique"))
    return parse_clique(out, colon + 1, end, err);
  st = parse_int(&value, colon + 1, end, IS("dnc") ? "M" : "R", err);
  if (st != DUFM_OK) {
    dufm_err_prefix(err, "%.*s", (int)len, s);
    return st;
  }
  if (IS("dnc") && value < 1)
    return dufm_err_set(err, DUFM_EINVAL, "dnc:%d: M must be at least 1", value);
  return IS("dnc") ? dufm_structure_dnc(out, value, err) : dufm_structure_complete(out, value, err);
#undef IS
}

/* A '+' separates blocks unless it is an exponent sign: after a digit or '.'
 * followed by 'e'/'E', and before a digit. */
static int is_separator(const char *spec, const char *p) {
  if (p - spec < 2 || (p[-1] != 'e' && p[-1] != 'E') || !isdigit((unsigned char)p[1]))
    return 1;
  return !(isdigit((unsigned char)p[-2]) || p[-2] == '.');
}

dufm_status dufm_structure_parse(dufm_structure **out, const char *spec, dufm_err *err) {
  *out = NULL;
  if (spec == NULL || *spec == '\0')
    return dufm_err_set(err, DUFM_EFORMAT, "empty structure spec");
  const char *end = spec + strlen(spec);
  int count = 1;
  for (const char *p = spec; p < end; p++) {
    if (*p == '+' && is_separator(spec, p))
      count++;
    if (isspace((unsigned char)*p))
      return dufm_err_set(err, DUFM_EFORMAT, "spec '%s': no spaces allowed", spec);
  }
  dufm_structure **parts = calloc((size_t)count, sizeof *parts);
  if (parts == NULL)
    return dufm_err_set(err, DUFM_ENOMEM, "out of memory parsing a spec");
  dufm_status st = DUFM_OK;
  const char *s = spec;
  for (int b = 0; b < count && st == DUFM_OK; b++) {
    const char *stop = s;
    while (stop < end && !(*stop == '+' && is_separator(spec, stop)))
      stop++;
    if (stop == s)
      st = dufm_err_set(err, DUFM_EFORMAT, "empty block (nothing between '+' signs)");
    else
      st = parse_part(&parts[b], s, stop, err);
    if (st == DUFM_OK && count > 1 && parts[b]->K == 0)
      st = dufm_err_set(err, DUFM_EINVAL,
                        "dnc: a bare dnc needs its class count inside a composition (write dnc:M)");
    if (st != DUFM_OK && count > 1)
      dufm_err_prefix(err, "block %d", b + 1);
    s = stop + 1;
  }
  if (st == DUFM_OK && count == 1) {
    *out = parts[0];
  } else if (st == DUFM_OK) {
    st = dufm_structure_blocks(out, count, parts, err); /* takes the parts */
  } else {
    for (int b = 0; b < count; b++)
      dufm_structure_free(parts[b]);
  }
  free(parts);
  return st;
}
