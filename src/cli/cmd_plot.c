/* dufm plot KIND ... --out FILE: figures (SVG or PNG by the extension). The
 * flags are parsed here; src/plot/ computes and draws. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "args.h"
#include "commands.h"
#include "plot/plot.h"

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
  int nL, nr, rc = CLI_EXIT_USAGE;
  /* Largest r: K = r(r-1)/2 must stay within DUFM_MAX_K. */
  if (cli_int_list(&Ls, &nL, c.L ? c.L : "3,4,5", "L", 1, DUFM_MAX_L) == 0 &&
      cli_int_list(&rs, &nr, r_text ? r_text : "3..30", "r", 3, 4472) == 0)
    rc = plot_ratio(&t, Ls, nL, rs, nr, &c, no_blocks == NULL, no_cliques == NULL);
  free(Ls);
  free(rs);
  return rc;
}

/* gram and spectrum: a structure or a configuration folder. */
static int layers(int argc, char **argv, int first, const char *kind) {
  plot_source src = {0};
  const char *out = NULL, *unscaled = NULL, *pos[1] = {NULL};
  char cmd[32];
  snprintf(cmd, sizeof cmd, "plot %s", kind);
  cli_opt opts[] = {CLI_COMMON_OPTS(src.c),
                    {"structure", OPT_VALUE, &src.spec},
                    {"out", OPT_VALUE, &out},
                    {"unscaled", OPT_SWITCH, &unscaled},
                    {NULL, OPT_SWITCH, NULL}};
  plot_target t;
  int npos = cli_parse(argc, argv, first, cmd, opts, pos, 1);
  if (npos < 0 || plot_target_init(&t, out, src.c.json != NULL) != 0)
    return CLI_EXIT_USAGE;
  src.dir = pos[0];
  src.unscaled = unscaled != NULL;
  if (src.spec != NULL && src.dir != NULL)
    return cli_fail("--structure: give either --structure SPEC or a folder DIR, not both");
  if (src.spec == NULL && src.dir == NULL)
    return cli_fail("%s: give --structure SPEC (e.g. srg:5) or a configuration folder DIR", cmd);
  if (src.dir != NULL && src.unscaled)
    return cli_fail("--unscaled: only for --structure (a folder is drawn as it is)");
  return strcmp(kind, "gram") == 0 ? plot_gram(&t, &src) : plot_spectrum(&t, &src);
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
  return plot_trace(&t, pos[0], &c, y != NULL && strcmp(y, "gap") == 0);
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
