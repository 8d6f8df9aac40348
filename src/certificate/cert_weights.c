/* Clique weights with rational square roots. A clique construction's entries
 * are rho_k / 2 with rho_k = sqrt(z_k); when some z_k is not the square of a
 * rational, the certificate uses the nearby structure with rational rho_k (a
 * short continued fraction), so that W_{L-1} and the exact T^+ have small
 * denominators. Optimized weights sit at a minimum of w2 t2, so the loss moves
 * only to second order. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "certificate/cert_internal.h"
#include "dufm/rational.h"

#define RHO_RTOL 1e-8

static int is_square(const mpq_t z) {
  return mpz_perfect_square_p(mpq_numref(z)) && mpz_perfect_square_p(mpq_denref(z));
}

static int needs_rewrite(const dufm_structure_eval *e) {
  if (e->kind != DUFM_STRUCTURE_CLIQUE)
    return 0;
  for (int i = 0; i < e->clique.m; i++)
    if (!is_square(e->clique.z[i]))
      return 1;
  return 0;
}

/* Appends the part [name, end) to buf, rewritten as clique:R:k@rho,... when its
 * weights need it. Returns the new length or -1 when buf is too small. */
static int append_part(char *buf, size_t cap, size_t len, const char *name, const char *end,
                       const dufm_structure_eval *e) {
  size_t n = (size_t)(end - name);
  if (!needs_rewrite(e) || strncmp(name, "clique:", 7) != 0) {
    if (len + n + 1 > cap)
      return -1;
    memcpy(buf + len, name, n);
    buf[len + n] = '\0';
    return (int)(len + n);
  }
  int r = atoi(name + 7);
  int w = snprintf(buf + len, cap - len, "clique:%d:", r);
  mpq_t rho;
  mpq_init(rho);
  for (int i = 0; i < e->clique.m && w >= 0 && len + (size_t)w < cap; i++) {
    len += (size_t)w;
    dufm_i_rationalize(rho, sqrt(dufm_q_get_d(e->clique.z[i])), RHO_RTOL);
    char *q = dufm_q_to_string(rho);
    w = q ? snprintf(buf + len, cap - len, "%s%d@%s", i ? "," : "", e->clique.k[i], q) : -1;
    free(q);
  }
  mpq_clear(rho);
  if (w < 0 || len + (size_t)w >= cap)
    return -1;
  return (int)(len + (size_t)w);
}

dufm_status dufm_i_cert_square_weights(dufm_structure **out, const dufm_structure *s,
                                       const dufm_structure_eval *e, dufm_err *err) {
  *out = NULL;
  const char *name = dufm_structure_name(s);
  int blocks = e->kind == DUFM_STRUCTURE_BLOCKS;
  int parts = blocks ? e->blocks.count : 1, any = 0;
  size_t sizes = 0;
  for (int b = 0; b < parts; b++) {
    const dufm_structure_eval *eb = blocks ? &e->blocks.items[b] : e;
    any |= needs_rewrite(eb);
    sizes += eb->kind == DUFM_STRUCTURE_CLIQUE ? (size_t)eb->clique.m : 0;
  }
  if (!any)
    return DUFM_OK;
  /* Canonical names have no exponents, so '+' separates the blocks. Each size
   * becomes at most ",k@P/Q" with P, Q below 10^12. */
  size_t cap = strlen(name) + 64 * sizes + 64;
  char *buf = malloc(cap);
  if (buf == NULL)
    return dufm_err_set(err, DUFM_ENOMEM, "out of memory");
  int len = 0;
  const char *p = name;
  for (int b = 0; b < parts && len >= 0; b++) {
    const char *end = b + 1 < parts ? strchr(p, '+') : p + strlen(p);
    if (end == NULL) {
      len = -1;
      break;
    }
    if (b > 0 && (size_t)len + 1 < cap)
      buf[len++] = '+';
    len = append_part(buf, cap, (size_t)len, p, end, blocks ? &e->blocks.items[b] : e);
    p = end + 1;
  }
  dufm_status st = DUFM_OK;
  if (len < 0)
    st = dufm_err_set(err, DUFM_EINVAL, "%s: cannot spell the clique weights as rationals", name);
  else
    st = dufm_structure_parse(out, buf, err);
  free(buf);
  return st;
}
