/* Strict parser of the certificate text format (proofs/certificates/FORMAT.md).
 * Every line is checked against the one expected at that point, so a missing,
 * repeated or reordered field, a truncation and an out-of-range size all stop
 * the parse with "NAME:LINE: rule". */
#include <stdlib.h>
#include <string.h>

#include "certificate/cert_internal.h"
#include "certificate/cert_lines.h"

static dufm_status parse_header(dufm_i_reader *r, dufm_cert *c) {
  long v, L, K, n;
  dufm_status st = dufm_i_expect(r, "dufm-certificate", 2);
  if (st == DUFM_OK && (st = dufm_i_tok_int(r, 1, 0, 1000000, &v)) == DUFM_OK &&
      v != DUFM_CERT_VERSION)
    st = dufm_i_fail(r, "unsupported version %ld (this checker reads version %d)", v,
                     DUFM_CERT_VERSION);
  if (st == DUFM_OK && (st = dufm_i_expect(r, "structure", 2)) == DUFM_OK) {
    if (strlen(r->tok[1]) > DUFM_CERT_MAX_NAME)
      return dufm_i_fail(r, "structure name longer than %d characters", DUFM_CERT_MAX_NAME);
    if ((c->structure = strdup(r->tok[1])) == NULL)
      return dufm_err_set(r->err, DUFM_ENOMEM, "out of memory");
  }
  if (st == DUFM_OK && (st = dufm_i_expect(r, "L", 2)) == DUFM_OK)
    st = dufm_i_tok_int(r, 1, 1, DUFM_MAX_L, &L);
  if (st == DUFM_OK && (st = dufm_i_expect(r, "K", 2)) == DUFM_OK)
    st = dufm_i_tok_int(r, 1, 2, DUFM_MAX_K, &K);
  if (st == DUFM_OK && (st = dufm_i_expect(r, "n", 2)) == DUFM_OK)
    st = dufm_i_tok_int(r, 1, 1, DUFM_MAX_N, &n);
  if (st == DUFM_OK && dufm_params_init(&c->p, (int)L, (int)K, (int)n, r->err) != DUFM_OK)
    st = dufm_i_fail(r, "%s", r->err->msg);
  return st;
}

/* lambda-H, then "lambda l value" for l = 1..L in order. */
static dufm_status parse_lambdas(dufm_i_reader *r, dufm_cert *c) {
  mpq_t q;
  mpq_init(q);
  long l;
  dufm_status st = dufm_i_expect(r, "lambda-H", 2);
  if (st == DUFM_OK && (st = dufm_i_tok_q(r, 1, q)) == DUFM_OK &&
      dufm_params_set_lambda_q(&c->p, DUFM_LAMBDA_H, q, NULL) != DUFM_OK)
    st = dufm_i_fail(r, "lambda-H must be nonnegative");
  for (int i = 1; i <= c->p.L && st == DUFM_OK; i++) {
    if ((st = dufm_i_expect(r, "lambda", 3)) != DUFM_OK ||
        (st = dufm_i_tok_int(r, 1, 1, DUFM_MAX_L, &l)) != DUFM_OK)
      break;
    if (l != i) {
      st = l < i ? dufm_i_fail(r, "duplicate 'lambda %ld' (expected 'lambda %d')", l, i)
                 : dufm_i_fail(r, "missing 'lambda %d' (found 'lambda %ld')", i, l);
      break;
    }
    if ((st = dufm_i_tok_q(r, 2, q)) == DUFM_OK &&
        dufm_params_set_lambda_q(&c->p, i - 1, q, NULL) != DUFM_OK)
      st = dufm_i_fail(r, "lambda %d must be nonnegative", i);
  }
  mpq_clear(q);
  return st;
}

