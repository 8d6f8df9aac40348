/* Writing certificates in the text format of proofs/certificates/FORMAT.md. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "certificate/cert_internal.h"
#include "dufm/atomic.h"

static void put_q(FILE *f, const mpq_t q) { mpq_out_str(f, 10, q); }

static void put_matrix(FILE *f, const dufm_cert *c, int l) {
  int rows = dufm_i_cert_rows(c, l), cols = dufm_i_cert_cols(c, l);
  if (l == 0)
    fprintf(f, "matrix M1 %d %d\n", rows, cols);
  else
    fprintf(f, "matrix W%d %d %d\n", l, rows, cols);
  for (int i = 0; i < rows; i++) {
    fputs("row", f);
    for (int j = 0; j < cols; j++) {
      fputc(' ', f);
      put_q(f, c->m[l][(size_t)i * cols + j]);
    }
    fputc('\n', f);
  }
}

/* The informational structure line must stay one token of visible ASCII. */
static int name_ok(const char *s) {
  size_t len = s ? strlen(s) : 0;
  if (len == 0 || len > DUFM_CERT_MAX_NAME)
    return 0;
  for (size_t i = 0; i < len; i++)
    if (s[i] <= ' ' || s[i] > '~')
      return 0;
  return 1;
}

dufm_status dufm_cert_write(FILE *f, const dufm_cert *c, dufm_err *err) {
  const int L = c->p.L;
  if (c->d == NULL || c->m == NULL)
    return dufm_err_set(err, DUFM_EINVAL, "certificate is empty");
  fprintf(f, "dufm-certificate %d\n", DUFM_CERT_VERSION);
  fprintf(f, "structure %s\n", name_ok(c->structure) ? c->structure : "unnamed");
  fprintf(f, "L %d\nK %d\nn %d\nlambda-H ", L, c->p.K, c->p.n);
  put_q(f, c->p.lam_h);
  fputc('\n', f);
  for (int l = 1; l <= L; l++) {
    fprintf(f, "lambda %d ", l);
    put_q(f, c->p.lam_w[l - 1]);
    fputc('\n', f);
  }
  fputs("widths", f);
  for (int l = 0; l < L; l++)
    fprintf(f, " %d", c->d[l]);
  fputc('\n', f);
  for (int l = 0; l <= L; l++)
    put_matrix(f, c, l);
  const char *keys[] = {"loss", "dnc-qpow"};
  const mpq_t *vals[] = {&c->loss, &c->dnc_qpow};
  for (int i = 0; i < 2; i++) {
    fprintf(f, "%s ", keys[i]);
    put_q(f, *vals[i]);
    fputc('\n', f);
  }
  fprintf(f, "dnc-regime %s\ndnc-s-lo ", c->zero_regime ? "zero" : "nonzero");
  put_q(f, c->s_lo);
  fputs("\ndnc-bound ", f);
  put_q(f, c->bound);
  fputs("\nclaim loss < dnc-bound\nend\n", f);
  if (ferror(f))
    return dufm_err_set(err, DUFM_EIO, "write error: %s", strerror(errno));
  return DUFM_OK;
}

dufm_status dufm_cert_save(const char *path, const dufm_cert *c, dufm_err *err) {
  dufm_atomic_file af;
  dufm_status st = dufm_atomic_file_open(&af, path, err);
  if (st != DUFM_OK)
    return st;
  if ((st = dufm_cert_write(af.f, c, err)) != DUFM_OK) {
    dufm_err_prefix(err, "%s", path);
    dufm_atomic_file_abort(&af);
    return st;
  }
  return dufm_atomic_file_commit(&af, err);
}
