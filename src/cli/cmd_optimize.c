/* dufm optimize: numerical minimization of the L-DUFM loss over many seeds,
 * each result classified (dufm_analyze) and set against the closed forms. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "args.h"
#include "commands.h"
#include "dufm/compare.h"
#include "dufm/dnc.h"
#include "optimize_args.h"

typedef struct {
  const char *width, *seeds, *seed_list, *threads, *method, *lr, *iters, *tol, *init_std, *init,
      *perturb, *save, *trace, *log_every, *progress;
} flags;

static void progress(void *ctx, const dufm_optim_progress *pr) {
  const int *always = ctx;
  /* Short runs stay quiet unless asked; one fprintf is one line even across threads. */
  if (*always || pr->seconds > 2.0)
    fprintf(stderr, "dufm: optimize: seed %llu: step %ld/%ld, loss %.12g, grad norm %.3g, %.1f s\n",
            (unsigned long long)pr->seed, pr->iter, pr->iters, pr->loss, pr->grad_norm,
            pr->seconds);
}

/* Method-dependent numbers; every value checked with its flag named. */
static int parse_numbers(optimize_job *j, const flags *f) {
  dufm_optim_opts *o = &j->o;
  dufm_optim_opts_default(o);
  long v;
  if (f->method != NULL && dufm_optim_method_parse(&o->method, f->method) != 0)
    return cli_fail("--method: '%s' must be gd, anneal or lbfgs", f->method), -1;
  o->iters = o->method == DUFM_OPTIM_LBFGS ? 5000 : 20000;
  if (f->iters != NULL) {
    if (cli_int(&v, f->iters, "iters", 1, 1000000000) != 0)
      return -1;
    o->iters = v;
  }
  if ((f->lr && opt_double(&o->lr, f->lr, "lr", 0.0, 1) != 0) ||
      (f->tol && opt_double(&o->tol, f->tol, "tol", 0.0, 0) != 0) ||
      (f->init_std && opt_double(&o->init_std, f->init_std, "init-std", 0.0, 0) != 0) ||
      (f->perturb && opt_double(&o->perturb, f->perturb, "perturb", 0.0, 0) != 0))
    return -1;
  if (f->perturb != NULL && f->init == NULL)
    return cli_fail("--perturb: only applies with --init (a Gaussian start uses --init-std)"), -1;
  long cores = sysconf(_SC_NPROCESSORS_ONLN);
  v = cores > 0 ? cores : 1;
  if (f->threads != NULL && cli_int(&v, f->threads, "threads", 1, 1024) != 0)
    return -1;
  o->threads = (int)v;
  o->log_every = f->trace ? (o->iters / 100 > 0 ? o->iters / 100 : 1) : 0;
  if (f->log_every != NULL) {
    if (cli_int(&v, f->log_every, "log-every", 1, 1000000000) != 0)
      return -1;
    o->log_every = v;
  }
  return 0;
}

static int diverged(const optimize_job *j) {
  int first = -1, count = 0;
  for (int r = 0; r < j->nseeds; r++)
    if (j->res[r].stop == DUFM_OPTIM_DIVERGED) {
      count++;
      first = first < 0 ? r : first;
    }
  if (count == 0)
    return 0;
  const dufm_optim_result *res = &j->res[first];
  char more[64] = "";
  if (count > 1)
    snprintf(more, sizeof more, ", and %d more seed%s", count - 1, count > 2 ? "s" : "");
  fprintf(stderr,
          "dufm: optimize: seed %llu diverged at step %ld (loss %.6g from %.6g)%s; nothing "
          "saved; try a smaller --lr than %g\n",
          (unsigned long long)res->seed, res->iters, res->loss.loss, res->loss0, more, j->o.lr);
  return 1;
}

/* Analysis of every run, DNC and the best closed form at the same parameters. */
static int measure(optimize_job *j) {
  dufm_err err;
  dufm_comparison cmp = {0};
  dufm_compare_opts co;
  for (int r = 0; r < j->nseeds; r++) {
    if (dufm_analyze(&j->an[r], &j->res[r].x, &j->p, NULL, &err) != DUFM_OK ||
        dufm_pattern_extract(&j->pat[r], &j->res[r].x, &j->p, NULL, &err) != DUFM_OK)
      return cli_fail_err(&err, "optimize: analysis");
    if (j->res[r].loss.loss < j->res[j->best].loss.loss)
      j->best = r;
  }
  if (dufm_dnc_eval(&j->dnc, &j->p, &err) != DUFM_OK)
    return cli_fail_err(&err, "optimize: DNC closed form");
  dufm_compare_opts_default(&co);
  int rc = CLI_EXIT_OK;
  if (dufm_compare(&cmp, &j->p, &co, &err) != DUFM_OK) {
    rc = cli_fail_err(&err, "optimize: closed forms");
  } else {
    const dufm_candidate *b = &cmp.cand[cmp.best_index];
    j->best_structure = strdup(dufm_structure_name(b->structure));
    j->best_structure_loss = b->eval.loss;
    j->best_structure_lower = b->eval.lower;
    if (j->best_structure == NULL)
      rc = cli_fail("out of memory");
  }
  dufm_comparison_clear(&cmp);
  return rc;
}