static dufm_status parse_matrices(dufm_i_reader *r, dufm_cert *c) {
  const int L = c->p.L;
  int *d = malloc((size_t)(L + 1) * sizeof *d);
  if (d == NULL)
    return dufm_err_set(r->err, DUFM_ENOMEM, "out of memory");
  dufm_status st = dufm_i_expect(r, "widths", L + 1);
  for (int l = 0; l < L && st == DUFM_OK; l++) {
    long w;
    st = dufm_i_tok_int(r, l + 1, 1, DUFM_CERT_MAX_WIDTH, &w);
    d[l] = (int)w;
  }
  d[L] = c->p.K;
  if (st == DUFM_OK && (st = dufm_i_cert_alloc(c, d, r->err)) != DUFM_OK && st != DUFM_ENOMEM)
    st = dufm_i_fail(r, "widths: %s", r->err->msg);
  for (int l = 0; l <= L && st == DUFM_OK; l++) {
    char name[32];
    snprintf(name, sizeof name, l == 0 ? "M1" : "W%d", l);
    int rows = dufm_i_cert_rows(c, l), cols = dufm_i_cert_cols(c, l);
    long v;
    if ((st = dufm_i_expect(r, "matrix", 4)) != DUFM_OK)
      break;
    if (strcmp(r->tok[1], name) != 0) {
      st = dufm_i_fail(r, "expected 'matrix %s', found 'matrix %s'", name, r->tok[1]);
      break;
    }
    if ((st = dufm_i_tok_int(r, 2, rows, rows, &v)) != DUFM_OK ||
        (st = dufm_i_tok_int(r, 3, cols, cols, &v)) != DUFM_OK)
      break;
    for (int i = 0; i < rows && st == DUFM_OK; i++) {
      st = dufm_i_expect(r, "row", cols + 1);
      for (int j = 0; j < cols && st == DUFM_OK; j++)
        st = dufm_i_tok_q(r, j + 1, c->m[l][(size_t)i * cols + j]);
    }
  }
  free(d);
  return st;
}

static dufm_status parse_claim(dufm_i_reader *r, dufm_cert *c) {
  dufm_status st = dufm_i_expect(r, "loss", 2);
  if (st == DUFM_OK)
    st = dufm_i_tok_q(r, 1, c->loss);
  if (st == DUFM_OK && (st = dufm_i_expect(r, "dnc-qpow", 2)) == DUFM_OK)
    st = dufm_i_tok_q(r, 1, c->dnc_qpow);
  if (st == DUFM_OK && (st = dufm_i_expect(r, "dnc-regime", 2)) == DUFM_OK) {
    c->zero_regime = strcmp(r->tok[1], "zero") == 0;
    if (!c->zero_regime && strcmp(r->tok[1], "nonzero") != 0)
      st = dufm_i_fail(r, "dnc-regime must be 'nonzero' or 'zero'");
  }
  if (st == DUFM_OK && (st = dufm_i_expect(r, "dnc-s-lo", 2)) == DUFM_OK)
    st = dufm_i_tok_q(r, 1, c->s_lo);
  if (st == DUFM_OK && (st = dufm_i_expect(r, "dnc-bound", 2)) == DUFM_OK)
    st = dufm_i_tok_q(r, 1, c->bound);
  if (st == DUFM_OK && (st = dufm_i_expect(r, "claim", 4)) == DUFM_OK &&
      (strcmp(r->tok[1], "loss") != 0 || strcmp(r->tok[2], "<") != 0 ||
       strcmp(r->tok[3], "dnc-bound") != 0))
    st = dufm_i_fail(r, "the claim line must read 'claim loss < dnc-bound'");
  if (st == DUFM_OK)
    st = dufm_i_expect(r, "end", 1);
  if (st == DUFM_OK && r->p != r->end)
    st = dufm_i_fail(r, "text after 'end'");
  return st;
}

dufm_status dufm_cert_parse(dufm_cert *out, const char *text, size_t len, const char *name,
                            dufm_err *err) {
  dufm_err local;
  dufm_i_reader r = {
      .name = name ? name : "certificate", .p = text, .end = text + len, .err = err ? err : &local};
  *out = (dufm_cert){0};
  dufm_status st = parse_header(&r, out);
  if (st == DUFM_OK)
    st = parse_lambdas(&r, out);
  if (st == DUFM_OK)
    st = parse_matrices(&r, out);
  if (st == DUFM_OK)
    st = parse_claim(&r, out);
  dufm_i_reader_clear(&r);
  if (st != DUFM_OK)
    dufm_cert_clear(out);
  return st;
}

dufm_status dufm_cert_load(dufm_cert *out, const char *path, dufm_err *err) {
  *out = (dufm_cert){0};
  size_t len = 0;
  char *text = NULL;
  dufm_status st = dufm_i_read_file(&text, &len, path, err);
  if (st == DUFM_OK)
    st = dufm_cert_parse(out, text, len, path, err);
  free(text);
  return st;
}
