/* dufm/sets.h: structures described by their activation patterns (docs/theory.md
 * section 9, proofs/sets.md): set systems "sets:..." and pattern files
 * "pattern:FILE". There is no closed form: the loss is that of a configuration
 * built to have the pattern and polished (dufm/polish.h), and a verdict against
 * DNC comes only from a certificate of that configuration
 * (dufm_cert_from_config).
 *
 * Inline form (no spaces):
 *
 *   sets:S_0,S_1,...,S_{K-1}[/last:T_1,T_2,...]
 *
 * Class c is the set S_c of neuron *types*, each type one symbol 0-9 then a-z
 * (at most 36). Every S_c is nonempty, has no repeated symbol, and no two
 * classes have the same set; 2 <= K <= DUFM_SETS_MAX_K. The types used are
 * t_1 < t_2 < ... < t_r (by symbol). At depth L:
 *   - hidden layers 2..L-1 have one neuron per type t, active on the classes
 *     {c : t in S_c} (so these layers have rank about r);
 *   - the last hidden layer L is the explicit list after "/last:", each T_i a
 *     set of CLASSES written with the same symbols (class 0..35), repeats
 *     allowed; by default: the one-class neuron {c} for every class c for which
 *     it is realizable from layer L-1 of the start (some weights give exactly
 *     that sign pattern), plus one all-class neuron when some class has none
 *     (the output then needs it to reach rank K).
 * At L = 2 the type layer is the free features H_1 itself (1 where a type
 * holds, 0 elsewhere). Canonical name: symbols of each S_c in
 * increasing order, the /last list in the canonical type order of
 * dufm/pattern.h (by size, then lexicographically). Example: sets:01,0,1 at
 * L = 4 has layers 2 and 3 {0,1} {0,2} (types 0 and 1) and last layer
 * {1} {2} {0,1,2}.
 *
 * File form "pattern:FILE" (FILE may not contain '+' or spaces; read when the
 * spec is parsed). Lines, '#' starts a comment, blank lines are skipped,
 * leading spaces are ignored:
 *
 *   K <classes>                    required, first
 *   L <depth>                      optional: the file describes exactly this L
 *   layer <l>: <types>             l = 2, 3, ... consecutive, at least one
 *
 * <types> is the layer text of dufm/pattern.h, as `dufm check` prints it:
 * types "{a,b,...}" (classes in increasing order, each in 0..K-1), a
 * multiplicity written "mx{...}", an optional trailing "(k dead)" (dead neurons
 * are dropped: zero rows cost nothing and change no output). Every class must
 * be active on some neuron of every layer. With layers 2..m given and no 'L'
 * line, depth L >= m uses layers 2..m-1 as given, repeats layer m-1 on layers
 * m..L-1 and makes the given layer m the last hidden layer L (m = 2: only
 * L = 2). The canonical name is the spec itself.
 *
 * The start (dufm_structure_build): H_1 = 2 A_1 - 1 (A_1: the type layer in the
 * inline form, layer 2's pattern in a file; inline at L = 2: H_1 = A_1) in
 * class-mean columns, then for each
 * layer l = 2..L and each neuron the weights of the Ho-Kashyap procedure (a
 * least-squares iteration that finds strictly separating weights when they
 * exist) on the previous layer's activations, so that its pre-activation is
 * > 0 exactly on its classes, each row scaled to max |pre-activation| = 1;
 * W_L = H_L^+ (least squares). Deterministic, no random numbers. */
#ifndef DUFM_SETS_H
#define DUFM_SETS_H

#include "dufm/compare.h"
#include "dufm/error.h"
#include "dufm/export.h"
#include "dufm/model.h"
#include "dufm/params.h"
#include "dufm/polish.h"
#include "dufm/structure.h"

DUFM_BEGIN_DECLS

#define DUFM_SETS_MAX_K 36       /* classes (one symbol each in /last) */
#define DUFM_SETS_MAX_SYMBOLS 36 /* neuron types of the inline form */
#define DUFM_SETS_MAX_ROWS 4096  /* neurons of one layer */

/* ---- The pattern a structure requests (structure module) */

typedef struct {
  int L, K;
  int *d;              /* d[0..L]: widths of H_1..H_L, d[L] = K */
  unsigned char **act; /* act[i], i = 0..L-1: d[i] x K, row-major: 1 where the start's
                          H_{i+1} is positive (i >= 1: the requested activity of
                          layer i + 1; i = 0: the signs of the start's H_1) */
} dufm_sets_layout;

