/* Text and JSON of activation patterns. */
#include "report_pattern.h"

void report_pattern_text(FILE *f, const char *title, const dufm_pattern *pt) {
  fprintf(f, "  %s (class c active: class mean > %g x the layer's largest; hash %s)\n", title,
          pt->rel_tol, pt->hash_hex);
  if (pt->nlayers == 0)
    fprintf(f, "    (L = 1: no ReLU layer)\n");
  for (int i = 0; i < pt->nlayers; i++)
    fprintf(f, "    layer %d: %s\n", pt->layers[i].layer, pt->layers[i].text);
}

void report_pattern_json(json_writer *w, const dufm_pattern *pt) {
  json_begin_object(w);
  json_kv_double(w, "rel_tol", pt->rel_tol);
  json_kv_string(w, "signature", pt->signature);
  json_kv_string(w, "shape", pt->shape);
  json_kv_string(w, "hash", pt->hash_hex);
  json_key(w, "layers");
  json_begin_array(w);
  for (int i = 0; i < pt->nlayers; i++) {
    const dufm_pattern_layer *y = &pt->layers[i];
    json_begin_object(w);
    json_kv_int(w, "layer", y->layer);
    json_kv_int(w, "rows", y->rows);
    json_kv_int(w, "dead", y->dead);
    json_kv_string(w, "text", y->text);
    json_key(w, "types");
    json_begin_array(w);
    for (int t = 0; t < y->ntypes; t++) {
      json_begin_object(w);
      json_key(w, "classes");
      json_begin_array(w);
      for (int k = y->start[t]; k < y->start[t + 1]; k++)
        json_int(w, y->classes[k]);
      json_end_array(w);
      json_kv_int(w, "count", y->count[t]);
      json_end_object(w);
    }
    json_end_array(w);
    json_key(w, "neuron_types");
    json_begin_array(w);
    for (int r = 0; r < y->rows; r++)
      json_int(w, y->neuron_type[r]);
    json_end_array(w);
    json_end_object(w);
  }
  json_end_array(w);
  json_end_object(w);
}
