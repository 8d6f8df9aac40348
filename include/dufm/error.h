/* dufm/error.h: one status enum and one error record for the whole library.
 *
 * Library functions never print or exit. A function that can fail returns a
 * dufm_status and, when given a non-NULL dufm_err, records a one-line message
 * naming the offending argument or file and the rule it broke.
 *
 * Ownership, the one rule of every public header: a function that fills an
 * output record (dufm_config, dufm_comparison, dufm_structure_eval, ...) leaves
 * it safe to pass to the record's clear function whatever the status, so
 * callers clear it once after the call, always. Clear functions accept a
 * zero-filled record and NULL. Functions that allocate an object (*out) set
 * *out to NULL on failure; free functions accept NULL. Every header says it in
 * the same words: "out uninitialized; clear it afterwards whatever the
 * status", "*out NULL on failure; free it with ..._free (a no-op on NULL)",
 * and for clear functions "a no-op on NULL and on a zero-filled or cleared
 * record" (so clearing twice is safe). */
#ifndef DUFM_ERROR_H
#define DUFM_ERROR_H

#include <stddef.h>

#include "dufm/export.h"

DUFM_BEGIN_DECLS

typedef enum {
  DUFM_OK = 0,
  DUFM_EINVAL,        /* an argument breaks a documented rule */
  DUFM_ENOMEM,        /* allocation failed */
  DUFM_EIO,           /* a file could not be opened, read, written or renamed */
  DUFM_EFORMAT,       /* a file or string is malformed */
  DUFM_ENUMERIC,      /* a numerical method failed (no convergence, non-finite value) */
  DUFM_ENOTAPPLICABLE /* the object does not exist for these parameters */
} dufm_status;

#define DUFM_ERR_MSG_MAX 512

typedef struct {
  dufm_status status;
  char msg[DUFM_ERR_MSG_MAX];
} dufm_err;

/* Records status and a printf-style message in err (ignored when err is NULL)
 * and returns status, so that `return dufm_err_set(err, DUFM_EINVAL, ...)` reads
 * naturally. An existing message is overwritten. */
dufm_status dufm_err_set(dufm_err *err, dufm_status status, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

/* Prefixes the current message with "context: " (for example a file name). */
void dufm_err_prefix(dufm_err *err, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

void dufm_err_clear(dufm_err *err);

/* in as one line into out (at most size - 1 bytes): control characters
 * escaped (\n, \t, \r, \xHH), and every run of more than 120 non-blank
 * bytes (an echoed value) shortened to its first 60 and last 30 bytes around
 * "...(N bytes)...", so that the rule after it stays visible. dufm_err_set
 * and dufm_err_prefix apply it to every message. */
void dufm_text_oneline(char *out, size_t size, const char *in);

/* Short stable name of a status ("ok", "invalid_argument", ...). */
const char *dufm_status_name(dufm_status status);

DUFM_END_DECLS

#endif
