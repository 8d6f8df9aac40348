/* io/json_internal.h: the library's one small strict JSON reader (meta.json,
 * atlas entry.json) and the JSON writers of strings and doubles they share. */
#ifndef DUFM_IO_JSON_INTERNAL_H
#define DUFM_IO_JSON_INTERNAL_H

#include <stddef.h>
#include <stdio.h>

/* RFC 8259 syntax: the whole text is checked; values are kept as spans
 * of the text, looked up by key. */
typedef enum { AJ_NULL, AJ_BOOL, AJ_NUMBER, AJ_STRING, AJ_ARRAY, AJ_OBJECT } dufm_i_aj_type;

typedef struct dufm_i_aj {
  dufm_i_aj_type type;
  const char *start; /* span of the value in the text */
  size_t len;
  char *key; /* member name (objects' children), unescaped */
  char *str; /* strings: unescaped */
  int nkids;
  struct dufm_i_aj *kids;
} dufm_i_aj;

/* Parses text (len bytes). 0, or -1 with a message "offset N: ..." in msg. */
int dufm_i_aj_parse(dufm_i_aj *root, const char *text, size_t len, char *msg, size_t msgsize);
void dufm_i_aj_free(dufm_i_aj *v);
const dufm_i_aj *dufm_i_aj_get(const dufm_i_aj *obj, const char *key);

/* JSON output helpers (doubles with 17 significant digits, non-finite as null). */
void dufm_i_aj_string(FILE *f, const char *s);
void dufm_i_aj_double(FILE *f, double x);

#endif
