/* dufm compare: every candidate structure against DNC, with an exact verdict;
 * dufm structure: one structure in closed form. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dufm/sets.h"
#include "args.h"
#include "commands.h"
#include "dufm/compare.h"
#include "dufm/dnc.h"
#include "report.h"

static void print_json(const dufm_params *p, const dufm_comparison *cmp) {
  json_writer w;
  json_init(&w, stdout);
  json_begin_object(&w);
  report_params_json(&w, p);
  json_key(&w, "dnc");
  json_begin_object(&w);
  report_candidate_json(&w, &cmp->cand[cmp->dnc_index]);
  json_end_object(&w);
  json_key(&w, "candidates");
  json_begin_array(&w);
  for (int i = 0; i < cmp->ncand; i++) {
    json_begin_object(&w);
    report_candidate_json(&w, &cmp->cand[i]);
    json_end_object(&w);
  }
  json_end_array(&w);
  json_kv_string(&w, "best", dufm_structure_name(cmp->cand[cmp->best_index].structure));
  json_kv_double(&w, "best_loss", cmp->cand[cmp->best_index].eval.loss);
  json_kv_double(&w, "lower_bound", cmp->lower_bound.lower);
  json_kv_string(&w, "verdict", dufm_verdict_name(cmp->verdict));
  json_kv_int(&w, "undecided", cmp->undecided);
  json_end_object(&w);
  json_finish(&w);
}

static void print_text(const dufm_params *p, const dufm_comparison *cmp) {
  printf("Candidate optima of the L-DUFM against DNC (exact comparison)\n  ");
  report_params_text(stdout, p);
  /* The name column is as wide as the longest name: graph names are never cut. */
  int width = 34;
  for (int i = 0; i < cmp->ncand; i++) {
    size_t len = strlen(dufm_structure_name(cmp->cand[i].structure));
    if (len > (size_t)width)
      width = len > 4096 ? 4096 : (int)len;
  }
  printf("\n  %-*s %-19s %-10s %-6s %-19s %s\n", width, "structure", "loss", "/ DNC", "vs DNC",
         "ridge relaxed", "ranks H_1..H_L | P_2..P_L");
  for (int i = 0; i < cmp->ncand; i++) {
    const dufm_candidate *c = &cmp->cand[i];
    const char *name = dufm_structure_name(c->structure);
    if (!c->eval.applicable) {
      printf("  %-*s not applicable at L = %d\n", width, name, p->L);
      continue;
    }
    char ranks[256];
    report_ranks_text(ranks, sizeof ranks, &c->eval);
    printf("  %-*s %-19.15g %-10.6f %-6s %-19.15g %s\n", width, name, c->eval.loss, c->ratio_to_dnc,
           dufm_cmp_name(c->vs_dnc), c->has_ridge ? c->ridge.value : NAN, ranks);
  }
  printf("\n  lower bound (no configuration is below): %.15g\n", cmp->lower_bound.lower);
  printf("  verdict: %s", dufm_verdict_name(cmp->verdict));
  if (cmp->verdict == DUFM_VERDICT_DNC_NOT_OPTIMAL)
    printf(" (best: %s, %.6f x DNC)", dufm_structure_name(cmp->cand[cmp->best_index].structure),
           cmp->cand[cmp->best_index].ratio_to_dnc);
  printf("\n");
  if (cmp->undecided > 0)
    printf("  note: %d comparison(s) with DNC stayed undecided (enclosures overlap)\n",
           cmp->undecided);
}

int cmd_compare(int argc, char **argv, int first) {
  cli_common c = {0};
  const char *max_r = NULL, *no_blocks = NULL, *no_cliques = NULL, *no_sets = NULL;
  cli_opt opts[] = {CLI_COMMON_OPTS(c),
                    {"max-r", OPT_VALUE, &max_r},
                    {"no-blocks", OPT_SWITCH, &no_blocks},
                    {"no-cliques", OPT_SWITCH, &no_cliques},
                    {"no-sets", OPT_SWITCH, &no_sets},
                    {NULL, OPT_SWITCH, NULL}};
  if (cli_parse(argc, argv, first, "compare", opts, NULL, 0) < 0)
    return CLI_EXIT_USAGE;
  dufm_compare_opts o;
  dufm_compare_opts_default(&o);
  long v;
  if (max_r != NULL) {
    if (cli_int(&v, max_r, "max-r", 3, 100000) != 0)
      return CLI_EXIT_USAGE;
    o.max_r = (int)v;
  }
  o.blocks = no_blocks == NULL;
  o.cliques = no_cliques == NULL;
  dufm_params p;
  if (cli_params(&p, &c) != 0)
    return CLI_EXIT_USAGE;
  dufm_comparison cmp;
  dufm_err err;
  int rc = CLI_EXIT_OK;
  dufm_status st = no_sets ? dufm_compare(&cmp, &p, &o, &err) : dufm_sets_compare(&cmp, &p, &o, &err);
  if (st != DUFM_OK)
    rc = cli_fail_err(&err, "compare");
  else if (c.json)
    print_json(&p, &cmp);
  else
    print_text(&p, &cmp);
  dufm_comparison_clear(&cmp);
  dufm_params_clear(&p);
  return rc;
}
