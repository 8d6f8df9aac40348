/* Analysis of whole configurations: materialized DNC and edge constructions
 * against their closed forms (loss, ranks), random configurations against a
 * reference SVD, NC1 under within-class noise, and the error paths. */
#include "analysis_fixtures.h"
#include "dufm/dnc.h"
#include "dufm/structure.h"

#define REL 1e-12

static void materialize(dufm_config *c, dufm_structure_eval *e, const char *spec,
                        const dufm_params *p) {
  dufm_structure *s = NULL;
  dufm_err err;
  CU_ASSERT_FATAL(dufm_structure_parse(&s, spec, &err) == DUFM_OK);
  CU_ASSERT_FATAL(dufm_structure_evaluate(e, s, p, &err) == DUFM_OK);
  CU_ASSERT_FATAL(dufm_structure_materialize(c, s, p, DUFM_FORM_SAMPLES, &err) == DUFM_OK);
  dufm_structure_free(s);
}

/* DNC in per-sample form: collapse metrics vanish, every rank is K, the loss is
 * the closed form, and the only kinks are the off-diagonal zeros. */
static void test_dnc(void) {
  static const int Ls[] = {1, 2, 4}, Ks[] = {2, 5, 10}, ns[] = {1, 3};
  for (int a = 0; a < 3; a++)
    for (int b = 0; b < 3; b++)
      for (int c = 0; c < 2; c++) {
        int L = Ls[a], K = Ks[b], n = ns[c];
        dufm_params p;
        params(&p, L, K, n, 1e-3, 2e-3);
        dufm_config cfg;
        dufm_structure_eval e = {0};
        materialize(&cfg, &e, "dnc", &p);
        dufm_analysis an;
        analyze_ok(&an, &cfg, &p, -1, -1);
        CU_ASSERT(an.classification == DUFM_CLASS_DNC);
        CU_ASSERT(an.L == L && an.K == K && an.n == n && an.rank_out == K);
        TU_ASSERT_CLOSE(an.loss, e.loss, REL, 0);
        TU_ASSERT_CLOSE(an.rescaled_loss, e.loss, REL, 0);
        long kinks = 0;
        for (int l = 0; l < L; l++) {
          const dufm_layer_stats *s = &an.layers[l];
          CU_ASSERT(s->rows == cfg.d[l] && s->nsv == K);
          CU_ASSERT(s->rank_mean == K && s->rank_post == K && s->rank_samples == K);
          CU_ASSERT(s->rank_pre == (l == 0 ? -1 : K));
          CU_ASSERT(s->nc1 >= 0 && s->nc1 < 1e-24);
          CU_ASSERT(s->nc2 < 1e-13 && s->nc3 < 1e-13);
          TU_ASSERT_CLOSE(s->singular_values[K - 1], s->singular_values[0], REL, 0);
          if (l > 0)
            kinks += (long)cfg.d[l] * cfg.cols - (long)K * n;
        }
        CU_ASSERT(an.kinks == kinks);
        /* The rescale-optimal DNC is a critical point (kink derivative 0). */
        CU_ASSERT(an.grad_norm < 1e-12);
        dufm_analysis_clear(&an);
        dufm_structure_eval_clear(&e);
        dufm_config_clear(&cfg);
        dufm_params_clear(&p);
      }
}

/* srg:5 (K = 10): ranks of class means equal the closed-form ranks. */
static void test_srg_ranks(void) {
  for (int L = 2; L <= 5; L++)
    for (int n = 1; n <= 2; n++) {
      dufm_params p;
      params(&p, L, 10, n, 1e-3, 1e-3);
      dufm_config cfg;
      dufm_structure_eval e = {0};
      materialize(&cfg, &e, "srg:5", &p);
      dufm_analysis an;
      analyze_ok(&an, &cfg, &p, -1, -1);
      CU_ASSERT(an.classification == DUFM_CLASS_LOW_RANK);
      for (int l = 0; l < L; l++) {
        CU_ASSERT(an.layers[l].rank_mean == e.rank_hidden[l]);
        CU_ASSERT(an.layers[l].rank_samples == e.rank_hidden[l]); /* n copies of each mean */
        if (l > 0)
          CU_ASSERT(an.layers[l].rank_pre == e.rank_preact[l]);
      }
      CU_ASSERT(an.rank_out == e.rank_out);
      TU_ASSERT_CLOSE(an.loss, e.loss, REL, 0);
      CU_ASSERT(an.kinks > 0); /* the construction sits on kinks (theory section 8) */
      dufm_analysis_clear(&an);
      dufm_structure_eval_clear(&e);
      dufm_config_clear(&cfg);
      dufm_params_clear(&p);
    }
}

