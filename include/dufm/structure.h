/* dufm/structure.h: candidate solution structures (theory sections 3-6): deep
 * neural collapse, edge constructions on graphs, clique-neuron constructions and
 * block compositions. For each one: a spec string, exact closed forms (factor
 * norms, Q^(L+1), ranks), the loss g_L with a rigorous enclosure, an exact
 * comparison, and the explicit rescale-optimal configuration.
 *
 * Spec grammar (no spaces; integers are plain decimal digits):
 *
 *   spec   := part | part '+' part ('+' part)*      block composition, K = sum of K_b
 *   part   := 'dnc'               DNC on all K classes (K from the parameters;
 *                                 not allowed inside a composition)
 *           | 'dnc:' M            DNC block of M >= 1 classes
 *           | 'srg:' R            edge construction on K_R, R >= 3, K = R(R-1)/2
 *           | 'graph:' E (',' E)* edge construction on a graph, one class per edge
 *                                 in the order given; E := U '-' V with vertices
 *                                 0..r-1 all used (no isolated vertex), no
 *                                 self-loop, no edge repeated in either orientation
 *           | 'sets:' ... | 'pattern:' FILE    set systems and activation
 *                                 patterns, grammar and file format in dufm/sets.h
 *                                 (not allowed inside a composition)
 *           | 'clique:' R ':' S (',' S)*    (an unweighted S may be a range 'a..b')
 *                                 clique neurons on K_R, R >= 3, sizes k in 2..R,
 *                                 no size repeated; either every S is a bare size
 *                                 k (weights optimized by dufm_clique_optimize) or
 *                                 every S is 'k@w' with a fixed weight:
 *                                 w = rho_k >= 0 as an exact decimal or fraction
 *                                 (z_k = rho_k^2), or w = 'sqrt(' z ')' giving
 *                                 z_k directly
 *
 * A '+' right after an exponent 'e'/'E' and before a digit (1e+3) belongs to the
 * number. Examples: "dnc", "srg:5", "graph:0-1,1-2,2-0,2-3", "clique:6:2,3",
 * "clique:5:2@1,3@0.5", "srg:5+dnc:3". K must stay within DUFM_MAX_K.
 *
 * Canonical names (dufm_structure_name) use the same grammar: clique sizes in
 * increasing order and only those with nonzero weight (clique:5:2,3 optimizes
 * to z_2 = 0 and is named clique:5:3), weights as exact fractions ("1/2"), rho when z is the square
 * of a rational, else sqrt(z). Parsing a canonical name gives the same structure.
 *
 * Derivations: proofs/edge.md (edge constructions on any graph, ranks) and
 * proofs/blocks.md (block compositions, the exact comparison). */
#ifndef DUFM_STRUCTURE_H
#define DUFM_STRUCTURE_H

#include <gmp.h>

#include "dufm/bounds.h"
#include "dufm/clique.h"
#include "dufm/error.h"
#include "dufm/export.h"
#include "dufm/gl.h"
#include "dufm/model.h"
#include "dufm/params.h"

DUFM_BEGIN_DECLS

typedef enum {
  DUFM_STRUCTURE_DNC,
  DUFM_STRUCTURE_GRAPH, /* srg:R is the graph K_R */
  DUFM_STRUCTURE_CLIQUE,
  DUFM_STRUCTURE_BLOCKS,
  DUFM_STRUCTURE_SETS /* sets:... and pattern:FILE (dufm/sets.h): no closed form */
} dufm_structure_kind;

typedef struct dufm_structure dufm_structure;

/* Parses a spec (grammar above) into a new structure (*out NULL on failure;
 * free it with dufm_structure_free).
 * Clique specs without weights record their sizes as weights to be optimized;
 * the optimizer runs later (dufm_structure_optimize). Errors, with a
 * one-line message naming the spec part and the rule: DUFM_EFORMAT for syntax
 * (unknown family, malformed number, empty block), DUFM_EINVAL for broken rules
 * (R < 3, k outside 2..R, repeated k, negative weight, rank-deficient clique
 * weights, or sizes that leave T rank-deficient for every weight, self-loop, repeated edge,
 * isolated vertex, bare dnc in a composition, K too large), DUFM_ENOMEM. */
