/* The rescale-optimal loss (theory section 2, proofs/rescale.md) against
 * independent paths: a golden-section search over real rescaled configurations
 * evaluated by dufm_eval, the DNC value g_L(K c_1) minimized here from its
 * definition, and hand formulas at the edges. */
#include <math.h>
#include <string.h>

#include "dufm/gl.h"
#include "dufm/model.h"
#include "model_fixtures.h"
#include "testutil.h"

typedef struct {
  const dufm_config *c;
  const dufm_params *p;
  dufm_form form;
  dufm_eval_ws *ws;
  dufm_config tmp;
  double a[DUFM_MAX_L + 1]; /* a_0 .. a_L, computed here from the definition */
  double log_q;
} problem;

static double sum_sq(const dufm_mat *m) {
  double s = 0.0;
  for (int i = 0; i < m->rows * m->cols; i++)
    s += m->data[i] * m->data[i];
  return s;
}

static void problem_init(problem *pb, const dufm_config *c, const dufm_params *p, dufm_form f) {
  pb->c = c;
  pb->p = p;
  pb->form = f;
  CU_ASSERT_FATAL(dufm_eval_ws_alloc(&pb->ws, c, NULL) == DUFM_OK);
  CU_ASSERT_FATAL(dufm_config_copy(&pb->tmp, c, NULL) == DUFM_OK);
  pb->a[0] = (f == DUFM_FORM_SAMPLES ? 1 : p->n) * p->lam_h_d * sum_sq(&c->H1);
  pb->log_q = log(pb->a[0]);
  for (int l = 0; l < c->L; l++) {
    pb->a[l + 1] = p->lam_w_d[l] * sum_sq(&c->W[l]);
    pb->log_q += log(pb->a[l + 1]);
  }
  pb->log_q /= c->L + 1;
}

static void problem_clear(problem *pb) {
  dufm_config_clear(&pb->tmp);
  dufm_eval_ws_free(pb->ws);
}

/* Loss of the real configuration with factors y_i = sqrt(Q t^(2/(L+1)) / a_i)
 * (product t, all a_i y_i^2 equal: the AM-GM balance); every a_i > 0. */
static double at_scale(problem *pb, double log_t) {
  double y[DUFM_MAX_L + 1];
  const int L = pb->c->L;
  for (int i = 0; i <= L; i++)
    y[i] = exp(0.5 * (pb->log_q + 2.0 * log_t / (L + 1) - log(pb->a[i])));
  for (int l = -1; l < L; l++) {
    const dufm_mat *src = l < 0 ? &pb->c->H1 : &pb->c->W[l];
    dufm_mat *dst = l < 0 ? &pb->tmp.H1 : &pb->tmp.W[l];
    for (int i = 0; i < src->rows * src->cols; i++)
      dst->data[i] = y[l + 1] * src->data[i];
  }
  return loss_with(&pb->tmp, pb->p, pb->form, pb->ws);
}

/* Brute force: grid over ln t, golden section around the best grid point, and
 * the t -> 0 limit 1/2. */
static double brute(problem *pb, double *t_best) {
  const double lo = -30.0, step = 0.05;
  int best = 0;
  double fbest = INFINITY;
  for (int i = 0; i <= 800; i++) {
    double f = at_scale(pb, lo + step * i);
    if (f < fbest) {
      fbest = f;
      best = i;
    }
  }
  const double r = 0.5 * (sqrt(5.0) - 1.0);
  double x0 = lo + step * (best - 1), x3 = lo + step * (best + 1);
  double x1 = x3 - r * (x3 - x0), x2 = x0 + r * (x3 - x0);
  double f1 = at_scale(pb, x1), f2 = at_scale(pb, x2);
  for (int it = 0; it < 80; it++) {
    if (f1 < f2) {
      x3 = x2, x2 = x1, f2 = f1, x1 = x3 - r * (x3 - x0), f1 = at_scale(pb, x1);
    } else {
      x0 = x1, x1 = x2, f1 = f2, x2 = x0 + r * (x3 - x0), f2 = at_scale(pb, x2);
    }
  }
  fbest = fmin(fbest, fmin(f1, f2));
  *t_best = exp(f1 < f2 ? x1 : x2);
  if (fbest >= 0.5)
    *t_best = 0.0;
  return fmin(fbest, 0.5);
}

static void widths(int *d, int L, int K) {
  for (int l = 0; l < L; l++)
    d[l] = K + (l % 3);
  d[L] = K;
}

