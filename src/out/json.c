#include "json.h"

#include <math.h>

void json_init(json_writer *w, FILE *out) {
  w->out = out;
  w->depth = 0;
  w->count[0] = 0;
  w->pretty = 1;
}

static void indent(json_writer *w) {
  if (!w->pretty)
    return;
  fputc('\n', w->out);
  for (int i = 0; i < w->depth; i++)
    fputs("  ", w->out);
}

/* Called before every value or key: separates it from its predecessor. A value
 * that follows a key (count < 0 marks "after key") gets no separator. */
static void before_item(json_writer *w) {
  if (w->depth == 0)
    return;
  if (w->count[w->depth] < 0) {
    w->count[w->depth] = -w->count[w->depth];
    return;
  }
  if (w->count[w->depth] > 0)
    fputc(',', w->out);
  w->count[w->depth]++;
  indent(w);
}

static void open(json_writer *w, char c) {
  before_item(w);
  fputc(c, w->out);
  if (w->depth + 1 < JSON_MAX_DEPTH)
    w->depth++;
  w->count[w->depth] = 0;
}

static void close(json_writer *w, char c) {
  int had = w->count[w->depth] != 0;
  w->depth--;
  if (had)
    indent(w);
  fputc(c, w->out);
}

void json_begin_object(json_writer *w) { open(w, '{'); }
void json_end_object(json_writer *w) { close(w, '}'); }
void json_begin_array(json_writer *w) { open(w, '['); }
void json_end_array(json_writer *w) { close(w, ']'); }

static void raw_string(FILE *out, const char *s) {
  fputc('"', out);
  for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
    if (*p == '"' || *p == '\\')
      fprintf(out, "\\%c", *p);
    else if (*p < 0x20)
      fprintf(out, "\\u%04x", *p);
    else
      fputc(*p, out);
  }
  fputc('"', out);
}

void json_key(json_writer *w, const char *key) {
  before_item(w);
  raw_string(w->out, key);
  fputs(w->pretty ? ": " : ":", w->out);
  w->count[w->depth] = -w->count[w->depth];
}

void json_string(json_writer *w, const char *s) {
  before_item(w);
  raw_string(w->out, s);
}

void json_double(json_writer *w, double x) {
  before_item(w);
  if (isfinite(x))
    fprintf(w->out, "%.17g", x);
  else
    fputs("null", w->out);
}

void json_int(json_writer *w, long long x) {
  before_item(w);
  fprintf(w->out, "%lld", x);
}

void json_bool(json_writer *w, int b) {
  before_item(w);
  fputs(b ? "true" : "false", w->out);
}

void json_null(json_writer *w) {
  before_item(w);
  fputs("null", w->out);
}

void json_finish(json_writer *w) { fputc('\n', w->out); }

void json_kv_string(json_writer *w, const char *key, const char *s) {
  json_key(w, key);
  json_string(w, s);
}
void json_kv_double(json_writer *w, const char *key, double x) {
  json_key(w, key);
  json_double(w, x);
}
void json_kv_int(json_writer *w, const char *key, long long x) {
  json_key(w, key);
  json_int(w, x);
}
void json_kv_bool(json_writer *w, const char *key, int b) {
  json_key(w, key);
  json_bool(w, b);
}