/* Random Gaussian configurations: ranks and singular values agree with a
 * reference SVD of class means computed here, and the classification follows. */
static void test_random(void) {
  int iters = tu_iterations(40);
  for (int it = 0; it < iters; it++) {
    int L = 1 + it % 4, K = 2 + (int)(urand() * 6), n = 1 + (int)(urand() * 3), d[6];
    for (int l = 0; l < L; l++)
      d[l] = 1 + (int)(urand() * 2 * K); /* about half the layers narrower than K */
    d[L] = K;
    dufm_params p;
    params(&p, L, K, n, 1e-3, 1e-3);
    dufm_config c;
    CU_ASSERT_FATAL(dufm_config_init(&c, L, d, K * n, NULL) == DUFM_OK);
    for (int i = 0; i < d[0] * K * n; i++)
      c.H1.data[i] = grand();
    for (int l = 0; l < L; l++)
      for (int i = 0; i < d[l + 1] * d[l]; i++)
        c.W[l].data[i] = grand() / sqrt(d[l]);
    dufm_eval_ws *ws = NULL;
    dufm_loss loss;
    CU_ASSERT_FATAL(dufm_eval_ws_alloc(&ws, &c, NULL) == DUFM_OK);
    CU_ASSERT_FATAL(dufm_eval_with(&loss, NULL, &c, &p, DUFM_FORM_SAMPLES, ws, NULL) == DUFM_OK);
    dufm_analysis an;
    analyze_ok(&an, &c, &p, -1, -1);
    int low = 0;
    double s[16];
    for (int l = 1; l <= L; l++) {
      dufm_mat m = ref_means(l == 1 ? &c.H1 : dufm_eval_ws_hidden(ws, l), K);
      int rank = ref_svd(s, &m, 1e-6);
      const dufm_layer_stats *st = &an.layers[l - 1];
      CU_ASSERT(st->rank_mean == rank);
      for (int i = 0; i < st->nsv; i++)
        TU_ASSERT_CLOSE(st->singular_values[i], s[i], 1e-10, 1e-13 * s[0]);
      double nc3 = ref_nc3(&c.W[l - 1], &m);
      CU_ASSERT(isnan(nc3) ? isnan(st->nc3) /* a dead layer: the means vanish */
                           : tu_close(st->nc3, nc3, 1e-10, 1e-14, "NC3"));
      low |= rank < K;
      dufm_mat_clear(&m);
    }
    TU_ASSERT_CLOSE(an.loss, loss.loss, REL, 0);
    /* Output rank against max(sigma_max, 1) (the target's scale). */
    dufm_mat mo = ref_means(dufm_eval_ws_output(ws), K);
    ref_svd(s, &mo, 1e-6);
    int rank_out = 0;
    for (int i = 0; i < K; i++)
      rank_out += s[i] > 1e-6 * fmax(s[0], 1.0);
    dufm_mat_clear(&mo);
    CU_ASSERT_EQUAL(an.rank_out, rank_out);
    dufm_classification want = fabs(loss.loss - 0.5) <= 1e-9 ? DUFM_CLASS_ZERO
                               : rank_out < K                ? DUFM_CLASS_UNDERFIT
                               : low                         ? DUFM_CLASS_LOW_RANK
                                                             : DUFM_CLASS_OTHER;
    CU_ASSERT(an.classification == want);
    dufm_analysis_clear(&an);
    dufm_eval_ws_free(ws);
    dufm_config_clear(&c);
    dufm_params_clear(&p);
  }
}

/* Within-class noise on a DNC configuration: NC1 > 0, shrinking like noise^2. */
static void test_nc1_noise(void) {
  dufm_params p;
  params(&p, 3, 4, 5, 1e-3, 1e-3);
  dufm_config base;
  dufm_structure_eval e = {0};
  materialize(&base, &e, "dnc", &p);
  double prev = INFINITY;
  for (double eps = 1e-2; eps > 1e-5; eps /= 10) {
    dufm_config c;
    CU_ASSERT_FATAL(dufm_config_copy(&c, &base, NULL) == DUFM_OK);
    fx_rng = 12345; /* the same noise pattern at every scale */
    for (int i = 0; i < c.H1.rows * c.H1.cols; i++)
      c.H1.data[i] += eps * grand();
    dufm_analysis an;
    analyze_ok(&an, &c, &p, -1, -1);
    double nc1 = an.layers[0].nc1;
    CU_ASSERT(nc1 > 0 && an.layers[0].rank_samples == 4);
    if (isfinite(prev))
      CU_ASSERT(nc1 < prev / 50 && nc1 > prev / 200); /* ~ eps^2 */
    CU_ASSERT(an.layers[2].nc1 > 0);
    prev = nc1;
    dufm_analysis_clear(&an);
    dufm_config_clear(&c);
  }
  dufm_structure_eval_clear(&e);
  dufm_config_clear(&base);
  dufm_params_clear(&p);
}

