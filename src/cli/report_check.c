/* Text and JSON reports of dufm check. */
#include <math.h>
#include <stdio.h>

#include "check.h"
#include "report.h"
#include "report_pattern.h"

/* Shown singular values per layer in the table (JSON has them all). */
#define TEXT_SV 6

void check_print_text(const check_result *r) {
  const dufm_analysis *a = r->an;
  printf("Analysis of %s (per-sample form, theory section 8)\n  ", r->dir);
  report_params_text(stdout, r->p);
  printf("  %-15s", "widths");
  for (int l = 0; l <= r->cfg->L; l++)
    printf(" %d", r->cfg->d[l]);
  printf("\n  %-15s %.17g\n  %-15s %.17g\n  %-15s %.17g\n", "loss", a->loss, "fit", a->fit, "reg",
         a->reg);
  printf("  %-15s %.17g (best over rescalings)\n", "rescaled_loss", a->rescaled_loss);
  printf("  %-15s %.6g\n", "grad_norm", a->grad_norm);
  printf("  %-15s %ld (|P_l| <= %g max|P_l|)\n", "kinks", a->kinks, a->kink_tol);
  printf("  %-15s sigma_i > %g sigma_max\n\n", "ranks", a->rank_tol);
  printf("  %5s %6s %6s %6s %6s  %-10s %-10s %-10s %s\n", "layer", "rows", "M_l", "P_l", "H_l",
         "NC1", "NC2", "NC3", "singular values of M_l");
  for (int l = 0; l < a->L; l++) {
    const dufm_layer_stats *s = &a->layers[l];
    char pre[16] = "-";
    if (s->rank_pre >= 0)
      snprintf(pre, sizeof pre, "%d", s->rank_pre);
    printf("  %5d %6d %6d %6s %6d  %-10.3g %-10.3g %-10.3g", l + 1, s->rows, s->rank_mean, pre,
           s->rank_samples, s->nc1, s->nc2, s->nc3);
    for (int i = 0; i < s->nsv && i < TEXT_SV; i++)
      printf(" %.4g", s->singular_values[i]);
    printf("%s\n", s->nsv > TEXT_SV ? " ..." : "");
  }
  printf("  (ranks: M_l class means of H_l, P_l class means of the pre-activation, H_l all "
         "samples)\n\n");
  report_pattern_text(stdout, "activation patterns", r->pattern);
  printf("\n  %-15s %d\n", "output rank", a->rank_out);
  printf("  %-15s %s (zero, underfit, low_rank, dnc: NC2 below %g with full ranks, other)\n",
         "classification", dufm_classification_name(a->classification), a->nc2_tol);
  printf("  %-15s %.17g\n", "dnc_loss", r->dnc_loss);
  printf("  %-15s %s (loss %.17g)\n", "best_structure", r->best_name, r->best_loss);
  if (r->nexp > 0)
    printf("\n  expectations\n");
  for (int i = 0; i < r->nexp; i++)
    printf("    %-10s %-16s %-6s %s\n", r->exp[i].kind, r->exp[i].target,
           r->exp[i].held ? "held" : "FAILED", r->exp[i].detail);
}

static void layer_json(json_writer *w, const dufm_layer_stats *s, int l) {
  json_begin_object(w);
  json_kv_int(w, "layer", l);
  json_kv_int(w, "rows", s->rows);
  json_kv_int(w, "rank_mean", s->rank_mean);
  json_key(w, "rank_pre");
  if (s->rank_pre >= 0)
    json_int(w, s->rank_pre);
  else
    json_null(w);
  json_kv_int(w, "rank_post", s->rank_post);
  json_kv_int(w, "rank_samples", s->rank_samples);
  json_key(w, "singular_values");
  json_begin_array(w);
  for (int i = 0; i < s->nsv; i++)
    json_double(w, s->singular_values[i]);
  json_end_array(w);
  json_kv_double(w, "nc1", s->nc1);
  json_kv_double(w, "nc2", s->nc2);
  json_kv_double(w, "nc3", s->nc3);
  json_end_object(w);
}

void check_print_json(const check_result *r) {
  const dufm_analysis *a = r->an;
  json_writer w;
  json_init(&w, stdout);
  json_begin_object(&w);
  report_params_json(&w, r->p);
  json_kv_string(&w, "dir", r->dir);
  json_key(&w, "widths");
  json_begin_array(&w);
  for (int l = 0; l <= r->cfg->L; l++)
    json_int(&w, r->cfg->d[l]);
  json_end_array(&w);
  json_kv_double(&w, "loss", a->loss);
  json_kv_double(&w, "fit", a->fit);
  json_kv_double(&w, "reg", a->reg);
  json_kv_double(&w, "rescaled_loss", a->rescaled_loss);
  json_kv_double(&w, "grad_norm", a->grad_norm);
  json_kv_int(&w, "kinks", a->kinks);
  json_kv_double(&w, "kink_tol", a->kink_tol);
  json_key(&w, "layers");
  json_begin_array(&w);
  for (int l = 0; l < a->L; l++)
    layer_json(&w, &a->layers[l], l + 1);
  json_end_array(&w);
  json_key(&w, "pattern");
  report_pattern_json(&w, r->pattern);
  json_kv_int(&w, "rank_out", a->rank_out);
  json_kv_string(&w, "classification", dufm_classification_name(a->classification));
  json_kv_double(&w, "rank_tol", a->rank_tol);
  json_kv_double(&w, "nc2_tol", a->nc2_tol);
  json_kv_double(&w, "dnc_loss", r->dnc_loss);
  json_key(&w, "best_structure");
  json_begin_object(&w);
  json_kv_string(&w, "name", r->best_name);
  json_kv_double(&w, "loss", r->best_loss);
  json_end_object(&w);
  json_key(&w, "expectations");
  json_begin_array(&w);
  for (int i = 0; i < r->nexp; i++) {
    json_begin_object(&w);
    json_kv_string(&w, "kind", r->exp[i].kind);
    json_kv_string(&w, "target", r->exp[i].target);
    json_kv_bool(&w, "held", r->exp[i].held);
    json_kv_string(&w, "detail", r->exp[i].detail);
    json_end_object(&w);
  }
  json_end_array(&w);
  json_kv_bool(&w, "ok", r->ok);
  json_end_object(&w);
  json_finish(&w);
}
