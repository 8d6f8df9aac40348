/* Configurations, the generic evaluator and the rescale-optimal loss. Reference
 * values come from other paths: finite differences, the class-mean identity,
 * hand formulas, a golden-section search over real rescaled configurations, and
 * the NumPy reference table. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dufm/gl.h"
#include "dufm/model.h"
#include "dufm/npy.h"
#include "model_fixtures.h"
#include "testutil.h"

static double min_abs_preact(const dufm_eval_ws *ws, int L) {
  double m = INFINITY;
  for (int l = 2; l <= L; l++) {
    const dufm_mat *pre = dufm_eval_ws_preact(ws, l);
    for (int i = 0; i < pre->rows * pre->cols; i++)
      m = fmin(m, fabs(pre->data[i]));
  }
  return m;
}

static double max_fd_err = 0.0; /* max |fd - g| / max(|g|, 1e-3 max|g|), reported */

/* Compares every gradient entry with a central difference. */
static void check_fd(dufm_config *c, const dufm_params *p, dufm_form f) {
  dufm_eval_ws *ws;
  dufm_config g;
  dufm_loss out;
  CU_ASSERT_FATAL(dufm_eval_ws_alloc(&ws, c, NULL) == DUFM_OK);
  CU_ASSERT_FATAL(dufm_config_copy(&g, c, NULL) == DUFM_OK);
  CU_ASSERT_FATAL(dufm_eval_with(&out, &g, c, p, f, ws, NULL) == DUFM_OK);
  CU_ASSERT(min_abs_preact(ws, c->L) > 1e-3); /* callers draw away from kinks */
  const double h = 1e-5;
  for (int l = -1; l < c->L; l++) {
    dufm_mat *x = l < 0 ? &c->H1 : &c->W[l], *gx = l < 0 ? &g.H1 : &g.W[l];
    double scale = 0.0;
    for (int i = 0; i < x->rows * x->cols; i++)
      scale = fmax(scale, fabs(gx->data[i]));
    for (int i = 0; i < x->rows * x->cols; i++) {
      double keep = x->data[i];
      x->data[i] = keep + h;
      double fp = loss_with(c, p, f, ws);
      x->data[i] = keep - h;
      double fm = loss_with(c, p, f, ws);
      x->data[i] = keep;
      double fd = (fp - fm) / (2 * h), gi = gx->data[i];
      max_fd_err = fmax(max_fd_err, fabs(fd - gi) / fmax(fabs(gi), 1e-3 * scale));
      CU_ASSERT(tu_close(fd, gi, 1e-6, 1e-9 * scale, l < 0 ? "dF/dH1" : "dF/dW_l"));
    }
  }
  dufm_config_clear(&g);
  dufm_eval_ws_free(ws);
}

static void test_gradient_fd(void) {
  const int cases[][7] = {/* L, K, n, d0, d1, d2, d3 (d[L] = K) */
                          {1, 3, 1, 4},       {1, 4, 3, 2},          {2, 3, 2, 5, 4},
                          {3, 4, 1, 3, 6, 5}, {4, 3, 2, 4, 5, 3, 6}, {2, 5, 1, 7, 2}};
  for (int it = 0; it < tu_iterations(1); it++)
    for (size_t ci = 0; ci < sizeof cases / sizeof cases[0]; ci++) {
      int L = cases[ci][0], K = cases[ci][1], n = cases[ci][2], d[5];
      for (int l = 0; l < L; l++)
        d[l] = cases[ci][3 + l];
      d[L] = K;
      for (int form = 0; form < 2; form++) {
        dufm_form f = form ? DUFM_FORM_CLASS_MEANS : DUFM_FORM_SAMPLES;
        dufm_params p;
        params(&p, L, K, n, 0.03, 0.011);
        dufm_config c;
        dufm_eval_ws *ws;
        for (;;) { /* redraw until every pre-activation is off its kink */
          config(&c, L, d, form ? K : K * n, 0.0, 1.0);
          CU_ASSERT_FATAL(dufm_eval_ws_alloc(&ws, &c, NULL) == DUFM_OK);
          loss_with(&c, &p, f, ws);
          double m = min_abs_preact(ws, L);
          dufm_eval_ws_free(ws);
          if (m > 1e-3)
            break;
          dufm_config_clear(&c);
        }
        check_fd(&c, &p, f);
        dufm_config_clear(&c);
        dufm_params_clear(&p);
      }
    }
  fprintf(stderr, "\n  max relative FD error %.3g\n", max_fd_err);
}

