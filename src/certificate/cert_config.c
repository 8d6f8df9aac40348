/* Certificates of explicit configurations (dufm_cert_from_config): class
 * means, dyadic rounding, and the checker's verdict. The rounding needs no
 * justification: the checker recomputes the loss of the rational matrices
 * exactly, ReLU included, and decides with exact rationals only. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "certificate/cert_internal.h"
#include "dufm/rational.h"

/* Grids tried, coarse to fine (short certificates first); 0 = exact doubles. */
static const int BITS[] = {24, 32, 40, 48, 0};
#define NBITS ((int)(sizeof BITS / sizeof BITS[0]))
/* Room for "config:" and the label inside DUFM_CERT_MAX_NAME. */
#define LABEL_MAX 4000

void dufm_cert_round_opts_default(dufm_cert_round_opts *o) {
  o->collapse_tol = 1e-6;
  o->loss_tol = 1e-12;
}

static dufm_status check_opts(const dufm_cert_round_opts *o, dufm_err *err) {
  if (!(o->collapse_tol >= 0.0 && o->collapse_tol < 1.0))
    return dufm_err_set(err, DUFM_EINVAL, "collapse_tol %g must lie in [0, 1)", o->collapse_tol);
  if (!(o->loss_tol > 0.0 && o->loss_tol < 1.0))
    return dufm_err_set(err, DUFM_EINVAL, "loss_tol %g must lie in (0, 1)", o->loss_tol);
  return DUFM_OK;
}

/* M (d_1 x K) = class means of H1. A class whose columns are all equal keeps
 * the first one bit for bit (a sum of n equal doubles over n may not return
 * it). Refuses when a column is farther than tol max|H1| from its mean. */
static dufm_status class_means(dufm_mat *M, double *spread, const dufm_mat *H1, int K, int n,
                               double tol, dufm_err *err) {
  double scale = 0.0, worst = 0.0;
  int wi = 0, wj = 0;
  for (size_t i = 0; i < (size_t)H1->rows * (size_t)H1->cols; i++)
    scale = fmax(scale, fabs(H1->data[i]));
  for (int i = 0; i < H1->rows; i++)
    for (int c = 0; c < K; c++) {
      const double *x = &DUFM_MAT_AT(H1, i, (size_t)c * n);
      int equal = 1;
      double sum = 0.0;
      for (int j = 0; j < n; j++) {
        equal &= x[j] == x[0];
        sum += x[j];
      }
      double mean = equal ? x[0] : sum / n;
      DUFM_MAT_AT(M, i, c) = mean;
      for (int j = 0; j < n; j++)
        if (fabs(x[j] - mean) > worst) {
          worst = fabs(x[j] - mean);
          wi = i;
          wj = c * n + j;
        }
    }
  *spread = scale > 0.0 ? worst / scale : 0.0;
  if (worst > tol * scale)
    return dufm_err_set(err, DUFM_EINVAL,
                        "classes are not collapsed: H1 entry (%d, %d) of class %d differs from its "
                        "class mean by %.3g, %.3g of max|H1| (tolerance %g)",
                        wi, wj, wj / n, worst, *spread, tol);
  return DUFM_OK;
}

/* dst = src entries on the grid 2^(e - bits) (bits = 0: exactly). */
static void round_matrix(mpq_t *dst, const dufm_mat *src, int bits) {
  size_t count = (size_t)src->rows * (size_t)src->cols;
  double big = 0.0;
  for (size_t i = 0; i < count; i++)
    big = fmax(big, fabs(src->data[i]));
  int e = 0;
  frexp(big, &e); /* big < 2^e */
  int shift = bits - e;
  for (size_t i = 0; i < count; i++) {
    if (bits == 0) {
      mpq_set_d(dst[i], src->data[i]);
      continue;
    }
    /* |x| 2^shift < 2^bits <= 2^48: the scaling and the rounding are exact. */
    mpq_set_d(dst[i], nearbyint(ldexp(src->data[i], shift)));
    if (shift >= 0)
      mpq_div_2exp(dst[i], dst[i], (mp_bitcnt_t)shift);
    else
      mpq_mul_2exp(dst[i], dst[i], (mp_bitcnt_t)-shift);
  }
}

static dufm_status set_name(dufm_cert *out, const char *label) {
  if (label == NULL)
    label = "";
  size_t n = strlen(label);
  n = n > LABEL_MAX ? LABEL_MAX : n;
  out->structure = malloc(n + 8);
  if (out->structure == NULL)
    return DUFM_ENOMEM;
  memcpy(out->structure, "config", 6);
  size_t at = 6;
  if (n > 0)
    out->structure[at++] = ':';
  for (size_t i = 0; i < n; i++) {
    char ch = label[i];
    out->structure[at++] = ch > ' ' && ch <= '~' ? ch : '_';
  }
  out->structure[at] = '\0';
  return DUFM_OK;
}

