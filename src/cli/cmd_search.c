/* dufm search: the lowest-loss configuration at one setting from many starts
 * (dufm/search.h), its polish report and its ratio to DNC. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "args.h"
#include "certify.h"
#include "commands.h"
#include "config_out.h"
#include "dufm/dnc.h"
#include "dufm/npy.h"
#include "dufm/pattern.h"
#include "dufm/rational.h"
#include "dufm/search.h"
#include "optimize.h"
#include "optimize_args.h"
#include "polish_report.h"
#include "report.h"
#include "report_pattern.h"

#define MAX_STARTS 64

typedef struct {
  const char *budget, *seed, *threads, *no_chain, *time_limit, *save, *progress, *cert;
  const char *starts[MAX_STARTS];
  int nstarts;
} flags;

/* The best configuration's certificate (dufm_cert_from_config), tried
 * whenever its float loss is below DNC's lower bound. */
typedef struct {
  int tried; /* 1 when certification ran */
  int valid; /* 1 when the checker accepted it */
  dufm_cert cert;
  dufm_cert_report rep;
  char why[DUFM_ERR_MSG_MAX]; /* why not, when tried and not valid */
} search_cert;

static void progress(void *ctx, const char *line) {
  (void)ctx;
  fprintf(stderr, "dufm: search: %s\n", line);
}

static void json_maybe(json_writer *w, const char *key, double x) {
  json_key(w, key);
  if (isnan(x))
    json_null(w);
  else
    json_double(w, x);
}

static void print_json(const dufm_params *p, const dufm_search_opts *o, const flags *f,
                       const dufm_search_outcome *r, const dufm_gl *dnc, double eval_loss,
                       int below, const dufm_pattern *pat, const search_cert *sc) {
  json_writer w;
  json_init(&w, stdout);
  json_begin_object(&w);
  report_params_json(&w, p);
  json_kv_int(&w, "budget", o->budget);
  json_kv_int(&w, "budget_used", r->budget_used);
  json_kv_int(&w, "seed", (long long)o->seed);
  json_kv_int(&w, "threads", o->threads);
  json_kv_bool(&w, "chain", o->chain);
  json_maybe(&w, "time_limit", f->time_limit ? atof(f->time_limit) : NAN);
  json_kv_bool(&w, "timed_out", r->timed_out);
  json_kv_double(&w, "dnc_loss", dnc->value);
  json_kv_double(&w, "best_loss", r->best_loss);
  json_kv_double(&w, "eval_loss", eval_loss);
  json_kv_double(&w, "ratio_to_dnc", r->ratio_to_dnc);
  json_kv_bool(&w, "below_dnc", below);
  json_key(&w, "widths");
  json_begin_array(&w);
  for (int l = 0; l <= r->best.L; l++)
    json_int(&w, r->best.d[l]);
  json_end_array(&w);
  json_key(&w, "pattern");
  report_pattern_json(&w, pat);
  json_kv_int(&w, "best_task", r->best_task);
  json_kv_string(&w, "best_origin", r->best_origin);
  json_key(&w, "polish");
  json_begin_object(&w);
  polish_report_json(&w, &r->polish, &r->best, 0);
  json_end_object(&w);
  json_key(&w, "chain_losses");
  json_begin_object(&w);
  json_maybe(&w, "lower_L", r->lower_L_loss);
  json_maybe(&w, "higher_K", r->higher_K_loss);
  json_end_object(&w);
  json_key(&w, "starts");
  json_begin_array(&w);
  for (int i = 0; i < r->ntasks; i++) {
    json_begin_object(&w);
    json_kv_int(&w, "task", i);
    json_kv_int(&w, "phase", r->tasks[i].phase);
    json_kv_string(&w, "origin", r->tasks[i].origin);
    json_kv_double(&w, "loss", r->task_loss[i]);
    json_kv_int(&w, "evals", r->task_evals[i]);
    json_end_object(&w);
  }
  json_end_array(&w);
  json_kv_double(&w, "seconds", r->seconds);
  if (f->save != NULL)
    json_kv_string(&w, "saved", f->save);
  else {
    json_key(&w, "saved");
    json_null(&w);
  }
  /* certificate: null when not tried (not below DNC in floating point);
   * else {valid, path (null unless --cert and valid), ...the checker's numbers
   * or the reason}. */
  json_key(&w, "certificate");
  if (!sc->tried)
    json_null(&w);
  else {
    json_begin_object(&w);
    json_kv_bool(&w, "valid", sc->valid);
    if (sc->valid && f->cert != NULL)
      json_kv_string(&w, "path", f->cert);
    else {
      json_key(&w, "path");
      json_null(&w);
    }
    if (sc->valid)
      certify_summary_json(&w, &sc->cert, &sc->rep);
    else
      json_kv_string(&w, "reason", sc->why);
    json_end_object(&w);
  }
  json_end_object(&w);
  json_finish(&w);
}

