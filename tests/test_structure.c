/* Solution structures: specs, exact closed forms against explicit matrices
 * evaluated by the generic loss, ranks against SVDs, the exact comparison, the
 * paper's criterion and the error paths. */
#include <gmp.h>
#include <lapacke.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dufm/clique.h"
#include "dufm/dnc.h"
#include "dufm/model.h"
#include "dufm/rational.h"
#include "dufm/structure.h"
#include "testutil.h"

#define REL 1e-12
#define RANK_TOL 1e-10

/* Lambda sets: equal, unequal per layer, and large (zero regime for most). */
enum { LAM_EQUAL, LAM_UNEQUAL, LAM_LARGE, LAM_SETS };

static int set_params(dufm_params *p, int L, int K, int n, int set) {
  if (dufm_params_init(p, L, K, n, NULL) != DUFM_OK)
    return 0;
  static const char *unequal[] = {"0.0005", "0.003", "0.0017", "1/700", "0.0021", "0.0008"};
  int ok = 1;
  if (set == LAM_EQUAL)
    ok = dufm_params_set_lambda(p, DUFM_LAMBDA_ALL, "1e-3", NULL) == DUFM_OK;
  else if (set == LAM_LARGE)
    ok = dufm_params_set_lambda(p, DUFM_LAMBDA_ALL, "0.3", NULL) == DUFM_OK;
  else {
    ok = dufm_params_set_lambda(p, DUFM_LAMBDA_H, "0.002", NULL) == DUFM_OK;
    for (int l = 0; l < L && ok; l++)
      ok = dufm_params_set_lambda(p, l, unequal[l % 6], NULL) == DUFM_OK;
  }
  return ok;
}

/* Numerical rank: singular values above RANK_TOL times the largest. */
static int svd_rank(const dufm_mat *m) {
  int k = m->rows < m->cols ? m->rows : m->cols, rank = 0;
  double *a = malloc((size_t)m->rows * (size_t)m->cols * sizeof *a);
  double *s = malloc((size_t)k * sizeof *s), *super = malloc((size_t)k * sizeof *super);
  memcpy(a, m->data, (size_t)m->rows * (size_t)m->cols * sizeof *a);
  lapack_int info = LAPACKE_dgesvd(LAPACK_ROW_MAJOR, 'N', 'N', m->rows, m->cols, a, m->cols, s,
                                   NULL, 1, NULL, 1, super);
  CU_ASSERT(info == 0);
  for (int i = 0; i < k; i++)
    rank += s[i] > RANK_TOL * s[0];
  free(a);
  free(s);
  free(super);
  return rank;
}

static int rank_is(int got, int want, const char *what, const char *spec, int L, int l) {
  if (got != want)
    fprintf(stderr, "\n  %s L=%d: rank of %s (l = %d) is %d, closed form %d\n", spec, L, what, l,
            got, want);
  return got == want;
}

/* Max |O - Y| of a configuration's output (per = columns per class). */
static double fit_error(const dufm_mat *o, int per) {
  double worst = 0.0;
  for (int i = 0; i < o->rows; i++)
    for (int j = 0; j < o->cols; j++)
      worst = fmax(worst, fabs(DUFM_MAT_AT(o, i, j) - (j / per == i ? 1.0 : 0.0)));
  return worst;
}

/* Unscaled construction: exact fit, factor norms and every rank. */
static void check_build(const dufm_structure *s, const dufm_params *p,
                        const dufm_structure_eval *e) {
  const char *spec = dufm_structure_name(s);
  for (int f = 0; f < 2; f++) {
    dufm_form form = f ? DUFM_FORM_SAMPLES : DUFM_FORM_CLASS_MEANS;
    int per = f ? p->n : 1;
    dufm_config c;
    dufm_err err;
    if (dufm_structure_build(&c, s, p, form, &err) != DUFM_OK) {
      fprintf(stderr, "\n  %s: build failed: %s\n", spec, err.msg);
      CU_FAIL("build");
      return;
    }
    TU_ASSERT_CLOSE(dufm_mat_frob2(&c.H1), per * dufm_q_get_d(e->m1_norm2), REL, 0);
    for (int l = 0; l < p->L; l++)
      TU_ASSERT_CLOSE(dufm_mat_frob2(&c.W[l]), dufm_q_get_d(e->w_norm2[l]), REL, 0);
    dufm_eval_ws *ws = NULL;
    dufm_loss loss;
    CU_ASSERT_FATAL(dufm_eval_ws_alloc(&ws, &c, NULL) == DUFM_OK);
    CU_ASSERT(dufm_eval_with(&loss, NULL, &c, p, form, ws, NULL) == DUFM_OK);
    if (!tu_close(fit_error(dufm_eval_ws_output(ws), per), 0.0, 0, 1e-12, spec))
      CU_FAIL("unscaled construction is not an exact fit");
    if (!f) {
      CU_ASSERT(rank_is(svd_rank(&c.H1), e->rank_hidden[0], "H", spec, p->L, 1));
      for (int l = 2; l <= p->L; l++) {
        CU_ASSERT(rank_is(svd_rank(dufm_eval_ws_preact(ws, l)), e->rank_preact[l - 1], "P", spec,
                          p->L, l));
        CU_ASSERT(rank_is(svd_rank(dufm_eval_ws_hidden(ws, l)), e->rank_hidden[l - 1], "H", spec,
                          p->L, l));
      }
      CU_ASSERT(rank_is(svd_rank(dufm_eval_ws_output(ws)), e->rank_out, "O", spec, p->L, 0));
    }
    dufm_eval_ws_free(ws);
    dufm_config_clear(&c);
  }
}

