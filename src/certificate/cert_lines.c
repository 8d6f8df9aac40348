/* The certificate parser's line reader and token rules (cert_lines.h). */
#include "certificate/cert_lines.h"
#include "dufm/atomic.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dufm/certificate.h"

void dufm_i_reader_clear(dufm_i_reader *r) {
  free(r->buf);
  free(r->tok);
  r->buf = NULL;
  r->tok = NULL;
}

dufm_status dufm_i_fail(dufm_i_reader *r, const char *fmt, ...) {
  char msg[DUFM_ERR_MSG_MAX];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  return dufm_err_set(r->err, DUFM_EFORMAT, "%s:%ld: %s", r->name, r->line, msg);
}

/* Copies the next line into buf and splits it; the line must be printable
 * ASCII with single spaces between tokens and a final '\n'. */
static dufm_status next_line(dufm_i_reader *r, const char *kw) {
  r->line++;
  if (r->p == r->end)
    return dufm_i_fail(r, "unexpected end of file: missing '%s' (truncated file?)", kw);
  const char *nl = memchr(r->p, '\n', (size_t)(r->end - r->p));
  if (nl == NULL)
    return dufm_i_fail(r, "the last line has no newline (truncated file?)");
  size_t len = (size_t)(nl - r->p);
  if (len + 1 > r->cap) {
    char *b = realloc(r->buf, len + 1);
    if (b == NULL)
      return dufm_err_set(r->err, DUFM_ENOMEM, "out of memory reading %s", r->name);
    r->buf = b;
    r->cap = len + 1;
  }
  memcpy(r->buf, r->p, len);
  r->buf[len] = '\0';
  r->p = nl + 1;
  if (len == 0)
    return dufm_i_fail(r, "empty line (expected '%s')", kw);
  r->ntok = 0;
  for (size_t i = 0; i < len; i++) {
    unsigned char ch = (unsigned char)r->buf[i];
    if (ch < ' ' || ch > '~')
      return dufm_i_fail(r, "character 0x%02x is not printable ASCII", ch);
    if (ch == ' ' && (i == 0 || i + 1 == len || r->buf[i + 1] == ' '))
      return dufm_i_fail(r, "tokens must be separated by single spaces, without leading or "
                            "trailing space");
    if (ch != ' ' && (i == 0 || r->buf[i - 1] == '\0')) {
      if (r->ntok == r->tokcap) {
        int cap = r->tokcap ? 2 * r->tokcap : 64;
        char **t = realloc(r->tok, (size_t)cap * sizeof *t);
        if (t == NULL)
          return dufm_err_set(r->err, DUFM_ENOMEM, "out of memory reading %s", r->name);
        r->tok = t;
        r->tokcap = cap;
      }
      r->tok[r->ntok++] = r->buf + i;
    }
    if (ch == ' ')
      r->buf[i] = '\0';
  }
  return DUFM_OK;
}

/* Keywords that legitimately repeat; a repeat of any other one is a duplicate. */
static int repeats(const char *kw) {
  return strcmp(kw, "lambda") == 0 || strcmp(kw, "matrix") == 0 || strcmp(kw, "row") == 0;
}

dufm_status dufm_i_expect(dufm_i_reader *r, const char *kw, int ntok) {
  dufm_status st = next_line(r, kw);
  if (st != DUFM_OK)
    return st;
  const char *found = r->tok[0];
  if (strcmp(found, kw) != 0) {
    for (int i = 0; i < r->nseen; i++)
      if (strcmp(r->seen[i], found) == 0 && !repeats(found))
        return dufm_i_fail(r, "duplicate field '%s' (expected '%s')", found, kw);
    return dufm_i_fail(r, "expected '%s', found '%.64s'", kw, found);
  }
  if (r->ntok != ntok)
    return dufm_i_fail(r, "'%s' needs %d value%s, found %d", kw, ntok - 1, ntok == 2 ? "" : "s",
                       r->ntok - 1);
  if (r->nseen < (int)(sizeof r->seen / sizeof r->seen[0]) && !repeats(kw))
    r->seen[r->nseen++] = kw;
  return DUFM_OK;
}

/* Length of a run of digits starting at s. */
static size_t digits(const char *s) {
  size_t n = 0;
  while (s[n] >= '0' && s[n] <= '9')
    n++;
  return n;
}

dufm_status dufm_i_tok_int(dufm_i_reader *r, int i, long lo, long hi, long *out) {
  const char *t = r->tok[i];
  size_t n = digits(t);
  if (n == 0 || t[n] != '\0' || (t[0] == '0' && n > 1))
    return dufm_i_fail(r, "value %d of '%s': '%.64s' is not a plain whole number", i, r->tok[0], t);
  /* Ten digits fit a long on every platform we build on; more are out of range. */
  long v = n <= 10 ? strtol(t, NULL, 10) : -1;
  if (n > 10 || v < lo || v > hi)
    return dufm_i_fail(r, "value %d of '%s': %.64s%s is outside %ld..%ld", i, r->tok[0], t,
                       n > 64 ? "..." : "", lo, hi);
  *out = v;
  return DUFM_OK;
}

dufm_status dufm_i_tok_q(dufm_i_reader *r, int i, mpq_t out) {
  char *t = r->tok[i];
  char *num = t + (t[0] == '-');
  size_t n = digits(num);
  char *den = num[n] == '/' ? num + n + 1 : NULL;
  size_t m = den ? digits(den) : 0;
  int ok = n > 0 && (num[0] != '0' || n == 1) && !(t[0] == '-' && num[0] == '0') &&
           (den ? m > 0 && den[m] == '\0' && den[0] != '0' : num[n] == '\0');
  if (!ok)
    return dufm_i_fail(r,
                       "value %d of '%s': '%.64s%s' is not a rational P or P/Q (decimal "
                       "digits, optional '-', no leading zeros, Q > 0)",
                       i, r->tok[0], t, strlen(t) > 64 ? "..." : "");
  if (n > DUFM_CERT_MAX_DIGITS || m > DUFM_CERT_MAX_DIGITS)
    return dufm_i_fail(r, "value %d of '%s': more than %d digits", i, r->tok[0],
                       DUFM_CERT_MAX_DIGITS);
  if (den != NULL)
    den[-1] = '\0';
  mpz_set_str(mpq_numref(out), t, 10);
  mpz_set_ui(mpq_denref(out), 1);
  if (den != NULL)
    mpz_set_str(mpq_denref(out), den, 10);
  if (den != NULL)
    den[-1] = '/';
  if (den != NULL && mpz_cmp_ui(mpq_denref(out), 1) == 0)
    return dufm_i_fail(r, "value %d of '%s': write an integer P, not P/1", i, r->tok[0]);
  mpz_t g;
  mpz_init(g);
  mpz_gcd(g, mpq_numref(out), mpq_denref(out));
  int lowest = mpz_cmp_ui(g, 1) == 0;
  mpz_clear(g);
  if (!lowest)
    return dufm_i_fail(r, "value %d of '%s': fraction not in lowest terms", i, r->tok[0]);
  return DUFM_OK;
}

dufm_status dufm_i_read_file(char **text, size_t *len, const char *path, dufm_err *err) {
  /* A regular file (a FIFO or /dev/zero is refused at once) of bounded size. */
  return dufm_input_read(text, len, path, DUFM_CERT_MAX_BYTES, "a certificate", err);
}
