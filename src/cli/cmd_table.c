/* dufm table: a grid of comparisons, one row per (L, K, lambda), as a table,
 * CSV, Markdown or JSON. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "args.h"
#include "commands.h"
#include "compare_atlas.h"
#include "dufm/compare.h"
#include "guard.h"
#include "report.h"

typedef enum { FMT_TABLE, FMT_CSV, FMT_MD, FMT_JSON } table_format;

static const char *columns[] = {"L",          "K",           "r",          "n",
                                "lambda",     "dnc_loss",    "dnc_regime", "srg_loss",
                                "srg_ratio",  "srg_vs_dnc",  "best",       "best_loss",
                                "best_ratio", "lower_bound", "verdict",    "evidence"};
#define N_COLUMNS (int)(sizeof columns / sizeof columns[0])

typedef struct {
  table_format fmt;
  json_writer w;
  int rows;
} table_out;

static void header(table_out *t) {
  if (t->fmt == FMT_JSON) {
    json_init(&t->w, stdout);
    json_begin_object(&t->w);
    json_key(&t->w, "columns");
    json_begin_array(&t->w);
    for (int i = 0; i < N_COLUMNS; i++)
      json_string(&t->w, columns[i]);
    json_end_array(&t->w);
    json_key(&t->w, "rows");
    json_begin_array(&t->w);
    return;
  }
  const char *sep = t->fmt == FMT_CSV ? "," : t->fmt == FMT_MD ? " | " : " ";
  if (t->fmt == FMT_MD)
    printf("| ");
  for (int i = 0; i < N_COLUMNS; i++)
    printf(t->fmt == FMT_TABLE ? "%-12s%s" : "%s%s", columns[i], i + 1 < N_COLUMNS ? sep : "");
  printf(t->fmt == FMT_MD ? " |\n" : "\n");
  if (t->fmt == FMT_MD) {
    printf("|");
    for (int i = 0; i < N_COLUMNS; i++)
      printf("---|");
    printf("\n");
  }
}

/* r with r (r - 1) / 2 = K, or 0. */
static int complete_r(int K) {
  int r = 2;
  while ((long)r * (r - 1) / 2 < K)
    r++;
  return (long)r * (r - 1) / 2 == K ? r : 0;
}

/* Values of one row as strings (17 significant digits: a double read back from
 * any format is the one computed). */
static void row(table_out *t, const dufm_params *p, int r, const char *lambda,
                const dufm_sweep_point *pt) {
  int srg = pt->has_paper;
  char v[N_COLUMNS][96];
  if (r == 0) /* --K given: r wherever K = r(r-1)/2 */
    r = complete_r(p->K);
  snprintf(v[0], 96, "%d", p->L);
  snprintf(v[1], 96, "%d", p->K);
  snprintf(v[2], 96, r > 0 ? "%d" : "", r);
  snprintf(v[3], 96, "%d", p->n);
  v[4][0] = '\0';
  snprintf(v[5], 96, "%.17g", pt->dnc_loss);
  snprintf(v[6], 96, "%s", report_regime_name(pt->dnc_regime));
  snprintf(v[7], 96, srg ? "%.17g" : "", pt->srg_loss);
  snprintf(v[8], 96, srg ? "%.17g" : "", pt->srg_ratio);
  snprintf(v[9], 96, "%s", srg ? dufm_cmp_name(pt->srg_vs_dnc) : "");
  v[10][0] = '\0';
  snprintf(v[11], 96, "%.17g", pt->best_loss);
  snprintf(v[12], 96, "%.17g", pt->best_ratio);
  snprintf(v[13], 96, "%.17g", pt->lower_bound);
  snprintf(v[14], 96, "%s", dufm_verdict_name(pt->verdict));
  snprintf(v[15], 96, "%s", dufm_evidence_name(pt->evidence));
  /* Names and the lambda text as given, never cut to the buffer. */
  const char *cell[N_COLUMNS];
  for (int i = 0; i < N_COLUMNS; i++)
    cell[i] = v[i];
  cell[4] = lambda;
  cell[10] = pt->best;
  if (t->fmt == FMT_JSON) {
    json_begin_object(&t->w);
    for (int i = 0; i < N_COLUMNS; i++) {
      json_key(&t->w, columns[i]);
      char *end;
      double x = strtod(cell[i], &end);
      if (cell[i][0] == '\0')
        json_null(&t->w);
      else if (*end == '\0' && i != 4)
        json_double(&t->w, x);
      else
        json_string(&t->w, cell[i]);
    }
    json_end_object(&t->w);
  } else {
    const char *sep = t->fmt == FMT_CSV ? "," : t->fmt == FMT_MD ? " | " : " ";
    if (t->fmt == FMT_MD)
      printf("| ");
    for (int i = 0; i < N_COLUMNS; i++) {
      if (t->fmt == FMT_CSV)
        out_csv_field(stdout, cell[i]);
      else
        printf(t->fmt == FMT_TABLE ? "%-12s" : "%s", cell[i]);
      fputs(i + 1 < N_COLUMNS ? sep : "", stdout);
    }
    printf(t->fmt == FMT_MD ? " |\n" : "\n");
  }
  t->rows++;
}

