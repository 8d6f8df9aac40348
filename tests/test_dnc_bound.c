/* The DNC lower bound (proofs/dnc.md section 5): every DNC configuration (NC1,
 * and the class means of every hidden layer an orthogonal frame of equal norms)
 * has loss >= F_DNC = g_L(K c_1). Random members of the family, built from
 * random orthogonal frames, random scales, widths above K, n in {1, 3} and
 * unequal lambdas, are evaluated by the generic evaluator and compared with the
 * closed form dufm_dnc_eval; every inequality of the proof is checked on the
 * explicit matrices; the AM-GM-balanced member reaches the closed form. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "dufm/dnc.h"
#include "dufm/gl.h"
#include "dufm/model.h"
#include "model_fixtures.h"
#include "testutil.h"

#define MAXL 6
#define MAXD 12

/* Relative slack for the rounding of the double evaluation (the loss is a sum of
 * a few hundred products; 1e-13 is far above its error and far below 1e-9). */
#define SLACK 1e-13

typedef struct {
  int L, K, n;
  int d[MAXL + 1];             /* widths d_1..d_L in d[0..L-1], d[L] = K */
  double alpha[MAXL];          /* frame scales of layers 1..L */
  double M[MAXL][MAXD * MAXD]; /* class means M_l (d[l] x K, row-major) */
} family;

static double dot(const double *x, const double *y, int len, int stride) {
  double s = 0.0;
  for (int i = 0; i < len; i++)
    s += x[i * stride] * y[i * stride];
  return s;
}

/* Orthonormal K columns in R^d (Gram-Schmidt twice; a nearly dependent draw is
 * redrawn), times sqrt(alpha). */
static void frame_any(double *m, int d, int K, double alpha) {
  for (int c = 0; c < K; c++) {
    double nrm = 0.0;
    for (int tries = 0; nrm < 1e-3; tries++) {
      CU_ASSERT_FATAL(tries < 100);
      for (int i = 0; i < d; i++)
        m[i * K + c] = srand1();
      for (int pass = 0; pass < 2; pass++)
        for (int b = 0; b < c; b++) {
          double p = dot(m + c, m + b, d, K);
          for (int i = 0; i < d; i++)
            m[i * K + c] -= p * m[i * K + b];
        }
      nrm = sqrt(dot(m + c, m + c, d, K));
    }
    for (int i = 0; i < d; i++)
      m[i * K + c] /= nrm;
  }
  for (int i = 0; i < d * K; i++)
    m[i] *= sqrt(alpha);
}

/* A nonnegative orthogonal frame (what a ReLU layer can hold): every row belongs
 * to at most one class, every class owns at least one row, positive entries. */
static void frame_nonneg(double *m, int d, int K, double alpha) {
  int perm[MAXD];
  for (int i = 0; i < d; i++)
    perm[i] = i;
  for (int i = d - 1; i > 0; i--) {
    int j = (int)(urand() * (i + 1)), t = perm[i];
    perm[i] = perm[j];
    perm[j] = t;
  }
  memset(m, 0, sizeof(double) * (size_t)(d * K));
  for (int i = 0; i < d; i++) {
    int owner = i < K ? i : (int)(urand() * (K + 1)) - 1; /* -1: an empty row */
    if (owner >= 0)
      m[perm[i] * K + owner] = 0.2 + urand();
  }
  for (int c = 0; c < K; c++) {
    double nrm = sqrt(dot(m + c, m + c, d, K));
    for (int i = 0; i < d; i++)
      m[i * K + c] *= sqrt(alpha) / nrm;
  }
}

/* Class-mean configuration of the family: H1 = M_1,
 *   W_l = (M_{l+1} + N_l) M_l^T / alpha_l + noise R_l (I - M_l M_l^T / alpha_l),
 * with N_l <= 0 only where M_{l+1} is 0 (the ReLU removes it), so that
 * relu(W_l M_l) = M_{l+1}; and W_L = s M_L^T / alpha_L + noise R_L (N_l, R_l
 * random, relative to the layer's scale). noise = 0 gives the tight member. */
