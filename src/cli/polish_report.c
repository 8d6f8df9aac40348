/* Reporting a polish result (dufm polish, dufm search). */
#include <stdlib.h>

#include "polish_report.h"

void polish_report_json(json_writer *w, const dufm_polish_report *r, const dufm_config *x,
                        int with_pattern) {
  json_kv_double(w, "loss_in", r->loss_in);
  json_kv_double(w, "loss", r->loss);
  json_kv_double(w, "piece_loss", r->piece_loss);
  json_kv_double(w, "grad_norm", r->grad_norm);
  json_kv_double(w, "rel_grad", r->rel_grad);
  json_kv_bool(w, "converged", r->converged);
  json_kv_double(w, "eval_grad_norm", r->eval_grad_norm);
  json_kv_int(w, "evals", r->evals);
  json_kv_string(w, "stage", r->stage);
  json_kv_string(w, "method", r->method != NULL ? r->method : "none");
  json_key(w, "pattern");
  json_begin_object(w);
  json_kv_int(w, "active", r->active);
  json_kv_int(w, "inactive", r->inactive);
  json_kv_int(w, "violations", r->violations);
  json_kv_int(w, "kinks", r->kinks);
  json_kv_double(w, "kink_residual", r->kink_residual);
  json_kv_int(w, "kink_kkt_violations", r->kink_kkt_violations);
  json_kv_int(w, "kink_descents", r->kink_descents);
  json_key(w, "kink_rank");
  if (r->kink_rank >= 0)
    json_int(w, r->kink_rank);
  else
    json_null(w);
  json_kv_double(w, "min_active", r->min_active);
  json_kv_double(w, "max_inactive", r->max_inactive);
  json_kv_bool(w, "strict", r->strict);
  if (with_pattern) {
    json_key(w, "layers");
    json_begin_array(w);
    size_t off = 0;
    char *row = malloc((size_t)x->cols + 1);
    for (int l = 1; row != NULL && l < x->L; l++) {
      json_begin_array(w);
      for (int i = 0; i < x->d[l]; i++) {
        for (int j = 0; j < x->cols; j++)
          row[j] = r->pattern[off + (size_t)i * x->cols + j] ? '1' : '0';
        row[x->cols] = '\0';
        json_string(w, row);
      }
      off += (size_t)x->d[l] * x->cols;
      json_end_array(w);
    }
    free(row);
    json_end_array(w);
  }
  json_end_object(w);
}

void polish_report_text(FILE *out, const dufm_polish_report *r) {
  fprintf(out, "  %-16s %.17g\n  %-16s %.17g (from %s)\n", "input loss", r->loss_in,
          "polished loss", r->loss, r->stage);
  fprintf(out, "  %-16s %.17g\n  %-16s %.3g (rel %.3g, %s; stage %s)\n", "piece loss",
          r->piece_loss, "piece gradient", r->grad_norm, r->rel_grad,
          r->converged ? "converged" : "not converged", r->method != NULL ? r->method : "none");
  fprintf(out, "  %-16s %ld active, %ld inactive, %ld violations, %ld kinks\n", "pattern",
          r->active, r->inactive, r->violations, r->kinks);
  fprintf(out,
          "  %-16s largest |P| %.3g, %ld sign violations on the piece, %ld lower on "
          "the other side",
          "kinks", r->kink_residual, r->kink_kkt_violations, r->kink_descents);
  if (r->kink_rank >= 0)
    fprintf(out, " (Jacobian rank %ld of %ld)", r->kink_rank, r->kinks);
  fputc('\n', out);
  fprintf(out, "  %-16s smallest active %.3g, largest inactive %.3g (%s)\n", "margins",
          r->min_active, r->max_inactive, r->strict ? "strict" : "not strict");
  fprintf(out, "  %-16s %ld\n", "evaluations", r->evals);
}
