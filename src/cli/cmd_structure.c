/* dufm structure --structure SPEC: one structure in closed form;
 * dufm export --structure SPEC --out DIR: its explicit rescale-optimal configuration. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "args.h"
#include "commands.h"
#include "dufm/compare.h"
#include "dufm/meta.h"
#include "dufm/npy.h"
#include "dufm/sets.h"
#include "report.h"
#include "sets_cli.h"

static void print_text(const dufm_params *p, const dufm_candidate *c, const mpq_t qpow) {
  const dufm_structure_eval *e = &c->eval;
  printf("Structure %s (closed form)\n  ", dufm_structure_name(c->structure));
  report_params_text(stdout, p);
  printf("  %-13s %.17g in [%.17g, %.17g]\n", "loss", e->loss, e->lower, e->upper);
  printf("  %-13s %.17g (%s DNC)\n", "ratio to DNC", c->ratio_to_dnc, dufm_cmp_name(c->vs_dnc));
  printf("  %-13s %s\n", "regime", report_regime_name(e->regime));
  if (e->kind != DUFM_STRUCTURE_BLOCKS) {
    printf("  %-13s ", "Q^(L+1)");
    report_q_text(stdout, qpow);
    printf("\n");
  }
  if (c->has_ridge)
    printf("  %-13s %.17g\n", "ridge relaxed", c->ridge.value);
  char ranks[256];
  report_ranks_text(ranks, sizeof ranks, e);
  printf("  %-13s %s (H_1..H_L | P_2..P_L), output %d\n", "ranks", ranks, e->rank_out);
}

int cmd_structure(int argc, char **argv, int first) {
  cli_common c = {0};
  const char *spec = NULL;
  cli_opt opts[] = {CLI_COMMON_OPTS(c), {"structure", OPT_VALUE, &spec}, {NULL, OPT_SWITCH, NULL}};
  if (cli_parse(argc, argv, first, "structure", opts, NULL, 0) < 0)
    return CLI_EXIT_USAGE;
  dufm_structure *s = NULL, *dnc = NULL;
  dufm_params p;
  if (cli_structure_params(&s, &p, &c, spec) != 0)
    return CLI_EXIT_USAGE;
  if (dufm_structure_kind_of(s) == DUFM_STRUCTURE_SETS) {
    int src = structure_sets(&p, s, spec, c.json != NULL); /* takes s */
    dufm_params_clear(&p);
    return src;
  }
  dufm_err err;
  dufm_candidate cand = {.structure = s, .origin = DUFM_ORIGIN_USER};
  dufm_structure_eval dnc_eval = {0};
  int rc = CLI_EXIT_OK;
  dufm_status st = dufm_structure_evaluate(&cand.eval, s, &p, &err);
  if (st == DUFM_ENOTAPPLICABLE) {
    rc = cli_fail("--structure: %s is not applicable: %s", spec, err.msg);
    goto cleanup;
  }
  if (st != DUFM_OK || (st = dufm_structure_dnc(&dnc, 0, &err)) != DUFM_OK ||
      (st = dufm_structure_evaluate(&dnc_eval, dnc, &p, &err)) != DUFM_OK) {
    rc = cli_fail_err(&err, "--structure");
    goto cleanup;
  }
  cand.vs_dnc = dufm_structure_compare(&cand.eval, &dnc_eval);
  cand.ratio_to_dnc = cand.eval.loss / dnc_eval.loss;
  cand.has_ridge = dufm_structure_ridge(&cand.ridge, s, &cand.eval, &p, NULL) == DUFM_OK;
  if (c.json) {
    json_writer w;
    json_init(&w, stdout);
    json_begin_object(&w);
    report_params_json(&w, &p);
    report_candidate_json(&w, &cand);
    json_kv_double(&w, "dnc_loss", dnc_eval.loss);
    if (cand.eval.kind != DUFM_STRUCTURE_BLOCKS) {
      json_kv_rational(&w, "Q_pow_exact", cand.eval.q_pow);
      json_kv_rational(&w, "dnc_Q_pow_exact", dnc_eval.q_pow);
    } else {
      json_key(&w, "Q_pow_exact");
      json_null(&w);
    }
    json_kv_double(&w, "t", cand.eval.t);
    json_end_object(&w);
    json_finish(&w);
  } else {
    print_text(&p, &cand, cand.eval.q_pow);
  }