int cmd_table(int argc, char **argv, int first) {
  cli_common c = {0};
  const char *r_text = NULL, *format = NULL, *max_r = NULL, *no_blocks = NULL;
  const char *atlas = NULL, *no_atlas = NULL, *root = NULL;
  cli_opt opts[] = {CLI_COMMON_OPTS(c),
                    {"atlas", OPT_VALUE, &atlas},
                    {"no-atlas", OPT_SWITCH, &no_atlas},
                    {"r", OPT_VALUE, &r_text},
                    {"format", OPT_VALUE, &format},
                    {"max-r", OPT_VALUE, &max_r},
                    {"no-blocks", OPT_SWITCH, &no_blocks},
                    {NULL, OPT_SWITCH, NULL}};
  if (cli_parse(argc, argv, first, "table", opts, NULL, 0) < 0)
    return CLI_EXIT_USAGE;
  table_out t = {.fmt = c.json ? FMT_JSON : FMT_TABLE};
  if (format != NULL) {
    if (c.json)
      return cli_fail("--format: give either --format or --json");
    if (strcmp(format, "table") == 0)
      t.fmt = FMT_TABLE;
    else if (strcmp(format, "csv") == 0)
      t.fmt = FMT_CSV;
    else if (strcmp(format, "md") == 0)
      t.fmt = FMT_MD;
    else if (strcmp(format, "json") == 0)
      t.fmt = FMT_JSON;
    else
      return cli_fail("--format: '%s' must be table, csv, md or json", format);
  }
  if (compare_atlas_root(&root, atlas, no_atlas) != 0)
    return CLI_EXIT_USAGE;
  if (r_text != NULL && c.K != NULL)
    return cli_fail("--r: give either --r (K = r(r-1)/2) or --K, not both");
  dufm_compare_opts o;
  dufm_compare_opts_default(&o);
  o.blocks = no_blocks == NULL;
  long mr;
  if (max_r != NULL) {
    if (cli_int(&mr, max_r, "max-r", 3, 100000) != 0)
      return CLI_EXIT_USAGE;
    o.max_r = (int)mr;
  }
  long *Ls = NULL, *Ks = NULL;
  int nL = 0, nK = 0, rc = CLI_EXIT_USAGE;
  char **lambdas = NULL;
  int nlam = 0;
  if (cli_int_list(&Ls, &nL, c.L ? c.L : "4", "L", 1, DUFM_MAX_L) != 0)
    goto cleanup;
  if (r_text != NULL ? cli_int_list(&Ks, &nK, r_text, "r", 3, 4472)
                     : cli_int_list(&Ks, &nK, c.K ? c.K : "10", "K", 2, DUFM_MAX_K))
    goto cleanup;
  /* --lambda may list several values: one row each. */
  char *lam_copy = strdup(c.lambda ? c.lambda : "0.004");
  if (lam_copy == NULL)
    goto cleanup;
  for (char *rest = lam_copy, *it; (it = strsep(&rest, ",")) != NULL;) {
    char **nl = realloc(lambdas, (size_t)(nlam + 1) * sizeof *nl);
    if (nl == NULL)
      break;
    lambdas = nl;
    lambdas[nlam++] = it;
  }
  /* Validate every lambda before the first row is printed. */
  for (int q = 0; q < nlam; q++) {
    cli_common check = c;
    char Lbuf[24];
    snprintf(Lbuf, sizeof Lbuf, "%ld", Ls[0]);
    check.L = Lbuf;
    check.K = "2";
    check.lambda = lambdas[q];
    dufm_params p;
    if (cli_params(&p, &check) != 0) {
      free(lam_copy);
      goto cleanup;
    }
    dufm_params_clear(&p);
  }
  long total = (long)nL * nK * (nlam > 0 ? nlam : 1);
  header(&t);
  rc = CLI_EXIT_OK;
  time_t last = time(NULL);
  for (int a = 0; a < nL && rc == CLI_EXIT_OK; a++)
    for (int b = 0; b < nK && rc == CLI_EXIT_OK; b++)
      for (int q = 0; q < nlam && rc == CLI_EXIT_OK; q++) {
        char Lbuf[24], Kbuf[24];
        int r = r_text ? (int)Ks[b] : 0;
        long K = r_text ? Ks[b] * (Ks[b] - 1) / 2 : Ks[b];
        snprintf(Lbuf, sizeof Lbuf, "%ld", Ls[a]);
        snprintf(Kbuf, sizeof Kbuf, "%ld", K);
        cli_common rowc = c;
        rowc.L = Lbuf;
        rowc.K = Kbuf;
        rowc.lambda = lambdas[q];
        dufm_params p;
        if (cli_params(&p, &rowc) != 0) {
          rc = CLI_EXIT_USAGE;
          break;
        }
        dufm_sweep_point pt = {0};
        dufm_comparison cmp;
        dufm_err err;
        int found;
        if (dufm_compare(&cmp, &p, &o, &err) != DUFM_OK)
          rc = cli_fail_err(&err, "table");
        else if (compare_atlas_add(&cmp, root, &p, &found) != 0)
          rc = CLI_EXIT_USAGE;
        else if (dufm_sweep_point_from(&pt, &cmp, &p, &err) != DUFM_OK)
          rc = cli_fail_err(&err, "table");
        else
          row(&t, &p, r, lambdas[q], &pt);
        if (rc == CLI_EXIT_OK && cli_stdout_failed())
          rc = CLI_EXIT_CHECK_FAILED; /* the exit check names the error */
        dufm_sweep_point_clear(&pt);
        dufm_comparison_clear(&cmp);
        dufm_params_clear(&p);
        /* Progress on stderr only for runs long enough to wonder about. */
        time_t now = time(NULL);
        if (now - last >= 5) {
          fprintf(stderr, "dufm table: %d of %ld rows\n", t.rows, total);
          last = now;
        }
      }
  if (t.fmt == FMT_JSON) {
    json_end_array(&t.w);
    json_end_object(&t.w);
    json_finish(&t.w);
  }
  free(lam_copy);
cleanup:
  free(lambdas);
  free(Ls);
  free(Ks);
  return rc;
}
