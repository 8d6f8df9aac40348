/* Graphs of edge constructions (theory section 4, proofs/edge.md): the
 * constructor's rules, components and bipartiteness by BFS, rank(B) and
 * rank(B^T B - J) without building any K x K matrix. */
#include <stdlib.h>
#include <string.h>

#include "structure/structure_internal.h"

void dufm_i_graph_clear(dufm_i_graph *g) {
  if (g == NULL)
    return;
  free(g->comp);
  free(g->side);
  free(g->bip);
  free(g->size);
  memset(g, 0, sizeof *g);
}

/* BFS over the CSR adjacency (start, nbr); fills comp, side, bip, size. */
static void bfs_all(dufm_i_graph *g, int r, const int *start, const int *nbr, int *queue) {
  for (int x = 0; x < r; x++)
    g->comp[x] = -1;
  for (int root = 0; root < r; root++) {
    if (g->comp[root] >= 0)
      continue;
    int c = g->ncomp++, head = 0, tail = 0;
    g->bip[c] = 1;
    g->size[c] = 0;
    g->comp[root] = c;
    g->side[root] = 0;
    queue[tail++] = root;
    while (head < tail) {
      int x = queue[head++];
      g->size[c]++;
      for (int i = start[x]; i < start[x + 1]; i++) {
        int y = nbr[i];
        if (g->comp[y] < 0) {
          g->comp[y] = c;
          g->side[y] = 1 - g->side[x];
          queue[tail++] = y;
        } else if (g->side[y] == g->side[x]) {
          g->bip[c] = 0; /* an odd cycle */
        }
      }
    }
  }
}

/* rank(B^T B - J) = rank(B) - [||P_B 1||^2 = 4] with ||P_B 1||^2 = r - sum over
 * bipartite components of (a - b)^2 / (a + b), a and b the two sides
 * (proofs/edge.md, "rank of the last pre-activation"). */
static int rank_pre(const dufm_i_graph *g, int r) {
  long *diff = calloc((size_t)g->ncomp, sizeof *diff);
  if (diff == NULL)
    return -1;
  for (int x = 0; x < r; x++)
    diff[g->comp[x]] += g->side[x] ? -1 : 1;
  mpq_t norm2, term;
  mpq_inits(norm2, term, NULL);
  mpq_set_si(norm2, r, 1);
  for (int c = 0; c < g->ncomp; c++) {
    if (!g->bip[c])
      continue;
    mpz_set_si(mpq_numref(term), diff[c]);
    mpz_mul(mpq_numref(term), mpq_numref(term), mpq_numref(term));
    mpz_set_si(mpq_denref(term), g->size[c]);
    mpq_canonicalize(term);
    mpq_sub(norm2, norm2, term);
  }
  int drop = mpq_cmp_ui(norm2, 4, 1) == 0;
  mpq_clears(norm2, term, NULL);
  free(diff);
  return g->rank_b - drop;
}

dufm_status dufm_i_graph_analyze(dufm_i_graph *g, int r, int K, const int *u, const int *v,
                                 dufm_err *err) {
  memset(g, 0, sizeof *g);
  dufm_status st = DUFM_OK;
  int *start = calloc((size_t)r + 1, sizeof *start);
  int *nbr = malloc(2 * (size_t)K * sizeof *nbr);
  int *fill = malloc((size_t)r * sizeof *fill);
  g->comp = malloc((size_t)r * sizeof *g->comp);
  g->side = malloc((size_t)r * sizeof *g->side);
  g->bip = malloc((size_t)r * sizeof *g->bip);
  g->size = malloc((size_t)r * sizeof *g->size);
  if (start == NULL || nbr == NULL || fill == NULL || g->comp == NULL || g->side == NULL ||
      g->bip == NULL || g->size == NULL) {
    st = dufm_err_set(err, DUFM_ENOMEM, "out of memory analysing a graph");
    goto cleanup;
  }
  for (int e = 0; e < K; e++) {
    start[u[e] + 1]++;
    start[v[e] + 1]++;
  }
  for (int x = 0; x < r; x++)
    start[x + 1] += start[x];
  memcpy(fill, start, (size_t)r * sizeof *fill);
  for (int e = 0; e < K; e++) {
    nbr[fill[u[e]]++] = v[e];
    nbr[fill[v[e]]++] = u[e];
  }
  bfs_all(g, r, start, nbr, fill); /* fill is free again: reuse as the queue */
  int nbip = 0;
  for (int c = 0; c < g->ncomp; c++)
    nbip += g->bip[c];
  g->rank_b = r - nbip;
  g->rank_pre = rank_pre(g, r);
  if (g->rank_pre < 0)
    st = dufm_err_set(err, DUFM_ENOMEM, "out of memory analysing a graph");
cleanup:
  if (st != DUFM_OK)
    dufm_i_graph_clear(g);
  free(start);
  free(nbr);
  free(fill);
  return st;
}

