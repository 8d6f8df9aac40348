/* Structure records: constructors (validation), canonical names, free. */
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "structure/structure_internal.h"

void dufm_i_str_printf(dufm_i_str *s, const char *fmt, ...) {
  if (s->failed)
    return;
  va_list ap;
  va_start(ap, fmt);
  int need = vsnprintf(NULL, 0, fmt, ap);
  va_end(ap);
  if (need < 0 || s->len + (size_t)need + 1 > s->cap) {
    size_t cap = 2 * s->cap + (need < 0 ? 0 : (size_t)need) + 16;
    char *grown = need < 0 ? NULL : realloc(s->buf, cap);
    if (grown == NULL) {
      s->failed = 1;
      return;
    }
    s->buf = grown;
    s->cap = cap;
  }
  va_start(ap, fmt);
  vsnprintf(s->buf + s->len, s->cap - s->len, fmt, ap);
  va_end(ap);
  s->len += (size_t)need;
}

dufm_status dufm_i_structure_alloc(dufm_structure **out, dufm_structure_kind kind, dufm_err *err) {
  *out = calloc(1, sizeof **out);
  if (*out == NULL)
    return dufm_err_set(err, DUFM_ENOMEM, "out of memory for a structure");
  (*out)->kind = kind;
  return DUFM_OK;
}

dufm_status dufm_i_structure_finish(dufm_structure **out, dufm_structure *s, dufm_i_str *name,
                                    dufm_err *err) {
  if (name->failed || name->buf == NULL) {
    free(name->buf);
    dufm_structure_free(s);
    return dufm_err_set(err, DUFM_ENOMEM, "out of memory for a structure name");
  }
  s->name = name->buf;
  *out = s;
  return DUFM_OK;
}

dufm_status dufm_structure_dnc(dufm_structure **out, int m, dufm_err *err) {
  *out = NULL;
  if (m < 0 || m > DUFM_MAX_K)
    return dufm_err_set(err, DUFM_EINVAL, "dnc:%d: M must be between 1 and %d", m, DUFM_MAX_K);
  dufm_structure *s;
  dufm_status st = dufm_i_structure_alloc(&s, DUFM_STRUCTURE_DNC, err);
  if (st != DUFM_OK)
    return st;
  s->m = m;
  s->K = m;
  dufm_i_str name = {0};
  if (m == 0)
    dufm_i_str_printf(&name, "dnc");
  else
    dufm_i_str_printf(&name, "dnc:%d", m);
  return dufm_i_structure_finish(out, s, &name, err);
}

int dufm_i_max_r(void) {
  long r = 2;
  while ((r + 1) * r / 2 <= DUFM_MAX_K)
    r++;
  return (int)r;
}

dufm_status dufm_structure_complete(dufm_structure **out, int r, dufm_err *err) {
  *out = NULL;
  if (r < 3)
    return dufm_err_set(err, DUFM_EINVAL, "srg:%d: R must be at least 3", r);
  if (r > dufm_i_max_r())
    return dufm_err_set(err, DUFM_EINVAL, "srg:%d: K = R(R-1)/2 must be at most %d (R <= %d)", r,
                        DUFM_MAX_K, dufm_i_max_r());
  dufm_structure *s;
  dufm_status st = dufm_i_structure_alloc(&s, DUFM_STRUCTURE_GRAPH, err);
  if (st != DUFM_OK)
    return st;
  s->r = r;
  s->K = r * (r - 1) / 2;
  s->complete = 1;
  /* K_r, r >= 3, is connected and has a triangle; proofs/edge.md for the 4. */
  s->rank_b = r;
  s->rank_pre = r - (r == 4);
  dufm_i_str name = {0};
  dufm_i_str_printf(&name, "srg:%d", r);
  return dufm_i_structure_finish(out, s, &name, err);
}

/* The blocks' names joined by '+'. */
static void blocks_name(dufm_i_str *name, const dufm_structure *s) {
  for (int b = 0; b < s->nparts; b++)
    dufm_i_str_printf(name, "%s%s", b ? "+" : "", s->parts[b]->name);
}

