/* Explicit matrices of one block (theory sections 3-5): widths and entries. */
#include <cblas.h>
#include <lapacke.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>

#include "dufm/rational.h"
#include "structure/structure_internal.h"

#define AT(c, l, i, j) DUFM_MAT_AT(&(c)->W[l], i, j)

dufm_status dufm_i_block_widths(int *d, const dufm_structure *s, int K, int L, dufm_err *err) {
  for (int i = 0; i <= L; i++)
    d[i] = s->kind == DUFM_STRUCTURE_DNC ? K : s->r;
  d[L] = K;
  if (s->kind == DUFM_STRUCTURE_GRAPH)
    d[L - 1] = K;
  if (s->kind != DUFM_STRUCTURE_CLIQUE)
    return DUFM_OK;
  /* One neuron per k-subset for every size with a nonzero weight. */
  mpz_t total, term;
  mpz_inits(total, term, NULL);
  for (int i = 0; i < s->nk; i++) {
    if (mpq_sgn(s->z[i]) == 0)
      continue;
    mpz_bin_uiui(term, (unsigned long)s->r, (unsigned long)s->k[i]);
    mpz_add(total, total, term);
  }
  int fits = mpz_cmp_si(total, DUFM_STRUCTURE_MAX_ENTRIES) <= 0;
  d[L - 1] = fits ? (int)mpz_get_si(total) : INT_MAX;
  mpz_clears(total, term, NULL);
  if (!fits)
    return dufm_err_set(err, DUFM_EINVAL,
                        "%s: more than %ld clique neurons, too many to materialize", s->name,
                        (long)DUFM_STRUCTURE_MAX_ENTRIES);
  return DUFM_OK;
}

/* H1 = B (scaled, per copies of each class column) and W_1..W_{L-2} = P_B:
 * P_B = I minus, for each bipartite component C with signs s (+1 on one side,
 * -1 on the other), s s^T / |C| (proofs/edge.md). */
static void fill_front(dufm_config *c, const dufm_i_graph *g, int r, int K, const int *u,
                       const int *v, const int *off, int per, const double *y) {
  const int L = c->L;
  for (int e = 0; e < K; e++)
    for (int j = 0; j < per; j++) {
      int col = (off[L] + e) * per + j;
      DUFM_MAT_AT(&c->H1, off[0] + u[e], col) = y[0];
      DUFM_MAT_AT(&c->H1, off[0] + v[e], col) = y[0];
    }
  for (int l = 1; l <= L - 2; l++)
    for (int a = 0; a < r; a++)
      for (int b = 0; b < r; b++) {
        double p = a == b ? 1.0 : 0.0;
        int ca = g->comp[a];
        if (ca == g->comp[b] && g->bip[ca])
          p -= (g->side[a] == g->side[b] ? 1.0 : -1.0) / g->size[ca];
        AT(c, l - 1, off[l] + a, off[l - 1] + b) = y[l] * p;
      }
}

/* W_{L-1} rows w_e (+1/2 on e, -1/2 elsewhere) and W_L = I_K. */
static void fill_edge_back(dufm_config *c, int r, int K, const int *u, const int *v, const int *off,
                           const double *y) {
  const int L = c->L;
  for (int e = 0; e < K; e++) {
    for (int x = 0; x < r; x++)
      AT(c, L - 2, off[L - 1] + e, off[L - 2] + x) =
          y[L - 1] * ((x == u[e] || x == v[e]) ? 0.5 : -0.5);
    AT(c, L - 1, off[L] + e, off[L - 1] + e) = y[L];
  }
}

/* Clique neurons: W_{L-1} rows rho_k w_S, T (neurons x K) with rho_k on the
 * edges inside S, and W_L = T^+ = (T^T T)^{-1} T^T by a Cholesky solve (kept
 * numerical on purpose: the tests compare it with the Johnson closed forms). */