dufm_status dufm_i_complete_edges(int **u, int **v, int r, dufm_err *err) {
  size_t K = (size_t)r * (size_t)(r - 1) / 2;
  *u = malloc(K * sizeof **u);
  *v = malloc(K * sizeof **v);
  if (*u == NULL || *v == NULL) {
    free(*u);
    free(*v);
    *u = *v = NULL;
    return dufm_err_set(err, DUFM_ENOMEM, "out of memory for the edges of K_%d", r);
  }
  size_t e = 0;
  for (int i = 0; i < r; i++)
    for (int j = i + 1; j < r; j++, e++) {
      (*u)[e] = i;
      (*v)[e] = j;
    }
  return DUFM_OK;
}

typedef struct {
  int lo, hi, index;
} edge_key;

static int cmp_edge(const void *a, const void *b) {
  const edge_key *x = a, *y = b;
  if (x->lo != y->lo)
    return x->lo < y->lo ? -1 : 1;
  if (x->hi != y->hi)
    return x->hi < y->hi ? -1 : 1;
  return (x->index > y->index) - (x->index < y->index);
}

/* Rules of a graph spec; keys (m) and used (nused = min(r, 2m + 1), zero) are
 * scratch: m edges touch at most 2m vertices, so an unused vertex below nused
 * exists whenever one exists at all, and a huge r costs no memory. */
static dufm_status check_graph(int r, int m, const int *u, const int *v, edge_key *keys, int *used,
                               int nused, dufm_err *err) {
  for (int i = 0; i < m; i++) {
    if (u[i] < 0 || u[i] >= r || v[i] < 0 || v[i] >= r)
      return dufm_err_set(err, DUFM_EINVAL, "graph: edge %d-%d: vertices must be in 0..%d", u[i],
                          v[i], r - 1);
    if (u[i] == v[i])
      return dufm_err_set(err, DUFM_EINVAL, "graph: edge %d-%d: self-loop", u[i], v[i]);
    keys[i] = (edge_key){u[i] < v[i] ? u[i] : v[i], u[i] < v[i] ? v[i] : u[i], i};
    if (u[i] < nused)
      used[u[i]] = 1;
    if (v[i] < nused)
      used[v[i]] = 1;
  }
  qsort(keys, (size_t)m, sizeof *keys, cmp_edge);
  for (int i = 1; i < m; i++) {
    int a = keys[i - 1].index, b = keys[i].index;
    if (keys[i - 1].lo == keys[i].lo && keys[i - 1].hi == keys[i].hi)
      return dufm_err_set(err, DUFM_EINVAL,
                          "graph: edge %d-%d repeats edge %d-%d (edges are undirected)", u[b], v[b],
                          u[a], v[a]);
  }
  for (int x = 0; x < nused; x++)
    if (!used[x])
      return dufm_err_set(err, DUFM_EINVAL,
                          "graph: vertex %d is isolated (vertices 0..%d must all be used)", x,
                          r - 1);
  return DUFM_OK;
}

dufm_status dufm_structure_graph(dufm_structure **out, int r, int m, const int *u, const int *v,
                                 dufm_err *err) {
  *out = NULL;
  if (r < 2 || m < 1 || m > DUFM_MAX_K)
    return dufm_err_set(err, DUFM_EINVAL,
                        "graph: %d vertices and %d edges: needs r >= 2 and 1 <= K <= %d", r, m,
                        DUFM_MAX_K);
  dufm_structure *s = NULL;
  dufm_i_graph g = {0};
  edge_key *keys = malloc((size_t)m * sizeof *keys);
  int nused = (long)r > 2L * m ? 2 * m + 1 : r;
  int *used = calloc((size_t)nused, sizeof(int));
  dufm_status st = DUFM_OK;
  if (keys == NULL || used == NULL) {
    st = dufm_err_set(err, DUFM_ENOMEM, "out of memory checking a graph");
    goto cleanup;
  }
  st = check_graph(r, m, u, v, keys, used, nused, err);
  if (st == DUFM_OK)
    st = dufm_i_graph_analyze(&g, r, m, u, v, err);
  if (st == DUFM_OK)
    st = dufm_i_structure_alloc(&s, DUFM_STRUCTURE_GRAPH, err);
  if (st != DUFM_OK)
    goto cleanup;
  s->r = r;
  s->K = m;
  s->rank_b = g.rank_b;
  s->rank_pre = g.rank_pre;
  s->u = malloc((size_t)m * sizeof(int));
  s->v = malloc((size_t)m * sizeof(int));
  if (s->u == NULL || s->v == NULL) {
    st = dufm_err_set(err, DUFM_ENOMEM, "out of memory for a graph");
    goto cleanup;
  }
  memcpy(s->u, u, (size_t)m * sizeof(int));
  memcpy(s->v, v, (size_t)m * sizeof(int));
  dufm_i_str name = {0};
  dufm_i_str_printf(&name, "graph:");
  for (int i = 0; i < m; i++)
    dufm_i_str_printf(&name, "%s%d-%d", i ? "," : "", u[i], v[i]);
  st = dufm_i_structure_finish(out, s, &name, err);
  s = NULL; /* finish owns it now */
cleanup:
  dufm_structure_free(s);
  dufm_i_graph_clear(&g);
  free(keys);
  free(used);
  return st;
}
