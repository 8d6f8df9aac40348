/* dufm plot's inputs (plot_load.h): structures, folders and trace parameters. */
#include <stdio.h>
#include <string.h>

#include "dufm/npy.h"
#include "dufm/structure.h"
#include "meta_args.h"
#include "plot_load.h"

static int from_dir(dufm_config *cfg, dufm_params *p, dufm_form *form, const char *dir,
                    const cli_common *c) {
  dufm_err err;
  int n;
  if (dufm_config_load(cfg, &n, dir, &err) != DUFM_OK)
    return cli_fail_err(&err, NULL);
  return cli_folder_meta_params(p, form, NULL, c, dir, cfg, n);
}

/* Parses the spec; K comes from it (a given --K must agree), the rest from the
 * common flags. */
static int from_structure(dufm_config *cfg, dufm_params *p, char *name, size_t size,
                          const char *spec, int unscaled, const cli_common *c) {
  dufm_err err;
  dufm_structure *s = NULL;
  int rc = cli_structure_params(&s, p, c, spec) != 0 ? CLI_EXIT_USAGE : 0;
  if (rc == 0) {
    dufm_status st = unscaled ? dufm_structure_build(cfg, s, p, DUFM_FORM_CLASS_MEANS, &err)
                              : dufm_structure_materialize(cfg, s, p, DUFM_FORM_CLASS_MEANS, &err);
    if (st != DUFM_OK) {
      rc = cli_fail_structure(spec, &err);
      dufm_params_clear(p);
    }
    snprintf(name, size, "%s", dufm_structure_name(s));
  }
  dufm_structure_free(s);
  return rc;
}

int plot_load_layers(plot_layers *out, const char *spec, const char *dir, int unscaled,
                     const cli_common *c) {
  memset(out, 0, sizeof *out);
  dufm_config cfg = {0};
  dufm_params p;
  dufm_form form = DUFM_FORM_CLASS_MEANS;
  char name[256];
  snprintf(name, sizeof name, "%s", dir ? dir : "");
  int rc = dir ? from_dir(&cfg, &p, &form, dir, c)
               : from_structure(&cfg, &p, name, sizeof name, spec, unscaled, c);
  if (rc == 0) {
    rc = plot_layers_load(out, &cfg, &p, form, name);
    dufm_params_clear(&p);
  }
  dufm_config_clear(&cfg);
  return rc;
}

int trace_params(dufm_params *p, const trace_data *td, const cli_common *c, const char *csv) {
  char where[4200];
  snprintf(where, sizeof where, "%s (line 1)", csv);
  dufm_err perr;
  if (td->has_meta) {
    if (dufm_meta_params(p, &td->meta, &perr) != DUFM_OK)
      return cli_fail("%s: %s", where, perr.msg);
    if (cli_meta_agree(p, c, where) != 0) {
      dufm_params_clear(p);
      return CLI_EXIT_USAGE;
    }
    return 0;
  }
  const char *missing = c->L == NULL ? "L" : c->K == NULL ? "K" : c->n == NULL ? "n" : NULL;
  if (missing != NULL)
    return cli_fail("--%s: required: %s has no '# {...}' parameter line (written by dufm optimize "
                    "--trace); give --L, --K, --n and --lambda",
                    missing, csv);
  if (cli_need_lambda(c, csv) != 0 || cli_params(p, c) != 0)
    return CLI_EXIT_USAGE;
  return 0;
}
