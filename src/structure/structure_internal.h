/* Internal layer of the structure module: the structure record and helpers that
 * trust their inputs (validation happens in the public constructors). */
#ifndef DUFM_STRUCTURE_INTERNAL_H
#define DUFM_STRUCTURE_INTERNAL_H

#include <gmp.h>

#include "dufm/sets.h"
#include "dufm/structure.h"

struct dufm_structure {
  dufm_structure_kind kind;
  int K;          /* 0 for a bare dnc */
  char *name;     /* canonical spec */
  char *old_name; /* the provisional name before optimizing (kept: callers may hold it) */
  int m;          /* dnc: block size, 0 = all classes */
  /* graph and clique */
  int r;
  int complete;        /* graph: K_r with implicit lexicographic edges (u, v NULL) */
  int *u, *v;          /* graph: the K edges of a general graph */
  int rank_b;          /* graph: rank of the incidence matrix B */
  int rank_pre;        /* graph: rank of W_{L-1} B = B^T B - J (proofs/edge.md) */
  int nk;              /* clique: number of sizes */
  int *k;              /* clique: sizes, increasing */
  mpq_t *z;            /* clique: squared weights (fixed or optimized) */
  int optimized;       /* clique: z from dufm_clique_optimize (once pending is 0) */
  int pending;         /* clique: weights still to be optimized; blocks: some part's */
  dufm_clique_opt opt; /* clique: the optimizer's report (product only when fixed) */
  /* blocks */
  int nparts;
  dufm_structure **parts;
  /* sets and pattern files (structure/sets.c) */
  struct dufm_i_sets *sets;
};

/* A growable string for canonical names. */
typedef struct {
  char *buf;
  size_t len, cap;
  int failed;
} dufm_i_str;

void dufm_i_str_printf(dufm_i_str *s, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

/* New zero-filled structure of the given kind (*out NULL on failure). */
dufm_status dufm_i_structure_alloc(dufm_structure **out, dufm_structure_kind kind, dufm_err *err);

/* Gives s its name (taken from the buffer) and stores it in *out, or frees both
 * when building the name ran out of memory. */
dufm_status dufm_i_structure_finish(dufm_structure **out, dufm_structure *s, dufm_i_str *name,
                                    dufm_err *err);

/* Runs the weight optimizer of a clique structure whose weights are pending,
 * drops the sizes with zero weight and gives s its final name; a no-op
 * otherwise. On failure s stays pending (the next call tries again). */
dufm_status dufm_i_clique_optimize(dufm_structure *s, dufm_err *err);

/* Largest r with r (r - 1) / 2 <= DUFM_MAX_K. */
int dufm_i_max_r(void);

/* Connected components and bipartiteness of a graph (BFS, O(r + K)). */
typedef struct {
  int ncomp;
  int *comp;  /* component id of each vertex */
  int *side;  /* 0/1 colouring; a proper 2-colouring in bipartite components */
  int *bip;   /* per component: 1 when bipartite */
  int *size;  /* per component: number of vertices */
  int rank_b; /* r - number of bipartite components */
  int rank_pre;
} dufm_i_graph;

/* Analyses a valid graph (r vertices, none isolated, K simple edges). */
dufm_status dufm_i_graph_analyze(dufm_i_graph *g, int r, int K, const int *u, const int *v,
                                 dufm_err *err);
void dufm_i_graph_clear(dufm_i_graph *g);

/* Edges of K_r in lexicographic order (malloc'ed, K = r(r-1)/2 each). */
dufm_status dufm_i_complete_edges(int **u, int **v, int r, dufm_err *err);

/* Index of edge {i, j}, i < j, of K_r in lexicographic order. */
static inline long dufm_i_complete_index(int r, int i, int j) {
  return (long)i * r - (long)i * (i + 1) / 2 + (j - i - 1);
}

/* Allocates the per-layer arrays of e for depth L and initializes every
 * rational (zero); e must be zero-filled. */
dufm_status dufm_i_eval_alloc(dufm_structure_eval *e, int L, dufm_err *err);

/* Exact data of a single (non-block) structure with K classes: norms, q_pow,
 * ranks, clique weights. No g_L evaluation. DUFM_ENOTAPPLICABLE for L = 1 on
 * graph and clique structures. */
dufm_status dufm_i_closed_single(dufm_structure_eval *e, const dufm_structure *s,
                                 const dufm_params *p, int K, dufm_err *err);

/* Fills loss, enclosure, regime and t of e from g_L at e->q_scaled. */
dufm_status dufm_i_eval_gl(dufm_structure_eval *e, dufm_err *err);

/* Evaluation of a block composition (s->kind == DUFM_STRUCTURE_BLOCKS). */
dufm_status dufm_i_eval_blocks(dufm_structure_eval *e, const dufm_structure *s,
                               const dufm_params *p, dufm_err *err);

/* Widths d[0..L] of one block with K classes (d[L] = K); DUFM_EINVAL when a
 * width does not fit an int (clique neurons). */
dufm_status dufm_i_block_widths(int *d, const dufm_structure *s, int K, int L, dufm_err *err);

/* Writes one block into c: its rows of layer i start at off[i] (off[L] is its
 * first class), factor i (H1, W_1, ..., W_L) multiplied by y[i]; per = columns
 * per class (n in per-sample form, else 1). The block's region must be zero. */
dufm_status dufm_i_fill_block(dufm_config *c, const dufm_structure *s, int K, const int *off,
                              int per, const double *y, dufm_err *err);

/* ---- Set systems and pattern files (sets.c, sets_file.c, sets_start.c) */

/* The layers a sets:/pattern: structure describes; act matrices are rows x K,
 * row-major, 1 = active. Inline form: given[0] are the r type neurons (layers
 * 2..L-1), given[1] the explicit last layer when last_given. File form: given[i]
 * is layer i + 2. */
typedef struct dufm_i_sets {
  int K;
  int file;       /* 1: pattern:FILE */
  int fixed_L;    /* file with an 'L' line: the depth it describes, else 0 */
  int last_given; /* inline: an explicit /last: list */
  int ngiven;
  int *rows;           /* ngiven */
  unsigned char **act; /* ngiven matrices rows[i] x K */
} dufm_i_sets;

void dufm_i_sets_free(dufm_i_sets *t);

/* Adds a layer of rows x K (copied) to t. */
dufm_status dufm_i_sets_push(dufm_i_sets *t, int rows, const unsigned char *act, dufm_err *err);

/* Inline "sets:..." arguments in [s, end) and "pattern:FILE". */
dufm_status dufm_i_parse_sets(dufm_structure **out, const char *s, const char *end, dufm_err *err);
dufm_status dufm_i_parse_pattern_file(dufm_structure **out, const char *path, dufm_err *err);
dufm_status dufm_i_parse_pattern_path(dufm_structure **out, const char *s, const char *end,
                                      dufm_err *err);

/* Wraps a filled description into a structure named name (takes t). */
dufm_status dufm_i_sets_structure(dufm_structure **out, dufm_i_sets *t, const char *name,
                                  dufm_err *err);

/* The start of a sets/pattern structure at depth L in class-mean form (cfg
 * may be NULL) and the layout it realizes (lay may be NULL). */
dufm_status dufm_i_sets_start(dufm_sets_layout *lay, dufm_config *cfg, const dufm_structure *s,
                              int L, dufm_err *err);

#endif