/* A pre-activation exactly 0 passes no gradient (PyTorch's relu'(0) = 0). */
static void test_kink_convention(void) {
  const int d[] = {3, 4, 2};
  dufm_config c, g;
  dufm_params p;
  dufm_loss out;
  params(&p, 2, 2, 1, 0.0, 0.0);
  config(&c, 2, d, 2, 0.0, 1.0);
  for (int j = 0; j < 3; j++)
    DUFM_MAT_AT(&c.W[0], 1, j) = 0.0; /* hidden unit 1 sits on its kink */
  CU_ASSERT_FATAL(dufm_config_copy(&g, &c, NULL) == DUFM_OK);
  CU_ASSERT_FATAL(dufm_eval(&out, &g, &c, &p, DUFM_FORM_SAMPLES, NULL) == DUFM_OK);
  for (int j = 0; j < 3; j++)
    CU_ASSERT(DUFM_MAT_AT(&g.W[0], 1, j) == 0.0);
  CU_ASSERT(DUFM_MAT_AT(&g.W[1], 0, 1) == 0.0 && DUFM_MAT_AT(&g.W[1], 1, 1) == 0.0);
  dufm_config_clear(&g);
  dufm_config_clear(&c);
  dufm_params_clear(&p);
}

/* n identical columns per class = class-mean form; also bitwise reproducible. */
static void test_forms_agree(void) {
  const int d[] = {5, 7, 3, 4}, L = 3, K = 4, n = 3;
  dufm_params p;
  params(&p, L, K, n, 0.02, 0.005);
  dufm_config m, s, gm, gs;
  dufm_loss lm, ls, again;
  config(&m, L, d, K, 1.0, 0.4);
  expand(&s, &m, n);
  CU_ASSERT_FATAL(dufm_config_copy(&gm, &m, NULL) == DUFM_OK);
  CU_ASSERT_FATAL(dufm_config_copy(&gs, &s, NULL) == DUFM_OK);
  CU_ASSERT_FATAL(dufm_eval(&lm, &gm, &m, &p, DUFM_FORM_CLASS_MEANS, NULL) == DUFM_OK);
  CU_ASSERT_FATAL(dufm_eval(&ls, &gs, &s, &p, DUFM_FORM_SAMPLES, NULL) == DUFM_OK);
  TU_ASSERT_CLOSE(lm.loss, ls.loss, 1e-14, 0);
  TU_ASSERT_CLOSE(lm.fit, ls.fit, 1e-14, 0);
  TU_ASSERT_CLOSE(lm.reg, ls.reg, 1e-14, 0);
  TU_ASSERT_CLOSE(lm.a0, ls.a0, 1e-14, 0);
  for (int l = 0; l < L; l++)
    for (int i = 0; i < gm.W[l].rows * gm.W[l].cols; i++)
      TU_ASSERT_CLOSE(gm.W[l].data[i], gs.W[l].data[i], 1e-12, 1e-15);
  for (int i = 0; i < d[0]; i++)
    for (int k = 0; k < K; k++) {
      double sum = 0.0;
      for (int j = k * n; j < (k + 1) * n; j++)
        sum += DUFM_MAT_AT(&gs.H1, i, j);
      TU_ASSERT_CLOSE(sum, DUFM_MAT_AT(&gm.H1, i, k), 1e-12, 1e-15);
    }
  dufm_eval_ws *ws;
  CU_ASSERT_FATAL(dufm_eval_ws_alloc(&ws, &s, NULL) == DUFM_OK);
  for (int rep = 0; rep < 3; rep++) {
    CU_ASSERT_FATAL(dufm_eval_with(&again, &gm, &s, &p, DUFM_FORM_SAMPLES, ws, NULL) ==
                    DUFM_EINVAL); /* gm has the class-mean shape */
    CU_ASSERT_FATAL(dufm_eval_with(&again, &gm, &m, &p, DUFM_FORM_CLASS_MEANS, ws, NULL) ==
                    DUFM_EINVAL); /* ws has the per-sample shape */
    dufm_config g2;
    CU_ASSERT_FATAL(dufm_config_copy(&g2, &s, NULL) == DUFM_OK);
    CU_ASSERT_FATAL(dufm_eval_with(&again, &g2, &s, &p, DUFM_FORM_SAMPLES, ws, NULL) == DUFM_OK);
    CU_ASSERT(memcmp(&again, &ls, sizeof ls) == 0);
    for (int l = 0; l < L; l++)
      CU_ASSERT(memcmp(g2.W[l].data, gs.W[l].data, sizeof(double) * d[l] * d[l + 1]) == 0);
    CU_ASSERT(memcmp(g2.H1.data, gs.H1.data, sizeof(double) * d[0] * K * n) == 0);
    dufm_config_clear(&g2);
  }
  dufm_eval_ws_free(ws);
  dufm_config_clear(&gs);
  dufm_config_clear(&gm);
  dufm_config_clear(&s);
  dufm_config_clear(&m);
  dufm_params_clear(&p);
}