/* The zero configuration: ranks 0, labelled zero (not low_rank, whatever the
 * ranks say), NC2 and NC3 undefined, every pre-activation a kink. */
static void test_zero(void) {
  int d[] = {3, 4, 3};
  dufm_params p;
  params(&p, 2, 3, 2, 1e-3, 1e-3);
  dufm_config c;
  config_from(&c, 2, d, 6, NULL, NULL);
  dufm_analysis an;
  analyze_ok(&an, &c, &p, -1, -1);
  CU_ASSERT(an.classification == DUFM_CLASS_ZERO && an.rank_out == 0);
  CU_ASSERT(an.layers[0].rank_mean == 0 && an.layers[1].rank_pre == 0);
  CU_ASSERT(isnan(an.layers[0].nc1) && isnan(an.layers[0].nc2) && isnan(an.layers[1].nc3));
  CU_ASSERT(an.kinks == 4 * 6);
  TU_ASSERT_CLOSE(an.loss, 0.5, REL, 0);
  dufm_analysis_clear(&an);
  dufm_config_clear(&c);
  dufm_params_clear(&p);
}

static void test_errors(void) {
  int d[] = {3, 3};
  dufm_params p;
  params(&p, 1, 3, 2, 1e-3, 1e-3);
  dufm_config c;
  config_from(&c, 1, d, 6, NULL, NULL);
  dufm_analysis an;
  dufm_analysis_opts o;
  dufm_err err;
  const double bad_rank[] = {0.0, 1.0, -1e-3, NAN};
  for (int i = 0; i < 4; i++) {
    dufm_analysis_opts_default(&o);
    o.rank_tol = bad_rank[i];
    CU_ASSERT(dufm_analyze(&an, &c, &p, &o, &err) == DUFM_EINVAL);
    CU_ASSERT(strstr(err.msg, "rank_tol") != NULL);
    dufm_analysis_clear(&an);
  }
  dufm_analysis_opts_default(&o);
  o.kink_tol = -1;
  CU_ASSERT(dufm_analyze(&an, &c, &p, &o, &err) == DUFM_EINVAL && strstr(err.msg, "kink_tol"));
  dufm_analysis_opts_default(&o);
  o.nc2_tol = 0;
  CU_ASSERT(dufm_analyze(&an, &c, &p, &o, &err) == DUFM_EINVAL && strstr(err.msg, "nc2_tol"));
  dufm_params q;
  params(&q, 1, 3, 3, 1e-3, 1e-3); /* n = 3 but the configuration has 2 columns per class */
  CU_ASSERT(dufm_analyze(&an, &c, &q, NULL, &err) == DUFM_EINVAL);
  dufm_analysis_clear(&an);
  CU_ASSERT(dufm_analyze(&an, &c, &p, NULL, NULL) == DUFM_OK); /* NULL opts and err */
  CU_ASSERT(an.rank_tol == 1e-6 && an.kink_tol == 1e-9 && an.nc2_tol == 1e-3);
  dufm_analysis_clear(&an);
  dufm_analysis_clear(&an); /* zero-filled: no-op */
  CU_ASSERT(strcmp(dufm_classification_name(DUFM_CLASS_DNC), "dnc") == 0);
  CU_ASSERT(strcmp(dufm_classification_name(DUFM_CLASS_LOW_RANK), "low_rank") == 0);
  CU_ASSERT(strcmp(dufm_classification_name(DUFM_CLASS_OTHER), "other") == 0);
  dufm_config_clear(&c);
  dufm_params_clear(&p);
  dufm_params_clear(&q);
}

int main(void) {
  CU_TestInfo tests[] = {{"materialized DNC, n = 1 and 3", test_dnc},
                         {"srg:5 ranks against the closed form", test_srg_ranks},
                         {"random configurations against a reference SVD", test_random},
                         {"NC1 under shrinking within-class noise", test_nc1_noise},
                         {"zero configuration", test_zero},
                         {"options and error paths", test_errors},
                         CU_TEST_INFO_NULL};
  return tu_run_suite("analysis", tests);
}
