/* dufm optimize: the JSON and text reports. */
#include <math.h>
#include <stdio.h>

#include "optimize.h"
#include "report.h"
#include "report_pattern.h"

static void params_json(json_writer *w, const optimize_job *j) {
  report_params_json(w, &j->p);
  json_key(w, "widths");
  json_begin_array(w);
  for (int l = 0; l <= j->p.L; l++)
    json_int(w, j->d[l]);
  json_end_array(w);
  json_kv_string(w, "method", dufm_optim_method_name(j->o.method));
  json_kv_double(w, "lr", j->o.lr);
  json_kv_int(w, "iters", j->o.iters);
  json_kv_double(w, "tol", j->o.tol);
  json_kv_string(w, "init", j->init_kind);
  json_key(w, "init_source");
  if (j->init_name != NULL)
    json_string(w, j->init_name);
  else
    json_null(w);
  json_kv_double(w, "init_std", j->o.init_std);
  json_kv_double(w, "perturb", j->o.perturb);
  json_kv_int(w, "threads", j->o.threads);
  json_kv_int(w, "log_every", j->o.log_every);
}

static void run_json(json_writer *w, int r, const dufm_optim_result *res, const dufm_analysis *a,
                     const dufm_pattern *pt) {
  json_begin_object(w);
  json_kv_int(w, "run", r);
  json_kv_int(w, "seed", (long long)res->seed);
  json_kv_double(w, "loss", res->loss.loss);
  json_kv_double(w, "fit", res->loss.fit);
  json_kv_double(w, "reg", res->loss.reg);
  json_kv_double(w, "grad_norm", res->grad_norm);
  json_kv_int(w, "kinks", a->kinks);
  json_kv_string(w, "classification", dufm_classification_name(a->classification));
  json_key(w, "ranks");
  json_begin_array(w);
  for (int l = 0; l < a->L; l++)
    json_int(w, a->layers[l].rank_mean);
  json_end_array(w);
  json_kv_double(w, "initial_loss", res->loss0);
  json_kv_int(w, "iters", res->iters);
  json_kv_int(w, "evals", res->evals);
  json_kv_double(w, "seconds", res->seconds);
  json_kv_string(w, "status", dufm_optim_stop_name(res->stop));
  json_key(w, "pattern");
  report_pattern_json(w, pt);
  json_end_object(w);
}

void optimize_print_json(const optimize_job *j) {
  const dufm_optim_result *best = &j->res[j->best];
  json_writer w;
  json_init(&w, stdout);
  json_begin_object(&w);
  params_json(&w, j);
  json_key(&w, "runs");
  json_begin_array(&w);
  for (int r = 0; r < j->nseeds; r++)
    run_json(&w, r, &j->res[r], &j->an[r], &j->pat[r]);
  json_end_array(&w);
  json_key(&w, "best");
  json_begin_object(&w);
  json_kv_int(&w, "run", j->best);
  json_kv_int(&w, "seed", (long long)best->seed);
  json_kv_double(&w, "loss", best->loss.loss);
  json_kv_string(&w, "classification", dufm_classification_name(j->an[j->best].classification));
  json_kv_string(&w, "pattern_hash", j->pat[j->best].hash_hex);
  json_end_object(&w);
  json_kv_double(&w, "dnc_loss", j->dnc.value);
  json_key(&w, "best_structure");
  json_begin_object(&w);
  json_kv_string(&w, "name", j->best_structure);
  json_kv_double(&w, "loss", j->best_structure_loss);
  json_end_object(&w);
  json_kv_bool(&w, "below_dnc", optimize_below(best->loss.loss, j->dnc.lower));
  json_kv_double(&w, "below_dnc_margin", j->dnc.value - best->loss.loss);
  json_kv_bool(&w, "below_best_structure",
               optimize_below(best->loss.loss, j->best_structure_lower));
  json_kv_double(&w, "below_best_structure_margin", j->best_structure_loss - best->loss.loss);
  json_key(&w, "saved");
  if (j->save != NULL)
    json_string(&w, j->save);
  else
    json_null(&w);
  json_key(&w, "trace");
  if (j->trace != NULL)
    json_string(&w, j->trace);
  else
    json_null(&w);
  json_end_object(&w);
  json_finish(&w);
}

