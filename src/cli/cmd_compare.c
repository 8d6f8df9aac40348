/* dufm compare: every candidate structure against DNC, with an exact verdict;
 * dufm structure: one structure in closed form. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "args.h"
#include "commands.h"
#include "compare_atlas.h"
#include "dufm/compare.h"
#include "dufm/dnc.h"
#include "dufm/search.h"
#include "dufm/sets.h"
#include "report.h"

/* Index of cand[] before which the search candidate is listed (sorted by
 * loss, after the candidates with equal loss). */
static int search_position(const dufm_comparison *cmp) {
  if (cmp->search == NULL)
    return -1;
  int i = 0;
  while (i < cmp->ncand && cmp->cand[i].eval.applicable &&
         cmp->cand[i].eval.loss <= cmp->search->loss)
    i++;
  return i;
}

/* The ranks column of a searched configuration says where its claim comes
 * from (its pattern is in the JSON). */
static void print_search_row(int width, const dufm_search_candidate *s) {
  const char *what = s->certificate_verified ? "certificate checked: " : "not certified";
  printf("  %-*s %-19.15g %-10.6f %-6s %-19s %s%s\n", width, s->source, s->loss, s->ratio_to_dnc,
         dufm_cmp_name(s->vs_dnc), "-", what,
         s->certificate_verified && s->certificate != NULL ? s->certificate : "");
}