static int run(optimize_job *j, int show_progress) {
  dufm_err err;
  j->res = calloc((size_t)j->nseeds, sizeof *j->res);
  j->an = calloc((size_t)j->nseeds, sizeof *j->an);
  j->pat = calloc((size_t)j->nseeds, sizeof *j->pat);
  if (j->res == NULL || j->an == NULL || j->pat == NULL)
    return cli_fail("out of memory for %d runs", j->nseeds);
  j->o.progress = progress;
  j->o.progress_ctx = &show_progress;
  dufm_status st = dufm_optim_runs(j->res, j->nseeds, j->seeds, j->d,
                                   j->start.d != NULL ? &j->start : NULL, &j->p, &j->o, &err);
  j->o.progress = NULL;
  if (st != DUFM_OK)
    return cli_fail_err(&err, "optimize");
  if (diverged(j))
    return CLI_EXIT_CHECK_FAILED;
  int rc = measure(j);
  if (rc != CLI_EXIT_OK)
    return rc;
  if (j->save != NULL && optimize_save(j->save, &j->res[j->best].x, &err) != DUFM_OK)
    return cli_fail_err(&err, "--save");
  if (j->trace != NULL && optimize_write_trace(j->trace, j, &err) != DUFM_OK)
    return cli_fail_err(&err, "--trace");
  return CLI_EXIT_OK;
}

int cmd_optimize(int argc, char **argv, int first) {
  cli_common c = {0};
  flags f = {0};
  cli_opt opts[] = {CLI_COMMON_OPTS(c),
                    {"width", OPT_VALUE, &f.width},
                    {"seeds", OPT_VALUE, &f.seeds},
                    {"seed-list", OPT_VALUE, &f.seed_list},
                    {"threads", OPT_VALUE, &f.threads},
                    {"method", OPT_VALUE, &f.method},
                    {"lr", OPT_VALUE, &f.lr},
                    {"iters", OPT_VALUE, &f.iters},
                    {"tol", OPT_VALUE, &f.tol},
                    {"init-std", OPT_VALUE, &f.init_std},
                    {"init", OPT_VALUE, &f.init},
                    {"perturb", OPT_VALUE, &f.perturb},
                    {"save", OPT_VALUE, &f.save},
                    {"trace", OPT_VALUE, &f.trace},
                    {"log-every", OPT_VALUE, &f.log_every},
                    {"progress", OPT_SWITCH, &f.progress},
                    {NULL, OPT_SWITCH, NULL}};
  if (cli_parse(argc, argv, first, "optimize", opts, NULL, 0) < 0)
    return CLI_EXIT_USAGE;
  optimize_job j = {0};
  int rc = CLI_EXIT_USAGE;
  j.save = f.save;
  j.trace = f.trace;
  if (parse_numbers(&j, &f) != 0 || opt_seeds(&j, f.seeds, f.seed_list) != 0 ||
      opt_init(&j, &c, f.init) != 0 || opt_widths(&j, f.width) != 0 ||
      (f.save && optimize_check_save(f.save) != 0) ||
      (f.trace && optimize_check_trace(f.trace) != 0))
    goto cleanup;
  if (f.init_std == NULL) /* the default scale depends on the depth */
    j.o.init_std = dufm_optim_default_init_std(j.p.L, j.d);
  rc = run(&j, f.progress != NULL);
  if (rc == CLI_EXIT_OK && c.json)
    optimize_print_json(&j);
  else if (rc == CLI_EXIT_OK)
    optimize_print_text(&j);
cleanup:
  for (int r = 0; j.res != NULL && r < j.nseeds; r++)
    dufm_optim_result_clear(&j.res[r]);
  for (int r = 0; j.an != NULL && r < j.nseeds; r++)
    dufm_analysis_clear(&j.an[r]);
  for (int r = 0; j.pat != NULL && r < j.nseeds; r++)
    dufm_pattern_clear(&j.pat[r]);
  free(j.res);
  free(j.an);
  free(j.pat);
  free(j.best_structure);
  free(j.init_name);
  free(j.seeds);
  free(j.d);
  dufm_config_clear(&j.start);
  dufm_params_clear(&j.p);
  return rc;
}
