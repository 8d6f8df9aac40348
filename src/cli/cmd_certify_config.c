/* dufm certify --config DIR: a certificate for a configuration folder whose
 * loss is below DNC (dufm_cert_from_config); the checker decides. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "certify.h"
#include "config_out.h"
#include "dufm/npy.h"
#include "dufm/rational.h"
#include "meta_args.h"
#include "report.h"

/* The folder's own name (trailing slashes dropped) for the structure line. */
static void folder_name(char *buf, size_t size, const char *dir) {
  size_t n = strlen(dir);
  while (n > 1 && dir[n - 1] == '/')
    n--;
  size_t start = n;
  while (start > 0 && dir[start - 1] != '/')
    start--;
  size_t len = n - start < size - 1 ? n - start : size - 1;
  memcpy(buf, dir + start, len);
  buf[len] = '\0';
}

static void print_json(const char *dir, const char *out, const dufm_cert *cert,
                       const dufm_cert_report *rep, const dufm_cert_round_info *info,
                       const dufm_cert_round_opts *o) {
  json_writer w;
  json_init(&w, stdout);
  json_begin_object(&w);
  json_kv_string(&w, "out", out);
  json_kv_string(&w, "config", dir);
  certify_summary_json(&w, cert, rep);
  json_kv_double(&w, "float_loss", info->float_loss);
  json_kv_double(&w, "rounding_drift", info->drift);
  json_kv_int(&w, "rounding_bits", info->bits);
  json_kv_double(&w, "collapse_spread", info->spread);
  json_kv_double(&w, "collapse_tol", o->collapse_tol);
  json_end_object(&w);
  json_finish(&w);
}

int certify_config(const cli_common *c, const char *dir, const char *out,
                   const char *collapse_tol) {
  dufm_cert_round_opts o;
  dufm_cert_round_opts_default(&o);
  if (collapse_tol != NULL &&
      cli_double(&o.collapse_tol, collapse_tol, "collapse-tol", 0, 0, 1, "in [0, 1)") != 0)
    return CLI_EXIT_USAGE;
  dufm_config cfg;
  int n = 0;
  dufm_err err;
  if (dufm_config_load(&cfg, &n, dir, &err) != DUFM_OK)
    return cli_fail("--config: %s", err.msg);
  dufm_params p = {0};
  dufm_cert cert = {0};
  dufm_cert_report rep = {0};
  dufm_cert_round_info info;
  char name[256];
  cert_out file = {0};
  dufm_form form;
  int rc = cli_folder_meta_params(&p, &form, NULL, c, dir, &cfg, n);
  if (rc != 0)
    goto cleanup;
  rc = CLI_EXIT_USAGE;
  if (form == DUFM_FORM_CLASS_MEANS) {
    cli_fail("--config: %s holds class means (form \"means\" in meta.json); certify --config "
             "reads per-sample folders (export --form samples)",
             dir);
    goto cleanup;
  }
  if (cert_out_open(&file, out, "out") != 0)
    goto cleanup;
  folder_name(name, sizeof name, dir);
  dufm_status st = dufm_cert_from_config(&cert, &info, &cfg, &p, name, &o, &err);
  if (st == DUFM_ENOTAPPLICABLE) {
    fprintf(stderr, "dufm: certify: %s does not beat DNC here: %s; no certificate written\n", dir,
            err.msg);
    rc = CLI_EXIT_CHECK_FAILED;
    goto cleanup;
  }
  if (st == DUFM_EINVAL) {
    rc = cli_fail("--config: %s: %s", dir, err.msg);
    goto cleanup;
  }
  /* The library found it valid; the report gives the recomputed numbers. */
  if (st != DUFM_OK || (st = dufm_cert_check(&rep, &cert, &err)) != DUFM_OK) {
    rc = cli_fail_err(&err, "certify");
    goto cleanup;
  }
  if (cert_out_commit(&file, &cert) != 0)
    goto cleanup;
  rc = CLI_EXIT_OK;
  if (c->json)
    print_json(dir, out, &cert, &rep, &info, &o);
  else
    printf("wrote %s: %s beats DNC at L = %d, K = %d, n = %d: loss %.17g < DNC lower bound "
           "%.17g\n  (float loss %.17g, rounding drift %.3g, %s%d bits)\n",
           out, cert.structure, p.L, p.K, p.n, dufm_q_get_d(rep.loss), dufm_q_get_d(rep.bound),
           info.float_loss, info.drift, info.bits ? "grid " : "the doubles, ",
           info.bits ? info.bits : 53);
cleanup:
  cert_out_abort(&file);
  dufm_cert_report_clear(&rep);
  dufm_cert_clear(&cert);
  dufm_params_clear(&p);
  dufm_config_clear(&cfg);
  return rc;
}
