/* Class means of every layer of a configuration, from a structure (its
 * explicit construction in class-mean form) or a configuration folder. */
#include <lapacke.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dufm/npy.h"
#include "dufm/structure.h"
#include "cli/meta_args.h"
#include "plot.h"

/* The class means of a d x cols matrix whose columns are grouped by class,
 * n = cols / K per class. */
static int class_means(dufm_mat *out, const dufm_mat *m, int K) {
  int n = m->cols / K;
  if (dufm_mat_init(out, m->rows, K, NULL) != DUFM_OK)
    return cli_fail("out of memory"), 1;
  for (int i = 0; i < m->rows; i++)
    for (int j = 0; j < m->cols; j++)
      DUFM_MAT_AT(out, i, j / n) += DUFM_MAT_AT(m, i, j) / n;
  return 0;
}

static int from_dir(dufm_config *cfg, dufm_params *p, dufm_form *form, plot_layers *out,
                    const plot_source *src) {
  dufm_err err;
  int n, rc;
  if (dufm_config_load(cfg, &n, src->dir, &err) != DUFM_OK)
    return cli_fail_err(&err, NULL);
  if ((rc = cli_folder_meta_params(p, form, NULL, &src->c, src->dir, cfg, n)) != 0)
    return rc;
  snprintf(out->name, sizeof out->name, "%s", src->dir);
  return 0;
}

/* Parses the spec; K comes from it (a given --K must agree), the rest from the
 * common flags. */
static int from_structure(dufm_config *cfg, dufm_params *p, plot_layers *out,
                          const plot_source *src) {
  dufm_err err;
  dufm_structure *s = NULL;
  int rc = cli_structure_params(&s, p, &src->c, src->spec) != 0 ? CLI_EXIT_USAGE : 0;
  if (rc == 0) {
    dufm_status st = src->unscaled
                         ? dufm_structure_build(cfg, s, p, DUFM_FORM_CLASS_MEANS, &err)
                         : dufm_structure_materialize(cfg, s, p, DUFM_FORM_CLASS_MEANS, &err);
    if (st != DUFM_OK) {
      rc = cli_fail_structure(src->spec, &err);
      dufm_params_clear(p);
    }
    snprintf(out->name, sizeof out->name, "%s", dufm_structure_name(s));
  }
  dufm_structure_free(s);
  return rc;
}

int plot_layers_load(plot_layers *out, const plot_source *src) {
  memset(out, 0, sizeof *out);
  dufm_config cfg = {0};
  dufm_params p;
  dufm_form form = DUFM_FORM_CLASS_MEANS;
  int rc = src->dir ? from_dir(&cfg, &p, &form, out, src) : from_structure(&cfg, &p, out, src);
  if (rc != 0) {
    dufm_config_clear(&cfg);
    return rc;
  }
  dufm_eval_ws *ws = NULL;
  dufm_err err;
  dufm_loss loss;
  out->L = cfg.L, out->K = cfg.K, out->n = p.n;
  out->post = calloc((size_t)cfg.L, sizeof *out->post);
  out->pre = calloc((size_t)cfg.L, sizeof *out->pre);
  if (out->post == NULL || out->pre == NULL) {
    rc = cli_fail("out of memory");
  } else if (dufm_eval_ws_alloc(&ws, &cfg, &err) != DUFM_OK ||
             dufm_eval_with(&loss, NULL, &cfg, &p, form, ws, &err) != DUFM_OK) {
    rc = cli_fail_err(&err, src->dir ? src->dir : "--structure");
  } else {
    rc = class_means(&out->post[0], &cfg.H1, cfg.K);
    for (int l = 2; l <= cfg.L && rc == 0; l++) {
      rc = class_means(&out->pre[l - 1], dufm_eval_ws_preact(ws, l), cfg.K);
      if (rc == 0)
        rc = class_means(&out->post[l - 1], dufm_eval_ws_hidden(ws, l), cfg.K);
    }
  }
  dufm_eval_ws_free(ws);
  dufm_config_clear(&cfg);
  dufm_params_clear(&p);
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

int plot_singular_values(double *sv, const dufm_mat *m) {
  dufm_mat a = {0};
  if (dufm_mat_copy(&a, m, NULL) != DUFM_OK)
    return -1;
  /* Row-major LAPACKE checks the leading dimensions of U and VT even when
   * they are not computed. */
  lapack_int info = LAPACKE_dgesdd(LAPACK_ROW_MAJOR, 'N', a.rows, a.cols, a.data, a.cols, sv, NULL,
                                   a.rows, NULL, a.cols);
  dufm_mat_clear(&a);
  return info == 0 ? 0 : -1;
}