/* DNC with scales: loss by hand, fit (1-t)^2/2, and for L = 1 the gradient. */
static void test_dnc_by_hand(void) {
  const int d[] = {6, 5, 7, 4}, L = 3, K = 4, n = 2;
  const double s[] = {0.9, 1.1, 0.8, 1.7};
  const double t = s[0] * s[1] * s[2] * s[3];
  dufm_params p;
  params(&p, L, K, n, 0.01, 0.003);
  double reg2 = n * K * p.lam_h_d * s[0] * s[0];
  for (int l = 0; l < L; l++)
    reg2 += K * p.lam_w_d[l] * s[l + 1] * s[l + 1];
  for (int form = 0; form < 2; form++) {
    dufm_config c;
    dufm_loss out;
    int cols = form ? K : K * n;
    dnc_config(&c, L, d, cols, form ? 1 : n, s);
    CU_ASSERT_FATAL(dufm_eval(&out, NULL, &c, &p, form ? DUFM_FORM_CLASS_MEANS : DUFM_FORM_SAMPLES,
                              NULL) == DUFM_OK);
    TU_ASSERT_CLOSE(out.fit, 0.5 * (1 - t) * (1 - t), TU_TOL2, 0);
    TU_ASSERT_CLOSE(out.reg, 0.5 * reg2, TU_TOL2, 0);
    TU_ASSERT_CLOSE(out.a0, n * K * p.lam_h_d * s[0] * s[0], TU_TOL2, 0);
    TU_ASSERT_CLOSE(out.loss, 0.5 * (1 - t) * (1 - t) + 0.5 * reg2, TU_TOL2, 0);
    dufm_config_clear(&c);
  }
  dufm_params_clear(&p);

  /* L = 1: dF/dW = ((t-1) s0 / K + lam_1 s1) I, dF/dh_j = ((t-1) s1 / N + lam_H s0) e_k. */
  const int d1[] = {5, 3}, K1 = 3, n1 = 2, N1 = K1 * n1;
  dufm_config c, g;
  dufm_loss out;
  params(&p, 1, K1, n1, 0.02, 0.05);
  dnc_config(&c, 1, d1, N1, n1, s);
  CU_ASSERT_FATAL(dufm_config_copy(&g, &c, NULL) == DUFM_OK);
  CU_ASSERT_FATAL(dufm_eval(&out, &g, &c, &p, DUFM_FORM_SAMPLES, NULL) == DUFM_OK);
  double t1 = s[0] * s[1];
  for (int i = 0; i < K1; i++)
    for (int j = 0; j < d1[0]; j++)
      TU_ASSERT_CLOSE(DUFM_MAT_AT(&g.W[0], i, j),
                      i == j ? (t1 - 1) * s[0] / K1 + p.lam_w_d[0] * s[1] : 0.0, TU_TOL2, 0);
  for (int i = 0; i < d1[0]; i++)
    for (int j = 0; j < N1; j++)
      TU_ASSERT_CLOSE(DUFM_MAT_AT(&g.H1, i, j),
                      i == j / n1 ? (t1 - 1) * s[1] / N1 + p.lam_h_d * s[0] : 0.0, TU_TOL2, 0);
  dufm_config_clear(&g);
  dufm_config_clear(&c);
  dufm_params_clear(&p);
}

