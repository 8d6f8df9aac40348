/* dufm polish DIR: high-accuracy local minimization of a configuration
 * (softplus continuation, exact L-BFGS, fixed-pattern polish). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "args.h"
#include "commands.h"
#include "config_out.h"
#include "dufm/npy.h"
#include "dufm/polish.h"
#include "meta_args.h"
#include "optimize.h"
#include "optimize_args.h"
#include "polish_report.h"
#include "report.h"

typedef struct {
  const char *save, *max_evals, *tol, *pattern_only, *show_pattern, *stage;
} flags;

static void print_json(const dufm_params *p, const dufm_config *x, const dufm_polish_report *r,
                       const char *mode, double check, const char *save) {
  json_writer w;
  json_init(&w, stdout);
  json_begin_object(&w);
  report_params_json(&w, p);
  json_key(&w, "widths");
  json_begin_array(&w);
  for (int l = 0; l <= x->L; l++)
    json_int(&w, x->d[l]);
  json_end_array(&w);
  json_kv_string(&w, "mode", mode);
  polish_report_json(&w, r, x, 1);
  json_kv_double(&w, "eval_loss", check);
  if (save != NULL)
    json_kv_string(&w, "saved", save);
  else {
    json_key(&w, "saved");
    json_null(&w);
  }
  json_end_object(&w);
  json_finish(&w);
}

int cmd_polish(int argc, char **argv, int first) {
  cli_common c = {0};
  flags f = {0};
  cli_opt opts[] = {CLI_COMMON_OPTS(c),
                    {"save", OPT_VALUE, &f.save},
                    {"max-evals", OPT_VALUE, &f.max_evals},
                    {"tol", OPT_VALUE, &f.tol},
                    {"pattern-only", OPT_SWITCH, &f.pattern_only},
                    {"stage", OPT_VALUE, &f.stage},
                    {NULL, OPT_SWITCH, NULL}};
  const char *dir = NULL;
  int npos = cli_parse(argc, argv, first, "polish", opts, &dir, 1);
  if (npos < 0)
    return CLI_EXIT_USAGE;
  if (npos == 0)
    return cli_fail("polish: needs a configuration folder (dufm polish DIR)");
  dufm_polish_opts o;
  dufm_polish_opts_default(&o);
  long v;
  if (f.max_evals != NULL) {
    if (cli_int(&v, f.max_evals, "max-evals", 10, 1000000000) != 0)
      return CLI_EXIT_USAGE;
    o.max_evals = v;
  }
  if (f.tol != NULL && opt_double(&o.rel_tol, f.tol, "tol", 0.0, 0) != 0)
    return CLI_EXIT_USAGE;
  if (f.stage != NULL) {
    static const char *const names[] = {"piece", "rounds", "cross"};
    int k = 0;
    while (k < 3 && strcmp(f.stage, names[k]) != 0)
      k++;
    if (k == 3)
      return cli_fail("--stage: must be piece, rounds or cross (got '%s')", f.stage);
    o.stage = (dufm_polish_stage)k;
  }
  dufm_config x;
  int n = 0;
  dufm_err err;
  if (dufm_config_load(&x, &n, dir, &err) != DUFM_OK)
    return cli_fail_err(&err, NULL);
  int rc = CLI_EXIT_USAGE;
  dufm_params p = {0};
  dufm_polish_report r = {0};
  config_out save = {0};
  dufm_form form;
  if ((rc = cli_folder_meta_params(&p, &form, NULL, &c, dir, &x, n)) != 0)
    goto cleanup;
  rc = CLI_EXIT_USAGE;
  if (form == DUFM_FORM_CLASS_MEANS) {
    cli_fail("polish: %s holds class means (form \"means\" in meta.json); polish works on "
             "per-sample folders (export --form samples)",
             dir);
    goto cleanup;
  }
  if (config_out_open(&save, f.save, "save") != 0)
    goto cleanup;
  dufm_status st = f.pattern_only ? dufm_polish_pattern(&x, &r, &p, &o, &err)
                                  : dufm_polish(&x, &r, &p, &o, &err);
  if (st != DUFM_OK) {
    rc = cli_fail_err(&err, dir);
    goto cleanup;
  }
  dufm_loss check;
  if (dufm_eval(&check, NULL, &x, &p, DUFM_FORM_SAMPLES, &err) != DUFM_OK) {
    rc = cli_fail_err(&err, dir);
    goto cleanup;
  }
  if (config_out_commit(&save, &x, &p, "polish", f.pattern_only ? "pattern polish" : "polish") != 0)
    goto cleanup;
  const char *mode = f.pattern_only ? "pattern" : "full";
  if (c.json) {
    print_json(&p, &x, &r, mode, check.loss, f.save);
  } else {
    printf("Polish (%s) of %s\n  ", mode, dir);
    report_params_text(stdout, &p);
    polish_report_text(stdout, &r);
    printf("  %-16s %.17g\n", "dufm_eval loss", check.loss);
    if (f.save != NULL)
      printf("  saved to %s\n", f.save);
  }
  rc = CLI_EXIT_OK;
cleanup:
  config_out_abort(&save);
  dufm_polish_report_clear(&r);
  dufm_params_clear(&p);
  dufm_config_clear(&x);
  return rc;
}
