/* dufm optimize: parsing of its own flags (seeds, widths, numbers) and of the
 * --init starting point. Every failure prints one line naming the flag. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "args.h"
#include "dufm/npy.h"
#include "dufm/sets.h"
#include "dufm/structure.h"
#include "optimize_args.h"

int opt_double(double *out, const char *text, const char *flag, double lo, int lo_open) {
  char rule[48];
  snprintf(rule, sizeof rule, "%s %g", lo_open ? ">" : ">=", lo);
  return cli_double(out, text, flag, lo, lo_open, INFINITY, rule);
}

/* Items of a comma-separated list. */
static int count_items(const char *list) {
  int count = 1;
  for (const char *c = list; *c; c++)
    count += *c == ',';
  return count;
}

/* Copies item index of list into buf; -1 when it is empty or too long. */
static int list_item(char *buf, size_t size, const char *list, int index) {
  const char *p = list;
  for (int i = 0; i < index; i++)
    p = strchr(p, ',') + 1;
  size_t len = strcspn(p, ",");
  if (len == 0 || len >= size)
    return -1;
  memcpy(buf, p, len);
  buf[len] = '\0';
  return 0;
}

int opt_seeds(optimize_job *j, const char *seeds, const char *list) {
  if (seeds != NULL && list != NULL)
    return cli_fail("--seed-list: give either --seeds S or --seed-list, not both"), -1;
  long count = 1;
  if (seeds != NULL && cli_int(&count, seeds, "seeds", 1, 1000000) != 0)
    return -1;
  if (list != NULL)
    count = count_items(list);
  j->seeds = malloc((size_t)count * sizeof *j->seeds);
  if (j->seeds == NULL)
    return cli_fail("out of memory for %ld seeds", count), -1;
  j->nseeds = (int)count;
  for (int i = 0; i < count; i++) {
    char item[32];
    j->seeds[i] = (uint64_t)i;
    if (list == NULL)
      continue;
    char *end;
    errno = 0;
    if (list_item(item, sizeof item, list, i) != 0 || item[0] < '0' || item[0] > '9')
      return cli_fail("--seed-list: item %d of '%s' is not a whole number >= 0", i + 1, list), -1;
    unsigned long long v = strtoull(item, &end, 10);
    /* Below 2^63 so that JSON readers see the same integer. */
    if (*end != '\0' || errno == ERANGE || v >= (1ULL << 63))
      return cli_fail("--seed-list: '%s' is not a whole number below 2^63", item), -1;
    j->seeds[i] = (uint64_t)v;
  }
  return 0;
}

int opt_widths(optimize_job *j, const char *text) {
  const int L = j->p.L, has_start = j->start.d != NULL;
  int count = text ? count_items(text) : 1;
  if (count != 1 && count != L)
    return cli_fail("--width: gave %d values; give one or exactly L = %d comma-separated", count,
                    L),
           -1;
  j->d = malloc((size_t)(L + 1) * sizeof *j->d);
  if (j->d == NULL)
    return cli_fail("out of memory"), -1;
  double params = 0;
  for (int l = 0; l < L; l++) {
    long w = 30;
    char item[32];
    if (text != NULL && list_item(item, sizeof item, text, count == 1 ? 0 : l) != 0)
      return cli_fail("--width: item %d of '%s' is empty or too long", l + 1, text), -1;
    if (text != NULL && cli_int(&w, item, "width", 1, 100000) != 0)
      return -1;
    int need = has_start ? j->start.d[l] : 1;
    if (text == NULL && w < need)
      w = need; /* the default widens to fit the starting configuration */
    if (w < need)
      return cli_fail("--width: d_%d = %ld is narrower than the --init configuration's %d", l + 1,
                      w, need),
             -1;
    j->d[l] = (int)w;
  }
  j->d[L] = j->p.K;
  for (int l = 0; l < L; l++)
    params += (double)j->d[l] * (l == 0 ? (double)j->p.K * j->p.n : (double)j->d[l - 1]);
  params += (double)j->d[L] * j->d[L - 1];
  if (params > 1e8)
    return cli_fail("--width: %.3g parameters; the limit is 1e8", params), -1;
  /* Every run keeps its configuration: the limit counts all of them. */
  if (params * j->nseeds > 1e8)
    return cli_fail("--seeds: %d runs of %.3g parameters each hold %.3g parameters; the limit is "
                    "1e8 in total",
                    j->nseeds, params, params * j->nseeds),
           -1;
  return 0;
}

static int init_folder(optimize_job *j, cli_common *c, const char *dir) {
  dufm_err err;
  int n = 0;
  if (dufm_config_load(&j->start, &n, dir, &err) != DUFM_OK)
    return cli_fail("--init: %s", err.msg), -1;
  if (cli_size_agrees(c->L, "L", j->start.L, "the --init folder") ||
      cli_size_agrees(c->K, "K", j->start.K, "the --init folder") ||
      cli_size_agrees(c->n, "n", n, "the --init folder"))
    return -1;
  char Ls[16], Ks[16], ns[16];
  snprintf(Ls, sizeof Ls, "%d", j->start.L);
  snprintf(Ks, sizeof Ks, "%d", j->start.K);
  snprintf(ns, sizeof ns, "%d", n);
  c->L = Ls;
  c->K = Ks;
  c->n = ns;
  j->init_kind = "folder";
  j->init_name = strdup(dir);
  return j->init_name == NULL || cli_params(&j->p, c) != 0 ? -1 : 0;
}

static int init_structure(optimize_job *j, cli_common *c, const char *spec) {
  dufm_err err;
  dufm_structure *s = NULL;
  int rc = -1;
  if (dufm_structure_parse(&s, spec, &err) != DUFM_OK ||
      dufm_structure_optimize(s, &err) != DUFM_OK) {
    dufm_structure_free(s);
    s = NULL;
    return cli_fail("--init: '%s' is neither an existing folder nor a structure spec: %s", spec,
                    err.msg),
           -1;
  }
  int K = dufm_structure_K(s);
  long given;
  char Ks[24];
  static char Ls[24];
  if (cli_structure_L(c, s, spec, Ls, sizeof Ls) != 0)
    goto cleanup;
  if (K > 0 && c->K != NULL) {
    if (cli_int(&given, c->K, "K", 2, DUFM_MAX_K) != 0)
      goto cleanup;
    if (given != K) {
      cli_fail("--K: %ld, but --init %s has K = %d classes", given, spec, K);
      goto cleanup;
    }
  }
  if (K > 0) {
    snprintf(Ks, sizeof Ks, "%d", K);
    c->K = Ks;
  }
  if (cli_params(&j->p, c) != 0)
    goto cleanup;
  if (dufm_sets_materialize(&j->start, s, &j->p, DUFM_FORM_SAMPLES, &err) != DUFM_OK) {
    cli_fail("--init: %s cannot be built here: %s", spec, err.msg);
    goto cleanup;
  }
  j->init_kind = "structure";
  j->init_name = strdup(dufm_structure_name(s));
  rc = j->init_name == NULL ? -1 : 0;
cleanup:
  dufm_structure_free(s);
  return rc;
}

int opt_init(optimize_job *j, cli_common *c, const char *init) {
  struct stat sb;
  j->init_kind = "gaussian";
  if (init == NULL)
    return cli_params(&j->p, c);
  if (*init == '\0')
    return cli_fail("--init: needs a structure spec or a configuration folder"), -1;
  if (stat(init, &sb) == 0) {
    if (!S_ISDIR(sb.st_mode))
      return cli_fail("--init: '%s' exists but is not a folder", init), -1;
    return init_folder(j, c, init);
  }
  return init_structure(j, c, init);
}
