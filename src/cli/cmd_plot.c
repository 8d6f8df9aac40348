/* dufm plot KIND ... --out FILE: figures (SVG or PNG by the extension). The
 * flags and input files are read here; src/plot draws from typed data. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "args.h"
#include "commands.h"
#include "dufm/compare.h"
#include "plot_load.h"

/* The subtitle of plot ratio: the lambdas and n as given. */
static void ratio_subtitle(char *buf, size_t size, const cli_common *c) {
  int used = snprintf(buf, size, "#gl = %s", c->lambda ? c->lambda : "0.004");
  if (c->lambda_h)
    used += snprintf(buf + used, size - used, ", #gl#dH#u = %s", c->lambda_h);
  if (c->lambda_w && used < (int)size)
    used += snprintf(buf + used, size - used, ", #gl#dW#u = %s", c->lambda_w);
  if (used < (int)size)
    snprintf(buf + used, size - used, ", n = %s", c->n ? c->n : "1");
}

/* The sweep of plot ratio: per depth Ls[a] and r in rs, one dufm_sweep_point. */
static int ratio_sweep(plot_ratio_curve *cv, const long *Ls, int nL, const long *rs, int nr,
                       const cli_common *c, const dufm_compare_opts *o) {
  for (int a = 0; a < nL; a++) {
    cv[a].srg = malloc((size_t)nr * sizeof *cv[a].srg);
    cv[a].best = malloc((size_t)nr * sizeof *cv[a].best);
    cv[a].best_name = calloc((size_t)nr, sizeof *cv[a].best_name);
    if (cv[a].srg == NULL || cv[a].best == NULL || cv[a].best_name == NULL)
      return cli_fail("out of memory");
    for (int i = 0; i < nr; i++) {
      char Lt[24], Kt[24];
      snprintf(Lt, sizeof Lt, "%ld", Ls[a]);
      snprintf(Kt, sizeof Kt, "%ld", rs[i] * (rs[i] - 1) / 2);
      cli_common pc = *c;
      pc.L = Lt, pc.K = Kt;
      dufm_params p;
      if (cli_params(&p, &pc) != 0)
        return CLI_EXIT_USAGE;
      dufm_sweep_point pt;
      dufm_err err;
      int rc = 0;
      if (dufm_sweep_point_eval(&pt, &p, o, &err) != DUFM_OK) {
        rc = cli_fail_err(&err, "ratio");
      } else {
        cv[a].srg[i] = pt.srg_ratio;
        cv[a].best[i] = pt.best_ratio;
        cv[a].best_name[i] = pt.best, pt.best = NULL;
      }
      dufm_sweep_point_clear(&pt);
      dufm_params_clear(&p);
      if (rc != 0)
        return rc;
    }
  }
  return 0;
}