/* Workspace views, forward output, and the evaluator's error paths. */
static void test_workspace_and_errors(void) {
  const int d[] = {4, 6, 5, 3}, L = 3, K = 3;
  dufm_params p;
  params(&p, L, K, 1, 0.01, 0.01);
  dufm_config c;
  config(&c, L, d, K, 0.0, 1.0);
  dufm_eval_ws *ws;
  dufm_loss out;
  dufm_err err;
  CU_ASSERT_FATAL(dufm_eval_ws_alloc(&ws, &c, NULL) == DUFM_OK);
  CU_ASSERT_FATAL(dufm_eval_with(&out, NULL, &c, &p, DUFM_FORM_SAMPLES, ws, NULL) == DUFM_OK);
  CU_ASSERT(dufm_eval_ws_preact(ws, 1) == NULL && dufm_eval_ws_hidden(ws, 4) == NULL);
  const dufm_mat *p2 = dufm_eval_ws_preact(ws, 2), *h3 = dufm_eval_ws_hidden(ws, 3);
  CU_ASSERT_FATAL(p2 != NULL && h3 != NULL && p2->rows == 6 && h3->rows == 5 && h3->cols == K);
  for (int i = 0; i < 6; i++)
    for (int j = 0; j < K; j++) {
      double sum = 0.0;
      for (int k = 0; k < 4; k++)
        sum += DUFM_MAT_AT(&c.W[0], i, k) * DUFM_MAT_AT(&c.H1, k, j);
      TU_ASSERT_CLOSE(DUFM_MAT_AT(p2, i, j), sum, TU_TOL2, TU_TOL2);
      CU_ASSERT(DUFM_MAT_AT(dufm_eval_ws_hidden(ws, 2), i, j) == fmax(DUFM_MAT_AT(p2, i, j), 0));
    }
  dufm_mat o;
  CU_ASSERT_FATAL(dufm_forward_output(&o, &c, NULL) == DUFM_OK);
  CU_ASSERT(o.rows == K &&
            memcmp(o.data, dufm_eval_ws_output(ws)->data, sizeof(double) * K * K) == 0);
  dufm_mat_clear(&o);
  CU_ASSERT(dufm_eval_with(&out, &c, &c, &p, DUFM_FORM_SAMPLES, ws, &err) == DUFM_EINVAL);
  CU_ASSERT(strstr(err.msg, "gradient") != NULL);
  c.H1.data[0] = 1e300;
  CU_ASSERT(dufm_eval_with(&out, NULL, &c, &p, DUFM_FORM_SAMPLES, ws, &err) == DUFM_ENUMERIC);
  c.H1.data[0] = NAN;
  CU_ASSERT(dufm_eval(&out, NULL, &c, &p, DUFM_FORM_SAMPLES, &err) == DUFM_ENUMERIC);
  c.W[1].cols = 4; /* a hand-broken shape */
  CU_ASSERT(dufm_forward_output(&o, &c, &err) == DUFM_EINVAL && o.data == NULL);
  CU_ASSERT(strstr(err.msg, "W2 is 5 x 4") != NULL && strchr(err.msg, '\n') == NULL);
  c.W[1].cols = 6;
  dufm_eval_ws_free(ws);
  dufm_eval_ws_free(NULL);
  dufm_config_clear(&c);
  dufm_params_clear(&p);
}

static int says(dufm_status st, dufm_status want, const dufm_err *err, const char *part) {
  int ok = st == want && strstr(err->msg, part) != NULL && strchr(err->msg, '\n') == NULL;
  if (!ok)
    fprintf(stderr, "\n  got %s '%s', wanted '%s'\n", dufm_status_name(st), err->msg, part);
  return ok;
}

