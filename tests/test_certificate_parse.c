/* Certificate parser and checker under hostile input: every single-number
 * mutation of a valid certificate, truncation at every line, a table of
 * malformed lines, and numbers with 10^5 and 10^6 digits. The checker may
 * accept a mutated file only if the independent re-derivation
 * (cert_reference.h) proves its claim too. */
#include <stdlib.h>
#include <string.h>

#include "cert_reference.h"
#include "dufm/certificate.h"
#include "testutil.h"

static char *text; /* valid srg:5 certificate at L = 4, K = 10, lambda = 0.004 */
static size_t text_len;

static int setup(void) {
  dufm_structure *s = NULL;
  dufm_params p = {0};
  dufm_cert c;
  int bad = dufm_structure_parse(&s, "srg:5", NULL) != DUFM_OK ||
            dufm_params_init(&p, 4, 10, 1, NULL) != DUFM_OK ||
            dufm_params_set_lambda(&p, DUFM_LAMBDA_ALL, "0.004", NULL) != DUFM_OK ||
            dufm_cert_make(&c, s, &p, NULL) != DUFM_OK;
  if (!bad) {
    FILE *f = open_memstream(&text, &text_len);
    bad = dufm_cert_write(f, &c, NULL) != DUFM_OK;
    fclose(f);
    dufm_cert_clear(&c);
  }
  dufm_structure_free(s);
  dufm_params_clear(&p);
  return bad;
}

static int teardown(void) {
  free(text);
  return 0;
}

/* 2 malformed, 1 invalid, 0 valid (then the reference must prove the claim). */
static int verdict(const char *t, size_t len, dufm_err *err) {
  dufm_cert c;
  if (dufm_cert_parse(&c, t, len, "mem", err) != DUFM_OK)
    return 2;
  dufm_cert_report r;
  CU_ASSERT_EQUAL(dufm_cert_check(&r, &c, NULL), DUFM_OK);
  int v = r.result == DUFM_CERT_VALID ? 0 : 1;
  if (v == 0 && !ref_claim_holds(&c)) {
    CU_FAIL("the checker accepted a claim the reference refutes");
    fprintf(stderr, "\n  accepted:\n%.*s\n", (int)len, t);
  }
  dufm_cert_report_clear(&r);
  dufm_cert_clear(&c);
  return v;
}

/* t[pos..pos+old) replaced by rep, in a fresh buffer. */
static char *splice(size_t pos, size_t old, const char *rep, size_t *len) {
  size_t n = strlen(rep);
  *len = text_len - old + n;
  char *out = malloc(*len + 1);
  memcpy(out, text, pos);
  memcpy(out + pos, rep, n);
  memcpy(out + pos + n, text + pos + old, text_len - pos - old);
  out[*len] = '\0';
  return out;
}

static void test_mutations(void) {
  CU_ASSERT_EQUAL_FATAL(verdict(text, text_len, NULL), 0);
  int counts[3] = {0, 0, 0};
  mpq_t q, step;
  mpq_inits(q, step, NULL);
  mpq_set_ui(step, 1, 1000);
  for (size_t i = 0; i < text_len; i++) {
    /* A numeric token starts after a space or a line start ("structure" is
     * informational and skipped). */
    if (i > 0 && text[i - 1] != ' ' && text[i - 1] != '\n')
      continue;
    size_t e = i;
    while (e < text_len && text[e] != ' ' && text[e] != '\n')
      e++;
    char tok[4096];
    size_t n = e - i;
    if (n == 0 || n >= sizeof tok || strspn(text + i, "-0123456789/") < n)
      continue;
    if (i >= 10 && strncmp(text + i - 10, "structure ", 10) == 0)
      continue;
    memcpy(tok, text + i, n);
    tok[n] = '\0';
    char variants[3][4200];
    mpq_set_str(q, tok, 10);
    mpq_add(q, q, step);
    mpq_get_str(variants[0], 10, q);
    snprintf(variants[1], sizeof variants[1], "%s", tok);
    variants[1][n - 1] = (char)('0' + (variants[1][n - 1] - '0' + 1) % 10);
    snprintf(variants[2], sizeof variants[2], "%s%s", tok[0] == '-' ? "" : "-",
             tok + (tok[0] == '-'));
    for (int v = 0; v < 3; v++) {
      size_t len;
      char *t = splice(i, n, variants[v], &len);
      counts[verdict(t, len, NULL)]++;
      free(t);
    }
  }
  /* Every entry moves a norm, so no mutation survives here. */
  fprintf(stderr, "\n  mutations: %d valid, %d invalid, %d malformed\n", counts[0], counts[1],
          counts[2]);
  CU_ASSERT_EQUAL(counts[0], 0);
  CU_ASSERT(counts[1] > 500 && counts[2] > 20);
  const char *words[][2] = {{"dnc-regime nonzero", "dnc-regime zero"}};
  size_t len;
  char *t =
      splice((size_t)(strstr(text, words[0][0]) - text), strlen(words[0][0]), words[0][1], &len);
  CU_ASSERT_EQUAL(verdict(t, len, NULL), 1);
  free(t);
  mpq_clears(q, step, NULL);
}

