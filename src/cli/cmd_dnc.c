/* dufm dnc: the DNC closed form with its rigorous enclosure. */
#include <math.h>
#include <stdio.h>

#include "args.h"
#include "commands.h"
#include "dufm/dnc.h"
#include "dufm/gl.h"
#include "report.h"

static void print_json(const dufm_params *p, const dufm_gl *g, const mpq_t qpow,
                       const mpq_t q0pow) {
  json_writer w;
  json_init(&w, stdout);
  json_begin_object(&w);
  json_kv_string(&w, "structure", "dnc");
  report_params_json(&w, p);
  json_kv_double(&w, "loss", g->value);
  json_kv_double(&w, "loss_lower", g->lower);
  json_kv_double(&w, "loss_upper", g->upper);
  json_kv_double(&w, "enclosure_width", g->upper - g->lower);
  json_kv_double(&w, "t", g->t);
  json_kv_double(&w, "Q", g->Q);
  json_kv_double(&w, "log_Q", g->log_Q);
  json_kv_rational(&w, "Q_pow_exact", qpow);
  json_kv_rational(&w, "Q0_pow_exact", q0pow);
  json_kv_string(&w, "regime", report_regime_name(g->regime));
  json_end_object(&w);
  json_finish(&w);
}

static void print_text(const dufm_params *p, const dufm_gl *g) {
  printf("DNC closed form F = g_L(K c_1) (theory section 3)\n  ");
  report_params_text(stdout, p);
  printf("  %-9s %.17g\n", "Q", g->Q);
  printf("  %-9s %s\n", "regime", report_regime_name(g->regime));
  printf("  %-9s %.17g\n", "t", g->t);
  printf("  %-9s %.17g\n", "loss", g->value);
  printf("  %-9s [%.17g, %.17g] (width %.3g)\n", "enclosure", g->lower, g->upper,
         g->upper - g->lower);
}

int cmd_dnc(int argc, char **argv, int first) {
  cli_common c = {0};
  cli_opt opts[] = {CLI_COMMON_OPTS(c), {NULL, OPT_SWITCH, NULL}};
  if (cli_parse(argc, argv, first, "dnc", opts, NULL, 0) < 0)
    return CLI_EXIT_USAGE;
  dufm_params p;
  if (cli_params(&p, &c) != 0)
    return CLI_EXIT_USAGE;
  dufm_gl g;
  dufm_err err;
  int rc = CLI_EXIT_OK;
  mpq_t qpow, q0pow;
  mpq_inits(qpow, q0pow, NULL);
  dufm_dnc_qpow(qpow, &p);
  dufm_gl_threshold_qpow(q0pow, p.L);
  if (dufm_dnc_eval(&g, &p, &err) != DUFM_OK) {
    rc = cli_fail_err(&err, "dnc");
  } else if (c.json) {
    print_json(&p, &g, qpow, q0pow);
  } else {
    print_text(&p, &g);
  }
  mpq_clears(qpow, q0pow, NULL);
  dufm_params_clear(&p);
  return rc;
}
