#include "dufm/error.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Longest run of non-blank characters kept whole; longer runs (an echoed
 * value) keep their head and tail, so the rule after them stays visible. */
#define TOKEN_MAX 120
#define TOKEN_HEAD 60
#define TOKEN_TAIL 30

static size_t put_char(char *out, size_t size, size_t o, unsigned char c) {
  char esc[8];
  size_t n;
  if (c == '\n')
    n = (size_t)snprintf(esc, sizeof esc, "\\n");
  else if (c == '\t')
    n = (size_t)snprintf(esc, sizeof esc, "\\t");
  else if (c == '\r')
    n = (size_t)snprintf(esc, sizeof esc, "\\r");
  else if (c < 0x20 || c == 0x7f)
    n = (size_t)snprintf(esc, sizeof esc, "\\x%02x", c);
  else
    esc[0] = (char)c, n = 1;
  for (size_t i = 0; i < n && o + 1 < size; i++)
    out[o++] = esc[i];
  return o;
}

void dufm_text_oneline(char *out, size_t size, const char *in) {
  size_t o = 0, len = strlen(in);
  if (size == 0)
    return;
  for (size_t i = 0; i < len && o + 1 < size;) {
    size_t run = 0;
    while (i + run < len && in[i + run] != ' ')
      run++;
    if (run > TOKEN_MAX) {
      char mid[48];
      int m = snprintf(mid, sizeof mid, "...(%zu bytes)...", run);
      for (size_t k = 0; k < TOKEN_HEAD; k++)
        o = put_char(out, size, o, (unsigned char)in[i + k]);
      for (int k = 0; k < m && o + 1 < size; k++)
        out[o++] = mid[k];
      for (size_t k = run - TOKEN_TAIL; k < run; k++)
        o = put_char(out, size, o, (unsigned char)in[i + k]);
      i += run;
    } else {
      for (size_t k = 0; k < run; k++)
        o = put_char(out, size, o, (unsigned char)in[i + k]);
      i += run;
    }
    if (i < len && o + 1 < size)
      out[o++] = in[i++]; /* the blank */
  }
  out[o] = '\0';
}

dufm_status dufm_err_set(dufm_err *err, dufm_status status, const char *fmt, ...) {
  if (err == NULL)
    return status;
  va_list ap, ap2;
  va_start(ap, fmt);
  va_copy(ap2, ap);
  int need = vsnprintf(NULL, 0, fmt, ap);
  va_end(ap);
  /* Formatted in full first (an argument may be err->msg itself), then made
   * one line with long values shortened. */
  char *full = need >= 0 ? malloc((size_t)need + 1) : NULL;
  if (full != NULL) {
    vsnprintf(full, (size_t)need + 1, fmt, ap2);
    dufm_text_oneline(err->msg, sizeof err->msg, full);
    free(full);
  } else {
    char tmp[DUFM_ERR_MSG_MAX];
    vsnprintf(tmp, sizeof tmp, fmt, ap2);
    dufm_text_oneline(err->msg, sizeof err->msg, tmp);
  }
  va_end(ap2);
  err->status = status;
  return status;
}

void dufm_err_prefix(dufm_err *err, const char *fmt, ...) {
  if (err == NULL)
    return;
  char head[DUFM_ERR_MSG_MAX];
  char old[DUFM_ERR_MSG_MAX];
  va_list ap;
  va_start(ap, fmt);
  char raw[DUFM_ERR_MSG_MAX];
  vsnprintf(raw, sizeof raw, fmt, ap);
  va_end(ap);
  dufm_text_oneline(head, sizeof head, raw);
  memcpy(old, err->msg, sizeof old);
  /* Truncation is acceptable for an over-long message; keep what fits. */
  size_t used = strlen(head);
  if (used > sizeof err->msg - 3)
    used = sizeof err->msg - 3;
  memcpy(err->msg, head, used);
  memcpy(err->msg + used, ": ", 2);
  size_t rest = sizeof err->msg - used - 3;
  size_t old_len = strnlen(old, rest);
  memcpy(err->msg + used + 2, old, old_len);
  err->msg[used + 2 + old_len] = '\0';
}

void dufm_err_clear(dufm_err *err) {
  if (err == NULL)
    return;
  err->status = DUFM_OK;
  err->msg[0] = '\0';
}

const char *dufm_status_name(dufm_status status) {
  switch (status) {
  case DUFM_OK:
    return "ok";
  case DUFM_EINVAL:
    return "invalid_argument";
  case DUFM_ENOMEM:
    return "out_of_memory";
  case DUFM_EIO:
    return "io_error";
  case DUFM_EFORMAT:
    return "format_error";
  case DUFM_ENUMERIC:
    return "numerical_failure";
  case DUFM_ENOTAPPLICABLE:
    return "not_applicable";
  }
  return "unknown";
}
