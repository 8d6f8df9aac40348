/* dufm/compare.h: is DNC optimal at given (L, K, lambdas, n)? Enumerates the
 * candidate structures of dufm/structure.h for K classes, evaluates each in
 * closed form and compares it with DNC exactly (theory sections 2-7). */
#ifndef DUFM_COMPARE_H
#define DUFM_COMPARE_H

#include "dufm/bounds.h"
#include "dufm/error.h"
#include "dufm/export.h"
#include "dufm/gl.h"
#include "dufm/params.h"
#include "dufm/structure.h"

DUFM_BEGIN_DECLS

/* Where a candidate comes from (dufm_origin_name gives the stable string of the
 * JSON field "origin"). */
typedef enum {
  DUFM_ORIGIN_DNC,          /* "dnc" */
  DUFM_ORIGIN_PAPER,        /* "paper": srg:r, the paper's construction, K = r(r-1)/2 */
  DUFM_ORIGIN_CLIQUE,       /* "clique": optimized clique neurons */
  DUFM_ORIGIN_GRAPH_FAMILY, /* "graph family": K_r minus a matching or plus pendant edges */
  DUFM_ORIGIN_BLOCKS,       /* "blocks (DP)": the best block composition */
  DUFM_ORIGIN_USER,         /* "user": given by the caller */
  DUFM_ORIGIN_SETS          /* "sets": a set system of dufm/sets.h (polished, certified) */
} dufm_origin;

typedef struct {
  dufm_structure *structure; /* owned */
  dufm_structure_eval eval;  /* closed-form evaluation (applicable = 0: not applicable) */
  double ratio_to_dnc;       /* loss / DNC loss */
  dufm_cmp vs_dnc;           /* exact (or rigorous) comparison with DNC */
  dufm_ridge ridge;          /* ridge relaxation of the last layer */
  int has_ridge;
  dufm_origin origin;
} dufm_candidate;

typedef enum {
  DUFM_VERDICT_DNC_NOT_OPTIMAL, /* some candidate is exactly below DNC */
  DUFM_VERDICT_DNC_BEST_AMONG_CANDIDATES,
  DUFM_VERDICT_ZERO_SOLUTION /* every candidate sits at the zero solution, 1/2 */
} dufm_verdict;

typedef struct {
  int max_r;   /* largest K_r used for clique and graph-family menus (0: automatic) */
  int blocks;  /* run the block-composition DP (default 1) */
  int cliques; /* include optimized clique constructions (default 1) */
} dufm_compare_opts;

typedef struct {
  int ncand;
  dufm_candidate *cand; /* sorted by loss; cand[dnc_index] is DNC */
  int dnc_index;
  int best_index;      /* lowest loss (exactly, among decided comparisons) */
  dufm_gl lower_bound; /* g_L(K^(2/(L+1)) c_1): no configuration is below it */
  dufm_verdict verdict;
  int undecided; /* number of comparisons with DNC that stayed undecided */
} dufm_comparison;

void dufm_compare_opts_default(dufm_compare_opts *o);

/* Builds and evaluates the menu for p (out uninitialized; clear it afterwards
 * whatever the status). Candidates: DNC; when K = r(r-1)/2 the paper's srg:r
 * and optimized clique constructions; edge constructions on complete graphs
 * minus a matching or plus pendant edges with K edges; the best block
 * composition from a DP over class counts. */
dufm_status dufm_compare(dufm_comparison *out, const dufm_params *p, const dufm_compare_opts *o,
                         dufm_err *err);

void dufm_comparison_clear(dufm_comparison *c);

/* Appends an evaluated candidate to c (taking its structure and evaluation,
 * whatever the outcome; *cand is zero-filled) whose ratio_to_dnc and vs_dnc the
 * caller has set, then re-sorts and recomputes best, undecided and the verdict
 * by the rules of dufm_compare. For candidates without a closed form
 * (dufm/sets.h), whose vs_dnc comes from a certificate. DUFM_ENOMEM. */
dufm_status dufm_comparison_add(dufm_comparison *c, dufm_candidate *cand, dufm_err *err);

/* Index of the first applicable candidate of the given origin, or -1 (there is
 * at most one DNC, one paper and one blocks candidate). */
int dufm_comparison_find(const dufm_comparison *c, dufm_origin origin);

const char *dufm_origin_name(dufm_origin o);

const char *dufm_verdict_name(dufm_verdict v);
const char *dufm_cmp_name(dufm_cmp c);

DUFM_END_DECLS

#endif
