/* The large-K block rule (compare.h): one block on K_r itself for one of the
 * DUFM_COMPARE_BIG_R largest r with r(r-1)/2 <= K, plus blocks of at most
 * J = DUFM_COMPARE_SMALL_BLOCK classes and DNC classes, optimal over exactly
 * that set. The small part is an unbounded knapsack: let j* have the best
 * value per class among sizes 1..J (1 = a DNC class). A filling of k >= j* J
 * classes by items of at most J classes has at least j* items, so if none is
 * j*, some nonempty subset of them has a size divisible by j* (pigeonhole on
 * prefix sums mod j*) and can be swapped for copies of j* at no loss. Hence
 * small[k] = small[k - j*] + v(j*) for k >= j* J, and a DP up to j* J <= J^2
 * classes decides every k. */
#include <math.h>
#include <stdlib.h>

#include "compare_internal.h"
#include "dufm/dnc.h"
#include "structure/family.h"

#define J DUFM_COMPARE_SMALL_BLOCK

/* A low-rank block must win by more than rounding (as in the full DP). */
static int better(double a, double b) {
  return isinf(b) ? a < b : a < b - 1e-13 * (fabs(b) + 1e-300);
}

typedef struct {
  dufm_i_block_type type[J + 1]; /* type[j], j = 2..J; value per DP */
  double unit[J + 1];            /* value of a block of j classes (unit[1]: a DNC class) */
  int jstar;                     /* best value per class among 1..J */
  int R;                         /* small[] is stored for k = 0..R */
  double *small;
  int *choice; /* last block of the best filling of k (1: a DNC class) */
} small_fill;

static dufm_status small_init(small_fill *s, const dufm_params *p, const dufm_compare_opts *o,
                              double dnc_class, int kmax, dufm_err *err) {
  dufm_status st = DUFM_OK;
  int jmax = kmax < J ? kmax : J;
  s->unit[1] = dnc_class;
  s->jstar = 1;
  for (int j = 2; j <= jmax && st == DUFM_OK; j++) {
    st = dufm_i_best_block(&s->type[j], p, j, 0, o, err);
    s->unit[j] = s->type[j].family >= 0 ? s->type[j].value : INFINITY;
    if (st == DUFM_OK && better(s->unit[j] / j, s->unit[s->jstar] / s->jstar))
      s->jstar = j;
  }
  if (st != DUFM_OK)
    return st;
  long R = (long)s->jstar * jmax;
  s->R = (int)(R < kmax ? R : kmax);
  s->small = malloc(((size_t)s->R + 1) * sizeof *s->small);
  s->choice = malloc(((size_t)s->R + 1) * sizeof *s->choice);
  if (s->small == NULL || s->choice == NULL)
    return dufm_err_set(err, DUFM_ENOMEM, "out of memory for the large-K block rule");
  s->small[0] = 0;
  for (int k = 1; k <= s->R; k++) {
    s->small[k] = s->small[k - 1] + s->unit[1];
    s->choice[k] = 1;
    for (int j = 2; j <= jmax && j <= k; j++)
      if (isfinite(s->unit[j]) && better(s->small[k - j] + s->unit[j], s->small[k])) {
        s->small[k] = s->small[k - j] + s->unit[j];
        s->choice[k] = j;
      }
  }
  return DUFM_OK;
}

/* copies of j* taken before the stored DP decides the rest of k classes */
static long small_copies(const small_fill *s, long k) {
  return k <= s->R ? 0 : (k - s->R + s->jstar - 1) / s->jstar;
}

static double small_value(const small_fill *s, long k) {
  long m = small_copies(s, k);
  return s->small[k - m * s->jstar] + (double)m * s->unit[s->jstar];
}

/* Appends a block of j classes (j >= 2) to parts. */
static dufm_status push_block(dufm_structure **parts, int *count, const small_fill *s, int j,
                              const dufm_compare_opts *o, dufm_err *err) {
  return dufm_i_family_member(&parts[(*count)++], s->type[j].family, j, s->type[j].q, o, err);
}

static dufm_status build(dufm_structure **out, const dufm_i_block_type *big, int T,
                         const small_fill *s, long rest, const dufm_compare_opts *o,
                         dufm_err *err) {
  long m = small_copies(s, rest), k = rest - m * s->jstar;
  long nparts = 2 + (s->jstar > 1 ? m : 0);
  for (long kk = k; kk > 0; kk -= s->choice[kk])
    nparts++;
  dufm_structure **parts = calloc((size_t)nparts, sizeof *parts);
  if (parts == NULL)
    return dufm_err_set(err, DUFM_ENOMEM, "out of memory for a composition");
  int count = 0;
  long dnc = s->jstar == 1 ? m : 0;
  dufm_status st = dufm_i_family_member(&parts[count++], big->family, T, big->q, o, err);
  for (long i = 0; st == DUFM_OK && s->jstar > 1 && i < m; i++)
    st = push_block(parts, &count, s, s->jstar, o, err);
  for (long kk = k; st == DUFM_OK && kk > 0; kk -= s->choice[kk]) {
    if (s->choice[kk] == 1)
      dnc++;
    else
      st = push_block(parts, &count, s, s->choice[kk], o, err);
  }
  if (st == DUFM_OK && dnc > 0)
    st = dufm_structure_dnc(&parts[count++], (int)dnc, err);
  if (st == DUFM_OK && count == 1) { /* the big block alone is in the menu already */
    dufm_structure_free(parts[0]);
    count = 0;
  } else if (st == DUFM_OK) {
    st = dufm_structure_blocks(out, count, parts, err); /* takes the parts */
    count = 0;
  }
  for (int b = 0; b < count; b++)
    dufm_structure_free(parts[b]);
  free(parts);
  return st;
}

dufm_status dufm_i_best_composition_large(dufm_structure **out, const dufm_params *p,
                                          const dufm_compare_opts *o, double dnc_class,
                                          dufm_err *err) {
  *out = NULL;
  const long K = p->K;
  small_fill s = {0};
  /* small[] up to j* J <= J^2 classes decides every remainder. */
  dufm_status st = small_init(&s, p, o, dnc_class, (int)(K < (long)J * J ? K : (long)J * J), err);
  if (st != DUFM_OK)
    goto cleanup;
  int r = 3;
  while ((long)(r + 1) * r / 2 <= K)
    r++;
  dufm_i_block_type best_big = {.family = -1};
  int best_T = 0;
  double best = INFINITY;
  for (int i = 0; i < DUFM_COMPARE_BIG_R && r >= 4 && st == DUFM_OK; i++, r--) {
    int T = r * (r - 1) / 2;
    if (T <= J)
      break;
    dufm_i_block_type big;
    st = dufm_i_best_block(&big, p, T, r, o, err);
    if (st != DUFM_OK || big.family < 0)
      continue;
    double v = big.value + small_value(&s, K - T);
    if (better(v, best)) {
      best = v;
      best_big = big;
      best_T = T;
    }
  }
  /* Worth building only below DNC's own value (the full DP's rule: a mix
   * that does not beat DNC classes alone is DNC). */
  if (st == DUFM_OK && best_big.family >= 0 && better(best, (double)K * dnc_class))
    st = build(out, &best_big, best_T, &s, K - best_T, o, err);
cleanup:
  free(s.small);
  free(s.choice);
  return st;
}