/* Rescale-optimal configuration: generic loss = closed form, in both forms; for
 * a single structure every a_i is the same (the AM-GM balance). */
static void check_materialize(const dufm_structure *s, const dufm_params *p,
                              const dufm_structure_eval *e) {
  const char *spec = dufm_structure_name(s);
  for (int f = 0; f < 2; f++) {
    dufm_form form = f ? DUFM_FORM_SAMPLES : DUFM_FORM_CLASS_MEANS;
    dufm_config c;
    dufm_loss loss;
    dufm_err err;
    if (dufm_structure_materialize(&c, s, p, form, &err) != DUFM_OK) {
      fprintf(stderr, "\n  %s: materialize failed: %s\n", spec, err.msg);
      CU_FAIL("materialize");
      return;
    }
    CU_ASSERT(dufm_eval(&loss, NULL, &c, p, form, NULL) == DUFM_OK);
    if (!tu_close(loss.loss, e->loss, REL, 1e-300, spec))
      fprintf(stderr, "  (L = %d, n = %d, form %d)\n", p->L, p->n, f);
    CU_ASSERT(tu_close(loss.loss, e->loss, REL, 1e-300, spec));
    if (e->kind != DUFM_STRUCTURE_BLOCKS && e->t > 0) {
      for (int l = 0; l < p->L; l++)
        TU_ASSERT_CLOSE(p->lam_w_d[l] * dufm_mat_frob2(&c.W[l]), loss.a0, REL, 0);
    }
    dufm_config_clear(&c);
  }
}

static int is_edge_like(const dufm_structure *s) {
  return strncmp(dufm_structure_name(s), "dnc", 3) != 0 ||
         dufm_structure_kind_of(s) == DUFM_STRUCTURE_BLOCKS;
}

/* The whole agreement check of one spec at (L, n, lambda set). */
static void check_spec(const char *spec, int K_bare, int L, int n, int set) {
  dufm_structure *s = NULL;
  dufm_err err;
  if (dufm_structure_parse(&s, spec, &err) != DUFM_OK) {
    fprintf(stderr, "\n  '%s' rejected: %s\n", spec, err.msg);
    CU_FAIL("parse");
    return;
  }
  int K = dufm_structure_K(s) ? dufm_structure_K(s) : K_bare;
  dufm_params p;
  CU_ASSERT_FATAL(set_params(&p, L, K, n, set));
  dufm_structure_eval e;
  dufm_status st = dufm_structure_evaluate(&e, s, &p, &err);
  if (st == DUFM_ENOTAPPLICABLE) {
    CU_ASSERT(L == 1 && is_edge_like(s) && !e.applicable);
    CU_ASSERT(strstr(err.msg, "L >= 2") != NULL);
    dufm_config c;
    CU_ASSERT(dufm_structure_materialize(&c, s, &p, DUFM_FORM_CLASS_MEANS, NULL) ==
              DUFM_ENOTAPPLICABLE);
  } else if (st != DUFM_OK) {
    fprintf(stderr, "\n  '%s' L=%d: evaluate failed: %s\n", spec, L, err.msg);
    CU_FAIL("evaluate");
  } else {
    CU_ASSERT(e.applicable && e.K == K && e.L == L);
    CU_ASSERT(e.lower <= e.loss && e.loss <= e.upper);
    CU_ASSERT(e.upper - e.lower <= 1e-13);
    check_build(s, &p, &e);
    check_materialize(s, &p, &e);
  }
  dufm_structure_eval_clear(&e);
  dufm_params_clear(&p);
  dufm_structure_free(s);
}

static const char *dnc_specs[] = {"dnc", "dnc:4", NULL};
static const char *srg_specs[] = {"srg:3", "srg:4", "srg:5", "srg:6", "srg:7", NULL};
static const char *graph_specs[] = {
    "graph:0-1,1-2,2-3",                                     /* path P4 (bipartite) */
    "graph:0-1,0-2,0-3,0-4",                                 /* star K_{1,4} */
    "graph:0-1,1-2,2-3,3-0",                                 /* C4 = K4 minus a matching */
    "graph:0-1,1-2,2-3,3-4,4-5,5-0",                         /* even cycle C6 */
    "graph:0-1,1-2,2-3,3-4,4-0",                             /* odd cycle C5 */
    "graph:0-2,0-3,0-4,1-2,1-3,1-4,2-3,2-4,3-4",             /* K5 minus the edge 0-1 */
    "graph:0-2,0-3,0-4,1-2,1-3,1-4,2-4,3-4",                 /* K5 minus matching 0-1, 2-3 */
    "graph:0-2,0-3,0-4,0-5,1-2,1-3,1-4,1-5,2-4,2-5,3-4,3-5", /* octahedron K6 - 3K2 */
    "graph:0-2,0-3,0-4,1-2,1-3,1-4",                         /* K_{2,3} (unbalanced) */
    "graph:0-1,1-2,2-0,2-3",                                 /* triangle with a pendant */
    "graph:0-1,2-3",                                         /* two disjoint edges */
    "graph:0-1,1-2,2-0,3-4",                                 /* triangle plus an edge */
    NULL};
