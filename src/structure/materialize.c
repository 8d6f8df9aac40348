/* Explicit configurations of structures: block layout, size limit and the
 * rescale-optimal scales of theory section 2 (proofs/edge.md, "Materialization"). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "dufm/rational.h"
#include "structure/structure_internal.h"

/* Scales y[0..L] of one block: a_i y_i^2 = Q t^(2/(L+1)) for every i, so that
 * the product is t and the penalty is ((L+1)/2) Q t^(2/(L+1)), computed in logs
 * (Q may be far outside the double range). */
static dufm_status block_scales(double *y, const dufm_structure_eval *e, const dufm_params *p,
                                dufm_err *err) {
  const int L = p->L;
  mpq_t a;
  mpq_init(a);
  dufm_status st = DUFM_OK;
  double log_q = dufm_q_log(e->q_pow) / (L + 1);
  double log_level = log_q + 2.0 * log(e->t) / (L + 1);
  for (int i = 0; i <= L && st == DUFM_OK; i++) {
    if (i == 0) {
      mpq_set_ui(a, (unsigned long)p->n, 1);
      mpq_mul(a, a, p->lam_h);
      mpq_mul(a, a, e->m1_norm2);
    } else {
      mpq_mul(a, p->lam_w[i - 1], e->w_norm2[i - 1]);
    }
    if (mpq_sgn(a) == 0)
      st = dufm_err_set(err, DUFM_ENOTAPPLICABLE, "a zero lambda makes the optimum unattained");
    else
      y[i] = e->t > 0.0 ? exp(0.5 * (log_level - dufm_q_log(a))) : 0.0;
  }
  mpq_clear(a);
  return st;
}

static dufm_status make(dufm_config *out, const dufm_structure *s, const dufm_params *p,
                        dufm_form form, int scaled, dufm_err *err) {
  const int L = p->L, per = form == DUFM_FORM_SAMPLES ? p->n : 1;
  const int nb = s->kind == DUFM_STRUCTURE_BLOCKS ? s->nparts : 1;
  dufm_structure_eval e;
  memset(out, 0, sizeof *out); /* so that every failure leaves a cleared config */
  int *d = calloc((size_t)(L + 1), sizeof *d);
  int *db = malloc((size_t)(L + 1) * (size_t)nb * sizeof *db);
  int *off = calloc((size_t)(L + 1), sizeof *off);
  double *y = malloc((size_t)(L + 1) * (size_t)nb * sizeof *y);
  dufm_status st = dufm_structure_evaluate(&e, s, p, err);
  if (st == DUFM_OK && (d == NULL || db == NULL || off == NULL || y == NULL))
    st = dufm_err_set(err, DUFM_ENOMEM, "out of memory materializing %s", s->name);
  if (st != DUFM_OK)
    goto cleanup;
  /* Widths are sums over blocks; the entry count is checked in double before
   * any allocation (it cannot overflow there). */
  for (int b = 0; b < nb && st == DUFM_OK; b++) {
    const dufm_structure *part = s->kind == DUFM_STRUCTURE_BLOCKS ? s->parts[b] : s;
    const dufm_structure_eval *eb = e.kind == DUFM_STRUCTURE_BLOCKS ? &e.blocks.items[b] : &e;
    st = dufm_i_block_widths(db + (size_t)b * (L + 1), part, eb->K, L, err);
    for (int i = 0; i <= L && st == DUFM_OK; i++)
      d[i] += db[(size_t)b * (L + 1) + i];
    if (st == DUFM_OK && scaled)
      st = block_scales(y + (size_t)b * (L + 1), eb, p, err);
    else
      for (int i = 0; i <= L; i++)
        y[(size_t)b * (L + 1) + i] = 1.0;
  }
  if (st != DUFM_OK)
    goto cleanup;
  double entries = (double)d[0] * (double)e.K * per;
  for (int l = 0; l < L; l++)
    entries += (double)d[l + 1] * (double)d[l];
  if (entries > (double)DUFM_STRUCTURE_MAX_ENTRIES) {
    st = dufm_err_set(err, DUFM_EINVAL,
                      "%s: the explicit configuration needs %.0f matrix entries, more than the "
                      "limit %ld",
                      s->name, entries, (long)DUFM_STRUCTURE_MAX_ENTRIES);
    goto cleanup;
  }
  st = dufm_config_init(out, L, d, e.K * per, err);
  for (int b = 0; b < nb && st == DUFM_OK; b++) {
    const dufm_structure *part = s->kind == DUFM_STRUCTURE_BLOCKS ? s->parts[b] : s;
    const dufm_structure_eval *eb = e.kind == DUFM_STRUCTURE_BLOCKS ? &e.blocks.items[b] : &e;
    if (y[(size_t)b * (L + 1)] > 0.0) /* a block in the zero regime stays zero */
      st = dufm_i_fill_block(out, part, eb->K, off, per, y + (size_t)b * (L + 1), err);
    for (int i = 0; i <= L; i++)
      off[i] += db[(size_t)b * (L + 1) + i];
  }
  if (st != DUFM_OK)
    dufm_config_clear(out);
cleanup:
  dufm_structure_eval_clear(&e);
  free(d);
  free(db);
  free(off);
  free(y);
  return st;
}

/* The start of a sets/pattern structure, class means repeated per sample. */
static dufm_status sets_start(dufm_config *out, const dufm_structure *s, const dufm_params *p,
                              dufm_form form, dufm_err *err) {
  memset(out, 0, sizeof *out);
  if (s->K != p->K)
    return dufm_err_set(err, DUFM_EINVAL, "%s has K = %d classes but the parameters have K = %d",
                        s->name, s->K, p->K);
  dufm_config means;
  dufm_status st = dufm_i_sets_start(NULL, &means, s, p->L, err);
  if (st != DUFM_OK || form == DUFM_FORM_CLASS_MEANS) {
    *out = means;
    return st;
  }
  st = dufm_config_init(out, p->L, means.d, p->K * p->n, err);
  if (st == DUFM_OK) {
    for (int i = 0; i < means.d[0]; i++)
      for (int j = 0; j < p->K * p->n; j++)
        DUFM_MAT_AT(&out->H1, i, j) = DUFM_MAT_AT(&means.H1, i, j / p->n);
    for (int l = 0; l < p->L; l++)
      memcpy(out->W[l].data, means.W[l].data,
             (size_t)means.d[l + 1] * (size_t)means.d[l] * sizeof *means.W[l].data);
  }
  dufm_config_clear(&means);
  return st;
}

dufm_status dufm_structure_build(dufm_config *out, const dufm_structure *s, const dufm_params *p,
                                 dufm_form form, dufm_err *err) {
  if (s->kind == DUFM_STRUCTURE_SETS)
    return sets_start(out, s, p, form, err);
  return make(out, s, p, form, 0, err);
}

dufm_status dufm_structure_materialize(dufm_config *out, const dufm_structure *s,
                                       const dufm_params *p, dufm_form form, dufm_err *err) {
  if (s->kind == DUFM_STRUCTURE_SETS) {
    memset(out, 0, sizeof *out);
    return dufm_err_set(
        err, DUFM_ENOTAPPLICABLE,
        "%s: its configuration is polished, not closed-form (dufm_sets_materialize)", s->name);
  }
  return make(out, s, p, form, 1, err);
}
