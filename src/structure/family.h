/* Internal: the members of the low-rank families that the compare menu and the
 * block DP draw from (compare/menu.c has the one table of them), and the exact
 * closed form the DP ranks them by. */
#ifndef DUFM_STRUCTURE_FAMILY_H
#define DUFM_STRUCTURE_FAMILY_H

#include "dufm/structure.h"

/* r with r (r - 1) / 2 = K, or 0. */
int dufm_i_triangular_root(long K);

/* K_r minus the matching {0-1, 2-3, ...} of size drop, plus pendant edges from
 * new vertices r, r+1, ... to vertices 0, 1, ... (a graph structure). */
dufm_status dufm_i_family_graph(dufm_structure **out, int r, int drop, int pendant, dufm_err *err);

/* Clique neurons on K_r with the sizes kmin..kmax, weights optimized. */
dufm_status dufm_i_clique_range(dufm_structure **out, int r, int kmin, int kmax, dufm_err *err);

/* log Q^(L+1) of a single (non-composition) structure s used as a block of K
 * classes at the lambdas and n of p (p->K is not used): the exact closed form,
 * rounded once. DUFM_ENOTAPPLICABLE as dufm_structure_evaluate. */
dufm_status dufm_i_structure_log_qpow(double *out, const dufm_structure *s, const dufm_params *p,
                                      int K, dufm_err *err);

#endif
