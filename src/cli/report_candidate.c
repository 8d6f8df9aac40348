/* Reports of one evaluated candidate structure (compare, structure, table). */
#include <stdio.h>
#include <stdlib.h>

#include "report.h"

void report_ranks_json(json_writer *w, const dufm_structure_eval *e) {
  json_key(w, "ranks");
  json_begin_object(w);
  json_key(w, "hidden");
  json_begin_array(w);
  for (int l = 0; l < e->L; l++)
    json_int(w, e->rank_hidden[l]);
  json_end_array(w);
  json_key(w, "preact");
  json_begin_array(w);
  for (int l = 1; l < e->L; l++)
    json_int(w, e->rank_preact[l]);
  json_end_array(w);
  json_kv_int(w, "output", e->rank_out);
  json_end_object(w);
}

/* "H: 10,10,10,10 P: 10,10,10" style summary of the ranks. */
void report_ranks_text(char *buf, size_t size, const dufm_structure_eval *e) {
  size_t used = 0;
  buf[0] = '\0';
  for (int l = 0; l < e->L && used < size; l++)
    used += (size_t)snprintf(buf + used, size - used, "%s%d", l ? "," : "", e->rank_hidden[l]);
  if (e->L > 1 && used < size)
    used += (size_t)snprintf(buf + used, size - used, " | ");
  for (int l = 1; l < e->L && used < size; l++)
    used += (size_t)snprintf(buf + used, size - used, "%s%d", l > 1 ? "," : "", e->rank_preact[l]);
}

void report_candidate_json(json_writer *w, const dufm_candidate *c) {
  const dufm_structure_eval *e = &c->eval;
  json_kv_string(w, "name", dufm_structure_name(c->structure));
  json_kv_string(w, "origin", dufm_origin_name(c->origin));
  json_kv_bool(w, "applicable", e->applicable);
  if (!e->applicable)
    return;
  json_kv_double(w, "loss", e->loss);
  json_kv_string(w, "loss_provenance", e->kind == DUFM_STRUCTURE_SETS ? "polished" : "closed form");
  json_kv_double(w, "loss_lower", e->lower);
  json_kv_double(w, "loss_upper", e->upper);
  json_kv_double(w, "ratio_to_dnc", c->ratio_to_dnc);
  json_kv_string(w, "vs_dnc", dufm_cmp_name(c->vs_dnc));
  json_kv_string(w, "regime", report_regime_name(e->regime));
  json_key(w, "ridge_loss");
  if (c->has_ridge)
    json_double(w, c->ridge.value);
  else
    json_null(w);
  report_ranks_json(w, e);
  if (e->kind == DUFM_STRUCTURE_CLIQUE) {
    json_key(w, "clique_weights_z");
    json_begin_array(w);
    for (int i = 0; i < e->clique.m; i++) {
      char *s = mpq_get_str(NULL, 10, e->clique.z[i]);
      json_string(w, s);
      free(s);
    }
    json_end_array(w);
    json_kv_bool(w, "clique_optimized", e->clique.optimized);
    if (e->clique.optimized) {
      json_kv_double(w, "clique_product", e->clique.opt.product);
      json_kv_double(w, "clique_product_lower_bound", e->clique.opt.lower_bound);
    }
  }
  if (e->kind == DUFM_STRUCTURE_SETS) {
    json_key(w, "sets");
    json_begin_object(w);
    json_kv_bool(w, "certified", e->sets.certified);
    json_key(w, "cert_loss");
    if (e->sets.certified)
      json_double(w, e->sets.cert_loss);
    else
      json_null(w);
    json_kv_bool(w, "pattern_kept", e->sets.pattern_kept);
    json_kv_bool(w, "converged", e->sets.converged);
    json_kv_double(w, "rel_grad", e->sets.rel_grad);
    json_kv_int(w, "violations", e->sets.violations);
    json_kv_int(w, "kinks", e->sets.kinks);
    json_kv_int(w, "kink_kkt_violations", e->sets.kink_kkt_violations);
    json_kv_bool(w, "strict", e->sets.strict);
    json_end_object(w);
  }
  if (e->kind == DUFM_STRUCTURE_BLOCKS) {
    json_key(w, "blocks");
    json_begin_array(w);
    for (int b = 0; b < e->blocks.count; b++) {
      json_begin_object(w);
      json_kv_int(w, "K", e->blocks.items[b].K);
      json_kv_double(w, "loss", e->blocks.items[b].loss);
      json_kv_string(w, "regime", report_regime_name(e->blocks.items[b].regime));
      json_end_object(w);
    }
    json_end_array(w);
  }
}