static int ratio(int argc, char **argv, int first) {
  cli_common c = {0};
  const char *r_text = NULL, *out = NULL, *no_blocks = NULL, *no_cliques = NULL;
  cli_opt opts[] = {CLI_COMMON_OPTS(c),
                    {"r", OPT_VALUE, &r_text},
                    {"out", OPT_VALUE, &out},
                    {"no-blocks", OPT_SWITCH, &no_blocks},
                    {"no-cliques", OPT_SWITCH, &no_cliques},
                    {NULL, OPT_SWITCH, NULL}};
  plot_target t;
  if (cli_parse(argc, argv, first, "plot ratio", opts, NULL, 0) < 0 ||
      plot_target_init(&t, out, c.json != NULL) != 0)
    return CLI_EXIT_USAGE;
  if (c.K != NULL)
    return cli_fail("--K: not used by 'plot ratio' (K = r(r-1)/2 comes from --r)");
  long *Ls = NULL, *rs = NULL;
  int nL = 0, nr = 0, rc = CLI_EXIT_USAGE;
  plot_ratio_curve *cv = NULL;
  dufm_compare_opts o;
  dufm_compare_opts_default(&o);
  o.blocks = no_blocks == NULL, o.cliques = no_cliques == NULL;
  /* Largest r: K = r(r-1)/2 must stay within DUFM_MAX_K. */
  if (cli_int_list(&Ls, &nL, c.L ? c.L : "3,4,5", "L", 1, DUFM_MAX_L) == 0 &&
      cli_int_list(&rs, &nr, r_text ? r_text : "3..30", "r", 3, 4472) == 0) {
    cv = calloc((size_t)nL, sizeof *cv);
    rc = cv == NULL ? cli_fail("out of memory") : ratio_sweep(cv, Ls, nL, rs, nr, &c, &o);
  }
  if (rc == 0) {
    char subtitle[256];
    ratio_subtitle(subtitle, sizeof subtitle, &c);
    rc = plot_ratio(&t, cv, Ls, nL, rs, nr, subtitle, c.lambda ? c.lambda : "0.004");
  }
  for (int a = 0; cv != NULL && a < nL; a++) {
    for (int i = 0; cv[a].best_name != NULL && i < nr; i++)
      free(cv[a].best_name[i]);
    free(cv[a].srg), free(cv[a].best), free(cv[a].best_name);
  }
  free(cv);
  free(Ls);
  free(rs);
  return rc;
}
/* gram and spectrum: a structure or a configuration folder. */
static int layers(int argc, char **argv, int first, const char *kind) {
  cli_common c = {0};
  const char *spec = NULL, *dir = NULL;
  const char *out = NULL, *unscaled = NULL, *pos[1] = {NULL};
  char cmd[32];
  snprintf(cmd, sizeof cmd, "plot %s", kind);
  cli_opt opts[] = {CLI_COMMON_OPTS(c),
                    {"structure", OPT_VALUE, &spec},
                    {"out", OPT_VALUE, &out},
                    {"unscaled", OPT_SWITCH, &unscaled},
                    {NULL, OPT_SWITCH, NULL}};
  plot_target t;
  int npos = cli_parse(argc, argv, first, cmd, opts, pos, 1);
  if (npos < 0 || plot_target_init(&t, out, c.json != NULL) != 0)
    return CLI_EXIT_USAGE;
  dir = pos[0];
  if (spec != NULL && dir != NULL)
    return cli_fail("--structure: give either --structure SPEC or a folder DIR, not both");
  if (spec == NULL && dir == NULL)
    return cli_fail("%s: give --structure SPEC (e.g. srg:5) or a configuration folder DIR", cmd);
  if (dir != NULL && unscaled != NULL)
    return cli_fail("--unscaled: only for --structure (a folder is drawn as it is)");
  plot_layers pl;
  int rc = plot_load_layers(&pl, spec, dir, unscaled != NULL, &c);
  if (rc != 0)
    return rc;
  rc = strcmp(kind, "gram") == 0 ? plot_gram(&t, &pl) : plot_spectrum(&t, &pl);
  plot_layers_clear(&pl);
  return rc;
}

static int trace(int argc, char **argv, int first) {
  cli_common c = {0};
  const char *out = NULL, *y = NULL, *pos[1] = {NULL};
  cli_opt opts[] = {
      CLI_COMMON_OPTS(c), {"out", OPT_VALUE, &out}, {"y", OPT_VALUE, &y}, {NULL, OPT_SWITCH, NULL}};
  plot_target t;
  int npos = cli_parse(argc, argv, first, "plot trace", opts, pos, 1);
  if (npos < 0 || plot_target_init(&t, out, c.json != NULL) != 0)
    return CLI_EXIT_USAGE;
  if (npos == 0)
    return cli_fail("plot trace: missing FILE.csv (written by dufm optimize --trace)");
  if (y != NULL && strcmp(y, "loss") != 0 && strcmp(y, "gap") != 0)
    return cli_fail("--y: '%s' must be 'loss' or 'gap' (loss minus the lower bound)", y);
  trace_data td;
  dufm_params p;
  int rc = trace_read(&td, pos[0]);
  if (rc != 0)
    return rc;
  if ((rc = trace_params(&p, &td, &c, pos[0])) == 0) {
    plot_trace_opts o = {.name = pos[0], .gap = y != NULL && strcmp(y, "gap") == 0};
    rc = plot_trace(&t, &td, &p, &o);
    dufm_params_clear(&p);
  }
  trace_clear(&td);
  return rc;
}

int cmd_plot(int argc, char **argv, int first) {
  const char *kind = first < argc ? argv[first] : NULL;
  if (kind == NULL || strncmp(kind, "--", 2) == 0)
    return cli_fail("plot: missing KIND: ratio, gram, spectrum or trace (see 'dufm help plot')");
  int rc = -1;
  if (strcmp(kind, "ratio") == 0)
    rc = ratio(argc, argv, first + 1);
  else if (strcmp(kind, "gram") == 0 || strcmp(kind, "spectrum") == 0)
    rc = layers(argc, argv, first + 1, kind);
  else if (strcmp(kind, "trace") == 0)
    rc = trace(argc, argv, first + 1);
  plot_target_abort(); /* the figure's temporary, unless committed */
  if (rc >= 0)
    return rc;
  return cli_fail("plot: unknown kind '%s' (ratio, gram, spectrum or trace)", kind);
}
