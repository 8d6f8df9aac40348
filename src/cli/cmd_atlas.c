/* dufm atlas: the best-known configuration at every (L, K) of a grid, kept in
 * a resumable folder of entries (dufm/atlas.h, docs/atlas.md). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "args.h"
#include "atlas_cli.h"
#include "commands.h"

#define ATLAS_MAX_L 64
#define ATLAS_MAX_K 1000

/* A contiguous range "A..B" (or a single value) of --L or --K. */
static int range(int *lo, int *hi, const char *text, const char *flag, long min, long max) {
  long *v = NULL;
  int n = 0;
  if (cli_int_list(&v, &n, text, flag, min, max) != 0)
    return -1;
  int ok = n >= 1 && v[n - 1] - v[0] == n - 1;
  if (ok) {
    *lo = (int)v[0];
    *hi = (int)v[n - 1];
  }
  free(v);
  if (!ok)
    return cli_fail("--%s: '%s' must be one range A..B (no gaps)", flag, text), -1;
  return 0;
}

int cmd_atlas(int argc, char **argv, int first) {
  const char *fL = NULL, *fK = NULL, *fn = NULL, *flam = NULL, *fbudget = NULL, *fseed = NULL,
             *fthreads = NULL, *fout = NULL, *fjson = NULL;
  cli_opt opts[] = {{"L", OPT_VALUE, &fL},
                    {"K", OPT_VALUE, &fK},
                    {"n", OPT_VALUE, &fn},
                    {"lambda", OPT_VALUE, &flam},
                    {"budget", OPT_VALUE, &fbudget},
                    {"seed", OPT_VALUE, &fseed},
                    {"threads", OPT_VALUE, &fthreads},
                    {"out", OPT_VALUE, &fout},
                    {"json", OPT_SWITCH, &fjson},
                    {NULL, OPT_SWITCH, NULL}};
  atlas_cli c;
  memset(&c, 0, sizeof c);
  /* Under mpirun every rank parses the same arguments; rank 0 alone speaks. */
  if (atlas_mpi_env_rank() > 0 && freopen("/dev/null", "w", stderr) == NULL)
    return CLI_EXIT_USAGE;
  int rc = CLI_EXIT_USAGE;
  if (cli_parse(argc, argv, first, "atlas", opts, NULL, 0) < 0)
    goto cleanup;
  int L_lo = 2, L_hi = 8, K_lo = 2, K_hi = 16;
  long n = 1, budget = DUFM_SEARCH_DEFAULT_BUDGET, seed = 0, threads = 0;
  if (fL != NULL && range(&L_lo, &L_hi, fL, "L", 1, ATLAS_MAX_L) != 0)
    goto cleanup;
  if (fK != NULL && range(&K_lo, &K_hi, fK, "K", 2, ATLAS_MAX_K) != 0)
    goto cleanup;
  if (fn != NULL && cli_int(&n, fn, "n", 1, DUFM_MAX_N) != 0)
    goto cleanup;
  if (fbudget != NULL && cli_int(&budget, fbudget, "budget", 10000, 1000000000000L) != 0)
    goto cleanup;
  if (fseed != NULL && cli_int(&seed, fseed, "seed", 0, 1000000000000L) != 0)
    goto cleanup;
  if (fthreads != NULL && cli_int(&threads, fthreads, "threads", 1, 1024) != 0)
    goto cleanup;
  if (fout == NULL || fout[0] == '\0') {
    rc = cli_fail("--out: the atlas folder is required (created if missing)");
    goto cleanup;
  }
  dufm_err err;
  if (dufm_atlas_spec_init(&c.spec, L_lo, L_hi, K_lo, K_hi, (int)n, flam != NULL ? flam : "0.004",
                           budget, (uint64_t)seed, &err) != DUFM_OK) {
    rc = cli_fail("--%s", err.msg);
    goto cleanup;
  }
  int mpi = atlas_mpi_launched();
  if (threads == 0) {
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    threads = mpi ? 1 : (cores > 0 && cores < 1024 ? cores : 1);
  }
  c.out = fout;
  c.threads = (int)threads;
  c.json = fjson != NULL;
  c.processes = 1;
  c.nsettings = dufm_atlas_nsettings(&c.spec);
  c.done = calloc((size_t)c.nsettings, sizeof *c.done);
  c.notes = calloc((size_t)c.nsettings, sizeof *c.notes);
  if (c.done == NULL || c.notes == NULL) {
    rc = cli_fail("out of memory");
    goto cleanup;
  }
  for (int i = 0; i < c.nsettings; i++) {
    int L, K;
    dufm_atlas_setting(&c.spec, i, &L, &K);
    c.weight_total += (double)L * K;
  }
  c.t0 = atlas_cli_now();
  rc = mpi ? atlas_mpi_run(&c) : atlas_cli_run_local(&c);
cleanup:
  for (int i = 0; c.notes != NULL && i < c.nsettings; i++)
    free(c.notes[i]);
  free(c.notes);
  free(c.done);
  dufm_atlas_spec_clear(&c.spec);
  return rc;
}
