/* The small strict JSON reader of meta.json and entry.json (RFC 8259 syntax;
 * numbers are kept as text spans, strings unescaped to UTF-8; repeated member
 * names, surrogate escapes and \u0000 are refused). */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "io/json_internal.h"

#define AJ_MAX_DEPTH 32

typedef struct {
  const char *s, *end, *p;
  char *msg;
  size_t msgsize;
} reader;

static int fail(reader *r, const char *what) {
  snprintf(r->msg, r->msgsize, "offset %ld: %s", (long)(r->p - r->s), what);
  return -1;
}

static void ws(reader *r) {
  while (r->p < r->end && (*r->p == ' ' || *r->p == '\t' || *r->p == '\n' || *r->p == '\r'))
    r->p++;
}

static int hex4(const char *p, unsigned *out) {
  unsigned v = 0;
  for (int i = 0; i < 4; i++) {
    int c = (unsigned char)p[i];
    v <<= 4;
    if (c >= '0' && c <= '9')
      v |= (unsigned)(c - '0');
    else if (c >= 'a' && c <= 'f')
      v |= (unsigned)(c - 'a' + 10);
    else if (c >= 'A' && c <= 'F')
      v |= (unsigned)(c - 'A' + 10);
    else
      return -1;
  }
  *out = v;
  return 0;
}

static int string(reader *r, char **out) {
  r->p++; /* opening quote */
  size_t cap = 16, n = 0;
  char *buf = malloc(cap);
  if (buf == NULL)
    return fail(r, "out of memory");
  for (;;) {
    if (r->p >= r->end) {
      free(buf);
      return fail(r, "unterminated string");
    }
    unsigned c = (unsigned char)*r->p++;
    if (c == '"')
      break;
    if (c < 0x20) {
      free(buf);
      return fail(r, "control character in a string");
    }
    if (n + 5 > cap) {
      char *b = realloc(buf, cap *= 2);
      if (b == NULL) {
        free(buf);
        return fail(r, "out of memory");
      }
      buf = b;
    }
    if (c != '\\') {
      buf[n++] = (char)c;
      continue;
    }
    if (r->p >= r->end) {
      free(buf);
      return fail(r, "unterminated escape");
    }
    c = (unsigned char)*r->p++;
    const char *simple = strchr("\"\\/bfnrt", (int)c);
    if (c != 0 && simple != NULL && c != 'u') {
      const char map[] = "\"\\/\b\f\n\r\t";
      buf[n++] = map[simple - "\"\\/bfnrt"];
      continue;
    }
    unsigned u;
    if (c != 'u' || r->end - r->p < 4 || hex4(r->p, &u) != 0) {
      free(buf);
      return fail(r, "bad escape in a string");
    }
    r->p += 4;
    if (u == 0) {
      free(buf);
      return fail(r, "\\u0000 is not accepted in a string");
    }
    if (u >= 0xd800 && u <= 0xdfff) {
      free(buf);
      return fail(r, "surrogate escapes are not accepted");
    }
    if (u < 0x80) {
      buf[n++] = (char)u;
    } else if (u < 0x800) {
      buf[n++] = (char)(0xc0 | (u >> 6));
      buf[n++] = (char)(0x80 | (u & 0x3f));
    } else {
      buf[n++] = (char)(0xe0 | (u >> 12));
      buf[n++] = (char)(0x80 | ((u >> 6) & 0x3f));
      buf[n++] = (char)(0x80 | (u & 0x3f));
    }
  }
  buf[n] = '\0';
  *out = buf;
  return 0;
}

static int number(reader *r) {
  const char *p = r->p;
  if (p < r->end && *p == '-')
    p++;
  if (p >= r->end || !isdigit((unsigned char)*p))
    return fail(r, "malformed number");
  if (*p == '0')
    p++;
  else
    while (p < r->end && isdigit((unsigned char)*p))
      p++;
  if (p < r->end && *p == '.') {
    p++;
    if (p >= r->end || !isdigit((unsigned char)*p))
      return fail(r, "malformed number");
    while (p < r->end && isdigit((unsigned char)*p))
      p++;
  }
  if (p < r->end && (*p == 'e' || *p == 'E')) {
    p++;
    if (p < r->end && (*p == '+' || *p == '-'))
      p++;
    if (p >= r->end || !isdigit((unsigned char)*p))
      return fail(r, "malformed number");
    while (p < r->end && isdigit((unsigned char)*p))
      p++;
  }
  r->p = p;
  return 0;
}

static int value(reader *r, dufm_i_aj *v, int depth);

