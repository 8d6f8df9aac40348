/* The dictionary in an .npy header: a small Python-literal parser that accepts
 * what NumPy writes and hand-edited variants (keys in any order, any spacing,
 * trailing commas, either quote), and rejects everything else without ever
 * reading outside [text, text + len). */
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "io/npy_internal.h"

typedef struct {
  const char *begin, *p, *end;
  const char *path;
  dufm_err *err;
} cursor;

int dufm_i_host_big_endian(void) {
  const uint16_t one = 1;
  unsigned char first;
  memcpy(&first, &one, 1);
  return first == 0;
}

/* Printable copy of untrusted bytes for a one-line message. */
static const char *echo(char *out, size_t size, const char *s, size_t n) {
  size_t i = 0;
  for (; i < n && i + 4 < size; i++) {
    unsigned char ch = (unsigned char)s[i];
    out[i] = (ch >= 0x20 && ch < 0x7f) ? (char)ch : '?';
  }
  if (i < n)
    memcpy(out + i, "...", 3), i += 3;
  out[i] = '\0';
  return out;
}

static void skip_ws(cursor *c) {
  while (c->p < c->end && (*c->p == ' ' || *c->p == '\t' || *c->p == '\n' || *c->p == '\r'))
    c->p++;
}

static int peek(cursor *c) {
  skip_ws(c);
  return c->p < c->end ? (unsigned char)*c->p : -1;
}

static dufm_status syntax(cursor *c, const char *expected) {
  char found[16];
  if (c->p >= c->end)
    snprintf(found, sizeof found, "the end");
  else if ((unsigned char)*c->p >= 0x20 && (unsigned char)*c->p < 0x7f)
    snprintf(found, sizeof found, "'%c'", *c->p);
  else
    snprintf(found, sizeof found, "byte 0x%02x", (unsigned char)*c->p);
  return dufm_err_set(c->err, DUFM_EFORMAT,
                      "%s: malformed .npy header: expected %s at header byte %td, found %s",
                      c->path, expected, c->p - c->begin, found);
}

static dufm_status expect(cursor *c, char ch, const char *what) {
  if (peek(c) != (unsigned char)ch)
    return syntax(c, what);
  c->p++;
  return DUFM_OK;
}

/* A quoted string without escapes (no key or value we accept needs one). */
static dufm_status string(cursor *c, const char **s, size_t *n) {
  int q = peek(c);
  if (q != '\'' && q != '"')
    return syntax(c, "a quoted string");
  const char *start = ++c->p;
  while (c->p < c->end && *c->p != q && *c->p != '\\' && *c->p != '\n')
    c->p++;
  if (c->p >= c->end || *c->p != q)
    return syntax(c, "the closing quote of a string (escapes are not supported)");
  *s = start;
  *n = (size_t)(c->p++ - start);
  return DUFM_OK;
}

static dufm_status descr(cursor *c, dufm_i_npy_header *h) {
  char buf[48];
  const char *s;
  size_t n;
  if (peek(c) == '[')
    return dufm_err_set(c->err, DUFM_EFORMAT,
                        "%s: dtype is structured (a list): only float64 and float32 are supported",
                        c->path);
  dufm_status st = string(c, &s, &n);
  if (st != DUFM_OK)
    return st;
  if (n != 3 || strchr("<>=", s[0]) == NULL || s[1] != 'f' || (s[2] != '4' && s[2] != '8'))
    return dufm_err_set(c->err, DUFM_EFORMAT,
                        "%s: dtype '%s' is not supported: expected float64 or float32 "
                        "('<f8', '>f8', '<f4', '>f4')",
                        c->path, echo(buf, sizeof buf, s, n));
  h->big_endian = s[0] == '=' ? dufm_i_host_big_endian() : s[0] == '>';
  h->item_size = s[2] - '0';
  return DUFM_OK;
}

static dufm_status fortran_order(cursor *c, dufm_i_npy_header *h) {
  char buf[48];
  peek(c);
  const char *s = c->p;
  while (c->p < c->end && ((*c->p >= 'A' && *c->p <= 'Z') || (*c->p >= 'a' && *c->p <= 'z') ||
                           (*c->p >= '0' && *c->p <= '9') || *c->p == '_'))
    c->p++;
  size_t n = (size_t)(c->p - s);
  if (n == 4 && memcmp(s, "True", 4) == 0)
    h->fortran = 1;
  else if (n == 5 && memcmp(s, "False", 5) == 0)
    h->fortran = 0;
  else if (n == 0)
    return syntax(c, "True or False for fortran_order");
  else
    return dufm_err_set(c->err, DUFM_EFORMAT, "%s: fortran_order must be True or False, not '%s'",
                        c->path, echo(buf, sizeof buf, s, n));
  return DUFM_OK;
}

