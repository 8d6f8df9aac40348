/* dufm check DIR: measurements on a configuration folder (theory section 8)
 * and expectations on them, for tests: exit 0 when every expectation holds, 1
 * when one fails, 2 on bad input. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "args.h"
#include "check.h"
#include "commands.h"
#include "dufm/compare.h"
#include "dufm/dnc.h"
#include "dufm/npy.h"
#include "meta_args.h"
#include "report.h"

/* The target of --expect-below: a number, dnc (its closed form) or a structure
 * SPEC evaluated in closed form at p. */
typedef struct {
  int is_number;
  double bound; /* the number, or the lower end of the closed form's enclosure */
  double value; /* the closed-form loss (= bound for a number) */
  char name[160];
} below_target;

static int resolve_below(below_target *t, const char *text, const dufm_params *p) {
  char *end = NULL;
  double v = strtod(text, &end);
  dufm_err err;
  if (*text != '\0' && *end == '\0') {
    if (!isfinite(v))
      return cli_fail("--expect-below: '%s' is not a finite number", text), -1;
    *t = (below_target){.is_number = 1, .bound = v, .value = v};
    snprintf(t->name, sizeof t->name, "%s", text);
    return 0;
  }
  if (strcmp(text, "dnc") == 0) {
    dufm_gl gl;
    if (dufm_dnc_eval(&gl, p, &err) != DUFM_OK)
      return cli_fail("--expect-below: dnc: %s", err.msg), -1;
    *t = (below_target){.bound = gl.lower, .value = gl.value, .name = "dnc"};
    return 0;
  }
  dufm_structure *s = NULL;
  dufm_structure_eval e = {0};
  int rc = 0;
  if (dufm_structure_parse(&s, text, &err) != DUFM_OK ||
      dufm_structure_evaluate(&e, s, p, &err) != DUFM_OK) {
    cli_fail("--expect-below: '%s': %s", text, err.msg);
    rc = -1;
  } else {
    *t = (below_target){.bound = e.lower, .value = e.loss};
    snprintf(t->name, sizeof t->name, "%s", dufm_structure_name(s));
  }
  dufm_structure_eval_clear(&e);
  dufm_structure_free(s);
  return rc;
}

static void expect_below(check_expectation *x, const below_target *t, double loss) {
  x->kind = "below";
  snprintf(x->target, sizeof x->target, "%s", t->name);
  if (t->is_number) {
    x->held = loss < t->bound;
    snprintf(x->detail, sizeof x->detail, "loss %.17g %s %.17g", loss,
             x->held ? "<" : ">=", t->bound);
    return;
  }
  x->held = dufm_loss_below(loss, t->bound);
  snprintf(x->detail, sizeof x->detail,
           "loss %.17g %s the closed form %.17g of %s (enclosure lower end %.17g, relative "
           "margin %g)",
           loss, x->held ? "is below" : "is not below", t->value, t->name, t->bound,
           DUFM_BELOW_RTOL);
}

static int class_from_name(const char *text, dufm_classification *out) {
  static const dufm_classification all[] = {DUFM_CLASS_DNC, DUFM_CLASS_LOW_RANK, DUFM_CLASS_OTHER,
                                            DUFM_CLASS_ZERO, DUFM_CLASS_UNDERFIT};
  for (int i = 0; i < 5; i++)
    if (strcmp(text, dufm_classification_name(all[i])) == 0) {
      *out = all[i];
      return 0;
    }
  return cli_fail("--expect-class: '%s' must be dnc, low_rank, other, zero or underfit", text), -1;
}

/* DNC's closed form and the best candidate of the closed-form menu at p (its
 * name copied to buf). */
static int closed_forms(check_result *r, char *buf, size_t size, const dufm_params *p) {
  dufm_compare_opts o;
  dufm_comparison cmp;
  dufm_err err;
  dufm_gl gl;
  dufm_compare_opts_default(&o);
  r->best_name = buf;
  if (dufm_dnc_eval(&gl, p, &err) != DUFM_OK)
    return cli_fail_err(&err, "check: dnc");
  r->dnc_loss = gl.value;
  int rc = 0;
  if (dufm_compare(&cmp, p, &o, &err) != DUFM_OK) {
    rc = cli_fail_err(&err, "check: best structure");
  } else {
    snprintf(buf, size, "%s", dufm_structure_name(cmp.cand[cmp.best_index].structure));
    r->best_loss = cmp.cand[cmp.best_index].eval.loss;
  }
  dufm_comparison_clear(&cmp);
  return rc;
}