static void print_json(const dufm_params *p, const dufm_comparison *cmp) {
  json_writer w;
  json_init(&w, stdout);
  json_begin_object(&w);
  report_params_json(&w, p);
  json_key(&w, "dnc");
  json_begin_object(&w);
  report_candidate_json(&w, &cmp->cand[cmp->dnc_index]);
  json_end_object(&w);
  /* The search candidate goes in at its place by loss. */
  const dufm_search_candidate *s = cmp->search;
  int at = search_position(cmp);
  json_key(&w, "candidates");
  json_begin_array(&w);
  for (int i = 0; i <= cmp->ncand; i++) {
    if (s != NULL && i == at) {
      json_begin_object(&w);
      compare_search_json(&w, s);
      json_end_object(&w);
    }
    if (i == cmp->ncand)
      break;
    json_begin_object(&w);
    report_candidate_json(&w, &cmp->cand[i]);
    json_end_object(&w);
  }
  json_end_array(&w);
  json_kv_string(&w, "best", dufm_structure_name(cmp->cand[cmp->best_index].structure));
  json_kv_double(&w, "best_loss", cmp->cand[cmp->best_index].eval.loss);
  json_kv_double(&w, "lower_bound", cmp->lower_bound.lower);
  json_kv_string(&w, "verdict", dufm_verdict_name(cmp->verdict));
  json_kv_string(&w, "evidence", dufm_evidence_name(cmp->evidence));
  json_kv_string(&w, "searched", cmp->searched);
  json_key(&w, "search");
  if (s != NULL) {
    json_begin_object(&w);
    compare_search_json(&w, s);
    json_end_object(&w);
  } else {
    json_null(&w);
  }
  json_kv_int(&w, "undecided", cmp->undecided);
  json_kv_string(&w, "block_rule", dufm_block_rule_name(cmp->block_rule));
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
  int at = search_position(cmp);
  for (int i = 0; i <= cmp->ncand; i++) {
    if (i == at)
      print_search_row(width, cmp->search);
    if (i == cmp->ncand)
      break;
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
  if (cmp->evidence == DUFM_EVIDENCE_CLOSED_FORM)
    printf(" (evidence: closed form; best: %s, %.6f x DNC)",
           dufm_structure_name(cmp->cand[cmp->best_index].structure),
           cmp->cand[cmp->best_index].ratio_to_dnc);
  else if (cmp->evidence == DUFM_EVIDENCE_CERTIFICATE)
    printf(" (evidence: certificate %s; searched configuration %.6f x DNC)",
           cmp->search->certificate != NULL ? cmp->search->certificate : "(not saved)",
           cmp->search->ratio_to_dnc);
  printf("\n  searched: %s\n", cmp->searched);
  if (cmp->block_rule == DUFM_BLOCK_RULE_LARGE_K)
    printf("  blocks: large-K rule (K > %d): one block on K_r for the %d largest r, plus "
           "blocks of at most %d classes\n",
           p->K - 1 < DUFM_COMPARE_FULL_DP_MAX_K ? p->K - 1 : DUFM_COMPARE_FULL_DP_MAX_K,
           DUFM_COMPARE_BIG_R, DUFM_COMPARE_SMALL_BLOCK);
  if (cmp->undecided > 0)
    printf("  note: %d comparison(s) with DNC stayed undecided (enclosures overlap)\n",
           cmp->undecided);
}

/* Progress of the block DP on stderr, every 10%. */
static void progress(void *data, long done, long total) {
  int *last = data, tenth = (int)(10 * (double)done / (double)total);
  if (tenth > *last) {
    fprintf(stderr, "dufm compare: block DP %d%%\n", 10 * tenth);
    *last = tenth;
  }
}

int cmd_compare(int argc, char **argv, int first) {
  cli_common c = {0};
  const char *max_r = NULL, *no_blocks = NULL, *no_cliques = NULL, *dp_limit = NULL,
             *no_sets = NULL;
  const char *atlas = NULL, *no_atlas = NULL, *search = NULL, *search_budget = NULL,
             *search_cert = NULL;
  cli_opt opts[] = {CLI_COMMON_OPTS(c),
                    {"max-r", OPT_VALUE, &max_r},
                    {"dp-limit", OPT_VALUE, &dp_limit},
                    {"no-blocks", OPT_SWITCH, &no_blocks},
                    {"no-cliques", OPT_SWITCH, &no_cliques},
                    {"atlas", OPT_VALUE, &atlas},
                    {"no-atlas", OPT_SWITCH, &no_atlas},
                    {"search", OPT_VALUE, &search},
                    {"search-budget", OPT_VALUE, &search_budget},
                    {"search-cert", OPT_VALUE, &search_cert},
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
  if (dp_limit != NULL) {
    if (cli_int(&v, dp_limit, "dp-limit", 1, DUFM_MAX_K) != 0)
      return CLI_EXIT_USAGE;
    o.full_dp_max_k = (int)v;
  }
  int last_tenth = 0;
  o.progress = progress;
  o.progress_data = &last_tenth;
  o.blocks = no_blocks == NULL;
  o.cliques = no_cliques == NULL;
  double seconds = 0;
  long budget = DUFM_SEARCH_DEFAULT_BUDGET;
  const char *root;
  if (search != NULL &&
      cli_double(&seconds, search, "search", 0, 1, 1e6, "seconds in (0, 1e6)") != 0)
    return CLI_EXIT_USAGE;
  if (search_budget != NULL &&
      cli_int(&budget, search_budget, "search-budget", 10000, 1000000000000L) != 0)
    return CLI_EXIT_USAGE;
  if ((search_budget != NULL || search_cert != NULL) && search == NULL)
    return cli_fail("--%s: needs --search SECONDS",
                    search_budget ? "search-budget" : "search-cert");
  if (compare_atlas_root(&root, atlas, no_atlas) != 0)
    return CLI_EXIT_USAGE;
  dufm_params p;
  if (cli_params(&p, &c) != 0)
    return CLI_EXIT_USAGE;
  dufm_comparison cmp;
  dufm_err err;
  int rc = CLI_EXIT_OK, found = 0;
  dufm_status st =
      no_sets ? dufm_compare(&cmp, &p, &o, &err) : dufm_sets_compare(&cmp, &p, &o, &err);
  if (st != DUFM_OK)
    rc = cli_fail_err(&err, "compare");
  else if (compare_atlas_add(&cmp, root, &p, &found) != 0 ||
           (!found && search != NULL &&
            compare_inline_search(&cmp, &p, seconds, budget, search_cert) != 0))
    rc = CLI_EXIT_USAGE;
  else if (c.json)
    print_json(&p, &cmp);
  else
    print_text(&p, &cmp);
  dufm_comparison_clear(&cmp);
  dufm_params_clear(&p);
  return rc;
}