dufm_status dufm_structure_parse(dufm_structure **out, const char *spec, dufm_err *err);

/* Constructors. Each writes a new structure to *out (NULL on failure); free it
 * with dufm_structure_free. Array arguments are copied.
 * - dnc: m >= 1 classes, or m = 0 for "all K classes of the parameters".
 * - complete: the edge construction on K_r (spec srg:r), r >= 3.
 * - graph: r vertices, m >= 1 edges {u[i], v[i]} (class i = edge i); the rules
 *   of the grammar apply.
 * - clique: r >= 3, m >= 1 distinct sizes k[i] in 2..r, squared weights z[i] >= 0
 *   (exact), or z = NULL for weights to be optimized (dufm_clique_optimize, run
 *   by dufm_structure_optimize). Sizes are stored sorted; fixed weights must
 *   give T full column rank, sizes to be optimized must allow it.
 * - blocks: count >= 1 parts, each with a known K (no bare dnc, no nested
 *   composition). Takes ownership of every parts[i] whatever the outcome (they
 *   are freed on failure); the array parts itself stays the caller's. */
dufm_status dufm_structure_dnc(dufm_structure **out, int m, dufm_err *err);
dufm_status dufm_structure_complete(dufm_structure **out, int r, dufm_err *err);
dufm_status dufm_structure_graph(dufm_structure **out, int r, int m, const int *u, const int *v,
                                 dufm_err *err);
dufm_status dufm_structure_clique(dufm_structure **out, int r, int m, const int *k, const mpq_t *z,
                                  dufm_err *err);
dufm_status dufm_structure_blocks(dufm_structure **out, int count, dufm_structure **parts,
                                  dufm_err *err);

/* Frees s and everything it owns; NULL is a no-op. */
void dufm_structure_free(dufm_structure *s);

/* Runs the clique weight optimizer of s (every block of a composition) unless
 * it ran already, and keeps its result in s: the weights, the optimizer's
 * report and the final name. A no-op for structures without weights to be
 * optimized. The first dufm_structure_evaluate (and so build and materialize)
 * calls it; call it yourself to read the final name before evaluating, or
 * before sharing s between threads (an evaluation may write to s until then).
 * Errors of dufm_clique_optimize (on failure s still has its weights to be
 * optimized), DUFM_EINVAL for s NULL. */
dufm_status dufm_structure_optimize(dufm_structure *s, dufm_err *err);

/* Canonical spec string, owned by s. Final once s is optimized
 * (dufm_structure_optimize or the first evaluation); before that, a clique with
 * weights to be optimized is named by every size given (clique:5:2..5, which
 * becomes clique:5:3); a string returned earlier stays valid until s is freed. */
const char *dufm_structure_name(const dufm_structure *s);

/* Number of classes, or 0 for a bare "dnc" (bound to the parameters' K). */
int dufm_structure_K(const dufm_structure *s);

dufm_structure_kind dufm_structure_kind_of(const dufm_structure *s);

/* Closed-form evaluation of a structure at given parameters: the fields every
 * structure has, then the data of its kind (a tagged union: read only the
 * member that kind names). */