static dufm_status fill_clique_back(dufm_config *c, const dufm_structure *s, int K, const int *off,
                                    const double *y, dufm_err *err) {
  const int L = c->L, r = s->r;
  int rows = 0; /* fits an int: dufm_i_block_widths checked the count */
  for (int i = 0; i < s->nk; i++)
    if (mpq_sgn(s->z[i]) > 0) {
      mpz_t b;
      mpz_init(b);
      mpz_bin_uiui(b, (unsigned long)r, (unsigned long)s->k[i]);
      rows += (int)mpz_get_si(b);
      mpz_clear(b);
    }
  dufm_status st = DUFM_OK;
  double *t = calloc((size_t)rows * (size_t)K, sizeof *t);
  double *x = malloc((size_t)rows * (size_t)K * sizeof *x);
  double *gram = malloc((size_t)K * (size_t)K * sizeof *gram);
  int *set = malloc((size_t)r * sizeof *set);
  char *in = calloc((size_t)r, 1);
  if (t == NULL || x == NULL || gram == NULL || set == NULL || in == NULL) {
    st = dufm_err_set(err, DUFM_ENOMEM, "%s: out of memory for the clique neurons", s->name);
    goto cleanup;
  }
  int row = 0;
  for (int i = 0; i < s->nk; i++) {
    const int k = s->k[i];
    const double rho = sqrt(dufm_q_get_d(s->z[i]));
    if (!(rho > 0.0))
      continue;
    for (int a = 0; a < k; a++)
      set[a] = a;
    for (;;) { /* k-subsets in lexicographic order */
      for (int a = 0; a < k; a++)
        in[set[a]] = 1;
      for (int v = 0; v < r; v++)
        AT(c, L - 2, off[L - 1] + row, off[L - 2] + v) = y[L - 1] * rho * (in[v] ? 0.5 : -0.5);
      for (int a = 0; a < k; a++)
        for (int b = a + 1; b < k; b++)
          t[(size_t)row * K + (size_t)dufm_i_complete_index(r, set[a], set[b])] = rho;
      for (int a = 0; a < k; a++)
        in[set[a]] = 0;
      row++;
      int a = k - 1;
      while (a >= 0 && set[a] == r - k + a)
        a--;
      if (a < 0)
        break;
      set[a]++;
      for (int b = a + 1; b < k; b++)
        set[b] = set[b - 1] + 1;
    }
  }
  cblas_dsyrk(CblasRowMajor, CblasUpper, CblasTrans, K, rows, 1.0, t, K, 0.0, gram, K);
  for (int e = 0; e < K; e++)
    for (int n = 0; n < rows; n++)
      x[(size_t)e * rows + n] = t[(size_t)n * K + e];
  lapack_int info = LAPACKE_dposv(LAPACK_ROW_MAJOR, 'U', K, rows, gram, K, x, rows);
  if (info != 0) {
    st = dufm_err_set(err, DUFM_ENUMERIC, "%s: T^T T is not numerically positive definite (%d)",
                      s->name, (int)info);
    goto cleanup;
  }
  for (int e = 0; e < K; e++)
    for (int n = 0; n < rows; n++)
      AT(c, L - 1, off[L] + e, off[L - 1] + n) = y[L] * x[(size_t)e * rows + n];
cleanup:
  free(t);
  free(x);
  free(gram);
  free(set);
  free(in);
  return st;
}

dufm_status dufm_i_fill_block(dufm_config *c, const dufm_structure *s, int K, const int *off,
                              int per, const double *y, dufm_err *err) {
  const int L = c->L;
  if (s->kind == DUFM_STRUCTURE_DNC) {
    for (int i = 0; i < K; i++) {
      for (int j = 0; j < per; j++)
        DUFM_MAT_AT(&c->H1, off[0] + i, (off[L] + i) * per + j) = y[0];
      for (int l = 0; l < L; l++)
        AT(c, l, off[l + 1] + i, off[l] + i) = y[l + 1];
    }
    return DUFM_OK;
  }
  int *u = s->u, *v = s->v;
  dufm_i_graph g = {0};
  dufm_status st = DUFM_OK;
  if (s->u == NULL)
    st = dufm_i_complete_edges(&u, &v, s->r, err);
  if (st == DUFM_OK)
    st = dufm_i_graph_analyze(&g, s->r, K, u, v, err);
  if (st == DUFM_OK) {
    fill_front(c, &g, s->r, K, u, v, off, per, y);
    if (s->kind == DUFM_STRUCTURE_GRAPH)
      fill_edge_back(c, s->r, K, u, v, off, y);
    else
      st = fill_clique_back(c, s, K, off, y, err);
  }
  dufm_i_graph_clear(&g);
  if (u != s->u) {
    free(u);
    free(v);
  }
  return st;
}