static const char *clique_specs[] = {
    "clique:5:3",     "clique:6:3",     "clique:5:3@1",
    "clique:4:2,3",   "clique:5:2,3",   "clique:6:2@1,3@1/2",
    "clique:5:2,3,4", "clique:6:2,3,4", "clique:6:2@1,3@1,4@sqrt(2)",
    "clique:7:2,3",   "clique:4:2",     NULL};
static const char *block_specs[] = {
    "srg:4+dnc:3",     "dnc:2+graph:0-1,1-2+clique:5:2,3", "srg:5+srg:3",
    "graph:0-1+dnc:1", "clique:5:3@1+dnc:2+srg:4",         NULL};

static void grid(const char **specs) {
  static const int ns[] = {1, 3};
  for (int i = 0; specs[i] != NULL; i++)
    for (int L = 1; L <= 6; L++)
      for (int set = 0; set < LAM_SETS; set++)
        for (int j = 0; j < 2; j++)
          check_spec(specs[i], 6, L, ns[j], set);
}

static void test_grid_dnc(void) { grid(dnc_specs); }
static void test_grid_srg(void) { grid(srg_specs); }
static void test_grid_graph(void) { grid(graph_specs); }
static void test_grid_clique(void) { grid(clique_specs); }
static void test_grid_blocks(void) { grid(block_specs); }

/* ---- exact cross-checks ------------------------------------------------- */

static dufm_structure *parse_ok(const char *spec) {
  dufm_structure *s = NULL;
  dufm_err err;
  if (dufm_structure_parse(&s, spec, &err) != DUFM_OK)
    fprintf(stderr, "\n  '%s' rejected: %s\n", spec, err.msg);
  CU_ASSERT_FATAL(s != NULL);
  return s;
}

/* Evaluates spec at p (K from the spec, or p's K for a bare dnc). */
static dufm_status eval_spec(dufm_structure_eval *e, const char *spec, const dufm_params *p) {
  dufm_structure *s = parse_ok(spec);
  dufm_err err;
  dufm_status st = dufm_structure_evaluate(e, s, p, &err);
  if (st != DUFM_OK && st != DUFM_ENOTAPPLICABLE)
    fprintf(stderr, "\n  '%s': %s\n", spec, err.msg);
  dufm_structure_free(s);
  return st;
}

/* DNC agrees with the dnc module; clique:R:2 and graph:K_R with srg:R (three
 * independent routes to the same Q^(L+1)); cliques agree with dufm_clique_qpow. */
static void test_closed_cross_checks(void) {
  for (int L = 1; L <= 5; L++) {
    dufm_params p;
    CU_ASSERT_FATAL(set_params(&p, L, 10, 3, LAM_UNEQUAL));
    dufm_structure_eval e;
    mpq_t q;
    mpq_init(q);
    CU_ASSERT(eval_spec(&e, "dnc", &p) == DUFM_OK);
    dufm_dnc_qpow(q, &p);
    CU_ASSERT(mpq_equal(q, e.q_pow));
    dufm_gl gl;
    CU_ASSERT(dufm_dnc_eval(&gl, &p, NULL) == DUFM_OK);
    CU_ASSERT(gl.value == e.loss && gl.regime == e.regime);
    dufm_structure_eval_clear(&e);
    mpq_clear(q);
    dufm_params_clear(&p);
  }
  for (int R = 3; R <= 8; R++)
    for (int L = 2; L <= 5; L++) {
      dufm_params p;
      CU_ASSERT_FATAL(set_params(&p, L, R * (R - 1) / 2, 1, LAM_UNEQUAL));
      char spec[512];
      dufm_structure_eval a, b, c;
      snprintf(spec, sizeof spec, "srg:%d", R);
      CU_ASSERT(eval_spec(&a, spec, &p) == DUFM_OK);
      snprintf(spec, sizeof spec, "clique:%d:2", R);
      CU_ASSERT(eval_spec(&b, spec, &p) == DUFM_OK);
      /* K_R with its edges listed from the last vertex down */
      int len = snprintf(spec, sizeof spec, "graph:");
      for (int i = R - 1; i >= 0; i--)
        for (int j = i - 1; j >= 0; j--)
          len += snprintf(spec + len, sizeof spec - (size_t)len, "%d-%d,", i, j);
      spec[len - 1] = '\0';
      CU_ASSERT(eval_spec(&c, spec, &p) == DUFM_OK);
      CU_ASSERT(mpq_equal(a.q_pow, b.q_pow) && mpq_equal(a.q_pow, c.q_pow));
      for (int l = 0; l < L; l++)
        CU_ASSERT(mpq_equal(a.w_norm2[l], b.w_norm2[l]) && mpq_equal(a.w_norm2[l], c.w_norm2[l]));
      CU_ASSERT(a.rank_preact[L - 1] == R - (R == 4) && b.rank_preact[L - 1] == R - (R == 4));
      CU_ASSERT(c.rank_preact[L - 1] == R - (R == 4));
      CU_ASSERT(dufm_structure_compare(&a, &c) == DUFM_CMP_EQUAL);
      CU_ASSERT(dufm_structure_compare(&b, &a) == DUFM_CMP_EQUAL);
      /* clique with optimized weights vs the clique module's own q_pow */
      int k[] = {2, 3};
      mpq_t z[2], q;
      mpq_inits(z[0], z[1], q, NULL);
      dufm_clique_opt opt;
      dufm_structure_eval d;
      snprintf(spec, sizeof spec, "clique:%d:2,3", R);
      if (R >= 4) {
        CU_ASSERT(eval_spec(&d, spec, &p) == DUFM_OK);
        CU_ASSERT(dufm_clique_optimize(z, &opt, R, 2, k, NULL) == DUFM_OK);
        CU_ASSERT(dufm_clique_qpow(q, &p, R, 2, k, (const mpq_t *)z, NULL) == DUFM_OK);
        CU_ASSERT(mpq_equal(q, d.q_pow));
        /* the record keeps r and only the sizes with nonzero weight */
        int used = (mpq_sgn(z[0]) != 0) + (mpq_sgn(z[1]) != 0);
        CU_ASSERT(d.kind == DUFM_STRUCTURE_CLIQUE && d.clique.optimized && d.clique.r == R &&
                  d.clique.m == used && d.clique.opt.lower_bound > 0);
        for (int i = 0; i < d.clique.m; i++)
          CU_ASSERT(mpq_sgn(d.clique.z[i]) > 0);
        CU_ASSERT(d.clique.opt.lower_bound <= d.clique.opt.product * (1 + 1e-12));
        /* optimized sizes {2, 3} are never worse than size 2 alone */
        CU_ASSERT(dufm_structure_compare(&d, &a) != DUFM_CMP_ABOVE);
        dufm_structure_eval_clear(&d);
      }
      mpq_clears(z[0], z[1], q, NULL);
      dufm_structure_eval_clear(&a);
      dufm_structure_eval_clear(&b);
      dufm_structure_eval_clear(&c);
      dufm_params_clear(&p);
    }
}

