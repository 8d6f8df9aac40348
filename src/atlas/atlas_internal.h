/* Internals of the atlas module. */
#ifndef DUFM_ATLAS_INTERNAL_H
#define DUFM_ATLAS_INTERNAL_H

#include <stddef.h>
#include <stdio.h>

#include "dufm/atlas.h"

/* A small JSON reader: the whole text is checked; values are kept as spans
 * of the text, looked up by key. */
typedef enum { AJ_NULL, AJ_BOOL, AJ_NUMBER, AJ_STRING, AJ_ARRAY, AJ_OBJECT } dufm_i_aj_type;

typedef struct dufm_i_aj {
  dufm_i_aj_type type;
  const char *start; /* span of the value in the text */
  size_t len;
  char *key;         /* member name (objects' children), unescaped */
  char *str;         /* strings: unescaped */
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

/* The one place that writes an entry folder to disk: contents into a fresh
 * temporary sibling of dir, then moved into place (see entry_io.c). */
dufm_status dufm_i_atlas_publish(const char *dir, const dufm_atlas_entry *e, dufm_err *err);

/* Removes a folder tree written by the atlas (entry.json, config/). */
void dufm_i_atlas_remove_tree(const char *dir);

/* Below DNC's rigorous lower end by more than the evaluation's rounding. */
int dufm_i_atlas_below(double loss, double dnc_lower);

/* DIR (missing) gets the entry's configuration and a meta.json (command
 * "atlas"), so that dufm eval/check read the folder without flags. */
dufm_status dufm_i_atlas_save_config(const char *dir, const dufm_atlas_entry *e, dufm_err *err);

#endif
