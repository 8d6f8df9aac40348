/* The executable's output: exit statuses, one-line error messages on stderr
 * and the CSV field writer. Used by the CLI (src/cli), the figures (src/plot)
 * and the experiments (src/paper); never by libdufm, which never prints. */
#ifndef DUFM_OUT_H
#define DUFM_OUT_H

#include <stdio.h>

#include "dufm/error.h"

#define OUT_EXIT_OK 0
#define OUT_EXIT_CHECK_FAILED 1
#define OUT_EXIT_USAGE 2

/* Prints "dufm: <msg>" as one line to stderr (control characters escaped,
 * long echoed values shortened: dufm_text_oneline) and returns OUT_EXIT_USAGE. */
int out_fail(const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 1, 2)))
#endif
    ;

/* Reports a library error ("dufm: context: message"); returns 1 for numerical
 * failures and out of memory, OUT_EXIT_USAGE for input errors. */
int out_fail_err(const dufm_err *err, const char *context);

/* One CSV field (RFC 4180): s as it is, or in double quotes with inner quotes
 * doubled when it holds a comma, a quote or a line break (structure names such
 * as clique:5:2,3 hold commas). */
void out_csv_field(FILE *f, const char *s);

#endif