static void test_rescale_bruteforce(void) {
  const struct {
    int L, K, n, means;
    double eye, noise, lam_h, lam_w, y;
  } cases[] = {
      {1, 3, 2, 0, 1.0, 0.3, 0.01, 0.02, 1.0},    {1, 4, 1, 1, 0.0, 1.0, 0.005, 0.005, 1.0},
      {2, 3, 2, 0, 1.0, 0.3, 0.004, 0.004, 2.0},  {2, 4, 3, 1, 1.0, 0.5, 0.002, 0.01, 0.3},
      {3, 4, 2, 0, 1.0, 0.3, 0.004, 0.003, 1.0},  {3, 5, 1, 1, 0.0, 1.0, 0.001, 0.001, 1.0},
      {4, 10, 1, 0, 1.0, 0.2, 0.004, 0.004, 1.0}, {4, 6, 2, 1, 1.0, 0.4, 0.0005, 0.002, 5.0},
      {4, 4, 1, 0, 1.0, 0.3, 0.5, 0.5, 1.0},      {6, 3, 1, 1, 1.0, 0.3, 0.0001, 0.0001, 1.0},
      {2, 3, 1, 0, 0.0, 1.0, 0.003, 0.003, 1.0},  {3, 3, 2, 1, 1.0, 0.6, 0.02, 0.01, 0.1}};
  int interior = 0, zero = 0;
  for (int it = 0; it < tu_iterations(1); it++)
    for (size_t ci = 0; ci < sizeof cases / sizeof cases[0]; ci++) {
      int L = cases[ci].L, K = cases[ci].K, d[8];
      dufm_form f = cases[ci].means ? DUFM_FORM_CLASS_MEANS : DUFM_FORM_SAMPLES;
      dufm_params p;
      dufm_config c;
      dufm_loss own;
      problem pb;
      params(&p, L, K, cases[ci].n, cases[ci].lam_h, cases[ci].lam_w);
      widths(d, L, K);
      config(&c, L, d, cases[ci].means ? K : K * cases[ci].n, cases[ci].eye, cases[ci].noise);
      for (int i = 0; i < c.H1.rows * c.H1.cols; i++)
        c.H1.data[i] *= cases[ci].y;
      double value, t, t_best;
      CU_ASSERT_FATAL(dufm_rescaled_loss(&value, &t, &c, &p, f, NULL) == DUFM_OK);
      CU_ASSERT_FATAL(dufm_eval(&own, NULL, &c, &p, f, NULL) == DUFM_OK);
      problem_init(&pb, &c, &p, f);
      double ref = brute(&pb, &t_best);
      TU_ASSERT_CLOSE(value, ref, 0, 1e-13);
      CU_ASSERT(value <= own.loss);
      if (ref < 0.5 - 1e-9) {
        interior++;
        TU_ASSERT_CLOSE(t, t_best, 1e-4, 0);
        TU_ASSERT_CLOSE(at_scale(&pb, log(t)), value, 0, 1e-12);
        /* AM-GM: unbalanced factors with the same product t do no better. */
        for (int k = 0; k < 3; k++) {
          double y[DUFM_MAX_L + 1], mean = 0.0;
          for (int i = 0; i <= L; i++)
            mean += (y[i] = srand1()) / (L + 1);
          for (int i = 0; i <= L; i++)
            y[i] = exp(0.5 * (pb.log_q + 2.0 * log(t) / (L + 1) - log(pb.a[i])) + y[i] - mean);
          dufm_config_clear(&pb.tmp);
          CU_ASSERT_FATAL(dufm_config_copy(&pb.tmp, &c, NULL) == DUFM_OK);
          scale_config(&pb.tmp, y);
          CU_ASSERT(loss_with(&pb.tmp, &p, f, pb.ws) >= value);
        }
      } else {
        zero++;
        CU_ASSERT(value == 0.5 && t == 0.0);
      }
      problem_clear(&pb);
      dufm_config_clear(&c);
      dufm_params_clear(&p);
    }
  CU_ASSERT(interior >= 6 && zero >= 1);
  fprintf(stderr, "\n  %d interior optima, %d zero optima\n", interior, zero);
}

