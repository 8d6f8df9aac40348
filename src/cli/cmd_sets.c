/* sets:/pattern: structures in dufm structure and dufm certify (the logic is
 * in src/sets, dufm/sets.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "certify.h"
#include "dufm/pattern.h"
#include "dufm/rational.h"
#include "dufm/sets.h"
#include "polish_report.h"
#include "report.h"
#include "report_pattern.h"
#include "sets_cli.h"

/* Canonical order of dufm/pattern.h: by size, then by the increasing class lists. */
static int row_before(const unsigned char *a, const unsigned char *b, int K) {
  int sa = 0, sb = 0;
  for (int i = 0; i < K; i++)
    sa += a[i], sb += b[i];
  if (sa != sb)
    return sa < sb;
  for (int i = 0; i < K; i++)
    if (a[i] != b[i])
      return a[i];
  return 0;
}

/* One layer of a layout as the layer text of dufm/pattern.h. */
static void layer_text(char *buf, size_t size, const unsigned char *act, int rows, int K) {
  int *order = malloc((size_t)rows * sizeof *order);
  size_t used = 0;
  buf[0] = '\0';
  if (order == NULL)
    return;
  for (int i = 0; i < rows; i++) {
    int j = i;
    while (j > 0 && row_before(act + (size_t)i * K, act + (size_t)order[j - 1] * K, K)) {
      order[j] = order[j - 1];
      j--;
    }
    order[j] = i;
  }
  for (int i = 0; i < rows && used < size;) {
    const unsigned char *r = act + (size_t)order[i] * K;
    int m = 1;
    while (i + m < rows && memcmp(act + (size_t)order[i + m] * K, r, (size_t)K) == 0)
      m++;
    if (m > 1)
      used += (size_t)snprintf(buf + used, size - used, "%s%dx{", i ? " " : "", m);
    else
      used += (size_t)snprintf(buf + used, size - used, "%s{", i ? " " : "");
    int first = 1;
    for (int c = 0; c < K && used < size; c++)
      if (r[c]) {
        used += (size_t)snprintf(buf + used, size - used, "%s%d", first ? "" : ",", c);
        first = 0;
      }
    if (used < size)
      used += (size_t)snprintf(buf + used, size - used, "}");
    i += m;
  }
  free(order);
}

static void print_text(const dufm_params *p, const dufm_candidate *c, const dufm_sets_solution *x,
                       const dufm_pattern *pt) {
  const dufm_structure_eval *e = &c->eval;
  char buf[8192];
  printf("Structure %s (polished configuration: no closed form)\n  ",
         dufm_structure_name(c->structure));
  report_params_text(stdout, p);
  printf("  %-13s %.17g (dufm_eval of the polished configuration)\n", "loss", e->loss);
  printf("  %-13s %.17g (%s DNC%s)\n", "ratio to DNC", c->ratio_to_dnc, dufm_cmp_name(c->vs_dnc),
         e->sets.certified ? ", certified"
                           : (c->vs_dnc == DUFM_CMP_UNDECIDED ? ", no certificate" : ""));
  printf("  %-13s start %.17g, pattern polish %.17g, polish %.17g\n", "losses", x->start_loss,
         x->pattern_loss, x->loss.loss);
  printf("  %-13s %s\n", "pattern kept", x->pattern_kept ? "yes" : "no (the polish left it)");
  report_ranks_text(buf, sizeof buf, e);
  printf("  %-13s %s (H_1..H_L | P_2..P_L), output %d\n", "ranks", buf, e->rank_out);
  printf("  requested pattern\n");
  for (int l = 2; l <= p->L; l++) {
    layer_text(buf, sizeof buf, x->layout.act[l - 1], x->layout.d[l - 1], p->K);
    printf("    layer %d: %s\n", l, buf);
  }
  report_pattern_text(stdout, "pattern of the polished configuration", pt);
  printf("  optimality conditions of the final polish\n");
  polish_report_text(stdout, &x->report);
}

static void print_json(const dufm_params *p, const dufm_candidate *c, const dufm_sets_solution *x,
                       const dufm_pattern *pt, double dnc_loss) {
  char buf[8192];
  json_writer w;
  json_init(&w, stdout);
  json_begin_object(&w);
  report_params_json(&w, p);
  report_candidate_json(&w, c);
  json_kv_double(&w, "dnc_loss", dnc_loss);
  json_key(&w, "Q_pow_exact");
  json_null(&w);
  json_key(&w, "t");
  json_null(&w);
  json_kv_double(&w, "start_loss", x->start_loss);
  json_kv_double(&w, "pattern_polish_loss", x->pattern_loss);
  json_key(&w, "requested_pattern");
  json_begin_array(&w);
  for (int l = 2; l <= p->L; l++) {
    layer_text(buf, sizeof buf, x->layout.act[l - 1], x->layout.d[l - 1], p->K);
    json_begin_object(&w);
    json_kv_int(&w, "layer", l);
    json_kv_int(&w, "rows", x->layout.d[l - 1]);
    json_kv_string(&w, "text", buf);
    json_end_object(&w);
  }
  json_end_array(&w);
  json_key(&w, "pattern");
  report_pattern_json(&w, pt);
  json_key(&w, "polish");
  json_begin_object(&w);
  polish_report_json(&w, &x->report, &x->config, 0);
  json_end_object(&w);
  json_end_object(&w);
  json_finish(&w);
}