static void test_truncation(void) {
  dufm_err err;
  long line = 0;
  for (size_t i = 0; i <= text_len; i++) {
    if (i > 0 && text[i - 1] != '\n')
      continue;
    line++;
    if (i < text_len) { /* every line boundary before the end */
      CU_ASSERT_EQUAL(verdict(text, i, &err), 2);
      CU_ASSERT(strstr(err.msg, "unexpected end of file") != NULL);
      char where[32];
      snprintf(where, sizeof where, "mem:%ld:", line);
      CU_ASSERT(strncmp(err.msg, where, strlen(where)) == 0);
      size_t mid = i + (strchr(text + i, '\n') - (text + i)) / 2;
      if (mid > i)
        CU_ASSERT_EQUAL(verdict(text, mid, &err), 2);
    }
  }
  CU_ASSERT(line > 40);
}

static void test_malformed(void) {
  const char *table[][3] = {
      {"L 4\n", "L 4\nL 4\n", "duplicate field 'L'"},
      {"K 10\n", "", "expected 'K', found 'n'"},
      {"L 4\n", "L  4\n", "single spaces"},
      {"L 4\n", "L 4 \n", "single spaces"},
      {"L 4\n", "L 4\r\n", "not printable"},
      {"L 4\n", "L\t4\n", "not printable"},
      {"L 4\n", "L 04\n", "plain whole number"},
      {"L 4\n", "L 99999999999999999999\n", "outside 1..1000"},
      {"n 1\n", "n 0\n", "outside 1..1000000"},
      {"lambda-H 1/250", "lambda-H 2/500", "lowest terms"},
      {"lambda-H 1/250", "lambda-H 3/1", "not P/1"},
      {"lambda-H 1/250", "lambda-H 0/250", "lowest terms"},
      {"lambda-H 1/250", "lambda-H -0", "not a rational"},
      {"lambda-H 1/250", "lambda-H +1/250", "not a rational"},
      {"lambda-H 1/250", "lambda-H 1/0", "not a rational"},
      {"lambda-H 1/250", "lambda-H 1/-250", "not a rational"},
      {"lambda-H 1/250", "lambda-H 0.004", "not a rational"},
      {"lambda-H 1/250", "lambda-H -1/250", "nonnegative"},
      {"lambda 2 1/250\n", "lambda 1 1/250\n", "duplicate 'lambda 1'"},
      {"lambda 2 1/250\n", "", "missing 'lambda 2'"},
      {"dufm-certificate 1", "dufm-certificate 2", "unsupported version"},
      {"structure srg:5", "structure srg:5 x", "'structure' needs 1 value"},
      {"widths 5 5 5 10", "widths 5 5 5", "'widths' needs 4 values"},
      {"widths 5 5 5 10", "widths 2000000 5 5 10", "outside 1..1000000"},
      {"widths 5 5 5 10", "widths 1000000 1000000 5 10", "matrix entries"},
      {"widths 5 5 5 10", "widths 6 5 5 10", "value 2 of 'matrix'"},
      {"matrix W1", "matrix W2", "expected 'matrix W1'"},
      {"dnc-regime nonzero", "dnc-regime maybe", "'nonzero' or 'zero'"},
      {"claim loss < dnc-bound", "claim loss <= dnc-bound", "claim line"},
      {"end\n", "end\nextra\n", "text after 'end'"},
      {"end\n", "end", "no newline"},
      {"dufm-certificate 1\n", "dufm-certificate 1\n\n", "empty line"},
      {"dufm-certificate 1\n", "", "expected 'dufm-certificate'"},
      {"L 4\n", "L 4\n# note\n", "expected 'K'"},
  };
  for (size_t k = 0; k < sizeof table / sizeof table[0]; k++) {
    const char *at = strstr(text, table[k][0]);
    CU_ASSERT_PTR_NOT_NULL_FATAL(at);
    size_t len;
    char *t = splice((size_t)(at - text), strlen(table[k][0]), table[k][1], &len);
    dufm_err err = {0};
    int v = verdict(t, len, &err);
    if (v != 2 || strstr(err.msg, table[k][2]) == NULL)
      fprintf(stderr, "\n  case %zu (%s): verdict %d, message '%s'\n", k, table[k][2], v, err.msg);
    CU_ASSERT(v == 2 && strstr(err.msg, table[k][2]) != NULL);
    free(t);
  }
  /* A row one entry short, and a NUL byte. */
  const char *row = strstr(text, "\nrow ") + 1;
  size_t end = (size_t)(strchr(row, '\n') - text), last = end;
  while (text[last - 1] != ' ')
    last--;
  size_t len;
  char *t = splice(last - 1, end - last + 1, "", &len);
  dufm_err err;
  CU_ASSERT(verdict(t, len, &err) == 2 && strstr(err.msg, "needs 10 values, found 9") != NULL);
  free(t);
  t = splice(2, 1, "x", &len);
  t[2] = '\0';
  CU_ASSERT(verdict(t, len, &err) == 2 && strstr(err.msg, "0x00") != NULL);
  free(t);
}