/* ---- ranks of random graphs against an exact integer elimination --------- */

/* Rank of an integer matrix by fraction-free (Bareiss) elimination. */
static int bareiss_rank(long *a, int n) {
  mpz_t *m = malloc((size_t)n * (size_t)n * sizeof *m);
  mpz_t prev, t;
  mpz_inits(prev, t, NULL);
  mpz_set_ui(prev, 1);
  for (int i = 0; i < n * n; i++)
    mpz_init_set_si(m[i], a[i]);
  int rank = 0;
  for (int col = 0; col < n && rank < n; col++) {
    int piv = -1;
    for (int i = rank; i < n && piv < 0; i++)
      if (mpz_sgn(m[i * n + col]) != 0)
        piv = i;
    if (piv < 0)
      continue;
    for (int j = 0; j < n; j++)
      mpz_swap(m[piv * n + j], m[rank * n + j]);
    for (int i = rank + 1; i < n; i++) {
      for (int j = col + 1; j < n; j++) {
        mpz_mul(t, m[rank * n + col], m[i * n + j]);
        mpz_submul(t, m[i * n + col], m[rank * n + j]);
        mpz_divexact(m[i * n + j], t, prev);
      }
      mpz_set_ui(m[i * n + col], 0);
    }
    mpz_set(prev, m[rank * n + col]);
    rank++;
  }
  for (int i = 0; i < n * n; i++)
    mpz_clear(m[i]);
  free(m);
  mpz_clears(prev, t, NULL);
  return rank;
}

/* rank(B^T B - J) through the r x r integer matrix A^2 - deg deg^T, A = B B^T
 * (proofs/edge.md: B^T B - J = B^T (I - J/4) B has the rank of
 * A (4I - J) A = 4 (A^2 - deg deg^T)). */
static int pre_rank_exact(int r, int K, const int *u, const int *v) {
  long *A = calloc((size_t)r * r, sizeof *A), *N = calloc((size_t)r * r, sizeof *N);
  for (int e = 0; e < K; e++) {
    A[u[e] * r + u[e]]++;
    A[v[e] * r + v[e]]++;
    A[u[e] * r + v[e]]++;
    A[v[e] * r + u[e]]++;
  }
  for (int i = 0; i < r; i++)
    for (int j = 0; j < r; j++) {
      long s = -A[i * r + i] * A[j * r + j];
      for (int x = 0; x < r; x++)
        s += A[i * r + x] * A[x * r + j];
      N[i * r + j] = s;
    }
  int rank = bareiss_rank(N, r);
  free(A);
  free(N);
  return rank;
}

/* Random simple graphs without isolated vertices (seeded): rank(B) and
 * rank(P_L) from BFS against exact elimination, and the whole agreement check. */
static void test_random_graphs(void) {
  srand(12345);
  int iters = tu_iterations(40);
  for (int it = 0; it < iters; it++) {
    int r = 2 + rand() % 8, K = 0, u[64], v[64], deg[10] = {0};
    int density = 1 + rand() % 4; /* sparse to dense */
    for (int i = 0; i < r; i++)
      for (int j = i + 1; j < r; j++)
        if (rand() % 5 < density) {
          u[K] = i;
          v[K++] = j;
          deg[i]++;
          deg[j]++;
        }
    for (int i = 0; i < r; i++) /* attach isolated vertices */
      if (deg[i] == 0) {
        int j = (i + 1) % r;
        u[K] = i < j ? i : j;
        v[K++] = i < j ? j : i;
        deg[i]++;
        deg[j]++;
      }
    /* the repair may repeat an edge: drop duplicates */
    int m = 0;
    for (int e = 0; e < K; e++) {
      int dup = 0;
      for (int f = 0; f < m; f++)
        dup = dup || (u[f] == u[e] && v[f] == v[e]);
      if (!dup) {
        u[m] = u[e];
        v[m++] = v[e];
      }
    }
    K = m;
    if (K < 2)
      continue;
    char spec[1024];
    int len = snprintf(spec, sizeof spec, "graph:");
    for (int e = 0; e < K; e++)
      len += snprintf(spec + len, sizeof spec - (size_t)len, "%s%d-%d", e ? "," : "", v[e], u[e]);
    dufm_params p;
    CU_ASSERT_FATAL(set_params(&p, 3, K, 1, LAM_EQUAL));
    dufm_structure_eval e;
    CU_ASSERT_FATAL(eval_spec(&e, spec, &p) == DUFM_OK);
    int want = pre_rank_exact(r, K, u, v);
    if (e.rank_preact[2] != want)
      fprintf(stderr, "\n  %s: rank P_L %d, elimination %d\n", spec, e.rank_preact[2], want);
    CU_ASSERT(e.rank_preact[2] == want);
    dufm_structure_eval_clear(&e);
    dufm_params_clear(&p);
    check_spec(spec, 0, 2 + it % 4, 1 + 2 * (it % 2), it % 2 ? LAM_UNEQUAL : LAM_EQUAL);
  }
}

