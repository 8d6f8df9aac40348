/* dufm eval DIR: the generic loss of a configuration folder. */
#include <stdio.h>
#include <stdlib.h>

#include "args.h"
#include "commands.h"
#include "dufm/model.h"
#include "dufm/npy.h"
#include "meta_args.h"
#include "report.h"

static void print_json(const dufm_params *p, const dufm_config *cfg, const dufm_loss *loss,
                       double rescaled, double t) {
  json_writer w;
  json_init(&w, stdout);
  json_begin_object(&w);
  report_params_json(&w, p);
  json_key(&w, "widths");
  json_begin_array(&w);
  for (int l = 0; l <= cfg->L; l++)
    json_int(&w, cfg->d[l]);
  json_end_array(&w);
  json_kv_double(&w, "loss", loss->loss);
  json_kv_double(&w, "fit", loss->fit);
  json_kv_double(&w, "reg", loss->reg);
  json_kv_double(&w, "rescaled_loss", rescaled);
  json_kv_double(&w, "rescale_t", t);
  json_end_object(&w);
  json_finish(&w);
}

static void print_text(const dufm_params *p, const dufm_config *cfg, const dufm_loss *loss,
                       double rescaled, double t) {
  printf("Configuration loss (per-sample form, theory section 1)\n  ");
  report_params_text(stdout, p);
  printf("  %-14s", "widths");
  for (int l = 0; l <= cfg->L; l++)
    printf(" %d", cfg->d[l]);
  printf("\n  %-14s %.17g\n  %-14s %.17g\n  %-14s %.17g\n", "loss", loss->loss, "fit", loss->fit,
         "reg", loss->reg);
  printf("  %-14s %.17g (best over rescalings, output scale t = %.6g)\n", "rescaled_loss", rescaled,
         t);
}

int cmd_eval(int argc, char **argv, int first) {
  cli_common c = {0};
  cli_opt opts[] = {CLI_COMMON_OPTS(c), {NULL, OPT_SWITCH, NULL}};
  const char *dir = NULL;
  int npos = cli_parse(argc, argv, first, "eval", opts, &dir, 1);
  if (npos < 0)
    return CLI_EXIT_USAGE;
  if (npos == 0)
    return cli_fail("eval: needs a configuration folder (dufm eval DIR)");
  dufm_config cfg;
  int n = 0;
  dufm_err err;
  if (dufm_config_load(&cfg, &n, dir, &err) != DUFM_OK)
    return cli_fail_err(&err, NULL);
  int rc = CLI_EXIT_USAGE;
  dufm_params p = {0};
  dufm_form form;
  /* The folder decides: its shapes and meta.json (flags must agree). */
  if ((rc = cli_folder_meta_params(&p, &form, NULL, &c, dir, &cfg, n)) != 0)
    goto cleanup;
  rc = CLI_EXIT_USAGE;
  dufm_loss loss;
  double rescaled = 0, t = 0;
  if (dufm_eval(&loss, NULL, &cfg, &p, form, &err) != DUFM_OK ||
      dufm_rescaled_loss(&rescaled, &t, &cfg, &p, form, &err) != DUFM_OK) {
    rc = cli_fail_err(&err, dir);
    goto cleanup;
  }
  if (c.json)
    print_json(&p, &cfg, &loss, rescaled, t);
  else
    print_text(&p, &cfg, &loss, rescaled, t);
  rc = CLI_EXIT_OK;
cleanup:
  dufm_params_clear(&p);
  dufm_config_clear(&cfg);
  return rc;
}