/* g_L(Q) minimized here from its definition: grid on [0, 1.5], golden section. */
static double g_ref(int L, double Q) {
  double best = 0.5, tb = 0.0, r = 0.5 * (sqrt(5.0) - 1.0);
#define GL_F(t) (0.5 * (1 - (t)) * (1 - (t)) + 0.5 * (L + 1) * Q * pow((t), 2.0 / (L + 1)))
  for (int i = 1; i <= 1500; i++)
    if (GL_F(i * 1e-3) < best)
      best = GL_F(i * 1e-3), tb = i * 1e-3;
  double x0 = fmax(tb - 1e-3, 0), x3 = tb + 1e-3, x1 = x3 - r * (x3 - x0), x2 = x0 + r * (x3 - x0);
  for (int it = 0; it < 80 && tb > 0; it++) {
    if (GL_F(x1) < GL_F(x2))
      x3 = x2, x2 = x1, x1 = x3 - r * (x3 - x0);
    else
      x0 = x1, x1 = x2, x2 = x0 + r * (x3 - x0);
  }
  return tb > 0 ? fmin(best, fmin(GL_F(x1), GL_F(x2))) : best;
#undef GL_F
}

/* Any scaled DNC configuration rescales to F_DNC = g_L(K c_1) (theory section 3). */
static void test_rescale_dnc(void) {
  const struct {
    int L, K, n;
    double lam_h, lam_w;
  } cases[] = {{1, 4, 2, 0.01, 0.01},  {1, 3, 1, 0.2, 0.3},      {2, 4, 3, 0.004, 0.006},
               {3, 10, 1, 0.05, 0.05}, {4, 10, 1, 0.004, 0.004}, {6, 10, 2, 0.01, 0.004}};
  for (size_t ci = 0; ci < sizeof cases / sizeof cases[0]; ci++)
    for (int form = 0; form < 2; form++) {
      int L = cases[ci].L, K = cases[ci].K, n = cases[ci].n, d[8];
      double s[8], c1 = 0.0, value, t, t0 = 1.0;
      dufm_params p;
      dufm_config c;
      params(&p, L, K, n, cases[ci].lam_h, cases[ci].lam_w);
      widths(d, L, K);
      for (int l = 0; l <= L; l++)
        t0 *= (s[l] = 0.5 + 1.5 * urand());
      dnc_config(&c, L, d, form ? K : K * n, form ? 1 : n, s);
      dufm_form f = form ? DUFM_FORM_CLASS_MEANS : DUFM_FORM_SAMPLES;
      CU_ASSERT_FATAL(dufm_rescaled_loss(&value, &t, &c, &p, f, NULL) == DUFM_OK);
      c1 = log(n * p.lam_h_d);
      for (int l = 0; l < L; l++)
        c1 += log(p.lam_w_d[l]);
      double Q = K * exp(c1 / (L + 1)), ref = g_ref(L, Q);
      TU_ASSERT_CLOSE(value, ref, 0, 1e-13);
      if (L == 1)
        TU_ASSERT_CLOSE(value, Q <= 1 ? Q - Q * Q / 2 : 0.5, 1e-13, 0);
      dufm_gl gl;
      CU_ASSERT_FATAL(dufm_gl_eval_d(&gl, L, Q, NULL) == DUFM_OK);
      TU_ASSERT_CLOSE(value, gl.value, 1e-13, 0);
      TU_ASSERT_CLOSE(t * t0, gl.t, 1e-12, 0); /* t is relative to the configuration */
      dufm_config_clear(&c);
      dufm_params_clear(&p);
    }
}