/* ---- exact comparison ---------------------------------------------------- */

static int criterion(int L, int R) { /* sign of 2^(L-3) R - (R-1)^(L-2) */
  mpz_t a, b;
  mpz_inits(a, b, NULL);
  mpz_set_ui(a, (unsigned long)R);
  mpz_ui_pow_ui(b, (unsigned long)R - 1, (unsigned long)L - 2);
  if (L >= 3)
    mpz_mul_2exp(a, a, (unsigned long)L - 3);
  else
    mpz_mul_2exp(b, b, 1); /* L = 2: R / 2 vs 1 */
  int c = mpz_cmp(a, b);
  mpz_clears(a, b, NULL);
  return (c > 0) - (c < 0);
}

/* The paper: srg:R beats DNC iff 2^(L-3) R < (R-1)^(L-2) while DNC's optimum is
 * nonzero, decided by the exact comparison, with equal and unequal lambdas. */
static void test_paper_criterion(void) {
  for (int set = 0; set < 2; set++)
    for (int L = 2; L <= 8; L++)
      for (int R = 3; R <= 30; R++) {
        dufm_params p;
        int K = R * (R - 1) / 2;
        CU_ASSERT_FATAL(dufm_params_init(&p, L, K, 1, NULL) == DUFM_OK);
        if (set == 0) {
          dufm_params_set_lambda(&p, DUFM_LAMBDA_ALL, "1e-6", NULL);
        } else {
          dufm_params_set_lambda(&p, DUFM_LAMBDA_H, "3e-6", NULL);
          for (int l = 0; l < L; l++)
            dufm_params_set_lambda(&p, l, l % 2 ? "1e-6" : "2.5e-7", NULL);
        }
        dufm_structure_eval srg, dnc;
        char spec[32];
        snprintf(spec, sizeof spec, "srg:%d", R);
        CU_ASSERT(eval_spec(&srg, spec, &p) == DUFM_OK);
        CU_ASSERT(eval_spec(&dnc, "dnc", &p) == DUFM_OK);
        CU_ASSERT(dnc.regime == DUFM_REGIME_NONZERO);
        int want = criterion(L, R);
        dufm_cmp got = dufm_structure_compare(&srg, &dnc);
        int ok = want < 0    ? got == DUFM_CMP_BELOW
                 : want == 0 ? got == DUFM_CMP_EQUAL
                             : got == DUFM_CMP_ABOVE;
        if (!ok)
          fprintf(stderr, "\n  L=%d R=%d: compare %d, criterion %d\n", L, R, got, want);
        CU_ASSERT(ok);
        CU_ASSERT(dufm_structure_compare(&dnc, &srg) == (dufm_cmp)(-(int)got));
        CU_ASSERT(want >= 0 || srg.loss <= dnc.loss);
        dufm_structure_eval_clear(&srg);
        dufm_structure_eval_clear(&dnc);
        dufm_params_clear(&p);
      }
}

/* Zero-regime clamp, compositions of DNC blocks, permuted blocks, mixed blocks
 * decided by enclosures, not-applicable evaluations. */