static void test_config_lifecycle(void) {
  dufm_config c, e;
  dufm_err err;
  const int bad[] = {4, 0, 3}, d[] = {4, 5, 3}, d4[] = {4, 5, 4};
  CU_ASSERT(says(dufm_config_init(&c, 0, d, 3, &err), DUFM_EINVAL, &err, "L = 0"));
  CU_ASSERT(says(dufm_config_init(&c, 2, bad, 3, &err), DUFM_EINVAL, &err, "d[1] = 0"));
  CU_ASSERT(says(dufm_config_init(&c, 2, d, 0, &err), DUFM_EINVAL, &err, "columns = 0"));
  dufm_config_clear(&c); /* a failed init leaves a clearable struct */
  memset(&e, 0, sizeof e);
  dufm_config_clear(&e);
  config(&c, 2, d, 6, 0.0, 1.0);
  CU_ASSERT_FATAL(dufm_config_copy(&e, &c, NULL) == DUFM_OK);
  CU_ASSERT(e.K == 3 && e.cols == 6 && e.d != c.d && e.W[1].data != c.W[1].data);
  CU_ASSERT(memcmp(e.W[1].data, c.W[1].data, sizeof(double) * 15) == 0);
  CU_ASSERT(memcmp(e.H1.data, c.H1.data, sizeof(double) * 24) == 0);
  dufm_params p;
  params(&p, 2, 3, 2, 0.1, 0.1);
  CU_ASSERT(dufm_config_check(&c, &p, DUFM_FORM_SAMPLES, &err) == DUFM_OK);
  CU_ASSERT(says(dufm_config_check(&c, &p, DUFM_FORM_CLASS_MEANS, &err), DUFM_EINVAL, &err,
                 "class-mean form needs K = 3 columns of H1, got 6"));
  CU_ASSERT(says(dufm_config_check(&c, &p, (dufm_form)7, &err), DUFM_EINVAL, &err, "form"));
  e.H1.rows = 3;
  CU_ASSERT(says(dufm_config_check(&e, &p, DUFM_FORM_SAMPLES, &err), DUFM_EINVAL, &err, "H1 is 3"));
  e.H1.rows = 4;
  dufm_config_clear(&e);
  CU_ASSERT(says(dufm_config_check(&e, &p, DUFM_FORM_SAMPLES, &err), DUFM_EINVAL, &err, "empty"));
  dufm_config_clear(&e);
  CU_ASSERT_FATAL(dufm_config_init(&e, 2, d, 3, NULL) == DUFM_OK);
  CU_ASSERT(dufm_config_check(&e, &p, DUFM_FORM_CLASS_MEANS, &err) == DUFM_OK);
  CU_ASSERT(says(dufm_config_check(&e, &p, DUFM_FORM_SAMPLES, &err), DUFM_EINVAL, &err,
                 "K n = 3 * 2 = 6 columns of H1, got 3"));
  dufm_config_clear(&e);
  CU_ASSERT_FATAL(dufm_config_init(&e, 2, d4, 6, NULL) == DUFM_OK);
  CU_ASSERT(says(dufm_config_check(&e, &p, DUFM_FORM_SAMPLES, &err), DUFM_EINVAL, &err, "K = 4"));
  dufm_params_clear(&p);
  params(&p, 3, 3, 2, 0.1, 0.1);
  CU_ASSERT(says(dufm_config_check(&c, &p, DUFM_FORM_SAMPLES, &err), DUFM_EINVAL, &err,
                 "depth L = 2 but parameters say L = 3"));
  dufm_params_clear(&p);
  dufm_config_clear(&e);
  dufm_config_clear(&c);
  dufm_config_clear(&c);
}

/* Every row of the NumPy reference table (tests/make_npy_fixtures.py):
 * config form L K n lambda_H lambda_W(comma list or one value) loss fit reg. */
