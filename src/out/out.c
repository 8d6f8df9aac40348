/* One-line errors and CSV fields of the executable (out.h). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "out.h"

int out_fail(const char *fmt, ...) {
  va_list ap, ap2;
  va_start(ap, fmt);
  va_copy(ap2, ap);
  int need = vsnprintf(NULL, 0, fmt, ap);
  va_end(ap);
  char *full = need >= 0 ? malloc((size_t)need + 1) : NULL, line[2048];
  if (full != NULL)
    vsnprintf(full, (size_t)need + 1, fmt, ap2);
  va_end(ap2);
  /* One line whatever the echoed values hold; long values shortened. */
  dufm_text_oneline(line, sizeof line, full != NULL ? full : "(out of memory)");
  free(full);
  fprintf(stderr, "dufm: %s\n", line);
  return OUT_EXIT_USAGE;
}

int out_fail_err(const dufm_err *err, const char *context) {
  int code = err->status == DUFM_ENUMERIC || err->status == DUFM_ENOMEM ? 1 : OUT_EXIT_USAGE;
  if (context != NULL)
    fprintf(stderr, "dufm: %s: %s\n", context, err->msg);
  else
    fprintf(stderr, "dufm: %s\n", err->msg);
  return code;
}

void out_csv_field(FILE *f, const char *s) {
  if (strpbrk(s, ",\"\r\n") == NULL) {
    fputs(s, f);
    return;
  }
  fputc('"', f);
  for (const char *c = s; *c; c++) {
    if (*c == '"')
      fputc('"', f);
    fputc(*c, f);
  }
  fputc('"', f);
}