/* Solution, DNC and the candidate of s at p. */
static int solve(dufm_sets_solution *x, dufm_candidate *cand, dufm_structure_eval *dnc_eval,
                 const dufm_params *p, dufm_structure *s, const char *spec) {
  dufm_err err;
  dufm_structure *dnc = NULL;
  dufm_status st = dufm_sets_solve(x, s, p, NULL, &err);
  if (st == DUFM_EINVAL || st == DUFM_ENOTAPPLICABLE)
    return cli_fail_structure(spec, &err);
  if (st == DUFM_OK)
    st = dufm_structure_dnc(&dnc, 0, &err);
  if (st == DUFM_OK)
    st = dufm_structure_evaluate(dnc_eval, dnc, p, &err);
  if (st == DUFM_OK)
    st = dufm_sets_candidate(cand, s, DUFM_ORIGIN_USER, x, p, dnc_eval, &err);
  dufm_structure_free(dnc);
  return st == DUFM_OK ? CLI_EXIT_OK : cli_fail_err(&err, "--structure");
}

int structure_sets(const dufm_params *p, dufm_structure *s, const char *spec, int json) {
  dufm_sets_solution x = {0};
  dufm_candidate cand = {0};
  dufm_structure_eval dnc_eval = {0};
  dufm_pattern pt = {0};
  dufm_err err;
  int rc = solve(&x, &cand, &dnc_eval, p, s, spec);
  if (rc == CLI_EXIT_OK && dufm_pattern_extract(&pt, &x.config, p, NULL, &err) != DUFM_OK)
    rc = cli_fail_err(&err, "--structure");
  if (rc == CLI_EXIT_OK && json)
    print_json(p, &cand, &x, &pt, dnc_eval.loss);
  else if (rc == CLI_EXIT_OK)
    print_text(p, &cand, &x, &pt);
  dufm_pattern_clear(&pt);
  dufm_structure_eval_clear(&cand.eval);
  dufm_structure_eval_clear(&dnc_eval);
  dufm_sets_solution_clear(&x);
  dufm_structure_free(s);
  return rc;
}

int certify_sets(const dufm_params *p, dufm_structure *s, const char *spec, const char *out,
                 int json) {
  dufm_sets_solution x = {0};
  dufm_cert cert = {0};
  dufm_cert_report rep = {0};
  dufm_cert_round_info info;
  dufm_err err;
  int rc = CLI_EXIT_OK;
  dufm_status st = dufm_sets_solve(&x, s, p, NULL, &err);
  if (st == DUFM_EINVAL || st == DUFM_ENOTAPPLICABLE) {
    rc = cli_fail_structure(spec, &err);
    goto cleanup;
  }
  if (st == DUFM_OK)
    st = dufm_cert_from_config(&cert, &info, &x.config, p, dufm_structure_name(s), NULL, &err);
  if (st == DUFM_ENOTAPPLICABLE) {
    fprintf(stderr,
            "dufm: certify: %s does not beat DNC here (polished loss %.17g): %s; no certificate "
            "written\n",
            dufm_structure_name(s), x.loss.loss, err.msg);
    rc = CLI_EXIT_CHECK_FAILED;
    goto cleanup;
  }
  if (st != DUFM_OK || (st = dufm_cert_check(&rep, &cert, &err)) != DUFM_OK) {
    rc = cli_fail_err(&err, "certify");
    goto cleanup;
  }
  if (dufm_cert_save(out, &cert, &err) != DUFM_OK) {
    rc = cli_fail("--out: %s", err.msg);
    goto cleanup;
  }
  if (json) {
    json_writer w;
    json_init(&w, stdout);
    json_begin_object(&w);
    json_kv_string(&w, "out", out);
    certify_summary_json(&w, &cert, &rep);
    json_kv_double(&w, "float_loss", info.float_loss);
    json_kv_double(&w, "rounding_drift", info.drift);
    json_kv_int(&w, "rounding_bits", info.bits);
    json_kv_bool(&w, "pattern_kept", x.pattern_kept);
    json_end_object(&w);
    json_finish(&w);
  } else {
    printf("wrote %s: %s beats DNC at L = %d, K = %d: loss %.17g < DNC lower bound %.17g\n", out,
           cert.structure, p->L, p->K, dufm_q_get_d(rep.loss), dufm_q_get_d(rep.bound));
  }
cleanup:
  dufm_cert_report_clear(&rep);
  dufm_cert_clear(&cert);
  dufm_sets_solution_clear(&x);
  dufm_structure_free(s);
  return rc;
}
