/* dufm certify --structure SPEC --out FILE: a certificate that SPEC beats DNC;
 * dufm check-cert FILE: verify one from the file alone (exit 0 valid, 1
 * invalid, 2 malformed). Format: proofs/certificates/FORMAT.md. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "args.h"
#include "certify.h"
#include "commands.h"
#include "dufm/atomic.h"
#include "dufm/certificate.h"
#include "dufm/rational.h"
#include "report.h"
#include "sets_cli.h"

/* Parameters whose K is the structure's (a given --K must agree). */
static int load(dufm_structure **s, dufm_params *p, cli_common *c, const char *spec) {
  dufm_err err;
  if (dufm_structure_parse(s, spec, &err) != DUFM_OK ||
      dufm_structure_optimize(*s, &err) != DUFM_OK) {
    dufm_structure_free(*s);
    *s = NULL;
    return cli_fail("--structure: '%s': %s", spec, err.msg), -1;
  }
  int K = dufm_structure_K(*s);
  char Ks[24];
  static char Ls[24];
  long given;
  if (cli_structure_L(c, *s, spec, Ls, sizeof Ls) != 0)
    goto fail;
  if (K > 0) {
    if (c->K != NULL && cli_int(&given, c->K, "K", 2, DUFM_MAX_K) != 0)
      goto fail;
    if (c->K != NULL && given != K) {
      cli_fail("--K: %ld, but --structure %s has K = %d classes", given, spec, K);
      goto fail;
    }
    if (K < 2) {
      cli_fail("--structure: '%s' has K = %d; a problem needs K >= 2", spec, K);
      goto fail;
    }
    snprintf(Ks, sizeof Ks, "%d", K);
    c->K = Ks;
  }
  if (cli_params(p, c) == 0)
    return 0;
fail:
  dufm_structure_free(*s);
  *s = NULL;
  return -1;
}

void certify_summary_json(json_writer *w, const dufm_cert *c, const dufm_cert_report *r) {
  json_kv_string(w, "structure", c->structure);
  report_params_json(w, &c->p);
  json_kv_double(w, "loss", dufm_q_get_d(r->loss));
  json_kv_rational(w, "loss_exact", r->loss);
  json_kv_double(w, "dnc_bound", dufm_q_get_d(r->bound));
  json_kv_rational(w, "dnc_bound_exact", r->bound);
  json_kv_rational(w, "dnc_s_lo", c->s_lo);
  json_kv_string(w, "dnc_regime", c->zero_regime ? "zero" : "nonzero");
}