/* The layers s requests at depth L (out uninitialized; clear it afterwards
 * whatever the status). Errors: DUFM_EINVAL when s is not a sets/pattern structure or a
 * default last layer's realizability cannot be decided, DUFM_ENOTAPPLICABLE
 * when a file does not describe depth L (its 'L' line, fewer layers than
 * given, or only layer 2 given and L > 2), DUFM_ENOMEM. Cost: O(L d^2 K) plus
 * K Ho-Kashyap runs for a default last layer. */
dufm_status dufm_sets_layout_at(dufm_sets_layout *out, const dufm_structure *s, int L,
                                dufm_err *err);
/* Frees everything lay owns and zero-fills it; a no-op on NULL and on a
 * zero-filled or cleared record. */
void dufm_sets_layout_clear(dufm_sets_layout *lay);

/* The depth a pattern file fixes with its 'L' line, else 0 (also for other
 * structures). */
int dufm_sets_fixed_L(const dufm_structure *s);

/* ---- Polished configurations, candidates and compare (sets module) */

typedef struct {
  dufm_config config;        /* polished, per-sample form at p */
  dufm_loss loss;            /* dufm_eval of config (the true loss) */
  double start_loss;         /* dufm_eval of the rescale-optimal start */
  double pattern_loss;       /* after the fixed-pattern polish */
  dufm_polish_report report; /* of the final dufm_polish: conditions at config */
  dufm_sets_layout layout;   /* the requested pattern */
  int pattern_kept;          /* dufm_pattern_extract(config) has, on every layer 2..L,
                                exactly the requested types with their counts and no
                                dead neuron */
  int rank_hidden[DUFM_MAX_L], rank_preact[DUFM_MAX_L], rank_out; /* as in
                               dufm_structure_eval, numerical (dufm_analyze) */
} dufm_sets_solution;

/* The configuration of s at p: the start (dufm_structure_build, class means
 * repeated n times), rescale-optimal (theory section 2), dufm_polish_pattern
 * (the requested pattern held), then dufm_polish (which may leave the pattern:
 * pattern_kept says). o = NULL: dufm_polish_opts_default. out uninitialized;
 * clear it afterwards whatever the status. Deterministic. Errors: those of
 * dufm_sets_layout_at and dufm_structure_build, DUFM_EINVAL for a K mismatch
 * or a zero lambda, polish errors. Cost: the polish budget (o->max_evals
 * evaluations, each O(sum d_l d_{l-1} K n)). */
dufm_status dufm_sets_solve(dufm_sets_solution *out, const dufm_structure *s, const dufm_params *p,
                            const dufm_polish_opts *o, dufm_err *err);
/* Frees everything x owns and zero-fills it; a no-op on NULL and on a
 * zero-filled or cleared record. */
void dufm_sets_solution_clear(dufm_sets_solution *x);

/* Fills out->eval (kind DUFM_STRUCTURE_SETS, see dufm_structure_eval) from a
 * solution, and when dnc (DNC's closed-form evaluation at p) is given,
 * ratio_to_dnc and vs_dnc: BELOW only when dufm_cert_from_config certifies the
 * configuration (exact loss below the DNC bound), ABOVE when the float loss
 * exceeds dnc->upper by more than 1e-9 relative, else UNDECIDED. Sets
 * out->structure = s (the caller keeps ownership rules of dufm_candidate) and
 * origin. Errors: DUFM_ENOMEM, certificate errors other than "claim false". */
dufm_status dufm_sets_candidate(dufm_candidate *out, dufm_structure *s, dufm_origin origin,
                                const dufm_sets_solution *sol, const dufm_params *p,
                                const dufm_structure_eval *dnc, dufm_err *err);

/* Any structure's explicit configuration: dufm_structure_materialize, or for a
 * sets/pattern structure the polished configuration of dufm_sets_solve (in
 * class-mean form: its class means, with H_1's weight n lambda_H the loss is
 * the same). Errors as those. out uninitialized; clear it afterwards whatever
 * the status. */
dufm_status dufm_sets_materialize(dufm_config *out, const dufm_structure *s, const dufm_params *p,
                                  dufm_form form, dufm_err *err);

/* The menu of set systems for K classes (docs/theory.md section 9): the i-th
 * spec, or NULL past the end. */
const char *dufm_sets_menu_spec(int K, int i);

/* dufm_compare plus the menu's set systems for p->K (origin DUFM_ORIGIN_SETS),
 * each solved and, when below DNC in floating point, certified; the verdict is
 * recomputed (dnc_not_optimal from a set system only with a certificate).
 * Cost: one dufm_sets_solve per menu entry (K <= 6: well under a second each
 * at L <= 6). out uninitialized; clear it afterwards whatever the status. */
dufm_status dufm_sets_compare(dufm_comparison *out, const dufm_params *p,
                              const dufm_compare_opts *o, dufm_err *err);

DUFM_END_DECLS

#endif