dufm_status dufm_structure_blocks(dufm_structure **out, int count, dufm_structure **parts,
                                  dufm_err *err) {
  *out = NULL;
  dufm_status st = DUFM_OK;
  dufm_structure *s = NULL;
  long K = 0;
  if (count < 1)
    st = dufm_err_set(err, DUFM_EINVAL, "a composition needs at least one block");
  for (int b = 0; b < count && st == DUFM_OK; b++) {
    if (parts[b] == NULL)
      st = dufm_err_set(err, DUFM_EINVAL, "block %d is missing", b + 1);
    else if (parts[b]->kind == DUFM_STRUCTURE_SETS)
      st = dufm_err_set(err, DUFM_EINVAL,
                        "block %d (%s): sets and pattern structures do not "
                        "compose (no closed form per block)",
                        b + 1, parts[b]->name);
    else if (parts[b]->kind == DUFM_STRUCTURE_BLOCKS)
      st = dufm_err_set(err, DUFM_EINVAL, "block %d (%s): compositions do not nest", b + 1,
                        parts[b]->name);
    else if (parts[b]->K == 0)
      st = dufm_err_set(err, DUFM_EINVAL,
                        "block %d (dnc): a bare dnc needs its class count inside a composition "
                        "(write dnc:M)",
                        b + 1);
    else if ((K += parts[b]->K) > DUFM_MAX_K)
      st = dufm_err_set(err, DUFM_EINVAL, "composition: K = sum of the blocks' K exceeds %d",
                        DUFM_MAX_K);
  }
  if (st == DUFM_OK)
    st = dufm_i_structure_alloc(&s, DUFM_STRUCTURE_BLOCKS, err);
  if (st == DUFM_OK) {
    s->parts = malloc((size_t)count * sizeof *s->parts);
    if (s->parts == NULL)
      st = dufm_err_set(err, DUFM_ENOMEM, "out of memory for a composition");
  }
  if (st != DUFM_OK) {
    free(s);
    for (int b = 0; b < count; b++)
      dufm_structure_free(parts[b]);
    return st;
  }
  s->K = (int)K;
  s->nparts = count;
  for (int b = 0; b < count; b++) {
    s->parts[b] = parts[b];
    s->pending |= parts[b]->pending;
  }
  dufm_i_str name = {0};
  blocks_name(&name, s);
  return dufm_i_structure_finish(out, s, &name, err);
}

dufm_status dufm_structure_optimize(dufm_structure *s, dufm_err *err) {
  if (s == NULL)
    return dufm_err_set(err, DUFM_EINVAL, "no structure to optimize");
  if (!s->pending)
    return DUFM_OK;
  if (s->kind == DUFM_STRUCTURE_CLIQUE)
    return dufm_i_clique_optimize(s, err);
  for (int b = 0; b < s->nparts; b++) {
    dufm_status st = dufm_i_clique_optimize(s->parts[b], err);
    if (st != DUFM_OK) {
      dufm_err_prefix(err, "block %d", b + 1);
      return st;
    }
  }
  dufm_i_str name = {0};
  blocks_name(&name, s);
  if (name.failed || name.buf == NULL) {
    free(name.buf);
    return dufm_err_set(err, DUFM_ENOMEM, "out of memory for a structure name");
  }
  free(s->old_name);
  s->old_name = s->name;
  s->name = name.buf;
  s->pending = 0;
  return DUFM_OK;
}

void dufm_structure_free(dufm_structure *s) {
  if (s == NULL)
    return;
  for (int b = 0; b < s->nparts; b++)
    dufm_structure_free(s->parts[b]);
  free(s->parts);
  dufm_i_sets_free(s->sets);
  if (s->z != NULL)
    for (int i = 0; i < s->nk; i++)
      mpq_clear(s->z[i]);
  free(s->z);
  free(s->k);
  free(s->u);
  free(s->v);
  free(s->name);
  free(s->old_name);
  free(s);
}

const char *dufm_structure_name(const dufm_structure *s) { return s->name; }

int dufm_structure_K(const dufm_structure *s) { return s->K; }

dufm_structure_kind dufm_structure_kind_of(const dufm_structure *s) { return s->kind; }
