/* The verdict rule, the search candidate and what was searched. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compare_internal.h"

const char *dufm_evidence_name(dufm_evidence e) {
  switch (e) {
  case DUFM_EVIDENCE_NONE:
    return "none";
  case DUFM_EVIDENCE_CLOSED_FORM:
    return "closed_form";
  case DUFM_EVIDENCE_CERTIFICATE:
    return "certificate";
  }
  return "unknown";
}

/* "closed-form menu (N candidates: dnc, 1 paper, 3 clique, ...)" into buf. */
static size_t menu_text(char *buf, size_t size, const dufm_comparison *c) {
  static const dufm_origin order[] = {
      DUFM_ORIGIN_DNC,    DUFM_ORIGIN_PAPER, DUFM_ORIGIN_CLIQUE, DUFM_ORIGIN_GRAPH_FAMILY,
      DUFM_ORIGIN_BLOCKS, DUFM_ORIGIN_USER,  DUFM_ORIGIN_SETS};
  int total = 0;
  for (int i = 0; i < c->ncand; i++)
    total += c->cand[i].eval.applicable != 0;
  size_t used = (size_t)snprintf(buf, size, "closed-form menu (%d applicable candidate%s:", total,
                                 total == 1 ? "" : "s");
  int first = 1;
  for (size_t k = 0; k < sizeof order / sizeof order[0] && used < size; k++) {
    int count = 0;
    for (int i = 0; i < c->ncand; i++)
      count += c->cand[i].origin == order[k] && c->cand[i].eval.applicable;
    if (count > 0)
      used += (size_t)snprintf(buf + used, size - used, "%s %d %s", first ? "" : ",", count,
                               dufm_origin_name(order[k]));
    first &= count == 0;
  }
  if (used < size)
    used += (size_t)snprintf(buf + used, size - used, ")");
  return used < size ? used : size - 1;
}

void dufm_comparison_set_search_note(dufm_comparison *c, const char *text) {
  size_t used = menu_text(c->searched, sizeof c->searched, c);
  snprintf(c->searched + used, sizeof c->searched - used, "; %s", text);
}

static void search_text(dufm_comparison *c) {
  const dufm_search_candidate *s = c->search;
  char part[DUFM_SEARCHED_MAX], limit[64] = "";
  if (s->time_limit > 0)
    snprintf(limit, sizeof limit, ", time limit %g s", s->time_limit);
  snprintf(part, sizeof part,
           "%s: search budget %ld, seed %llu%s, found loss %.17g (ratio %.6f), %s%s%s", s->source,
           s->budget, s->seed, limit, s->loss, s->ratio_to_dnc,
           s->certificate_verified ? "certified below DNC" : "not certified below DNC",
           s->note != NULL ? ": " : "", s->note != NULL ? s->note : "");
  dufm_comparison_set_search_note(c, part);
}

void dufm_i_compare_verdict(dufm_comparison *c) {
  /* A set system (dufm/sets.h) is BELOW only through a certificate of its
   * polished configuration: its evidence is that certificate. */
  int closed_below = 0, sets_below = 0, all_zero = 1;
  for (int i = 0; i < c->ncand; i++) {
    const dufm_candidate *k = &c->cand[i];
    if (!k->eval.applicable)
      continue;
    if (k->origin == DUFM_ORIGIN_SETS)
      sets_below |= k->vs_dnc == DUFM_CMP_BELOW;
    else
      closed_below |= k->vs_dnc == DUFM_CMP_BELOW;
    all_zero &= k->eval.regime != DUFM_REGIME_NONZERO;
  }
  c->evidence = DUFM_EVIDENCE_NONE;
  if (closed_below) {
    c->verdict = DUFM_VERDICT_DNC_NOT_OPTIMAL;
    c->evidence = DUFM_EVIDENCE_CLOSED_FORM;
  } else if (sets_below || (c->search != NULL && c->search->certificate_verified)) {
    c->verdict = DUFM_VERDICT_DNC_NOT_OPTIMAL;
    c->evidence = DUFM_EVIDENCE_CERTIFICATE;
  } else if (all_zero) {
    c->verdict = DUFM_VERDICT_ZERO_SOLUTION;
  } else {
    c->verdict = DUFM_VERDICT_DNC_BEST_KNOWN;
  }
}

void dufm_i_search_candidate_free(dufm_search_candidate *s) {
  if (s == NULL)
    return;
  free(s->source);
  free(s->certificate);
  free(s->note);
  free(s->pattern);
  free(s);
}

static int dup_into(char **out, const char *s) {
  *out = NULL;
  if (s == NULL)
    return 0;
  *out = strdup(s);
  return *out == NULL;
}

dufm_status dufm_comparison_add_search(dufm_comparison *c, const dufm_search_found *f,
                                       dufm_err *err) {
  if (c == NULL || f == NULL || c->cand == NULL || c->ncand < 1)
    return dufm_err_set(err, DUFM_EINVAL, "add search: no comparison to add to");
  if (!isfinite(f->loss) || f->loss < 0)
    return dufm_err_set(err, DUFM_EINVAL, "add search: loss %g must be finite and >= 0", f->loss);
  if (f->budget < 0 || !(f->time_limit >= 0))
    return dufm_err_set(err, DUFM_EINVAL, "add search: budget and time limit must be >= 0");
  dufm_search_candidate *s = calloc(1, sizeof *s);
  if (s == NULL)
    return dufm_err_set(err, DUFM_ENOMEM, "out of memory for a search candidate");
  int fail = dup_into(&s->source, f->source != NULL ? f->source : "search");
  fail |= dup_into(&s->certificate, f->certificate);
  fail |= dup_into(&s->note, f->note);
  fail |= dup_into(&s->pattern, f->pattern);
  if (fail) {
    dufm_i_search_candidate_free(s);
    return dufm_err_set(err, DUFM_ENOMEM, "out of memory for a search candidate");
  }
  const dufm_structure_eval *dnc = &c->cand[c->dnc_index].eval;
  s->loss = f->loss;
  s->ratio_to_dnc = f->loss / dnc->loss;
  s->certificate_verified = f->certificate_verified != 0;
  /* Only the exact checker decides "below"; a float loss above the DNC
   * enclosure is plainly above. */
  s->vs_dnc = s->certificate_verified ? DUFM_CMP_BELOW
              : f->loss > dnc->upper  ? DUFM_CMP_ABOVE
                                      : DUFM_CMP_UNDECIDED;
  s->budget = f->budget;
  s->seed = f->seed;
  s->time_limit = f->time_limit;
  dufm_i_search_candidate_free(c->search);
  c->search = s;
  dufm_i_compare_verdict(c);
  search_text(c);
  return DUFM_OK;
}