static void build(dufm_config *c, const family *f, double s, double noise) {
  const int L = f->L, K = f->K;
  CU_ASSERT_FATAL(dufm_config_init(c, L, f->d, K, NULL) == DUFM_OK);
  memcpy(c->H1.data, f->M[0], sizeof(double) * (size_t)(f->d[0] * K));
  for (int l = 0; l < L; l++) {
    const int rows = f->d[l + 1], cols = f->d[l];
    const double *ml = f->M[l];
    double target[MAXD * MAXD], r[MAXD * MAXD], proj[MAXD * MAXD];
    for (int i = 0; i < rows; i++)
      for (int k = 0; k < K; k++) {
        double v;
        if (l + 1 < L)
          v = f->M[l + 1][i * K + k];
        else
          v = i == k ? s : 0.0;
        if (l + 1 < L && v == 0.0 && urand() < 0.5)
          v = -noise * sqrt(f->alpha[l + 1]) * urand();
        target[i * K + k] = v;
      }
    const double rscale = (l + 1 < L ? sqrt(f->alpha[l + 1]) : s) / sqrt(f->alpha[l]);
    for (int i = 0; i < rows * cols; i++)
      r[i] = noise * rscale * srand1();
    for (int a = 0; a < cols; a++) /* proj = I - M_l M_l^T / alpha_l */
      for (int b = 0; b < cols; b++)
        proj[a * cols + b] = (a == b) - dot(ml + a * K, ml + b * K, K, 1) / f->alpha[l];
    for (int i = 0; i < rows; i++)
      for (int j = 0; j < cols; j++) {
        double v = dot(target + i * K, ml + j * K, K, 1) / f->alpha[l];
        for (int b = 0; b < cols; b++)
          v += r[i * cols + b] * proj[b * cols + j];
        DUFM_MAT_AT(&c->W[l], i, j) = v;
      }
  }
}

/* Frames for the given scales: layer 1 any orthonormal frame, later layers
 * nonnegative ones. */
static void frames(family *f) {
  for (int l = 0; l < f->L; l++) {
    if (l == 0)
      frame_any(f->M[0], f->d[0], f->K, f->alpha[0]);
    else
      frame_nonneg(f->M[l], f->d[l], f->K, f->alpha[l]);
  }
}

/* AM-GM balance for output scale t: every a_i equals b = Q t^(2/(L+1)). */
static void balanced(family *f, const dufm_params *p, double Q, double t) {
  const double b = Q * pow(t, 2.0 / (f->L + 1));
  f->alpha[0] = b / (f->n * p->lam_h_d * f->K);
  for (int l = 1; l < f->L; l++)
    f->alpha[l] = f->alpha[l - 1] * b / (p->lam_w_d[l - 1] * f->K);
}

static int le(double a, double b) { /* a <= b up to rounding */
  return a <= b + SLACK * fmax(fabs(a), fabs(b)) + 1e-300;
}

/* Checks every step of the proof on the explicit class-mean configuration c,
 * then the per-sample loss (n copies of every column) against the closed form.
 * Returns the per-sample loss. */