static void test_compare_rules(void) {
  dufm_params p;
  dufm_structure_eval a, b, c;
  /* L = 4, K = 45: DNC in the zero regime, srg:10 (Q^5 about 0.247 Q_DNC^5) not. */
  CU_ASSERT_FATAL(dufm_params_init(&p, 4, 45, 1, NULL) == DUFM_OK);
  dufm_params_set_lambda(&p, DUFM_LAMBDA_ALL, "0.0056", NULL);
  CU_ASSERT(eval_spec(&a, "srg:10", &p) == DUFM_OK);
  CU_ASSERT(eval_spec(&b, "dnc", &p) == DUFM_OK);
  CU_ASSERT(a.regime == DUFM_REGIME_NONZERO && b.regime == DUFM_REGIME_ZERO && b.loss == 0.5);
  CU_ASSERT(dufm_structure_compare(&a, &b) == DUFM_CMP_BELOW);
  dufm_structure_eval_clear(&a);
  dufm_structure_eval_clear(&b);
  /* both in the zero regime: equal (g = 1/2), although the q_pow differ */
  dufm_params_set_lambda(&p, DUFM_LAMBDA_ALL, "0.5", NULL);
  CU_ASSERT(eval_spec(&a, "srg:10", &p) == DUFM_OK);
  CU_ASSERT(eval_spec(&b, "dnc", &p) == DUFM_OK);
  CU_ASSERT(!mpq_equal(a.q_pow, b.q_pow));
  CU_ASSERT(dufm_structure_compare(&a, &b) == DUFM_CMP_EQUAL);
  dufm_structure_eval_clear(&a);
  dufm_structure_eval_clear(&b);
  dufm_params_clear(&p);

  /* K = 13 at L = 4: srg:5 beats DNC, srg:3 loses; DNC blocks are neutral. */
  CU_ASSERT_FATAL(set_params(&p, 4, 13, 1, LAM_EQUAL));
  CU_ASSERT(eval_spec(&a, "dnc:3+dnc:10", &p) == DUFM_OK);
  CU_ASSERT(eval_spec(&b, "dnc", &p) == DUFM_OK);
  CU_ASSERT(dufm_structure_compare(&a, &b) == DUFM_CMP_EQUAL);
  TU_ASSERT_CLOSE(a.loss, b.loss, REL, 0);
  dufm_structure_eval_clear(&a);
  CU_ASSERT(eval_spec(&a, "srg:5+dnc:3", &p) == DUFM_OK);
  CU_ASSERT(dufm_structure_compare(&a, &b) == DUFM_CMP_BELOW);
  CU_ASSERT(dufm_structure_compare(&b, &a) == DUFM_CMP_ABOVE);
  CU_ASSERT(eval_spec(&c, "dnc:3+srg:5", &p) == DUFM_OK);
  CU_ASSERT(dufm_structure_compare(&a, &c) == DUFM_CMP_EQUAL);
  dufm_structure_eval_clear(&a);
  dufm_structure_eval_clear(&c);
  /* srg:5 + srg:3 + dnc:0...: one block below DNC and one above: the
   * enclosures decide, consistently with the doubles */
  CU_ASSERT(eval_spec(&a, "srg:5+srg:3", &p) == DUFM_OK);
  dufm_cmp got = dufm_structure_compare(&a, &b);
  CU_ASSERT(got != DUFM_CMP_EQUAL);
  CU_ASSERT(got == DUFM_CMP_UNDECIDED || (got == DUFM_CMP_BELOW) == (a.loss < b.loss));
  CU_ASSERT(got != DUFM_CMP_UNDECIDED || (a.lower <= b.upper && b.lower <= a.upper));
  CU_ASSERT(eval_spec(&c, "srg:3+srg:5", &p) == DUFM_OK);
  CU_ASSERT(dufm_structure_compare(&a, &c) == DUFM_CMP_EQUAL);
  CU_ASSERT(dufm_structure_compare(&a, &a) == DUFM_CMP_EQUAL);
  dufm_structure_eval_clear(&a);
  dufm_structure_eval_clear(&b);
  dufm_structure_eval_clear(&c);
  dufm_params_clear(&p);

  /* not applicable at L = 1 */
  CU_ASSERT_FATAL(set_params(&p, 1, 13, 1, LAM_EQUAL));
  CU_ASSERT(eval_spec(&a, "srg:5+dnc:3", &p) == DUFM_ENOTAPPLICABLE);
  CU_ASSERT(eval_spec(&b, "dnc", &p) == DUFM_OK);
  CU_ASSERT(!a.applicable && dufm_structure_compare(&a, &b) == DUFM_CMP_UNDECIDED);
  dufm_structure_eval_clear(&a);
  dufm_structure_eval_clear(&b);
  dufm_params_clear(&p);
}

/* ---- specs --------------------------------------------------------------- */

static void test_names(void) {
  static const char *pairs[][2] = {
      {"dnc", "dnc"},
      {"dnc:7", "dnc:7"},
      {"srg:5", "srg:5"},
      {"graph:2-0,0-1,1-2,2-3", "graph:2-0,0-1,1-2,2-3"},
      {"clique:6:3,2", "clique:6:3"}, /* optimized: z_2 = 0 on K_6, so size 2 is dropped */
      {"clique:4:4,3,2", "clique:4:2,3"},
      {"clique:5:2..5", "clique:5:3"},
      {"clique:5:2@0,3@2,4@0", "clique:5:3@2"},
      {"clique:5:3@1,2@0.5", "clique:5:2@1/2,3@1"},
      {"clique:5:2@1e+0,3@2e-1", "clique:5:2@1,3@1/5"},
      {"clique:6:2@1,3@sqrt(0.5)", "clique:6:2@1,3@sqrt(1/2)"},
      {"clique:6:2@1,3@sqrt(0.25)", "clique:6:2@1,3@1/2"},
      {"srg:4+dnc:3+graph:0-1", "srg:4+dnc:3+graph:0-1"},
      {"clique:5:2@1E+0+dnc:2", "clique:5:2@1+dnc:2"},
  };
  static const int Ks[] = {0, 7, 10, 4, 15, 6, 10, 10, 10, 10, 15, 15, 10, 12};
  for (size_t i = 0; i < sizeof pairs / sizeof pairs[0]; i++) {
    dufm_structure *s = parse_ok(pairs[i][0]);
    CU_ASSERT(dufm_structure_optimize(s, NULL) == DUFM_OK);
    CU_ASSERT_STRING_EQUAL(dufm_structure_name(s), pairs[i][1]);
    CU_ASSERT(dufm_structure_K(s) == Ks[i]);
    dufm_structure *t = parse_ok(dufm_structure_name(s));
    CU_ASSERT(dufm_structure_optimize(t, NULL) == DUFM_OK);
    CU_ASSERT_STRING_EQUAL(dufm_structure_name(t), pairs[i][1]);
    dufm_structure_free(t);
    dufm_structure_free(s);
  }
}

