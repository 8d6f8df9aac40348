/* certificate/cert_lines.h: the line reader of the certificate parser. A line
 * is printable ASCII tokens separated by single spaces and ended by '\n'. */
#ifndef DUFM_CERT_LINES_H
#define DUFM_CERT_LINES_H

#include <gmp.h>
#include <stddef.h>

#include "dufm/error.h"

typedef struct {
  const char *name;    /* file name for messages */
  const char *p, *end; /* unread text */
  long line;           /* number of the current line (1-based) */
  char *buf;           /* the current line, split in place into tok[] */
  size_t cap;
  char **tok;
  int ntok, tokcap;
  const char *seen[24]; /* keywords read so far, to name duplicates */
  int nseen;
  dufm_err *err;
} dufm_i_reader;

void dufm_i_reader_clear(dufm_i_reader *r);

/* DUFM_EFORMAT with "NAME:LINE: " and the formatted rule. */
dufm_status dufm_i_fail(dufm_i_reader *r, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

/* Reads the next line, which must start with keyword kw and have exactly ntok
 * tokens (the keyword included). */
dufm_status dufm_i_expect(dufm_i_reader *r, const char *kw, int ntok);

/* Token i as a plain decimal integer (no sign, no leading zero) in [lo, hi]. */
dufm_status dufm_i_tok_int(dufm_i_reader *r, int i, long lo, long hi, long *out);

/* Token i as a canonical rational: -?(0|[1-9][0-9]*)(/[1-9][0-9]*)? in lowest
 * terms, denominator > 1 when written, at most DUFM_CERT_MAX_DIGITS digits per part. */
dufm_status dufm_i_tok_q(dufm_i_reader *r, int i, mpq_t out);

/* Whole file into a malloc'ed buffer. DUFM_EIO names the path. */
dufm_status dufm_i_read_file(char **text, size_t *len, const char *path, dufm_err *err);

#endif
