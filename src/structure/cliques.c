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
    s->optimized = 1;
    st = dufm_clique_optimize(s->z, &s->opt, r, m, s->k, err);
  } else {
    st = dufm_clique_norms(w2, t2, r, m, s->k, s->z, err);
    mpq_mul(w2, w2, t2);
    s->opt.product = dufm_q_get_d(w2);
  }
  if (st != DUFM_OK) {
    dufm_err_prefix(err, "clique:%d", r);
    goto cleanup;
  }
  /* A size with weight zero has no neurons: the structure, and so its name,
   * keeps only the sizes in use (clique:5:2,3 optimizes to z_2 = 0: clique:5:3). */
  int used = 0;
  for (int i = 0; i < m; i++) {
    if (mpq_sgn(s->z[i]) == 0)
      continue;
    s->k[used] = s->k[i];
    mpq_swap(s->z[used], s->z[i]);
    used++;
  }
  if (used == 0) {
    st = dufm_err_set(err, DUFM_EINVAL, "clique:%d: every weight is zero", r);
    goto cleanup;
  }
  for (int i = used; i < m; i++)
    mpq_clear(s->z[i]);
  s->nk = m = used;
  dufm_i_str name = {0};
  dufm_i_str_printf(&name, "clique:%d:", r);
  for (int i = 0; i < m; i++) {
    if (i > 0)
      dufm_i_str_printf(&name, ",");
    int j = i;
    while (s->optimized && j + 1 < m && s->k[j + 1] == s->k[j] + 1)
      j++;
    if (j >= i + 2) { /* three or more consecutive sizes: "a..b" */
      dufm_i_str_printf(&name, "%d..%d", s->k[i], s->k[j]);
      i = j;
    } else if (s->optimized) {
      dufm_i_str_printf(&name, "%d", s->k[i]);
    } else {
      print_weight(&name, s->k[i], s->z[i]);
    }
  }
  if (name.failed) {
    free(name.buf);
    st = dufm_err_set(err, DUFM_ENOMEM, "out of memory for a structure name");
    goto cleanup;
  }
  s->name = name.buf;
  *out = s;
  s = NULL;
cleanup:
  dufm_structure_free(s);
  free(order);
  mpq_clears(w2, t2, NULL);
  return st;
}