static void print_text(const dufm_params *p, const dufm_search_opts *o,
                       const dufm_search_outcome *r, const dufm_gl *dnc, int below,
                       const char *save, const dufm_pattern *pat, const search_cert *sc,
                       const char *cert_path) {
  printf("Search (budget %ld evaluations, %ld used, seed %llu%s)\n  ", o->budget, r->budget_used,
         (unsigned long long)o->seed, o->chain ? ", chains" : "");
  report_params_text(stdout, p);
  printf("  %-16s %.17g\n  %-16s %.17g\n  %-16s %.9f (%s DNC)\n", "best loss", r->best_loss,
         "DNC loss", dnc->value, "ratio to DNC", r->ratio_to_dnc, below ? "below" : "not below");
  printf("  %-16s task %d: %s\n", "from", r->best_task, r->best_origin);
  polish_report_text(stdout, &r->polish);
  printf("  %-16s %.1f s\n", "time", r->seconds);
  report_pattern_text(stdout, "activation pattern of the best", pat);
  if (save != NULL)
    printf("  saved to %s\n", save);
  if (sc->tried && sc->valid)
    printf("  certified below DNC: exact loss %.17g < DNC lower bound %.17g%s%s\n",
           dufm_q_get_d(sc->rep.loss), dufm_q_get_d(sc->rep.bound),
           cert_path ? "; certificate " : " (no --cert: not written)", cert_path ? cert_path : "");
  else if (sc->tried)
    printf("  not certified: %s\n", sc->why);
}

/* Pulls every --start DIR out of argv (the flag repeats); the rest goes to
 * cli_parse. Returns the new argc, or -1 after printing. */
static int take_starts(flags *f, int argc, char **argv, int first, char **rest) {
  int n = 0;
  for (int i = first; i < argc; i++) {
    const char *v = NULL;
    if (strcmp(argv[i], "--start") == 0) {
      if (i + 1 >= argc)
        return cli_fail("--start: needs a configuration folder"), -1;
      v = argv[++i];
    } else if (strncmp(argv[i], "--start=", 8) == 0) {
      v = argv[i] + 8;
    } else {
      rest[n++] = argv[i];
      continue;
    }
    if (f->nstarts == MAX_STARTS)
      return cli_fail("--start: at most %d folders", MAX_STARTS), -1;
    f->starts[f->nstarts++] = v;
  }
  return n;
}