static void test_rescale_edges(void) {
  const int d[] = {5, 4, 6, 4}, L = 3, K = 4, n = 2;
  dufm_params p;
  dufm_config c;
  dufm_loss out;
  dufm_err err;
  double value, t;
  params(&p, L, K, n, 0.01, 0.01);
  for (int form = 0; form < 2; form++) { /* all zero: loss 1/2, the zero solution */
    dufm_form f = form ? DUFM_FORM_CLASS_MEANS : DUFM_FORM_SAMPLES;
    CU_ASSERT_FATAL(dufm_config_init(&c, L, d, form ? K : K * n, NULL) == DUFM_OK);
    CU_ASSERT_FATAL(dufm_eval(&out, NULL, &c, &p, f, NULL) == DUFM_OK);
    CU_ASSERT(out.loss == 0.5 && out.fit == 0.5 && out.reg == 0.0 && out.a0 == 0.0);
    CU_ASSERT_FATAL(dufm_rescaled_loss(&value, &t, &c, &p, f, NULL) == DUFM_OK);
    CU_ASSERT(value == 0.5 && t == 0.0);
    CU_ASSERT(dufm_rescaled_loss(&value, &t, &c, &p, 1 - f, &err) == DUFM_EINVAL);
    dufm_config_clear(&c);
  }
  const double neg[] = {1.0, 1.0, 1.0, -1.0}; /* O = -Y: b < 0, only t = 0 */
  dnc_config(&c, L, d, K * n, n, neg);
  CU_ASSERT_FATAL(dufm_rescaled_loss(&value, &t, &c, &p, DUFM_FORM_SAMPLES, NULL) == DUFM_OK);
  CU_ASSERT(value == 0.5 && t == 0.0);
  dufm_config_clear(&c);
  /* lambda_2 = 0: Q = 0, the fit alone: 1/2 - b^2/(2a) at t = b/a. */
  CU_ASSERT_FATAL(dufm_params_set_lambda(&p, 1, "0", NULL) == DUFM_OK);
  config(&c, L, d, K * n, 1.0, 0.4);
  dufm_mat o;
  CU_ASSERT_FATAL(dufm_forward_output(&o, &c, NULL) == DUFM_OK);
  double a = 0.0, b = 0.0;
  for (int i = 0; i < K; i++)
    for (int j = 0; j < K * n; j++) {
      a += DUFM_MAT_AT(&o, i, j) * DUFM_MAT_AT(&o, i, j) / (K * n);
      b += (j / n == i) * DUFM_MAT_AT(&o, i, j) / (K * n);
    }
  dufm_mat_clear(&o);
  CU_ASSERT_FATAL(dufm_rescaled_loss(&value, &t, &c, &p, DUFM_FORM_SAMPLES, NULL) == DUFM_OK);
  TU_ASSERT_CLOSE(value, 0.5 - b * b / (2 * a), 1e-13, 0);
  TU_ASSERT_CLOSE(t, b / a, 1e-13, 0);
  dufm_config_clear(&c);
  dufm_params_clear(&p);
  /* No regularization: a DNC configuration rescales to the exact fit, loss 0. */
  const double s[] = {0.5, 3.0, 0.7, 1.1};
  params(&p, L, K, n, 0.0, 0.0);
  dnc_config(&c, L, d, K, 1, s);
  CU_ASSERT_FATAL(dufm_rescaled_loss(&value, &t, &c, &p, DUFM_FORM_CLASS_MEANS, NULL) == DUFM_OK);
  TU_ASSERT_CLOSE(value, 0.0, 0, 1e-15);
  TU_ASSERT_CLOSE(t, 1.0 / (s[0] * s[1] * s[2] * s[3]), 1e-14, 0);
  dufm_params_clear(&p);
  params(&p, L, K, n, 10.0, 10.0); /* Q' far above every threshold */
  CU_ASSERT_FATAL(dufm_rescaled_loss(&value, &t, &c, &p, DUFM_FORM_CLASS_MEANS, NULL) == DUFM_OK);
  CU_ASSERT(value == 0.5 && t == 0.0);
  dufm_config_clear(&c);
  dufm_params_clear(&p);
}

/* Rescaling the input rescales t inversely and leaves the value alone, even
 * when the factor norms span 10^-280 .. 10^80 (the product of the a_i is taken
 * in logs). */
static void test_rescale_invariance(void) {
  const int d[] = {5, 6, 7, 5, 5}, L = 4, K = 5, n = 2;
  const double y[] = {1e-140, 1e40, 1e40, 1e40, 1e15};
  dufm_params p;
  dufm_config c, e;
  params(&p, L, K, n, 0.003, 0.002);
  config(&c, L, d, K * n, 1.0, 0.3);
  CU_ASSERT_FATAL(dufm_config_copy(&e, &c, NULL) == DUFM_OK);
  scale_config(&e, y);
  double v0, t0, v1, t1;
  CU_ASSERT_FATAL(dufm_rescaled_loss(&v0, &t0, &c, &p, DUFM_FORM_SAMPLES, NULL) == DUFM_OK);
  CU_ASSERT_FATAL(dufm_rescaled_loss(&v1, &t1, &e, &p, DUFM_FORM_SAMPLES, NULL) == DUFM_OK);
  CU_ASSERT(v0 < 0.5);
  TU_ASSERT_CLOSE(v1, v0, 1e-12, 0);
  TU_ASSERT_CLOSE(t1 * 1e-5, t0, 1e-12, 0);
  dufm_config_clear(&e);
  dufm_config_clear(&c);
  dufm_params_clear(&p);
}

int main(void) {
  CU_TestInfo tests[] = {{"rescaled loss vs golden section", test_rescale_bruteforce},
                         {"scaled DNC rescales to g_L(K c_1)", test_rescale_dnc},
                         {"edges: zero, b < 0, zero lambdas", test_rescale_edges},
                         {"invariance under extreme rescaling", test_rescale_invariance},
                         CU_TEST_INFO_NULL};
  return tu_run_suite("rescale", tests);
}