static void ranks_text(char *buf, size_t size, const dufm_analysis *a) {
  size_t used = 0;
  buf[0] = '\0';
  for (int l = 0; l < a->L && used < size; l++)
    used += (size_t)snprintf(buf + used, size - used, "%s%d", l ? "," : "", a->layers[l].rank_mean);
}

/* "below" / "above" / "at" a closed form, by the margin rule. */
static const char *relation(double loss, double value, double lower) {
  if (optimize_below(loss, lower))
    return "below";
  return loss > value * (1 + OPTIMIZE_BELOW_RTOL) ? "above" : "at";
}

void optimize_print_text(const optimize_job *j) {
  const dufm_optim_result *best = &j->res[j->best];
  printf("Numerical optimization of the L-DUFM (per-sample form)\n  ");
  report_params_text(stdout, &j->p);
  printf("  method %s, lr %g, iters %ld, tol %g, widths", dufm_optim_method_name(j->o.method),
         j->o.lr, j->o.iters, j->o.tol);
  for (int l = 0; l < j->p.L; l++)
    printf("%c%d", l ? ',' : ' ', j->d[l]);
  if (j->init_name != NULL)
    printf(", start %s %s (perturb %g)\n", j->init_kind, j->init_name, j->o.perturb);
  else
    printf(", start Gaussian (std %g)\n", j->o.init_std);
  printf("\n  %-4s %-6s %-22s %-10s %-10s %-9s %-5s %-8s %-12s %-7s %-8s %s\n", "run", "seed",
         "loss", "fit", "reg", "grad_norm", "kinks", "class", "ranks H_l", "iters", "seconds",
         "status");
  for (int r = 0; r < j->nseeds; r++) {
    const dufm_optim_result *res = &j->res[r];
    char ranks[256];
    ranks_text(ranks, sizeof ranks, &j->an[r]);
    printf("  %-4d %-6llu %-22.17g %-10.4g %-10.4g %-9.2g %-5ld %-8s %-12s %-7ld %-8.3f %s\n", r,
           (unsigned long long)res->seed, res->loss.loss, res->loss.fit, res->loss.reg,
           res->grad_norm, j->an[r].kinks, dufm_classification_name(j->an[r].classification), ranks,
           res->iters, res->seconds, dufm_optim_stop_name(res->stop));
  }
  printf("\n  pattern hash by run:");
  for (int r = 0; r < j->nseeds; r++)
    printf("%s %d %s", r ? "," : "", r, j->pat[r].hash_hex);
  printf("\n");
  report_pattern_text(stdout, "activation patterns of the best run", &j->pat[j->best]);
  printf("\n  best: seed %llu, loss %.17g (%s)\n", (unsigned long long)best->seed, best->loss.loss,
         dufm_classification_name(j->an[j->best].classification));
  printf("  DNC closed form:      %.17g; best run is %s it (margin %.3g, ratio %.9f)\n",
         j->dnc.value, relation(best->loss.loss, j->dnc.value, j->dnc.lower),
         j->dnc.value - best->loss.loss, best->loss.loss / j->dnc.value);
  printf("  best closed form %s: %.17g; best run is %s it (margin %.3g)\n", j->best_structure,
         j->best_structure_loss,
         relation(best->loss.loss, j->best_structure_loss, j->best_structure_lower),
         j->best_structure_loss - best->loss.loss);
  if (j->save != NULL)
    printf("  saved the best run to %s\n", j->save);
  if (j->trace != NULL)
    printf("  wrote the trace to %s\n", j->trace);
}
