#include "report.h"

#include <stdlib.h>

#include "dufm/rational.h"

void report_q_text(FILE *out, const mpq_t q) { mpq_out_str(out, 10, q); }

void json_kv_rational(json_writer *w, const char *key, const mpq_t q) {
  char *s = dufm_q_to_string(q);
  json_kv_string(w, key, s ? s : "");
  free(s);
}

static int lambdas_equal(const dufm_params *p) {
  for (int l = 1; l < p->L; l++)
    if (!mpq_equal(p->lam_w[l], p->lam_w[0]))
      return 0;
  return 1;
}

void report_params_json(json_writer *w, const dufm_params *p) {
  json_kv_int(w, "L", p->L);
  json_kv_int(w, "K", p->K);
  json_kv_int(w, "n", p->n);
  json_kv_rational(w, "lambda_h", p->lam_h);
  json_key(w, "lambda_w");
  json_begin_array(w);
  for (int l = 0; l < p->L; l++) {
    char *s = dufm_q_to_string(p->lam_w[l]);
    json_string(w, s ? s : "");
    free(s);
  }
  json_end_array(w);
}

void report_params_text(FILE *out, const dufm_params *p) {
  fprintf(out, "L = %d, K = %d, n = %d, lambda_H = ", p->L, p->K, p->n);
  report_q_text(out, p->lam_h);
  fputs(", lambda_W = ", out);
  if (lambdas_equal(p)) {
    report_q_text(out, p->lam_w[0]);
    fputs(" (every layer)", out);
  } else {
    for (int l = 0; l < p->L; l++) {
      if (l > 0)
        fputc(',', out);
      report_q_text(out, p->lam_w[l]);
    }
  }
  fputc('\n', out);
}
