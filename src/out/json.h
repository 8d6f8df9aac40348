/* A tiny streaming JSON writer for the CLI: stable field order, doubles printed
 * with 17 significant digits (round-trip exact), non-finite doubles as null. */
#ifndef DUFM_CLI_JSON_H
#define DUFM_CLI_JSON_H

#include <stdio.h>

#define JSON_MAX_DEPTH 32

typedef struct {
  FILE *out;
  int depth;
  int count[JSON_MAX_DEPTH]; /* members written at each level, for commas */
  int pretty;
} json_writer;

void json_init(json_writer *w, FILE *out);
void json_begin_object(json_writer *w);
void json_end_object(json_writer *w);
void json_begin_array(json_writer *w);
void json_end_array(json_writer *w);
/* Writes "key": and leaves the value to the next call. */
void json_key(json_writer *w, const char *key);
void json_string(json_writer *w, const char *s);
void json_double(json_writer *w, double x);
void json_int(json_writer *w, long long x);
void json_bool(json_writer *w, int b);
void json_null(json_writer *w);
/* Ends the document with a newline. */
void json_finish(json_writer *w);

/* Shorthands for "key": value. */
void json_kv_string(json_writer *w, const char *key, const char *s);
void json_kv_double(json_writer *w, const char *key, double x);
void json_kv_int(json_writer *w, const char *key, long long x);
void json_kv_bool(json_writer *w, const char *key, int b);

#endif