int cmd_search(int argc, char **argv, int first) {
  cli_common c = {0};
  flags f = {0};
  char **rest = calloc((size_t)argc + 1, sizeof *rest);
  if (rest == NULL)
    return cli_fail("out of memory");
  int nrest = take_starts(&f, argc, argv, first, rest);
  cli_opt opts[] = {CLI_COMMON_OPTS(c),
                    {"budget", OPT_VALUE, &f.budget},
                    {"seed", OPT_VALUE, &f.seed},
                    {"threads", OPT_VALUE, &f.threads},
                    {"no-chain", OPT_SWITCH, &f.no_chain},
                    {"time-limit", OPT_VALUE, &f.time_limit},
                    {"save", OPT_VALUE, &f.save},
                    {"cert", OPT_VALUE, &f.cert},
                    {"progress", OPT_SWITCH, &f.progress},
                    {NULL, OPT_SWITCH, NULL}};
  int rc = CLI_EXIT_USAGE;
  dufm_params p = {0};
  dufm_config starts[MAX_STARTS];
  int nloaded = 0;
  dufm_search_outcome r = {0};
  dufm_pattern pat = {0};
  search_cert sc = {0};
  config_out save = {0};
  cert_out cert = {0};
  dufm_search_opts o;
  dufm_search_opts_default(&o);
  if (nrest < 0 || cli_parse(nrest, rest, 0, "search", opts, NULL, 0) < 0)
    goto cleanup;
  long v;
  double limit = 0.0;
  if (f.budget != NULL) {
    if (cli_int(&v, f.budget, "budget", 10000, 1000000000000L) != 0)
      goto cleanup;
    o.budget = v;
  }
  if (f.seed != NULL) {
    if (cli_int(&v, f.seed, "seed", 0, 1000000000000L) != 0)
      goto cleanup;
    o.seed = (uint64_t)v;
  }
  long cores = sysconf(_SC_NPROCESSORS_ONLN);
  v = cores > 0 && cores < 1024 ? cores : 1;
  if (f.threads != NULL && cli_int(&v, f.threads, "threads", 1, 1024) != 0)
    goto cleanup;
  o.threads = (int)v;
  o.chain = f.no_chain == NULL;
  if (f.time_limit != NULL && opt_double(&limit, f.time_limit, "time-limit", 0.0, 1) != 0)
    goto cleanup;
  if (cli_params(&p, &c) != 0)
    goto cleanup;
  if (config_out_open(&save, f.save, "save") != 0 || cert_out_open(&cert, f.cert, "cert") != 0)
    goto cleanup;
  dufm_err err;
  for (int i = 0; i < f.nstarts; i++) {
    int n = 0;
    if (dufm_config_load(&starts[i], &n, f.starts[i], &err) != DUFM_OK) {
      rc = cli_fail("--start: %s", err.msg);
      goto cleanup;
    }
    nloaded++;
    int ok_shape = n == p.n && ((starts[i].L == p.L && starts[i].K == p.K) ||
                                (starts[i].L == p.L - 1 && starts[i].K == p.K) ||
                                (starts[i].L == p.L && starts[i].K == p.K + 1));
    if (!ok_shape) {
      rc = cli_fail("--start: %s has L = %d, K = %d, n = %d; needs n = %d and (L, K) = (%d, %d), "
                    "(%d, %d) or (%d, %d)",
                    f.starts[i], starts[i].L, starts[i].K, n, p.n, p.L, p.K, p.L - 1, p.K, p.L,
                    p.K + 1);
      goto cleanup;
    }
  }
  if (limit > 0.0) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    o.deadline = (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec + limit;
  }
  if (f.progress != NULL)
    o.progress = progress;
  if (dufm_search(&r, &p, &o, starts, f.nstarts, &err) != DUFM_OK) {
    rc = cli_fail_err(&err, "search");
    goto cleanup;
  }
  dufm_gl dnc;
  dufm_loss check;
  if (dufm_dnc_eval(&dnc, &p, &err) != DUFM_OK ||
      dufm_eval(&check, NULL, &r.best, &p, DUFM_FORM_SAMPLES, &err) != DUFM_OK) {
    rc = cli_fail_err(&err, "search");
    goto cleanup;
  }
  /* Below DNC only by more than the evaluation's rounding (as optimize). */
  int below = optimize_below(check.loss, dnc.lower);
  dufm_pattern_opts po;
  dufm_pattern_opts_default(&po);
  if (dufm_pattern_extract(&pat, &r.best, &p, &po, &err) != DUFM_OK) {
    rc = cli_fail_err(&err, "search");
    goto cleanup;
  }
  if (below) {
    sc.tried = 1;
    dufm_status st = dufm_cert_from_config(&sc.cert, NULL, &r.best, &p, "search", NULL, &err);
    if (st == DUFM_OK && (st = dufm_cert_check(&sc.rep, &sc.cert, &err)) == DUFM_OK)
      sc.valid = sc.rep.result == DUFM_CERT_VALID;
    else if (st == DUFM_ENOTAPPLICABLE || st == DUFM_EINVAL)
      snprintf(sc.why, sizeof sc.why, "%s", err.msg);
    else {
      rc = cli_fail_err(&err, "search");
      goto cleanup;
    }
  }
  char source[200];
  snprintf(source, sizeof source, "search, budget %ld, seed %llu, best start: %.120s", o.budget,
           (unsigned long long)o.seed, r.best_origin);
  if (config_out_commit(&save, &r.best, &p, "search", source) != 0)
    goto cleanup;
  /* The certificate file exists only when the checker accepted it. */
  if (sc.valid ? cert_out_commit(&cert, &sc.cert) != 0 : (cert_out_abort(&cert), 0))
    goto cleanup;
  if (c.json)
    print_json(&p, &o, &f, &r, &dnc, check.loss, below, &pat, &sc);
  else
    print_text(&p, &o, &r, &dnc, below, f.save, &pat, &sc, sc.valid ? f.cert : NULL);
  rc = CLI_EXIT_OK;
cleanup:
  config_out_abort(&save);
  cert_out_abort(&cert);
  dufm_cert_report_clear(&sc.rep);
  dufm_cert_clear(&sc.cert);
  dufm_pattern_clear(&pat);
  dufm_search_outcome_clear(&r);
  for (int i = 0; i < nloaded; i++)
    dufm_config_clear(&starts[i]);
  dufm_params_clear(&p);
  free(rest);
  return rc;
}
