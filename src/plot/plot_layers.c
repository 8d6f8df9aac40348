/* Class means of every layer of a configuration (dufm_class_means of
 * dufm/analysis.h over a forward pass), for gram and spectrum. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dufm/analysis.h"
#include "plot.h"

int plot_layers_load(plot_layers *out, const dufm_config *cfg, const dufm_params *p, dufm_form form,
                     const char *name) {
  memset(out, 0, sizeof *out);
  dufm_eval_ws *ws = NULL;
  dufm_err err;
  dufm_loss loss;
  int rc = 0;
  snprintf(out->name, sizeof out->name, "%s", name);
  out->L = cfg->L, out->K = cfg->K, out->n = p->n;
  out->post = calloc((size_t)cfg->L, sizeof *out->post);
  out->pre = calloc((size_t)cfg->L, sizeof *out->pre);
  if (out->post == NULL || out->pre == NULL) {
    rc = out_fail("out of memory");
  } else if (dufm_eval_ws_alloc(&ws, cfg, &err) != DUFM_OK ||
             dufm_eval_with(&loss, NULL, cfg, p, form, ws, &err) != DUFM_OK ||
             dufm_class_means(&out->post[0], &cfg->H1, cfg->K, &err) != DUFM_OK) {
    rc = out_fail_err(&err, name);
  } else {
    for (int l = 2; l <= cfg->L && rc == 0; l++)
      if (dufm_class_means(&out->pre[l - 1], dufm_eval_ws_preact(ws, l), cfg->K, &err) != DUFM_OK ||
          dufm_class_means(&out->post[l - 1], dufm_eval_ws_hidden(ws, l), cfg->K, &err) != DUFM_OK)
        rc = out_fail_err(&err, name);
  }
  dufm_eval_ws_free(ws);
  if (rc != 0)
    plot_layers_clear(out);
  return rc;
}

void plot_layers_clear(plot_layers *pl) {
  for (int l = 0; l < pl->L; l++) {
    if (pl->post)
      dufm_mat_clear(&pl->post[l]);
    if (pl->pre)
      dufm_mat_clear(&pl->pre[l]);
  }
  free(pl->post);
  free(pl->pre);
  memset(pl, 0, sizeof *pl);
}
