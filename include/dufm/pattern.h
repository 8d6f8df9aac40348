/* dufm/pattern.h: activation patterns of a configuration's ReLU layers.
 *
 * For each hidden layer l = 2..L (H_l = relu(W_{l-1} H_{l-1}), d_l neurons) and
 * each neuron i, m_ic is the class mean of H_l[i, .] over the n samples of
 * class c. Neuron i is active on class c when m_ic > rel_tol * m_max, where
 * m_max is the largest m_ic of the layer (no neuron is active when m_max = 0).
 * Its type is the set of classes it is active on; a neuron with the empty set
 * is dead. A layer's pattern is the multiset of the types of its live neurons
 * plus the count of dead ones.
 *
 * Canonical order of the types: by size, then lexicographically by their
 * increasing class lists. Text of a layer: the types in that order, separated
 * by spaces, a multiplicity m > 1 written "mx" ("3x{0} {1,2} {0,2,5}"), then
 * "(k dead)" when k > 0 ("-" when the layer has no neuron at all).
 *
 * Signature (invariant under any permutation of the neurons of any layer, and
 * under nothing else: relabelling the classes changes it):
 *   "K=<K>" then for each layer ";l<l>:" the types as "<m>x{a,b,...}" in
 *   canonical order (multiplicity always written) and last "dead=<k>", all
 *   separated by single spaces: "K=3;l2:2x{0} 1x{1,2} dead=1;l3:dead=4".
 * Its hash is the 64-bit FNV-1a of the signature's bytes.
 * Shape (invariant under neuron permutations AND class relabellings, coarser):
 *   the same with every type replaced by its size, "<m>x[s]", sorted by size
 *   then multiplicity: "K=3;l2:2x[1] 1x[2] dead=1". */
#ifndef DUFM_PATTERN_H
#define DUFM_PATTERN_H

#include <stdint.h>

#include "dufm/error.h"
#include "dufm/export.h"
#include "dufm/model.h"
#include "dufm/params.h"

DUFM_BEGIN_DECLS

typedef struct {
  double rel_tol; /* activity threshold relative to the layer's largest class mean, in (0, 1);
                     default 1e-6 */
} dufm_pattern_opts;

typedef struct {
  int layer;        /* l = 2..L */
  int rows;         /* d_l */
  int dead;         /* neurons active on no class */
  int ntypes;       /* distinct non-empty types */
  int *count;       /* ntypes multiplicities */
  int *start;       /* ntypes + 1 offsets into classes */
  int *classes;     /* type t: classes[start[t] .. start[t+1]-1], increasing */
  int *neuron_type; /* rows entries: the type of neuron i in 0..ntypes-1, or -1 if dead */
  char *text;       /* readable line (above) */
} dufm_pattern_layer;

typedef struct {
  int L, K;
  int nlayers;                /* L - 1 (layers 2..L) */
  double rel_tol;             /* the threshold used */
  dufm_pattern_layer *layers; /* nlayers entries, layers[i].layer = i + 2 */
  char *signature;
  char *shape;
  uint64_t hash;     /* FNV-1a 64 of signature */
  char hash_hex[17]; /* the hash as 16 lowercase hex digits */
} dufm_pattern;

void dufm_pattern_opts_default(dufm_pattern_opts *o);

/* Patterns of c (per-sample form at p: c->cols = K n). out uninitialized; clear
 * it afterwards whatever the status. o = NULL takes the defaults.
 * Errors: DUFM_EINVAL for rel_tol out of range or a c that does not match p,
 * DUFM_ENUMERIC for a non-finite forward pass, DUFM_ENOMEM. Cost: one forward
 * pass and O(d_l K log d_l) per layer. */
dufm_status dufm_pattern_extract(dufm_pattern *out, const dufm_config *c, const dufm_params *p,
                                 const dufm_pattern_opts *o, dufm_err *err);

/* Frees everything pt owns and zero-fills it; a no-op on NULL and on a zero-filled
 * or cleared record. */
void dufm_pattern_clear(dufm_pattern *pt);

DUFM_END_DECLS

#endif