static void test_bad_specs(void) {
  static const struct {
    const char *spec;
    dufm_status st;
    const char *part; /* expected in the message */
  } bad[] = {
      {"", DUFM_EFORMAT, "empty"},
      {"foo:3", DUFM_EFORMAT, "unknown family 'foo'"},
      {"srg", DUFM_EFORMAT, "needs arguments"},
      {"srg:", DUFM_EFORMAT, "missing R"},
      {"srg:x", DUFM_EFORMAT, "malformed R"},
      {"srg:-3", DUFM_EFORMAT, "malformed R"},
      {"srg:2", DUFM_EINVAL, "R must be at least 3"},
      {"srg:5000", DUFM_EINVAL, "at most"},
      {"srg:99999999999", DUFM_EINVAL, "too large"},
      {"srg: 4", DUFM_EFORMAT, "no spaces"},
      {"dnc:0", DUFM_EINVAL, "at least 1"},
      {"dnc:3:4", DUFM_EFORMAT, "malformed M"},
      {"clique:5", DUFM_EFORMAT, "sizes are missing"},
      {"clique:2:2", DUFM_EINVAL, "R must be at least 3"},
      {"clique:5:1", DUFM_EINVAL, "outside 2..5"},
      {"clique:5:6", DUFM_EINVAL, "outside 2..5"},
      {"clique:5:2,3,2", DUFM_EINVAL, "repeated"},
      {"clique:5:2,,3", DUFM_EFORMAT, "clique size"},
      {"clique:5:2@x", DUFM_EFORMAT, "weight of size 2"},
      {"clique:5:2@1,3@-1", DUFM_EINVAL, "weight of size 3"},
      {"clique:5:2@1,3", DUFM_EFORMAT, "either every size"},
      {"clique:4:4@1", DUFM_EINVAL, "clique:4"},
      {"graph:0-1,1-0", DUFM_EINVAL, "repeats edge 0-1"},
      {"graph:0-1,2-1,1-2", DUFM_EINVAL, "repeats edge 2-1"},
      {"graph:0-1,1-1", DUFM_EINVAL, "self-loop"},
      {"graph:0-2", DUFM_EINVAL, "vertex 1 is isolated"},
      {"graph:0-1,3-4", DUFM_EINVAL, "vertex 2 is isolated"},
      {"graph:0-1,,1-2", DUFM_EFORMAT, "empty edge"},
      {"graph:01", DUFM_EFORMAT, "not of the form U-V"},
      {"graph:0-a", DUFM_EFORMAT, "malformed vertex"},
      {"graph:0-1000000", DUFM_EINVAL, "isolated"},
      {"srg:4++dnc:2", DUFM_EFORMAT, "block 2: empty block"},
      {"srg:4+", DUFM_EFORMAT, "block 2: empty block"},
      {"+srg:4", DUFM_EFORMAT, "block 1: empty block"},
      {"srg:4+dnc", DUFM_EINVAL, "block 2: dnc: a bare dnc"},
      {"srg:4+srg:2", DUFM_EINVAL, "block 2: srg:2: R must be at least 3"},
  };
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    dufm_structure *s = (dufm_structure *)&s; /* must be reset to NULL */
    dufm_err err;
    dufm_err_clear(&err);
    dufm_status st = dufm_structure_parse(&s, bad[i].spec, &err);
    int ok = st == bad[i].st && s == NULL && err.msg[0] != '\0' && strchr(err.msg, '\n') == NULL &&
             strstr(err.msg, bad[i].part) != NULL;
    if (!ok)
      fprintf(stderr, "\n  '%s': status %s, message '%s'\n", bad[i].spec, dufm_status_name(st),
              err.msg);
    CU_ASSERT(ok);
    if (st == DUFM_OK)
      dufm_structure_free(s);
  }
}

/* Programmatic constructors, ownership of blocks (the sanitizer build checks
 * that failures free the parts exactly once), K mismatch, zero lambdas. */