int cmd_certify(int argc, char **argv, int first) {
  cli_common c = {0};
  const char *spec = NULL, *out = NULL, *config = NULL, *collapse_tol = NULL;
  cli_opt opts[] = {CLI_COMMON_OPTS(c),
                    {"structure", OPT_VALUE, &spec},
                    {"config", OPT_VALUE, &config},
                    {"collapse-tol", OPT_VALUE, &collapse_tol},
                    {"out", OPT_VALUE, &out},
                    {NULL, OPT_SWITCH, NULL}};
  if (cli_parse(argc, argv, first, "certify", opts, NULL, 0) < 0)
    return CLI_EXIT_USAGE;
  if (spec != NULL && config != NULL)
    return cli_fail("--config: give either --structure or --config, not both");
  if (spec == NULL && config == NULL)
    return cli_fail("--structure: missing (e.g. --structure srg:5, or --config DIR)");
  if (collapse_tol != NULL && config == NULL)
    return cli_fail("--collapse-tol: applies to --config only");
  if (out == NULL || *out == '\0')
    return cli_fail("--out: missing (the certificate file to write)");
  if (config != NULL)
    return certify_config(&c, config, out, collapse_tol);
  dufm_structure *s = NULL;
  dufm_params p;
  if (load(&s, &p, &c, spec) != 0)
    return CLI_EXIT_USAGE;
  if (dufm_structure_kind_of(s) == DUFM_STRUCTURE_SETS) {
    int src = certify_sets(&p, s, spec, out, c.json != NULL); /* takes s */
    dufm_params_clear(&p);
    return src;
  }
  dufm_cert cert = {0};
  dufm_cert_report rep = {0};
  dufm_err err;
  int rc = CLI_EXIT_OK;
  /* The file first: a refused target fails before the computation. */
  dufm_atomic_file file;
  if (dufm_atomic_file_open(&file, out, &err) != DUFM_OK) {
    rc = cli_fail("--out: %s", err.msg);
    goto cleanup;
  }
  dufm_status st = dufm_cert_make(&cert, s, &p, &err);
  if (st == DUFM_ENOTAPPLICABLE)
    rc = cli_fail("--structure: %s is not applicable: %s", spec, err.msg);
  else if (st != DUFM_OK || (st = dufm_cert_check(&rep, &cert, &err)) != DUFM_OK)
    rc = cli_fail_err(&err, "certify");
  if (st != DUFM_OK)
    goto cleanup;
  if (rep.result == DUFM_CERT_CLAIM_FALSE) {
    fprintf(stderr,
            "dufm: certify: %s does not beat DNC here: loss %.17g >= DNC lower bound %.17g; "
            "no certificate written\n",
            cert.structure, dufm_q_get_d(rep.loss), dufm_q_get_d(rep.bound));
    rc = CLI_EXIT_CHECK_FAILED;
  } else if (rep.result != DUFM_CERT_VALID) {
    fprintf(stderr, "dufm: certify: internal error: check '%s' failed: %s\n",
            dufm_cert_result_name(rep.result), rep.detail);
    rc = CLI_EXIT_CHECK_FAILED;
  } else if (dufm_cert_write(file.f, &cert, &err) != DUFM_OK) {
    rc = cli_fail("--out: %s: %s", out, err.msg);
  } else if (dufm_atomic_file_commit(&file, &err) != DUFM_OK) {
    rc = cli_fail("--out: %s", err.msg);
  } else if (c.json) {
    json_writer w;
    json_init(&w, stdout);
    json_begin_object(&w);
    json_kv_string(&w, "out", out);
    certify_summary_json(&w, &cert, &rep);
    json_end_object(&w);
    json_finish(&w);
  } else {
    printf("wrote %s: %s beats DNC at L = %d, K = %d: loss %.17g < DNC lower bound %.17g\n", out,
           cert.structure, p.L, p.K, dufm_q_get_d(rep.loss), dufm_q_get_d(rep.bound));
  }
cleanup:
  dufm_atomic_file_abort(&file); /* a no-op after the commit */
  dufm_cert_report_clear(&rep);
  dufm_cert_clear(&cert);
  dufm_structure_free(s);
  dufm_params_clear(&p);
  return rc;
}

int cmd_check_cert(int argc, char **argv, int first) {
  const char *json = NULL, *file = NULL;
  cli_opt opts[] = {{"json", OPT_SWITCH, &json}, {NULL, OPT_SWITCH, NULL}};
  int npos = cli_parse(argc, argv, first, "check-cert", opts, &file, 1);
  if (npos < 0)
    return CLI_EXIT_USAGE;
  if (npos == 0)
    return cli_fail("check-cert: missing the certificate FILE");
  dufm_cert cert;
  dufm_cert_report rep = {0};
  dufm_err err;
  int rc = CLI_EXIT_OK;
  if (dufm_cert_load(&cert, file, &err) != DUFM_OK)
    return cli_fail_err(&err, "check-cert");
  if (dufm_cert_check(&rep, &cert, &err) != DUFM_OK) {
    rc = cli_fail_err(&err, "check-cert");
    goto cleanup;
  }
  int valid = rep.result == DUFM_CERT_VALID;
  rc = valid ? CLI_EXIT_OK : CLI_EXIT_CHECK_FAILED;
  if (json) {
    json_writer w;
    json_init(&w, stdout);
    json_begin_object(&w);
    json_kv_string(&w, "file", file);
    json_kv_bool(&w, "valid", valid);
    json_kv_string(&w, "check", dufm_cert_result_name(rep.result));
    json_kv_string(&w, "detail", rep.detail);
    certify_summary_json(&w, &cert, &rep);
    json_end_object(&w);
    json_finish(&w);
  } else if (valid) {
    printf("valid: %s proves that DNC is not optimal at L = %d, K = %d, n = %d\n"
           "  (%s: loss %.17g < DNC lower bound %.17g)\n",
           file, cert.p.L, cert.p.K, cert.p.n, cert.structure, dufm_q_get_d(rep.loss),
           dufm_q_get_d(rep.bound));
  } else {
    printf("invalid: %s: check '%s' failed: %s\n", file, dufm_cert_result_name(rep.result),
           rep.detail);
  }
cleanup:
  dufm_cert_report_clear(&rep);
  dufm_cert_clear(&cert);
  return rc;
}