static void test_reference_tsv(void) {
  char path[4096], line[4096];
  snprintf(path, sizeof path, "%s", tu_data_path("configs/reference.tsv"));
  FILE *f = fopen(path, "r");
  if (f == NULL) { /* committed with the fixtures: missing is a failure */
    fprintf(stderr, "\n  cannot open %s\n", path);
    CU_FAIL_FATAL("reference table missing");
  }
  int rows = 0;
  CU_ASSERT_FATAL(fgets(line, sizeof line, f) != NULL);
  CU_ASSERT(strcmp(line, "config\tform\tL\tK\tn\tlambda_H\tlambda_W\tloss\tfit\treg\n") == 0);
  while (fgets(line, sizeof line, f) != NULL) {
    char *fld[10], *save = NULL;
    int nf = 0;
    for (char *tok = strtok_r(line, "\t\n", &save); tok && nf < 10;
         tok = strtok_r(NULL, "\t\n", &save))
      fld[nf++] = tok;
    CU_ASSERT_FATAL(nf == 10);
    char dir[4096];
    snprintf(dir, sizeof dir, "%s", tu_data_path("configs"));
    snprintf(dir + strlen(dir), sizeof dir - strlen(dir), "/%s", fld[0]);
    dufm_config c;
    dufm_params p;
    dufm_err err;
    dufm_loss out;
    int n = 0, L = atoi(fld[2]);
    dufm_form form = strcmp(fld[1], "samples") == 0 ? DUFM_FORM_SAMPLES : DUFM_FORM_CLASS_MEANS;
    CU_ASSERT_FATAL(strcmp(fld[1], "samples") == 0 || strcmp(fld[1], "class_means") == 0);
    if (dufm_config_load(&c, &n, dir, &err) != DUFM_OK) {
      fprintf(stderr, "\n  %s: %s\n", dir, err.msg);
      CU_FAIL_FATAL("reference configuration does not load");
    }
    CU_ASSERT_FATAL(dufm_params_init(&p, L, atoi(fld[3]), atoi(fld[4]), NULL) == DUFM_OK);
    CU_ASSERT(n == (form == DUFM_FORM_SAMPLES ? p.n : 1));
    char *lam[DUFM_MAX_L], *lam_save = NULL;
    int m = 0;
    for (char *tok = strtok_r(fld[6], ",", &lam_save); tok && m < L;
         tok = strtok_r(NULL, ",", &lam_save))
      lam[m++] = tok;
    CU_ASSERT_FATAL(m == 1 || m == L);
    for (int l = 0; l < L; l++) /* one value means every layer */
      CU_ASSERT_FATAL(dufm_params_set_lambda(&p, l, lam[m == 1 ? 0 : l], NULL) == DUFM_OK);
    CU_ASSERT_FATAL(dufm_params_set_lambda(&p, DUFM_LAMBDA_H, fld[5], NULL) == DUFM_OK);
    if (dufm_eval(&out, NULL, &c, &p, form, &err) != DUFM_OK) {
      fprintf(stderr, "\n  %s: %s\n", fld[0], err.msg);
      CU_FAIL("reference configuration does not evaluate");
    } else {
      CU_ASSERT(tu_close(out.loss, strtod(fld[7], NULL), 1e-12, 0, fld[0]));
      CU_ASSERT(tu_close(out.fit, strtod(fld[8], NULL), 1e-12, 0, fld[0]));
      CU_ASSERT(tu_close(out.reg, strtod(fld[9], NULL), 1e-12, 0, fld[0]));
    }
    dufm_params_clear(&p);
    dufm_config_clear(&c);
    rows++;
  }
  fclose(f);
  CU_ASSERT(rows > 0);
  fprintf(stderr, "\n  %d reference rows checked\n", rows);
}

int main(void) {
  CU_TestInfo tests[] = {{"config lifecycle and check", test_config_lifecycle},
                         {"gradient vs finite differences", test_gradient_fd},
                         {"relu kink passes no gradient", test_kink_convention},
                         {"per-sample equals class-mean form", test_forms_agree},
                         {"DNC loss and gradient by hand", test_dnc_by_hand},
                         {"workspace views and errors", test_workspace_and_errors},
                         {"NumPy reference table", test_reference_tsv},
                         CU_TEST_INFO_NULL};
  return tu_run_suite("eval", tests);
}
