/* Clique-neuron structures (theory section 5): validation, weights, name. */
#include <stdlib.h>
#include <string.h>

#include "dufm/rational.h"
#include "structure/structure_internal.h"

/* Appends "k@w": w = rho when z is the square of a rational, else "sqrt(z)". */
static void print_weight(dufm_i_str *name, int k, const mpq_t z) {
  char *text = NULL;
  if (mpz_perfect_square_p(mpq_numref(z)) && mpz_perfect_square_p(mpq_denref(z))) {
    mpq_t rho;
    mpq_init(rho);
    mpz_sqrt(mpq_numref(rho), mpq_numref(z));
    mpz_sqrt(mpq_denref(rho), mpq_denref(z));
    text = dufm_q_to_string(rho);
    mpq_clear(rho);
    if (text != NULL)
      dufm_i_str_printf(name, "%d@%s", k, text);
  } else {
    text = dufm_q_to_string(z);
    if (text != NULL)
      dufm_i_str_printf(name, "%d@sqrt(%s)", k, text);
  }
  if (text == NULL)
    name->failed = 1;
  free(text);
}

static dufm_status check_sizes(int r, int m, const int *k, const mpq_t *z, dufm_err *err) {
  if (r < 3)
    return dufm_err_set(err, DUFM_EINVAL, "clique:%d: R must be at least 3", r);
  if (r > dufm_i_max_r())
    return dufm_err_set(err, DUFM_EINVAL, "clique:%d: K = R(R-1)/2 must be at most %d (R <= %d)", r,
                        DUFM_MAX_K, dufm_i_max_r());
  if (m < 1)
    return dufm_err_set(err, DUFM_EINVAL, "clique:%d: needs at least one clique size", r);
  for (int i = 0; i < m; i++) {
    if (k[i] < 2 || k[i] > r)
      return dufm_err_set(err, DUFM_EINVAL, "clique:%d: size k = %d outside 2..%d", r, k[i], r);
    for (int j = 0; j < i; j++)
      if (k[j] == k[i])
        return dufm_err_set(err, DUFM_EINVAL, "clique:%d: size k = %d repeated", r, k[i]);
    if (z != NULL && mpq_sgn(z[i]) < 0)
      return dufm_err_set(err, DUFM_EINVAL, "clique:%d: weight of size %d is negative", r, k[i]);
  }
  return DUFM_OK;
}

/* The canonical name: sizes in increasing order; optimized weights print as bare
 * sizes (three or more consecutive ones as "a..b"), fixed ones as "k@w". Once
 * the weights are optimized only the sizes with nonzero weight count; before,
 * every size given does (the provisional name). NULL when out of memory. */
static char *clique_name(const dufm_structure *s) {
  dufm_i_str name = {0};
  int m = 0, *idx = malloc((size_t)s->nk * sizeof *idx); /* the sizes named */
  if (idx == NULL)
    return NULL;
  for (int i = 0; i < s->nk; i++)
    if (s->pending || mpq_sgn(s->z[i]) != 0)
      idx[m++] = i;
  dufm_i_str_printf(&name, "clique:%d:", s->r);
  for (int i = 0; i < m; i++) {
    if (i > 0)
      dufm_i_str_printf(&name, ",");
    int j = i;
    while (s->optimized && j + 1 < m && s->k[idx[j + 1]] == s->k[idx[j]] + 1)
      j++;
    if (j >= i + 2) { /* three or more consecutive sizes: "a..b" */
      dufm_i_str_printf(&name, "%d..%d", s->k[idx[i]], s->k[idx[j]]);
      i = j;
    } else if (s->optimized) {
      dufm_i_str_printf(&name, "%d", s->k[idx[i]]);
    } else {
      print_weight(&name, s->k[idx[i]], s->z[idx[i]]);
    }
  }
  free(idx);
  if (name.failed) {
    free(name.buf);
    return NULL;
  }
  return name.buf;
}

/* A size with weight zero has no neurons: the structure, and so its name,
 * keeps only the sizes in use (clique:5:2,3 optimizes to z_2 = 0: clique:5:3).
 * Gives s its name; on failure s keeps its old one and its arrays. */
static dufm_status drop_unused(dufm_structure *s, dufm_err *err) {
  int used = 0;
  for (int i = 0; i < s->nk; i++)
    used += mpq_sgn(s->z[i]) != 0;
  if (used == 0)
    return dufm_err_set(err, DUFM_EINVAL, "every weight is zero");
  char *name = clique_name(s);
  if (name == NULL)
    return dufm_err_set(err, DUFM_ENOMEM, "out of memory for a structure name");
  used = 0;
  for (int i = 0; i < s->nk; i++) {
    if (mpq_sgn(s->z[i]) == 0)
      continue;
    s->k[used] = s->k[i];
    mpq_swap(s->z[used], s->z[i]);
    used++;
  }
  for (int i = used; i < s->nk; i++)
    mpq_clear(s->z[i]);
  s->nk = used;
  free(s->old_name);
  s->old_name = s->name;
  s->name = name;
  return DUFM_OK;
}

