/* Shared fixtures of the model suites (header-only: static inline, so a suite
 * that does not use one gets no warning). */
#ifndef DUFM_MODEL_FIXTURES_H
#define DUFM_MODEL_FIXTURES_H

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "dufm/model.h"
#include "testutil.h"

static uint64_t fx_rng = 0x2545F4914F6CDD1DULL;

static inline double urand(void) { /* splitmix64, uniform in [0, 1) */
  uint64_t z = (fx_rng += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return (double)((z ^ (z >> 31)) >> 11) * 0x1.0p-53;
}

static inline double srand1(void) { return 2.0 * urand() - 1.0; }

/* Parameters with lambda_H = lam_h and lambda_l = lam_w * (1 + l / 2). */
static inline void params(dufm_params *p, int L, int K, int n, double lam_h, double lam_w) {
  char text[64];
  CU_ASSERT_FATAL(dufm_params_init(p, L, K, n, NULL) == DUFM_OK);
  snprintf(text, sizeof text, "%.17g", lam_h);
  CU_ASSERT_FATAL(dufm_params_set_lambda(p, DUFM_LAMBDA_H, text, NULL) == DUFM_OK);
  for (int l = 0; l < L; l++) {
    snprintf(text, sizeof text, "%.17g", lam_w * (1.0 + 0.5 * l));
    CU_ASSERT_FATAL(dufm_params_set_lambda(p, l, text, NULL) == DUFM_OK);
  }
}

static inline void fill(dufm_mat *m, double scale) {
  for (int i = 0; i < m->rows * m->cols; i++)
    m->data[i] = scale * srand1();
}

/* Identity in the top-left corner times s, plus uniform noise. */
static inline void fill_eye(dufm_mat *m, double s, double noise) {
  fill(m, noise);
  for (int i = 0; i < m->rows && i < m->cols; i++)
    DUFM_MAT_AT(m, i, i) += s;
}

/* Random configuration; eye > 0 makes it a noisy (scaled) DNC configuration:
 * column j of H1 near eye e_{j / n}, n = cols / K. */
static inline void config(dufm_config *c, int L, const int *d, int cols, double eye, double noise) {
  CU_ASSERT_FATAL(dufm_config_init(c, L, d, cols, NULL) == DUFM_OK);
  fill(&c->H1, noise);
  for (int j = 0; j < cols && j / (cols / d[L]) < d[0]; j++)
    DUFM_MAT_AT(&c->H1, j / (cols / d[L]), j) += eye;
  for (int l = 0; l < L; l++)
    fill_eye(&c->W[l], eye, eye > 0 ? noise : sqrt(6.0 / d[l]));
}

/* Per-sample copy of a class-mean configuration: each column repeated n times. */
static inline void expand(dufm_config *dst, const dufm_config *src, int n) {
  CU_ASSERT_FATAL(dufm_config_init(dst, src->L, src->d, src->cols * n, NULL) == DUFM_OK);
  for (int l = 0; l < src->L; l++)
    memcpy(dst->W[l].data, src->W[l].data, sizeof(double) * src->W[l].rows * src->W[l].cols);
  for (int i = 0; i < src->H1.rows; i++)
    for (int j = 0; j < dst->cols; j++)
      DUFM_MAT_AT(&dst->H1, i, j) = DUFM_MAT_AT(&src->H1, i, j / n);
}

static inline double loss_with(const dufm_config *c, const dufm_params *p, dufm_form f,
                               dufm_eval_ws *ws) {
  dufm_loss out;
  CU_ASSERT_FATAL(dufm_eval_with(&out, NULL, c, p, f, ws, NULL) == DUFM_OK);
  return out.loss;
}

/* DNC configuration (theory section 3) with scales s[0..L]: class k's columns of
 * H1 are s[0] e_k, W_l = s[l] times the identity in its top-left corner. With
 * positive scales the output is (s[0] ... s[L]) I_K on every column. */
static inline void dnc_config(dufm_config *c, int L, const int *d, int cols, int n,
                              const double *s) {
  CU_ASSERT_FATAL(dufm_config_init(c, L, d, cols, NULL) == DUFM_OK);
  for (int j = 0; j < cols; j++)
    DUFM_MAT_AT(&c->H1, j / n, j) = s[0];
  for (int l = 0; l < L; l++)
    for (int i = 0; i < d[L]; i++)
      DUFM_MAT_AT(&c->W[l], i, i) = s[l + 1];
}

/* Multiplies H1 by y[0] and W_l by y[l]. */
static inline void scale_config(dufm_config *c, const double *y) {
  for (int l = -1; l < c->L; l++) {
    dufm_mat *m = l < 0 ? &c->H1 : &c->W[l];
    for (int i = 0; i < m->rows * m->cols; i++)
      m->data[i] *= y[l + 1];
  }
}

#endif