typedef struct dufm_structure_eval {
  dufm_structure_kind kind;
  int K, L;
  int applicable; /* 0 when the structure does not exist at these parameters (L = 1) */
  double loss;    /* F (double, relative error ~ 1e-15) */
  double lower;   /* rigorous enclosure lower <= F <= upper */
  double upper;
  dufm_regime regime; /* regime of g_L at q_scaled; for a composition: ZERO iff every
                         block is in the zero regime (F = 1/2), else NONZERO */
  double t;           /* optimal output scale (0 in the zero regime); compositions: 0 */
  mpq_t q_pow;        /* own Q^(L+1) = a_0 a_1 ... a_L (compositions: 0, see blocks) */
  mpq_t q_scaled;     /* argument of g_L: q_pow (K_total / K)^(L+1), K_total the
                         composition's K; equals q_pow for a single structure */
  /* Factor norms of the unscaled construction, exact; for a composition the sums
   * over blocks (block-diagonal matrices): ||M_1||_F^2 and ||W_l||_F^2 in
   * w_norm2[l - 1], l = 1..L. */
  mpq_t m1_norm2;
  mpq_t *w_norm2;
  /* Ranks in class-mean form: rank_hidden[l - 1] = rank H_l (l = 1..L),
   * rank_preact[l - 1] = rank P_l (l = 2..L; rank_preact[0] = -1), rank_out of
   * the output. Compositions: sums over blocks. */
  int *rank_hidden;
  int *rank_preact;
  int rank_out;
  union {
    /* DUFM_STRUCTURE_GRAPH: r vertices (K_r for srg:r), rank of the incidence
     * matrix B. */
    struct {
      int r, rank_b;
    } graph;
    /* DUFM_STRUCTURE_CLIQUE: neurons on K_r; m sizes k with squared weights z
     * (as used: optimized or fixed; every z > 0) and the optimizer's result
     * (optimized = 0 for fixed weights, then opt.product = w2 t2 and
     * opt.lower_bound = 0). */
    struct {
      int r, m;
      int *k;
      mpq_t *z;
      int optimized;
      dufm_clique_opt opt;
    } clique;
    /* DUFM_STRUCTURE_BLOCKS: one evaluation per block, computed inside the
     * composition (its loss, enclosure, regime and t are those of g_L at its
     * q_scaled; its K is K_b). */
    struct {
      int count;
      struct dufm_structure_eval *items;
    } blocks;
    /* DUFM_STRUCTURE_SETS, filled by dufm_sets_evaluate (dufm/sets.h): loss =
     * lower = upper is the dufm_eval loss of the polished configuration (no
     * enclosure: a floating-point value of one explicit configuration); q_pow,
     * q_scaled and the norms stay 0, t = 0, ranks are numerical (rank_tol
     * 1e-6). dufm_structure_evaluate only fills K, L and kind and returns
     * DUFM_ENOTAPPLICABLE. */
    struct {
      int certified;    /* dufm_cert_from_config proved: this configuration's rounding is
                           exactly below every DNC loss */
      double cert_loss; /* exact loss of the certified configuration (double), else NaN */
      int pattern_kept; /* the polished configuration has exactly the requested pattern */
      int converged;    /* the final polish met its relative gradient tolerance */
      double rel_grad;  /* its ||grad piece|| / piece loss */
      long violations, kinks, kink_kkt_violations; /* optimality conditions (dufm/polish.h) */
      int strict; /* no violation, no kink: interior point of its piece */
    } sets;
  };
} dufm_structure_eval;

/* Frees everything e owns and zero-fills it; a no-op on NULL and on a zero-filled
 * or cleared record. */
void dufm_structure_eval_clear(dufm_structure_eval *e);

/* Evaluates s at p (out uninitialized; clear it afterwards whatever the
 * status). Optimizes s first (dufm_structure_optimize;
 * s is const in what it stands for, its cached weights and name are set). The structure's K must
 * equal p->K (a bare "dnc" takes it). DUFM_ENOTAPPLICABLE with out->applicable = 0 when an edge or
 * clique construction (also inside a composition) meets L = 1 ("edge
 * constructions need L >= 2"); DUFM_EINVAL for a K mismatch; errors of
 * dufm_gl_eval pass through. Cost: O(r + K) per graph block (BFS), clique norms
 * from the Johnson eigenvalues; no matrix is built. */
dufm_status dufm_structure_evaluate(dufm_structure_eval *out, const dufm_structure *s,
                                    const dufm_params *p, dufm_err *err);

typedef enum {
  DUFM_CMP_BELOW = -1, /* a has the strictly lower loss */
  DUFM_CMP_EQUAL = 0,
  DUFM_CMP_ABOVE = 1,
  DUFM_CMP_UNDECIDED = 2
} dufm_cmp;

