/* Members of the low-rank families (see structure/family.h). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "dufm/rational.h"
#include "structure/family.h"
#include "structure/structure_internal.h"

int dufm_i_triangular_root(long K) {
  long r = (long)((1.0 + sqrt(1.0 + 8.0 * (double)K)) / 2.0);
  for (long c = r - 1; c <= r + 1; c++)
    if (c >= 2 && c * (c - 1) / 2 == K)
      return (int)c;
  return 0;
}

dufm_status dufm_i_family_graph(dufm_structure **out, int r, int drop, int pendant, dufm_err *err) {
  int K = r * (r - 1) / 2 - drop + pendant;
  int *u = malloc((size_t)K * sizeof *u), *v = malloc((size_t)K * sizeof *v);
  if (u == NULL || v == NULL) {
    free(u);
    free(v);
    return dufm_err_set(err, DUFM_ENOMEM, "out of memory for a graph");
  }
  int e = 0;
  for (int i = 0; i < r; i++)
    for (int j = i + 1; j < r; j++)
      if (!(j == i + 1 && i % 2 == 0 && i / 2 < drop))
        u[e] = i, v[e] = j, e++;
  for (int q = 0; q < pendant; q++)
    u[e] = q % r, v[e] = r + q, e++;
  dufm_status st = dufm_structure_graph(out, r + pendant, K, u, v, err);
  free(u);
  free(v);
  return st;
}

dufm_status dufm_i_clique_range(dufm_structure **out, int r, int kmin, int kmax, dufm_err *err) {
  int m = kmax - kmin + 1;
  int *k = malloc((size_t)m * sizeof *k);
  if (k == NULL)
    return dufm_err_set(err, DUFM_ENOMEM, "out of memory for clique sizes");
  for (int i = 0; i < m; i++)
    k[i] = kmin + i;
  dufm_status st = dufm_structure_clique(out, r, m, k, NULL, err);
  free(k);
  return st;
}

dufm_status dufm_i_structure_log_qpow(double *out, const dufm_structure *s, const dufm_params *p,
                                      int K, dufm_err *err) {
  dufm_structure_eval e;
  memset(&e, 0, sizeof e);
  dufm_status st = dufm_i_eval_alloc(&e, p->L, err);
  if (st == DUFM_OK)
    st = dufm_i_closed_single(&e, s, p, K, err);
  if (st == DUFM_OK)
    *out = dufm_q_log(e.q_pow);
  dufm_structure_eval_clear(&e);
  return st;
}