static double check_member(const dufm_config *c, const family *f, const dufm_params *p,
                           const dufm_gl *g, double lc1pow) {
  const int L = f->L, K = f->K;
  dufm_eval_ws *ws = NULL;
  dufm_loss cm, ps;
  CU_ASSERT_FATAL(dufm_eval_ws_alloc(&ws, c, NULL) == DUFM_OK);
  CU_ASSERT_FATAL(dufm_eval_with(&cm, NULL, c, p, DUFM_FORM_CLASS_MEANS, ws, NULL) == DUFM_OK);
  double alpha[MAXL + 1], a[MAXL + 1];
  /* NC2 in every layer: H_l^T H_l = alpha_l I (the family's defining property,
   * read back from the forward pass). */
  for (int l = 1; l <= L; l++) {
    const dufm_mat *h = l == 1 ? &c->H1 : dufm_eval_ws_hidden(ws, l);
    alpha[l] = dufm_mat_frob2(h) / K;
    for (int x = 0; x < K; x++)
      for (int y = 0; y < K; y++)
        CU_ASSERT(fabs(dot(h->data + x, h->data + y, h->rows, K) - (x == y) * alpha[l]) <=
                  1e-12 * alpha[l]);
  }
  /* K alpha_{l+1} = ||H_{l+1}||^2 <= ||W_l H_l||^2 <= alpha_l ||W_l||^2 and
   * ||O||^2 <= alpha_L ||W_L||^2. */
  for (int l = 1; l <= L; l++) {
    const dufm_mat *pre = l < L ? dufm_eval_ws_preact(ws, l + 1) : dufm_eval_ws_output(ws);
    double w2 = dufm_mat_frob2(&c->W[l - 1]), p2 = dufm_mat_frob2(pre);
    if (l < L)
      CU_ASSERT(le(K * alpha[l + 1], p2));
    CU_ASSERT(le(p2, alpha[l] * w2));
    a[l] = p->lam_w_d[l - 1] * w2;
  }
  a[0] = f->n * p->lam_h_d * K * alpha[1];
  CU_ASSERT(tu_close(a[0], cm.a0, 1e-13, 0.0, "a_0"));
  /* t = ||O||_F / sqrt(K); fit >= (1 - t)^2 / 2 (reverse triangle inequality);
   * prod a_i >= K^(L+1) c_1^(L+1) t^2; reg >= ((L+1)/2) K c_1 t^(2/(L+1)). */
  const dufm_mat *o = dufm_eval_ws_output(ws);
  const double t = sqrt(dufm_mat_frob2(o) / K);
  /* 1 - t and the fit each carry an absolute rounding error ~1e-16 */
  CU_ASSERT(le(0.5 * (1.0 - t) * (1.0 - t), cm.fit + 1e-15));
  double lprod = 0.0, sum = 0.0;
  for (int i = 0; i <= L; i++) {
    lprod += log(a[i]);
    sum += 0.5 * a[i];
  }
  const double lbound = (L + 1) * log(K) + lc1pow + 2.0 * log(t);
  CU_ASSERT(lbound <= lprod + 1e-12 * fmax(1.0, fabs(lprod)));
  CU_ASSERT(le(0.5 * (L + 1) * exp(lprod / (L + 1)), sum));
  CU_ASSERT(tu_close(sum, cm.reg, 1e-13, 0.0, "reg"));
  const double Qd = K * exp(lc1pow / (L + 1));
  CU_ASSERT(le(dufm_gl_objective(L, Qd, t), cm.fit + cm.reg));
  CU_ASSERT(le(g->value, dufm_gl_objective(L, Qd, t)));
  /* Per-sample form through dufm_eval: the same loss, and never below F_DNC. */
  dufm_config e;
  expand(&e, c, f->n);
  CU_ASSERT_FATAL(dufm_eval(&ps, NULL, &e, p, DUFM_FORM_SAMPLES, NULL) == DUFM_OK);
  CU_ASSERT(tu_close(ps.loss, cm.loss, 1e-13, 0.0, "per-sample vs class-mean"));
  CU_ASSERT(le(g->value, ps.loss));
  dufm_config_clear(&e);
  dufm_eval_ws_free(ws);
  return ps.loss;
}

/* Unequal lambdas: lambda_H = base e^u, lambda_l = base e^(u_l), u uniform in
 * [-1, 1], written as exact decimal text. */
static void random_params(dufm_params *p, int L, int K, int n, double base) {
  char text[64];
  CU_ASSERT_FATAL(dufm_params_init(p, L, K, n, NULL) == DUFM_OK);
  for (int which = -1; which < L; which++) {
    snprintf(text, sizeof text, "%.6e", base * exp(srand1()));
    CU_ASSERT_FATAL(dufm_params_set_lambda(p, which, text, NULL) == DUFM_OK);
  }
}

