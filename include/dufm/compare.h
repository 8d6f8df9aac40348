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
  DUFM_ORIGIN_SEARCH,       /* "search": a configuration found by search (atlas or inline);
                               kept in dufm_comparison.search, not in cand[] */
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
  DUFM_VERDICT_DNC_NOT_OPTIMAL, /* exactly below DNC: a closed form, or a verified certificate */
  DUFM_VERDICT_DNC_BEST_KNOWN,  /* nothing certified below DNC in what was searched */
  DUFM_VERDICT_ZERO_SOLUTION    /* every candidate sits at the zero solution, 1/2 */
} dufm_verdict;

/* Cost of the block DP (the "blocks (DP)" candidate). The full DP builds, for
 * every j = 2..K, each family member with j classes (a graph of j edges) and
 * then chooses over all splits: O(K^2) time (measured: 2 s at K = 2000, 8 s at
 * K = 4000, 4x per doubling), O(K) memory. Beyond DUFM_COMPARE_FULL_DP_MAX_K
 * it is replaced by the large-K rule, an exact optimum over a smaller set of
 * compositions: one block on K_r itself (the paper's and the clique families,
 * r(r-1)/2 classes) for one of the DUFM_COMPARE_BIG_R largest r with
 * r(r-1)/2 <= K, plus any blocks of at most DUFM_COMPARE_SMALL_BLOCK classes
 * and DNC classes. Its cost is O(BIG_R clique optimizations on K_r + SMALL^3),
 * independent of K apart from the r(r-1)/2-class blocks. What it loses:
 * compositions with two blocks above SMALL_BLOCK classes, a large block that
 * is not a complete-graph construction (K_q minus a matching, plus pendant
 * edges), or a large block on a smaller K_r. Its result is a restriction of
 * the full DP's, so never better; it equals it whenever the full DP's best
 * composition lies in that set (tests/test_compare_large.c). */
#define DUFM_COMPARE_FULL_DP_MAX_K 4000
#define DUFM_COMPARE_SMALL_BLOCK 100
#define DUFM_COMPARE_BIG_R 8
/* The full DP reports progress (if asked) from this K on (about 2 s). */
#define DUFM_COMPARE_PROGRESS_K 2000

typedef enum {
  DUFM_BLOCK_RULE_NONE,   /* "none": no block DP (switched off, or L < 2, or a zero lambda) */
  DUFM_BLOCK_RULE_FULL,   /* "full": every block size 2..K */
  DUFM_BLOCK_RULE_LARGE_K /* "large-K": the restricted rule above */
} dufm_block_rule;

/* Progress of a long computation: done of total steps (called at most about
 * 100 times per run; never when the run is short). */
typedef void (*dufm_progress_fn)(void *data, long done, long total);

/* Why the verdict is dnc_not_optimal (dufm_evidence_name: "none",
 * "closed_form", "certificate"). */
typedef enum {
  DUFM_EVIDENCE_NONE,        /* the verdict is not dnc_not_optimal */
  DUFM_EVIDENCE_CLOSED_FORM, /* a closed-form candidate is exactly below DNC */
  DUFM_EVIDENCE_CERTIFICATE  /* a searched configuration's certificate passed the exact checker */
} dufm_evidence;

/* A configuration found outside the closed-form menu (an atlas entry or an
 * inline dufm_search), as given to dufm_comparison_add_search. Strings may
 * be NULL; they are copied. */
typedef struct {
  double loss;              /* dufm_eval loss of the configuration (finite) */
  const char *source;       /* "atlas entry DIR", "inline search" (NULL: "search") */
  const char *certificate;  /* certificate path, or NULL (none, or not saved) */
  int certificate_verified; /* dufm_cert_check: valid, and its parameters are exactly p */
  const char *note;         /* why there is no verified certificate, or NULL */
  const char *pattern;      /* activation pattern signature, or NULL */
  long budget;              /* evaluations of the search that found it */
  unsigned long long seed;
  double time_limit; /* seconds (0: none; a time limit breaks reproducibility) */
} dufm_search_found;

/* The search candidate as kept in dufm_comparison (owned copies). */
typedef struct {
  double loss, ratio_to_dnc;
  dufm_cmp vs_dnc; /* BELOW only with a verified certificate; ABOVE when the loss is
                      above DNC's enclosure; else UNDECIDED */
  char *source, *certificate, *note, *pattern;
  int certificate_verified;
  long budget;
  unsigned long long seed;
  double time_limit;
} dufm_search_candidate;

#define DUFM_SEARCHED_MAX 1024

typedef struct {
  int max_r;                 /* largest K_r used for clique and graph-family menus (0: automatic) */
  int blocks;                /* run the block-composition DP (default 1) */
  int cliques;               /* include optimized clique constructions (default 1) */
  int full_dp_max_k;         /* largest K for the full block DP (0: DUFM_COMPARE_FULL_DP_MAX_K) */
  dufm_progress_fn progress; /* NULL: none */
  void *progress_data;
} dufm_compare_opts;