/* Compares the losses of two evaluations at the same parameters. Exact when
 * possible: with c = min(q_scaled, Q_0^(L+1)) per block and block weights
 * K_b / K, if the distribution of c over a's blocks is stochastically below
 * (first order) b's, then F_a <= F_b, with equality iff the distributions
 * coincide (proofs/blocks.md); single structures are one-block distributions,
 * so two singles compare exactly by their clamped q_pow. Sets/pattern
 * evaluations always compare UNDECIDED here (their verdict is a certificate:
 * dufm/sets.h). Otherwise (or for
 * different L) the rigorous enclosures decide when they are disjoint; else
 * UNDECIDED. Not-applicable evaluations compare UNDECIDED. */
dufm_cmp dufm_structure_compare(const dufm_structure_eval *a, const dufm_structure_eval *b);

/* Ridge relaxation of the last layer (dufm_ridge_eval) of one evaluated
 * structure at p (compositions: sum over blocks, each block a K_b-class problem
 * with lambdas scaled by K / K_b). Read from the exact record e alone
 * (A = a_0 ... a_{L-1} = q_scaled / a_L; s is not used). DUFM_ENOTAPPLICABLE
 * when e is. */
dufm_status dufm_structure_ridge(dufm_ridge *out, const dufm_structure *s,
                                 const dufm_structure_eval *e, const dufm_params *p, dufm_err *err);

/* Largest total number of matrix entries (H1 and every W_l) that
 * dufm_structure_build and dufm_structure_materialize will allocate; larger
 * requests (srg:300 has a 44850 x 44850 W_L, clique neurons grow like C(R,k))
 * fail with DUFM_EINVAL. */
#define DUFM_STRUCTURE_MAX_ENTRIES (1L << 24)

/* The explicit unscaled construction in the given form (out uninitialized;
 * clear it afterwards whatever the status): DNC M_1 = W_l = I_m; edge
 * construction M_1 = B, W_l = P_B (l <= L-2), W_{L-1} rows w_e, W_L = I_K
 * (widths r, ..., r, K, K); clique W_{L-1} rows rho_k w_S for every k-subset
 * S (sizes in increasing order, subsets in lexicographic order; sizes with
 * z_k = 0 get no neurons), W_L = T^+ (computed numerically by a Cholesky
 * solve). Compositions: blocks side by side (block-diagonal weights, classes in
 * block order). Per-sample form repeats each class column n times. Errors:
 * those of dufm_structure_evaluate, DUFM_EINVAL above DUFM_STRUCTURE_MAX_ENTRIES,
 * DUFM_ENUMERIC if T^T T is numerically singular. Sets/pattern structures: the
 * pattern-consistent start of dufm/sets.h (not rescaled); DUFM_EINVAL when a
 * requested neuron type cannot be realized from the layer before it. */
dufm_status dufm_structure_build(dufm_config *out, const dufm_structure *s, const dufm_params *p,
                                 dufm_form form, dufm_err *err);

/* The construction rescaled to its rescale-optimal scales (theory section 2),
 * block by block: every factor y_i of block b with a_i y_i^2 equal and product
 * y_0 ... y_L = t_b, the minimizer of g_L at the block's q_scaled. Its generic
 * loss (dufm_eval) equals the closed-form loss. A block in the zero regime
 * (t_b = 0) is materialized as zeros (the zero solution is the optimum there;
 * use dufm_structure_build for its shape). Sets/pattern structures give
 * DUFM_ENOTAPPLICABLE (their configuration is polished: dufm_sets_materialize).
 * A zero lambda gives
 * DUFM_ENOTAPPLICABLE ("a zero lambda makes the optimum unattained"). Other
 * errors as dufm_structure_build. out uninitialized; clear it afterwards
 * whatever the status. */
dufm_status dufm_structure_materialize(dufm_config *out, const dufm_structure *s,
                                       const dufm_params *p, dufm_form form, dufm_err *err);

DUFM_END_DECLS

#endif