static void test_family_above_closed_form(void) {
  const int Ks[] = {2, 3, 5, 8};
  const double bases[] = {1e-4, 4e-3, 0.05, 0.5};
  const double eps[] = {1e-3, 1e-2, 0.1, 0.5, 1.0, 3.0};
  int cases = tu_iterations(40), zero = 0, nonzero = 0;
  for (int ci = 0; ci < cases; ci++) {
    family f = {.L = 1 + ci % 5, .K = Ks[(ci / 5) % 4], .n = ci % 2 ? 3 : 1};
    const double base = bases[(ci / 2) % 4];
    dufm_params p;
    dufm_gl g;
    mpq_t c1pow;
    random_params(&p, f.L, f.K, f.n, base);
    for (int l = 0; l < f.L; l++)
      f.d[l] = f.K + (int)(urand() * 4);
    f.d[f.L] = f.K;
    CU_ASSERT_FATAL(dufm_dnc_eval(&g, &p, NULL) == DUFM_OK);
    mpq_init(c1pow);
    dufm_dnc_c1pow(c1pow, &p);
    const double lc1pow = log(mpq_get_d(c1pow));
    mpq_clear(c1pow);
    const double Q = f.K * exp(lc1pow / (f.L + 1));
    CU_ASSERT(tu_close(Q, g.Q, 1e-13, 0.0, "Q_DNC"));
    dufm_config c;
    /* The balanced member at the optimal scale: equality. In the zero regime the
     * optimum is the zero configuration (alpha = 0), loss 1/2. */
    if (g.t > 0.0) {
      nonzero++;
      balanced(&f, &p, Q, g.t);
      frames(&f);
      build(&c, &f, g.t, 0.0);
      double F = check_member(&c, &f, &p, &g, lc1pow);
      CU_ASSERT(tu_close(F, g.value, 1e-12, 0.0, "balanced DNC vs g_L(K c_1)"));
      dufm_config_clear(&c);
    } else {
      zero++;
      dufm_config z, e;
      dufm_loss ps;
      CU_ASSERT_FATAL(dufm_config_init(&z, f.L, f.d, f.K, NULL) == DUFM_OK);
      expand(&e, &z, f.n);
      CU_ASSERT_FATAL(dufm_eval(&ps, NULL, &e, &p, DUFM_FORM_SAMPLES, NULL) == DUFM_OK);
      CU_ASSERT(ps.loss == 0.5 && g.value == 0.5);
      dufm_config_clear(&z);
      dufm_config_clear(&e);
    }
    /* Perturbed members: scales off balance by e^(eps u), output scale off by
     * the same, plus noise outside the frames' span and negative entries that
     * the ReLU removes. All stay in the family, so all stay above. */
    const double tref = g.t > 0.0 ? g.t : 0.5;
    for (size_t k = 0; k < sizeof eps / sizeof eps[0]; k++) {
      balanced(&f, &p, Q, tref);
      for (int l = 0; l < f.L; l++)
        f.alpha[l] *= exp(eps[k] * srand1());
      frames(&f);
      const double s = tref * exp(eps[k] * srand1());
      build(&c, &f, s, k % 2 ? 0.0 : eps[k]);
      double F = check_member(&c, &f, &p, &g, lc1pow);
      CU_ASSERT(F >= g.lower * (1.0 - SLACK));
      dufm_config_clear(&c);
    }
    dufm_params_clear(&p);
  }
  CU_ASSERT(zero > 0 && nonzero > 0); /* both regimes were exercised */
}

/* Rotating the optimal DNC (any orthonormal frame in layer 1, nonnegative frames
 * of other supports later, wider layers) leaves the loss at the closed form:
 * the whole orbit attains the bound. */
static void test_rotations(void) {
  dufm_params p;
  dufm_gl g;
  random_params(&p, 3, 4, 3, 4e-3);
  CU_ASSERT_FATAL(dufm_dnc_eval(&g, &p, NULL) == DUFM_OK);
  CU_ASSERT_FATAL(g.t > 0.0);
  family f = {.L = 3, .K = 4, .n = 3, .d = {6, 5, 7, 4}};
  mpq_t c1pow;
  mpq_init(c1pow);
  dufm_dnc_c1pow(c1pow, &p);
  const double lc1pow = log(mpq_get_d(c1pow));
  mpq_clear(c1pow);
  for (int rep = 0; rep < 5; rep++) {
    dufm_config c;
    balanced(&f, &p, g.Q, g.t);
    frames(&f);
    build(&c, &f, g.t, 0.0);
    double F = check_member(&c, &f, &p, &g, lc1pow);
    CU_ASSERT(tu_close(F, g.value, 1e-12, 0.0, "rotated optimum vs g_L(K c_1)"));
    dufm_config_clear(&c);
  }
  dufm_params_clear(&p);
}

int main(void) {
  CU_TestInfo tests[] = {{"DNC family never below g_L(K c_1)", test_family_above_closed_form},
                         {"rotated optimum attains it", test_rotations},
                         CU_TEST_INFO_NULL};
  return tu_run_suite("dnc_bound", tests);
}