int cmd_check(int argc, char **argv, int first) {
  cli_common c = {0};
  const char *rank_tol = NULL, *kink_tol = NULL, *nc2_tol = NULL, *below = NULL, *cls = NULL,
             *stationary = NULL, *dir = NULL, *pattern_tol = NULL;
  cli_opt opts[] = {CLI_COMMON_OPTS(c),
                    {"rank-tol", OPT_VALUE, &rank_tol},
                    {"kink-tol", OPT_VALUE, &kink_tol},
                    {"nc2-tol", OPT_VALUE, &nc2_tol},
                    {"pattern-tol", OPT_VALUE, &pattern_tol},
                    {"expect-below", OPT_VALUE, &below},
                    {"expect-class", OPT_VALUE, &cls},
                    {"expect-stationary", OPT_VALUE, &stationary},
                    {NULL, OPT_SWITCH, NULL}};
  int npos = cli_parse(argc, argv, first, "check", opts, &dir, 1);
  if (npos < 0)
    return CLI_EXIT_USAGE;
  if (npos == 0)
    return cli_fail("check: needs a configuration folder (dufm check DIR)");
  dufm_analysis_opts o;
  dufm_analysis_opts_default(&o);
  dufm_pattern_opts po;
  dufm_pattern_opts_default(&po);
  double grad_tol = 0;
  dufm_classification want_class = DUFM_CLASS_DNC;
  if ((rank_tol &&
       cli_double(&o.rank_tol, rank_tol, "rank-tol", 0, 1, 1, "strictly between 0 and 1")) ||
      (kink_tol && cli_double(&o.kink_tol, kink_tol, "kink-tol", 0, 0, 1, "in [0, 1)")) ||
      (nc2_tol && cli_double(&o.nc2_tol, nc2_tol, "nc2-tol", 0, 1, INFINITY, "positive")) ||
      (pattern_tol &&
       cli_double(&po.rel_tol, pattern_tol, "pattern-tol", 0, 1, 1, "strictly between 0 and 1")) ||
      (stationary && cli_double(&grad_tol, stationary, "expect-stationary", 0, 0, INFINITY,
                                "a gradient norm >= 0")) ||
      (cls && class_from_name(cls, &want_class)))
    return CLI_EXIT_USAGE;
  dufm_config cfg;
  int n = 0;
  dufm_err err;
  if (dufm_config_load(&cfg, &n, dir, &err) != DUFM_OK)
    return cli_fail_err(&err, NULL);
  int rc = CLI_EXIT_USAGE;
  dufm_params p = {0};
  dufm_analysis an = {0};
  dufm_pattern pat = {0};
  below_target target;
  char best[256] = "";
  check_result r = {.dir = dir, .cfg = &cfg, .p = &p, .an = &an, .pattern = &pat, .ok = 1};
  dufm_form form;
  if ((rc = cli_folder_meta_params(&p, &form, NULL, &c, dir, &cfg, n)) != 0)
    goto cleanup;
  rc = CLI_EXIT_USAGE;
  if (form == DUFM_FORM_CLASS_MEANS) {
    cli_fail("check: %s holds class means (form \"means\" in meta.json); check analyzes "
             "per-sample folders (export --form samples)",
             dir);
    goto cleanup;
  }
  if (below && resolve_below(&target, below, &p) != 0)
    goto cleanup;
  if (dufm_analyze(&an, &cfg, &p, &o, &err) != DUFM_OK ||
      dufm_pattern_extract(&pat, &cfg, &p, &po, &err) != DUFM_OK) {
    rc = cli_fail_err(&err, dir);
    goto cleanup;
  }
  if ((rc = closed_forms(&r, best, sizeof best, &p)) != 0)
    goto cleanup;
  if (below)
    expect_below(&r.exp[r.nexp++], &target, an.loss);
  if (cls) {
    check_expectation *x = &r.exp[r.nexp++];
    *x = (check_expectation){.kind = "class", .held = an.classification == want_class};
    snprintf(x->target, sizeof x->target, "%s", cls);
    snprintf(x->detail, sizeof x->detail, "classification is %s",
             dufm_classification_name(an.classification));
  }
  if (stationary) {
    check_expectation *x = &r.exp[r.nexp++];
    *x = (check_expectation){.kind = "stationary", .held = an.grad_norm <= grad_tol};
    snprintf(x->target, sizeof x->target, "%s", stationary);
    snprintf(x->detail, sizeof x->detail, "grad_norm %.6g %s %s", an.grad_norm,
             x->held ? "<=" : ">", stationary);
  }
  for (int i = 0; i < r.nexp; i++)
    r.ok = r.ok && r.exp[i].held;
  if (c.json)
    check_print_json(&r);
  else
    check_print_text(&r);
  fflush(stdout);
  for (int i = 0; i < r.nexp; i++)
    if (!r.exp[i].held)
      fprintf(stderr, "dufm: check: --expect-%s %s failed: %s\n", r.exp[i].kind, r.exp[i].target,
              r.exp[i].detail);
  rc = r.ok ? CLI_EXIT_OK : CLI_EXIT_CHECK_FAILED;
cleanup:
  dufm_pattern_clear(&pat);
  dufm_analysis_clear(&an);
  dufm_params_clear(&p);
  dufm_config_clear(&cfg);
  return rc;
}
