/* dufm/meta.h: meta.json, the parameters that produced a folder or a trace.
 *
 * Every folder dufm writes holds a meta.json (one JSON object on one line):
 *   {"format": "dufm-meta 1", "L": 4, "K": 6, "n": 1,
 *    "lambda_h": "0.001", "lambda_w": ["0.001", ...],      (L exact values)
 *    "widths": [d_0, ..., d_L], "form": "samples" | "means",
 *    "command": "export", "source": "clique:4:2,3", "version": "0.1.0"}
 * Lambdas are exact: a plain decimal ("0.004"), an exact decimal with an
 * exponent ("3e-120") or a fraction ("1/3"); dufm_q_parse reads each back to
 * the same rational. "widths" and "form" are absent in a trace's header. Keys
 * may come in any order; unknown keys are ignored (later versions may add
 * some). */
#ifndef DUFM_META_H
#define DUFM_META_H

#include <stdio.h>

#include "dufm/atomic.h"
#include "dufm/error.h"
#include "dufm/export.h"
#include "dufm/model.h"
#include "dufm/params.h"
#include "dufm/version.h"

DUFM_BEGIN_DECLS

#define DUFM_META_FILE "meta.json"
/* meta.json is small; anything larger is not one of ours. */
#define DUFM_META_MAX_BYTES (16u << 20)

typedef struct {
  int L, K, n;
  char *lambda_h;  /* exact text */
  char **lambda_w; /* L exact texts */
  int *widths;     /* d_0..d_L, NULL when absent */
  int has_form;
  dufm_form form;
  char *command; /* what wrote it ("export", "optimize --save", ...) */
  char *source;  /* structure spec, seeds and method, ...; may be "" */
  char *version; /* dufm version */
} dufm_meta;

/* Fills m from p; widths (d_0..d_L, may be NULL) and form (ignored when widths
 * is NULL) describe a configuration. m uninitialized; clear it afterwards
 * whatever the status. */
dufm_status dufm_meta_init(dufm_meta *m, const dufm_params *p, const int *widths, dufm_form form,
                           const char *command, const char *source, dufm_err *err);
/* Frees everything m owns and zero-fills it; a no-op on NULL and on a zero-filled
 * or cleared record. */
void dufm_meta_clear(dufm_meta *m);

/* The exact text of a lambda as meta.json stores it (malloc'ed, NULL when out
 * of memory): a plain decimal when it has at most 30 decimals, an exact
 * mantissa-exponent decimal otherwise, else "P/Q". */
char *dufm_meta_lambda_text(const mpq_t q);

/* params p of m: L, K, n and the exact lambdas. p uninitialized; clear it
 * afterwards whatever the status. */
dufm_status dufm_meta_params(dufm_params *p, const dufm_meta *m, dufm_err *err);

/* One line of JSON (with the newline). DUFM_EIO on a write error. */
dufm_status dufm_meta_write(FILE *f, const dufm_meta *m, dufm_err *err);

/* Parses the JSON object in text[0..len); name prefixes every message
 * (DUFM_EFORMAT: the key and the rule). m uninitialized; clear it afterwards
 * whatever the status. */
dufm_status dufm_meta_parse(dufm_meta *m, const char *text, size_t len, const char *name,
                            dufm_err *err);

/* Writes meta.json into the folder being built (dufm_atomic_dir_begin). This
 * is the call for every writer of a folder. */
dufm_status dufm_meta_save(const dufm_atomic_dir *ad, const dufm_meta *m, dufm_err *err);

/* Reads dir/meta.json. *found = 0 (and DUFM_OK, m zeroed) when the folder has
 * none: a folder written by someone else. m uninitialized; clear it afterwards
 * whatever the status. */
dufm_status dufm_meta_load(dufm_meta *m, int *found, const char *dir, dufm_err *err);

/* DUFM_EFORMAT (naming dir/meta.json and both values) when m disagrees with
 * the configuration's shapes: L, K, widths, and the columns (K n in samples
 * form, K in means form). */
dufm_status dufm_meta_check_config(const dufm_meta *m, const dufm_config *c, const char *dir,
                                   dufm_err *err);

/* Writes c (H1.npy, W1.npy, ...) and m (meta.json; NULL: none, else checked
 * against c first, DUFM_EINVAL when they disagree) into the folder being built;
 * the caller commits or aborts ad. Lets a command create its output folder
 * before a long computation (fail fast) and fill it at the end. */
dufm_status dufm_config_save_into(const dufm_atomic_dir *ad, const dufm_config *c,
                                  const dufm_meta *m, dufm_err *err);

/* dufm_config_save with a meta.json (m may be NULL: none), checked against c
 * first (DUFM_EINVAL when they disagree). */
dufm_status dufm_config_save_meta(const char *dir, const dufm_config *c, const dufm_meta *m,
                                  dufm_err *err);

DUFM_END_DECLS

#endif