cleanup:
  dufm_structure_eval_clear(&cand.eval);
  dufm_structure_eval_clear(&dnc_eval);
  dufm_structure_free(dnc);
  dufm_structure_free(s);
  dufm_params_clear(&p);
  return rc;
}

int cmd_export(int argc, char **argv, int first) {
  cli_common c = {0};
  const char *spec = NULL, *out = NULL, *form_text = NULL, *unscaled = NULL;
  cli_opt opts[] = {CLI_COMMON_OPTS(c),
                    {"structure", OPT_VALUE, &spec},
                    {"out", OPT_VALUE, &out},
                    {"form", OPT_VALUE, &form_text},
                    {"unscaled", OPT_SWITCH, &unscaled},
                    {NULL, OPT_SWITCH, NULL}};
  if (cli_parse(argc, argv, first, "export", opts, NULL, 0) < 0)
    return CLI_EXIT_USAGE;
  if (out == NULL || *out == '\0')
    return cli_fail("--out: missing (the folder to write H1.npy, W1.npy, ... into)");
  dufm_form form = DUFM_FORM_SAMPLES;
  if (form_text != NULL && strcmp(form_text, "means") == 0)
    form = DUFM_FORM_CLASS_MEANS;
  else if (form_text != NULL && strcmp(form_text, "samples") != 0)
    return cli_fail("--form: '%s' must be 'samples' (n columns per class) or 'means'", form_text);
  dufm_structure *s = NULL;
  dufm_params p;
  if (cli_structure_params(&s, &p, &c, spec) != 0)
    return CLI_EXIT_USAGE;
  dufm_config cfg = {0};
  dufm_meta meta = {0};
  dufm_atomic_dir folder;
  dufm_err err;
  int rc = CLI_EXIT_OK;
  /* The folder first: a refused target fails before the computation. */
  if (dufm_atomic_dir_begin(&folder, out, &err) != DUFM_OK) {
    rc = cli_fail("--out: %s", err.msg);
    goto cleanup;
  }
  char source[512];
  snprintf(source, sizeof source, "%s%s", dufm_structure_name(s), unscaled ? " (unscaled)" : "");
  dufm_status st = unscaled ? dufm_structure_build(&cfg, s, &p, form, &err)
                            : dufm_sets_materialize(&cfg, s, &p, form, &err);
  if (st != DUFM_OK) {
    rc = cli_fail_structure(spec, &err);
  } else if (dufm_meta_init(&meta, &p, cfg.d, form, "export", source, &err) != DUFM_OK ||
             dufm_config_save_into(&folder, &cfg, &meta, &err) != DUFM_OK ||
             dufm_atomic_dir_commit(&folder, &err) != DUFM_OK) {
    rc = cli_fail("--out: %s", err.msg);
  } else if (c.json) {
    json_writer w;
    json_init(&w, stdout);
    json_begin_object(&w);
    json_kv_string(&w, "structure", dufm_structure_name(s));
    report_params_json(&w, &p);
    json_kv_string(&w, "out", out);
    json_kv_string(&w, "form", form == DUFM_FORM_SAMPLES ? "samples" : "means");
    json_kv_bool(&w, "rescaled", unscaled == NULL);
    json_key(&w, "widths");
    json_begin_array(&w);
    for (int l = 0; l <= cfg.L; l++)
      json_int(&w, cfg.d[l]);
    json_end_array(&w);
    json_kv_int(&w, "columns", cfg.cols);
    json_end_object(&w);
    json_finish(&w);
  } else {
    printf("wrote %s (%s, %d layers, %d columns) to %s\n", dufm_structure_name(s),
           unscaled ? "unscaled" : "rescale-optimal", cfg.L, cfg.cols, out);
  }
cleanup:
  dufm_atomic_dir_abort(&folder); /* a no-op after the commit */
  dufm_meta_clear(&meta);
  dufm_config_clear(&cfg);
  dufm_structure_free(s);
  dufm_params_clear(&p);
  return rc;
}