/* Rounds at the grids of BITS until the exact loss is close to the float loss
 * and below the bound; the last grid (the doubles) is kept otherwise. The
 * choice only affects the certificate's length: the checker decides. */
static dufm_status round_all(dufm_cert *out, dufm_cert_round_info *info, const dufm_config *m,
                             double tol, dufm_err *err) {
  dufm_status st = DUFM_OK;
  /* Far above the bound no grid can succeed: only the exact doubles are tried. */
  double bound = dufm_q_get_d(out->bound);
  int first = info->float_loss > bound + 1e-6 * fmax(1.0, fabs(bound)) ? NBITS - 1 : 0;
  for (int b = first; b < NBITS && st == DUFM_OK; b++) {
    for (int l = 0; l <= m->L; l++)
      round_matrix(out->m[l], l == 0 ? &m->H1 : &m->W[l - 1], BITS[b]);
    st = dufm_i_cert_loss(out->loss, out, err);
    info->bits = BITS[b];
    info->drift = fabs(dufm_q_get_d(out->loss) - info->float_loss);
    if (info->drift <= tol * fmax(1.0, fabs(info->float_loss)) &&
        mpq_cmp(out->loss, out->bound) < 0)
      break;
  }
  return st;
}

dufm_status dufm_cert_from_config(dufm_cert *out, dufm_cert_round_info *info, const dufm_config *c,
                                  const dufm_params *p, const char *label,
                                  const dufm_cert_round_opts *o, dufm_err *err) {
  *out = (dufm_cert){0};
  dufm_cert_round_info scratch;
  if (info == NULL)
    info = &scratch;
  *info = (dufm_cert_round_info){0};
  dufm_cert_round_opts def;
  if (o == NULL) {
    dufm_cert_round_opts_default(&def);
    o = &def;
  }
  dufm_config m = {0};
  dufm_cert_report rep = {0};
  dufm_loss fl;
  dufm_status st = check_opts(o, err);
  if (st == DUFM_OK)
    st = dufm_config_check(c, p, DUFM_FORM_SAMPLES, err);
  if (st == DUFM_OK)
    st = dufm_config_init(&m, c->L, c->d, c->K, err);
  if (st == DUFM_OK)
    st = class_means(&m.H1, &info->spread, &c->H1, c->K, p->n, o->collapse_tol, err);
  for (int l = 0; l < c->L && st == DUFM_OK; l++)
    memcpy(m.W[l].data, c->W[l].data,
           (size_t)c->W[l].rows * (size_t)c->W[l].cols * sizeof *m.W[l].data);
  if (st == DUFM_OK && (st = dufm_eval(&fl, NULL, &m, p, DUFM_FORM_CLASS_MEANS, err)) == DUFM_OK)
    info->float_loss = fl.loss;
  if (st == DUFM_OK)
    st = dufm_params_copy(&out->p, p, err);
  if (st == DUFM_OK && set_name(out, label) != DUFM_OK)
    st = dufm_err_set(err, DUFM_ENOMEM, "out of memory for a certificate");
  if (st == DUFM_OK)
    st = dufm_i_cert_alloc(out, c->d, err);
  if (st == DUFM_OK) {
    dufm_i_cert_dnc_bound(out);
    st = round_all(out, info, &m, o->loss_tol, err);
  }
  if (st == DUFM_OK)
    st = dufm_cert_check(&rep, out, err);
  if (st == DUFM_OK && rep.result == DUFM_CERT_CLAIM_FALSE)
    st = dufm_err_set(err, DUFM_ENOTAPPLICABLE,
                      "the exact loss %.17g is not below the DNC lower bound %.17g (float loss "
                      "%.17g)",
                      dufm_q_get_d(rep.loss), dufm_q_get_d(rep.bound), info->float_loss);
  else if (st == DUFM_OK && rep.result != DUFM_CERT_VALID)
    st = dufm_err_set(err, DUFM_ENUMERIC, "internal error: the new certificate fails check '%s'",
                      dufm_cert_result_name(rep.result));
  dufm_cert_report_clear(&rep);
  dufm_config_clear(&m);
  if (st != DUFM_OK && st != DUFM_ENOTAPPLICABLE)
    dufm_cert_clear(out);
  return st;
}