typedef struct {
  int ncand;
  dufm_candidate *cand; /* sorted by loss; cand[dnc_index] is DNC */
  int dnc_index;
  int best_index;      /* lowest loss (exactly, among decided comparisons) */
  dufm_gl lower_bound; /* g_L(K^(2/(L+1)) c_1): no configuration is below it */
  dufm_verdict verdict;
  int undecided;              /* number of comparisons with DNC that stayed undecided */
  dufm_block_rule block_rule; /* how the "blocks (DP)" candidate was searched */

  dufm_evidence evidence;
  dufm_search_candidate *search;    /* owned; NULL when none was added */
  char searched[DUFM_SEARCHED_MAX]; /* what was searched, in words (see dufm_compare) */
} dufm_comparison;

void dufm_compare_opts_default(dufm_compare_opts *o);

/* Builds and evaluates the menu for p (out uninitialized; clear it afterwards
 * whatever the status). Candidates: DNC; when K = r(r-1)/2 the paper's srg:r
 * and optimized clique constructions; edge constructions on complete graphs
 * minus a matching or plus pendant edges with K edges; the best block
 * composition from a DP over class counts. */
dufm_status dufm_compare(dufm_comparison *out, const dufm_params *p, const dufm_compare_opts *o,
                         dufm_err *err);

/* Frees everything c owns and zero-fills it; a no-op on NULL and on a zero-filled
 * or cleared record. */
void dufm_comparison_clear(dufm_comparison *c);

/* Adds a configuration found by search (replacing an earlier one) and
 * recomputes the verdict: some closed-form candidate exactly below DNC:
 * dnc_not_optimal with evidence closed_form; else a search candidate whose
 * certificate was verified: dnc_not_optimal, evidence certificate; else every
 * closed form at the zero solution: zero_solution; else dnc_best_known. A
 * float loss below DNC without a verified certificate never gives
 * dnc_not_optimal. searched becomes the closed-form menu followed by "atlas
 * entry: search budget B, seed S, found loss X (ratio R), certified below DNC"
 * (or "not certified below DNC" and the note). DUFM_EINVAL for a non-finite
 * loss or a negative budget. */
dufm_status dufm_comparison_add_search(dufm_comparison *c, const dufm_search_found *f,
                                       dufm_err *err);

/* Replaces the part of searched after the closed-form menu (dufm_compare
 * writes "no atlas entry, no search") by text, e.g. "atlas not consulted, no
 * search". Truncated to fit DUFM_SEARCHED_MAX. */
void dufm_comparison_set_search_note(dufm_comparison *c, const char *text);

const char *dufm_evidence_name(dufm_evidence e);

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

/* One point of a sweep over (L, K, lambdas): what dufm table prints per row,
 * dufm plot ratio draws and the paper's ratio experiment records, read from
 * one dufm_compare at p. */
typedef struct {
  int L, K, n;
  double dnc_loss;
  dufm_regime dnc_regime;
  int has_paper;    /* the paper's srg:r applies (K = r(r-1)/2); else the srg_* are NaN */
  double srg_loss;  /* loss of srg:r */
  double srg_ratio; /* srg_loss / dnc_loss */
  dufm_cmp srg_vs_dnc;
  char *best; /* canonical name of the best candidate (owned) */
  double best_loss, best_ratio;
  dufm_cmp best_vs_dnc;
  double lower_bound; /* lower end of the universal lower bound's enclosure */
  dufm_verdict verdict;
  dufm_evidence evidence;
} dufm_sweep_point;

/* Compares at p with options o (NULL: the defaults) and fills out (out
 * uninitialized; clear it afterwards whatever the status). Errors as
 * dufm_compare. */
dufm_status dufm_sweep_point_eval(dufm_sweep_point *out, const dufm_params *p,
                                  const dufm_compare_opts *o, dufm_err *err);
/* The same from a comparison already made (and perhaps given a search
 * candidate with dufm_comparison_add_search); out uninitialized; clear it
 * afterwards whatever the status. */
dufm_status dufm_sweep_point_from(dufm_sweep_point *out, const dufm_comparison *cmp,
                                  const dufm_params *p, dufm_err *err);
/* Frees everything pt owns and zero-fills it; a no-op on NULL and on a zero-filled
 * or cleared record. */
void dufm_sweep_point_clear(dufm_sweep_point *pt);

const char *dufm_verdict_name(dufm_verdict v);
const char *dufm_block_rule_name(dufm_block_rule r);
const char *dufm_cmp_name(dufm_cmp c);

DUFM_END_DECLS

#endif