static void test_constructors(void) {
  dufm_structure *s = NULL, *parts[3];
  dufm_err err;
  int u[] = {0, 1, 2}, v[] = {1, 2, 0}, k[] = {3, 2};
  CU_ASSERT(dufm_structure_graph(&s, 3, 3, u, v, &err) == DUFM_OK);
  CU_ASSERT_STRING_EQUAL(dufm_structure_name(s), "graph:0-1,1-2,2-0");
  CU_ASSERT(dufm_structure_kind_of(s) == DUFM_STRUCTURE_GRAPH && dufm_structure_K(s) == 3);
  dufm_structure_free(s);
  CU_ASSERT(dufm_structure_graph(&s, 4, 3, u, v, &err) == DUFM_EINVAL && s == NULL);
  CU_ASSERT(strstr(err.msg, "vertex 3 is isolated") != NULL);
  mpq_t z[2];
  mpq_inits(z[0], z[1], NULL);
  mpq_set_ui(z[0], 1, 4); /* size 3: rho = 1/2 */
  mpq_set_ui(z[1], 1, 1);
  CU_ASSERT(dufm_structure_clique(&s, 5, 2, k, (const mpq_t *)z, &err) == DUFM_OK);
  CU_ASSERT_STRING_EQUAL(dufm_structure_name(s), "clique:5:2@1,3@1/2");
  dufm_structure_free(s);
  mpq_set_si(z[0], -1, 1);
  CU_ASSERT(dufm_structure_clique(&s, 5, 2, k, (const mpq_t *)z, &err) == DUFM_EINVAL);
  mpq_clears(z[0], z[1], NULL);

  CU_ASSERT(dufm_structure_complete(&parts[0], 4, NULL) == DUFM_OK);
  CU_ASSERT(dufm_structure_dnc(&parts[1], 3, NULL) == DUFM_OK);
  CU_ASSERT(dufm_structure_clique(&parts[2], 4, 2, k, NULL, NULL) == DUFM_OK);
  CU_ASSERT(dufm_structure_blocks(&s, 3, parts, &err) == DUFM_OK);
  CU_ASSERT_STRING_EQUAL(dufm_structure_name(s), "srg:4+dnc:3+clique:4:2,3");
  CU_ASSERT(dufm_structure_K(s) == 15 && dufm_structure_kind_of(s) == DUFM_STRUCTURE_BLOCKS);
  /* a composition inside a composition is refused and every part is freed */
  dufm_structure *outer[2] = {s, NULL};
  CU_ASSERT(dufm_structure_dnc(&outer[1], 2, NULL) == DUFM_OK);
  CU_ASSERT(dufm_structure_blocks(&s, 2, outer, &err) == DUFM_EINVAL && s == NULL);
  CU_ASSERT(strstr(err.msg, "do not nest") != NULL);
  CU_ASSERT(dufm_structure_dnc(&parts[0], 0, NULL) == DUFM_OK);
  CU_ASSERT(dufm_structure_dnc(&parts[1], 2, NULL) == DUFM_OK);
  CU_ASSERT(dufm_structure_blocks(&s, 2, parts, &err) == DUFM_EINVAL);
  CU_ASSERT(strstr(err.msg, "bare dnc") != NULL);

  dufm_params p;
  dufm_structure_eval e;
  CU_ASSERT_FATAL(set_params(&p, 3, 7, 1, LAM_EQUAL));
  s = parse_ok("srg:4");
  CU_ASSERT(dufm_structure_evaluate(&e, s, &p, &err) == DUFM_EINVAL);
  CU_ASSERT(strstr(err.msg, "srg:4 has K = 6 classes but the parameters have K = 7") != NULL);
  dufm_structure_eval_clear(&e);
  dufm_structure_free(s);
  /* a zero lambda: the closed form is 0, the optimum is not attained */
  dufm_params_set_lambda(&p, 1, "0", NULL);
  s = parse_ok("dnc");
  CU_ASSERT(dufm_structure_evaluate(&e, s, &p, NULL) == DUFM_OK && e.loss == 0.0);
  dufm_config c;
  CU_ASSERT(dufm_structure_materialize(&c, s, &p, DUFM_FORM_CLASS_MEANS, &err) ==
            DUFM_ENOTAPPLICABLE);
  CU_ASSERT(strstr(err.msg, "zero lambda") != NULL);
  CU_ASSERT(dufm_structure_build(&c, s, &p, DUFM_FORM_CLASS_MEANS, &err) == DUFM_OK);
  dufm_config_clear(&c);
  dufm_structure_eval_clear(&e);
  dufm_structure_free(s);
  dufm_params_clear(&p);
}

/* R in the hundreds: closed forms without big matrices; materializing refuses. */
static void test_large(void) {
  static const char *specs[] = {"srg:300", "clique:200:2,3", "srg:4000"};
  for (size_t i = 0; i < sizeof specs / sizeof specs[0]; i++) {
    dufm_structure *s = NULL;
    dufm_err err;
    CU_ASSERT_FATAL(dufm_structure_parse(&s, specs[i], &err) == DUFM_OK);
    dufm_params p;
    CU_ASSERT_FATAL(set_params(&p, 5, dufm_structure_K(s), 1, LAM_EQUAL));
    dufm_structure_eval e;
    CU_ASSERT(dufm_structure_evaluate(&e, s, &p, &err) == DUFM_OK);
    CU_ASSERT(e.lower <= e.loss && e.loss <= e.upper);
    /* Speed is measured by bench/compare_bench.sh, not asserted here. */
    dufm_config c;
    CU_ASSERT(dufm_structure_materialize(&c, s, &p, DUFM_FORM_CLASS_MEANS, &err) == DUFM_EINVAL);
    CU_ASSERT(strstr(err.msg, "limit") != NULL && strchr(err.msg, '\n') == NULL);
    dufm_structure_eval_clear(&e);
    dufm_params_clear(&p);
    dufm_structure_free(s);
  }
}

int main(void) {
  CU_TestInfo tests[] = {{"grid: dnc", test_grid_dnc},
                         {"grid: srg", test_grid_srg},
                         {"grid: graphs", test_grid_graph},
                         {"grid: cliques", test_grid_clique},
                         {"grid: blocks", test_grid_blocks},
                         {"closed forms: independent routes agree", test_closed_cross_checks},
                         {"random graphs: ranks by exact elimination", test_random_graphs},
                         {"paper criterion by exact comparison", test_paper_criterion},
                         {"comparison rules", test_compare_rules},
                         {"canonical names", test_names},
                         {"bad specs", test_bad_specs},
                         {"constructors and ownership", test_constructors},
                         {"R in the hundreds", test_large},
                         CU_TEST_INFO_NULL};
  return tu_run_suite("structure", tests);
}