static int push(reader *r, dufm_i_aj *v, dufm_i_aj **kid) {
  dufm_i_aj *k = realloc(v->kids, (size_t)(v->nkids + 1) * sizeof *k);
  if (k == NULL)
    return fail(r, "out of memory");
  v->kids = k;
  memset(&k[v->nkids], 0, sizeof *k);
  *kid = &k[v->nkids++];
  return 0;
}

static int container(reader *r, dufm_i_aj *v, int depth) {
  int obj = *r->p == '{';
  char close = obj ? '}' : ']';
  v->type = obj ? AJ_OBJECT : AJ_ARRAY;
  r->p++;
  ws(r);
  if (r->p < r->end && *r->p == close) {
    r->p++;
    return 0;
  }
  for (;;) {
    dufm_i_aj *kid;
    char *key = NULL;
    if (obj) {
      ws(r);
      if (r->p >= r->end || *r->p != '"')
        return fail(r, "expected a member name");
      if (string(r, &key) != 0)
        return -1;
      for (int i = 0; i < v->nkids; i++)
        if (strcmp(v->kids[i].key, key) == 0) {
          char what[96];
          snprintf(what, sizeof what, "\"%.40s\" given twice", key);
          free(key);
          return fail(r, what);
        }
      ws(r);
      if (r->p >= r->end || *r->p != ':') {
        free(key);
        return fail(r, "expected ':'");
      }
      r->p++;
    }
    if (push(r, v, &kid) != 0) {
      free(key);
      return -1;
    }
    kid->key = key;
    if (value(r, kid, depth + 1) != 0)
      return -1;
    ws(r);
    if (r->p < r->end && *r->p == ',') {
      r->p++;
      continue;
    }
    if (r->p < r->end && *r->p == close) {
      r->p++;
      return 0;
    }
    return fail(r, obj ? "expected ',' or '}'" : "expected ',' or ']'");
  }
}

static int literal(reader *r, const char *word) {
  size_t n = strlen(word);
  if ((size_t)(r->end - r->p) < n || memcmp(r->p, word, n) != 0)
    return fail(r, "unexpected character");
  r->p += n;
  return 0;
}

static int value(reader *r, dufm_i_aj *v, int depth) {
  if (depth > AJ_MAX_DEPTH)
    return fail(r, "nested too deeply");
  ws(r);
  if (r->p >= r->end)
    return fail(r, "unexpected end");
  v->start = r->p;
  int rc;
  switch (*r->p) {
  case '{':
  case '[':
    rc = container(r, v, depth);
    break;
  case '"':
    v->type = AJ_STRING;
    rc = string(r, &v->str);
    break;
  case 't':
    v->type = AJ_BOOL;
    rc = literal(r, "true");
    break;
  case 'f':
    v->type = AJ_BOOL;
    rc = literal(r, "false");
    break;
  case 'n':
    v->type = AJ_NULL;
    rc = literal(r, "null");
    break;
  default:
    v->type = AJ_NUMBER;
    rc = number(r);
  }
  v->len = (size_t)(r->p - v->start);
  return rc;
}

int dufm_i_aj_parse(dufm_i_aj *root, const char *text, size_t len, char *msg, size_t msgsize) {
  memset(root, 0, sizeof *root);
  reader r = {text, text + len, text, msg, msgsize};
  if (value(&r, root, 0) != 0)
    return -1;
  ws(&r);
  if (r.p != r.end)
    return fail(&r, "text after the JSON value");
  return 0;
}

void dufm_i_aj_free(dufm_i_aj *v) {
  if (v == NULL)
    return;
  for (int i = 0; i < v->nkids; i++)
    dufm_i_aj_free(&v->kids[i]);
  free(v->kids);
  free(v->key);
  free(v->str);
  memset(v, 0, sizeof *v);
}

const dufm_i_aj *dufm_i_aj_get(const dufm_i_aj *obj, const char *key) {
  if (obj == NULL || obj->type != AJ_OBJECT)
    return NULL;
  for (int i = 0; i < obj->nkids; i++)
    if (strcmp(obj->kids[i].key, key) == 0)
      return &obj->kids[i];
  return NULL;
}

void dufm_i_aj_string(FILE *f, const char *s) {
  fputc('"', f);
  for (const unsigned char *c = (const unsigned char *)s; *c != '\0'; c++) {
    if (*c == '"' || *c == '\\')
      fprintf(f, "\\%c", *c);
    else if (*c < 0x20 || *c == 0x7f)
      fprintf(f, "\\u%04x", *c);
    else
      fputc(*c, f);
  }
  fputc('"', f);
}

void dufm_i_aj_double(FILE *f, double x) {
  if (x != x || x > 1.7976931348623157e308 || x < -1.7976931348623157e308)
    fputs("null", f);
  else
    fprintf(f, "%.17g", x);
}