/* Weights to be optimized must leave T full rank for some choice. Every
 * positive choice has the zero pattern of the all-ones weights and any other
 * choice more zeros, so the all-ones weights decide (no optimizer needed). */
static dufm_status check_feasible(const dufm_structure *s, dufm_err *err) {
  mpq_t *one = malloc((size_t)s->nk * sizeof *one), w2, t2;
  if (one == NULL)
    return dufm_err_set(err, DUFM_ENOMEM, "out of memory for a clique structure");
  mpq_inits(w2, t2, NULL);
  for (int i = 0; i < s->nk; i++) {
    mpq_init(one[i]);
    mpq_set_ui(one[i], 1, 1);
  }
  dufm_status st = dufm_clique_norms(w2, t2, s->r, s->nk, s->k, (const mpq_t *)one, NULL);
  if (st == DUFM_EINVAL)
    st = dufm_err_set(err, DUFM_EINVAL,
                      "clique weights make T rank-deficient for every choice of weights");
  else if (st != DUFM_OK)
    st = dufm_err_set(err, st, "clique weights: %s", dufm_status_name(st));
  for (int i = 0; i < s->nk; i++)
    mpq_clear(one[i]);
  free(one);
  mpq_clears(w2, t2, NULL);
  return st;
}

dufm_status dufm_structure_clique(dufm_structure **out, int r, int m, const int *k, const mpq_t *z,
                                  dufm_err *err) {
  *out = NULL;
  dufm_status st = check_sizes(r, m, k, z, err);
  if (st != DUFM_OK)
    return st;
  dufm_structure *s = calloc(1, sizeof *s);
  int *order = malloc((size_t)m * sizeof *order);
  mpq_t w2, t2;
  mpq_inits(w2, t2, NULL);
  if (s == NULL || order == NULL || (s->k = malloc((size_t)m * sizeof *s->k)) == NULL ||
      (s->z = malloc((size_t)m * sizeof *s->z)) == NULL) {
    st = dufm_err_set(err, DUFM_ENOMEM, "out of memory for a clique structure");
    goto cleanup;
  }
  s->kind = DUFM_STRUCTURE_CLIQUE;
  s->r = r;
  s->K = r * (r - 1) / 2;
  s->nk = m; /* every z[i] is initialized below before anything can fail */
  /* Insertion sort of the few sizes, carrying their weights. */
  for (int i = 0; i < m; i++) {
    int j = i;
    for (; j > 0 && k[order[j - 1]] > k[i]; j--)
      order[j] = order[j - 1];
    order[j] = i;
  }
  for (int i = 0; i < m; i++) {
    s->k[i] = k[order[i]];
    mpq_init(s->z[i]);
    if (z != NULL)
      mpq_set(s->z[i], z[order[i]]);
  }
  if (z == NULL) {
    /* Weights to be optimized: the optimizer runs at the first evaluation or
     * dufm_structure_optimize; until then the name lists every size given. */
    s->optimized = 1;
    s->pending = 1;
    st = check_feasible(s, err);
    if (st == DUFM_OK && (s->name = clique_name(s)) == NULL)
      st = dufm_err_set(err, DUFM_ENOMEM, "out of memory for a structure name");
  } else {
    st = dufm_clique_norms(w2, t2, r, m, s->k, s->z, err);
    mpq_mul(w2, w2, t2);
    s->opt.product = dufm_q_get_d(w2);
    if (st == DUFM_OK)
      st = drop_unused(s, err);
  }
  if (st != DUFM_OK) {
    dufm_err_prefix(err, "clique:%d", r);
    goto cleanup;
  }
  *out = s;
  s = NULL;
cleanup:
  dufm_structure_free(s);
  free(order);
  mpq_clears(w2, t2, NULL);
  return st;
}

dufm_status dufm_i_clique_optimize(dufm_structure *s, dufm_err *err) {
  if (!s->pending)
    return DUFM_OK;
  dufm_status st = dufm_clique_optimize(s->z, &s->opt, s->r, s->nk, s->k, err);
  if (st == DUFM_OK) {
    /* drop_unused names the sizes with nonzero weight only once settled */
    s->pending = 0;
    st = drop_unused(s, err);
    if (st != DUFM_OK)
      s->pending = 1; /* the next call runs the optimizer again */
  }
  if (st != DUFM_OK)
    dufm_err_prefix(err, "clique:%d", s->r);
  return st;
}