/* A tuple of nonnegative integers ("(3, 4)", "(3,4,)", "(3L, 4L)", "()"). */
static dufm_status shape(cursor *c, dufm_i_npy_header *h, const char **text, size_t *text_len) {
  dufm_status st = expect(c, '(', "a shape tuple '('");
  if (st != DUFM_OK)
    return st;
  *text = c->p - 1;
  while (peek(c) != ')') {
    if (peek(c) == '-')
      return dufm_err_set(c->err, DUFM_EFORMAT, "%s: shape has a negative size", c->path);
    if (peek(c) < '0' || peek(c) > '9')
      return syntax(c, "a size (a nonnegative integer) in the shape");
    int64_t v = 0;
    for (; c->p < c->end && *c->p >= '0' && *c->p <= '9'; c->p++)
      v = v >= DUFM_I_NPY_DIM_SAT / 10 ? DUFM_I_NPY_DIM_SAT : v * 10 + (*c->p - '0');
    if (c->p < c->end && (*c->p == 'L' || *c->p == 'l'))
      c->p++; /* Python 2 long suffix, as old NumPy wrote */
    if (h->ndim < 2)
      h->shape[h->ndim] = v;
    h->ndim++;
    if (peek(c) == ',')
      c->p++;
    else if (peek(c) != ')')
      return syntax(c, "',' or ')' in the shape");
  }
  c->p++;
  *text_len = (size_t)(c->p - *text);
  return DUFM_OK;
}

static dufm_status check_shape(const dufm_i_npy_header *h, const char *text, size_t len,
                               const char *path, dufm_err *err) {
  char buf[64];
  echo(buf, sizeof buf, text, len);
  if (h->ndim != 2)
    return dufm_err_set(err, DUFM_EFORMAT, "%s: shape %s is %d-D: expected a 2-D array", path, buf,
                        h->ndim);
  for (int i = 0; i < 2; i++) {
    if (h->shape[i] == 0)
      return dufm_err_set(err, DUFM_EFORMAT, "%s: shape %s is empty: both sizes must be at least 1",
                          path, buf);
    if (h->shape[i] > INT_MAX)
      return dufm_err_set(err, DUFM_EFORMAT, "%s: shape %s: a size exceeds the maximum %d", path,
                          buf, INT_MAX);
  }
  return DUFM_OK;
}

dufm_status dufm_i_npy_parse_header(dufm_i_npy_header *h, const char *text, size_t len,
                                    const char *path, dufm_err *err) {
  static const char *const keys[3] = {"descr", "fortran_order", "shape"};
  cursor c = {text, text, text + len, path, err};
  int seen[3] = {0, 0, 0};
  const char *shape_text = "()";
  size_t shape_len = 2;
  char buf[48];
  memset(h, 0, sizeof *h);
  dufm_status st = expect(&c, '{', "'{' (the header is a Python dict)");
  while (st == DUFM_OK && peek(&c) != '}') {
    const char *key;
    size_t n;
    int k = 0;
    if ((st = string(&c, &key, &n)) != DUFM_OK)
      break;
    while (k < 3 && (strlen(keys[k]) != n || memcmp(keys[k], key, n) != 0))
      k++;
    if (k == 3)
      return dufm_err_set(err, DUFM_EFORMAT,
                          "%s: unexpected key '%s' in the header (only descr, fortran_order "
                          "and shape are allowed)",
                          path, echo(buf, sizeof buf, key, n));
    if (seen[k]++)
      return dufm_err_set(err, DUFM_EFORMAT, "%s: key '%s' appears twice in the header", path,
                          keys[k]);
    if ((st = expect(&c, ':', "':' after a key")) != DUFM_OK)
      break;
    st = k == 0   ? descr(&c, h)
         : k == 1 ? fortran_order(&c, h)
                  : shape(&c, h, &shape_text, &shape_len);
    if (st == DUFM_OK && peek(&c) == ',')
      c.p++;
    else if (st == DUFM_OK && peek(&c) != '}')
      st = syntax(&c, "',' or '}' after a value");
  }
  if (st != DUFM_OK)
    return st;
  c.p++;
  if (peek(&c) != -1) /* only padding may follow the dict */
    return syntax(&c, "only spaces and a newline after the dict");
  for (int k = 0; k < 3; k++)
    if (!seen[k])
      return dufm_err_set(err, DUFM_EFORMAT, "%s: the header lacks the key '%s'", path, keys[k]);
  return check_shape(h, shape_text, shape_len, path, err);
}
