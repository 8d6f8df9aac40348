#include "dufm/error.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

dufm_status dufm_err_set(dufm_err *err, dufm_status status, const char *fmt, ...) {
  if (err == NULL)
    return status;
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(err->msg, sizeof err->msg, fmt, ap);
  va_end(ap);
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
  vsnprintf(head, sizeof head, fmt, ap);
  va_end(ap);
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
