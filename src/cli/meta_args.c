/* Flags against the parameters a file records (meta_args.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "meta_args.h"

static int lambda_differs(const mpq_t flag_value, const mpq_t file_value, const char *flag,
                          const char *file_name, const char *given, const char *where) {
  if (mpq_equal(flag_value, file_value))
    return 0;
  char *t = dufm_meta_lambda_text(file_value);
  char e[64], f[64];
  cli_fail("--%s: differs from %s = %s in %s: %s", flag, file_name,
           cli_echo(f, sizeof f, t != NULL ? t : "?", 40), where, cli_echo(e, sizeof e, given, 40));
  free(t);
  return -1;
}

int cli_meta_agree(const dufm_params *p, const cli_common *c, const char *where) {
  if (cli_size_agrees(c->L, "L", p->L, where) || cli_size_agrees(c->K, "K", p->K, where) ||
      cli_size_agrees(c->n, "n", p->n, where))
    return -1;
  if (c->lambda == NULL && c->lambda_h == NULL && c->lambda_w == NULL)
    return 0;
  /* The flags on their own, at the file's sizes. */
  cli_common sized = {.lambda = c->lambda, .lambda_h = c->lambda_h, .lambda_w = c->lambda_w};
  char Ls[16], Ks[16], ns[16];
  snprintf(Ls, sizeof Ls, "%d", p->L);
  snprintf(Ks, sizeof Ks, "%d", p->K);
  snprintf(ns, sizeof ns, "%d", p->n);
  sized.L = Ls, sized.K = Ks, sized.n = ns;
  dufm_params fp;
  if (cli_params(&fp, &sized) != 0)
    return -1;
  int rc = 0;
  char name[32];
  if (c->lambda_h != NULL || c->lambda != NULL)
    rc = lambda_differs(fp.lam_h, p->lam_h, c->lambda_h ? "lambda-h" : "lambda", "lambda_h",
                        c->lambda_h ? c->lambda_h : c->lambda, where);
  for (int l = 0; rc == 0 && l < p->L && (c->lambda_w != NULL || c->lambda != NULL); l++) {
    snprintf(name, sizeof name, "lambda_%d", l + 1);
    rc = lambda_differs(fp.lam_w[l], p->lam_w[l], c->lambda_w ? "lambda-w" : "lambda", name,
                        c->lambda_w ? c->lambda_w : c->lambda, where);
  }
  dufm_params_clear(&fp);
  return rc;
}

int cli_need_lambda(const cli_common *c, const char *where) {
  if (c->lambda != NULL || (c->lambda_h != NULL && c->lambda_w != NULL))
    return 0;
  cli_fail("--lambda: required: %s records no regularization (give --lambda X, or --lambda-h "
           "and --lambda-w)",
           where);
  return -1;
}

int cli_folder_meta_params(dufm_params *p, dufm_form *form, int *found, const cli_common *c,
                           const char *dir, const dufm_config *cfg, int n) {
  dufm_meta m;
  dufm_err err;
  int have = 0;
  char where[4200];
  snprintf(where, sizeof where, "%s/%s", dir, DUFM_META_FILE);
  *form = DUFM_FORM_SAMPLES;
  if (found != NULL)
    *found = 0;
  if (dufm_meta_load(&m, &have, dir, &err) != DUFM_OK)
    return cli_fail_err(&err, NULL);
  if (!have) {
    char none[4200];
    snprintf(none, sizeof none, "%s (no %s)", dir, DUFM_META_FILE);
    if (cli_folder_params(p, c, cfg->L, cfg->K, n) != 0)
      return CLI_EXIT_USAGE;
    if (cli_need_lambda(c, none) != 0) {
      dufm_params_clear(p);
      return CLI_EXIT_USAGE;
    }
    return 0;
  }
  int rc = 0;
  if (dufm_meta_check_config(&m, cfg, dir, &err) != DUFM_OK)
    rc = cli_fail_err(&err, NULL);
  else if (dufm_meta_params(p, &m, &err) != DUFM_OK)
    rc = cli_fail("%s: %s", where, err.msg);
  else if (cli_meta_agree(p, c, where) != 0) {
    dufm_params_clear(p);
    rc = CLI_EXIT_USAGE;
  }
  if (rc == 0) {
    *form = m.has_form ? m.form : DUFM_FORM_SAMPLES;
    if (found != NULL)
      *found = 1;
  }
  dufm_meta_clear(&m);
  return rc;
}