/* lambda_H and one entry of M_1 with about 10^5 digits; a valid certificate
 * built around them is checked (slowly) and accepted; 10^6 + 1 digits are
 * refused by the parser. */
static void test_huge_numbers(void) {
  dufm_cert c;
  CU_ASSERT_EQUAL_FATAL(dufm_cert_parse(&c, text, text_len, "mem", NULL), DUFM_OK);
  mpq_t tiny;
  mpq_init(tiny);
  mpz_ui_pow_ui(mpq_denref(tiny), 10, 100000);
  mpz_set_ui(mpq_numref(tiny), 7);
  mpq_canonicalize(tiny);
  mpq_sub(c.p.lam_h, c.p.lam_h, tiny);
  mpq_add(c.m[0][0], c.m[0][0], tiny);
  mpq_set_ui(c.dnc_qpow, 100000, 1); /* K^(L+1) n = 10^5 */
  mpq_mul(c.dnc_qpow, c.dnc_qpow, c.p.lam_h);
  for (int l = 0; l < 4; l++)
    mpq_mul(c.dnc_qpow, c.dnc_qpow, c.p.lam_w[l]);
  ref_loss(c.loss, &c);
  CU_ASSERT(mpz_sizeinbase(mpq_denref(c.loss), 10) > 100000);
  char *big = NULL;
  size_t len;
  FILE *f = open_memstream(&big, &len);
  CU_ASSERT_EQUAL(dufm_cert_write(f, &c, NULL), DUFM_OK);
  fclose(f);
  CU_ASSERT_EQUAL(verdict(big, len, NULL), 0);
  free(big);
  dufm_cert_clear(&c);
  mpq_clear(tiny);

  size_t digits = DUFM_CERT_MAX_DIGITS + 1;
  char *rep = malloc(digits + 16);
  memcpy(rep, "lambda-H 1/", 11);
  memset(rep + 11, '7', digits);
  rep[11 + digits] = '\0';
  char *t = splice((size_t)(strstr(text, "lambda-H 1/250") - text), 14, rep, &len);
  dufm_err err;
  CU_ASSERT(verdict(t, len, &err) == 2 && strstr(err.msg, "more than 1000000 digits") != NULL);
  free(t);
  free(rep);
}

int main(void) {
  CU_TestInfo tests[] = {{"single-number mutations", test_mutations},
                         {"truncation at every line", test_truncation},
                         {"malformed lines", test_malformed},
                         {"huge numbers", test_huge_numbers},
                         CU_TEST_INFO_NULL};
  if (setup() != 0) {
    fprintf(stderr, "cannot build the srg:5 certificate\n");
    return 1;
  }
  int rc = tu_run_suite("certificate_parse", tests);
  teardown();
  return rc;
}
