/* g_L (closed/gl*.c) and the DNC closed form (closed/dnc.c).
 *
 * The reference values in data/gl_reference.tsv come from tests/gl_reference.py,
 * which minimizes f(t) directly in 40+ digit decimal arithmetic; the C code
 * solves the stationarity equation in s = 1 - t instead. */
#include <float.h>
#include <gmp.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "closed/gl_internal.h"
#include "dufm/dnc.h"
#include "dufm/gl.h"
#include "dufm/params.h"
#include "dufm/rational.h"
#include "testutil.h"

/* The reference has 40 significant digits; only a disagreement below this
 * relative size is left undecided when checking an enclosure against it. */
#define REF_REL_MARGIN_EXP10 38
#define VALUE_RTOL 1e-12
#define WIDTH_RTOL (16 * TU_DBL_EPS)

typedef struct {
  int L;
  char *q_pow, *g, *t, *regime;
} ref_row;

static ref_row *ref_rows;
static size_t ref_count;

static void load_reference(void) {
  if (ref_rows != NULL)
    return;
  FILE *fh = fopen(tu_data_path("gl_reference.tsv"), "r");
  CU_ASSERT_FATAL(fh != NULL);
  char *line = NULL;
  size_t cap = 0, alloc = 0;
  while (getline(&line, &cap, fh) > 0) {
    if (line[0] == '#')
      continue;
    line[strcspn(line, "\n")] = '\0';
    char *save = NULL, *f[5];
    int nf = 0;
    for (char *tok = strtok_r(line, "\t", &save); tok && nf < 5; tok = strtok_r(NULL, "\t", &save))
      f[nf++] = tok;
    CU_ASSERT_FATAL(nf == 5);
    if (ref_count == alloc) {
      alloc = alloc ? 2 * alloc : 256;
      ref_rows = realloc(ref_rows, alloc * sizeof *ref_rows);
      CU_ASSERT_FATAL(ref_rows != NULL);
    }
    ref_rows[ref_count++] =
        (ref_row){atoi(f[0]), strdup(f[1]), strdup(f[2]), strdup(f[3]), strdup(f[4])};
  }
  free(line);
  fclose(fh);
}

static const char *regime_name(dufm_regime r) {
  return r == DUFM_REGIME_NONZERO ? "nonzero" : r == DUFM_REGIME_TIE ? "tie" : "zero";
}

static void parse_q(mpq_t out, const char *text) {
  dufm_err err;
  CU_ASSERT_FATAL(dufm_q_parse(out, text, &err) == DUFM_OK);
}

/* lower <= g <= upper, exactly, except for a violation smaller than
 * margin_rel * |g| (what a rounded reference cannot decide). */
static int encloses(double lower, double upper, const mpq_t g, int margin_exp10) {
  mpq_t lo, hi, m;
  mpq_inits(lo, hi, m, NULL);
  mpq_set_d(lo, lower);
  mpq_set_d(hi, upper);
  if (margin_exp10 > 0) {
    mpq_abs(m, g);
    mpz_ui_pow_ui(mpq_denref(m), 10, (unsigned long)margin_exp10);
    mpz_mul(mpq_denref(m), mpq_denref(m), mpq_denref(g));
    mpq_canonicalize(m);
    mpq_sub(lo, lo, m);
    mpq_add(hi, hi, m);
  }
  int ok = mpq_cmp(lo, g) <= 0 && mpq_cmp(g, hi) <= 0;
  mpq_clears(lo, hi, m, NULL);
  return ok;
}

static int finite_result(const dufm_gl *r) {
  return isfinite(r->value) && isfinite(r->lower) && isfinite(r->upper) && isfinite(r->t) &&
         r->lower <= r->value && r->value <= r->upper && r->lower >= 0 && r->upper <= 0.5;
}

static void test_reference_table(void) {
  load_reference();
  CU_ASSERT_FATAL(ref_count >= 1000);
  mpq_t q, g;
  mpq_inits(q, g, NULL);
  double max_rel_err = 0, max_rel_width = 0, max_t_err = 0;
  size_t counts[3] = {0, 0, 0}, failures = 0;
  for (size_t i = 0; i < ref_count; i++) {
    const ref_row *row = &ref_rows[i];
    parse_q(q, row->q_pow);
    parse_q(g, row->g);
    double g_d = dufm_q_get_d(g), t_ref = strtod(row->t, NULL);
    dufm_gl r;
    dufm_err err;
    dufm_status st = dufm_gl_eval(&r, row->L, q, &err);
    int ok = st == DUFM_OK && finite_result(&r) &&
             strcmp(regime_name(r.regime), row->regime) == 0 &&
             tu_close(r.value, g_d, VALUE_RTOL, 0, "value") &&
             tu_close(r.t, t_ref, VALUE_RTOL, VALUE_RTOL, "t") &&
             encloses(r.lower, r.upper, g, REF_REL_MARGIN_EXP10);
    if (g_d > 0) {
      max_rel_err = fmax(max_rel_err, fabs(r.value - g_d) / g_d);
      max_rel_width = fmax(max_rel_width, (r.upper - r.lower) / g_d);
      ok = ok && r.upper - r.lower <= WIDTH_RTOL * g_d;
    }
    max_t_err = fmax(max_t_err, fabs(r.t - t_ref));
    counts[r.regime]++;
    if (!ok && failures++ < 10)
      fprintf(stderr,
              "\n  row %zu: L = %d q_pow = %.60s: status %s regime %s (ref %s) value %.17g "
              "[%.17g, %.17g] t %.17g; ref g %s t %s\n",
              i, row->L, row->q_pow, dufm_status_name(st), regime_name(r.regime), row->regime,
              r.value, r.lower, r.upper, r.t, row->g, row->t);
    CU_ASSERT(ok);
  }
  CU_ASSERT(counts[DUFM_REGIME_NONZERO] > 0 && counts[DUFM_REGIME_TIE] > 0 &&
            counts[DUFM_REGIME_ZERO] > 0);
  printf("\n  %zu rows (%zu nonzero, %zu tie, %zu zero): max rel error %.3g, max rel width %.3g, "
         "max |t - t_ref| %.3g\n",
         ref_count, counts[0], counts[1], counts[2], max_rel_err, max_rel_width, max_t_err);
  mpq_clears(q, g, NULL);
}

/* L = 1: g = Q - Q^2/2 for Q <= 1, exactly; the enclosure must contain it. */
static void test_l1_closed_form(void) {
  gmp_randstate_t rs;
  gmp_randinit_default(rs);
  gmp_randseed_ui(rs, 20240601);
  mpq_t Q, q_pow, g;
  mpq_inits(Q, q_pow, g, NULL);
  for (int i = 0; i < tu_iterations(300); i++) {
    mpz_urandomb(mpq_numref(Q), rs, 40);
    mpz_urandomb(mpq_denref(Q), rs, 40);
    mpz_add_ui(mpq_denref(Q), mpq_denref(Q), 1);
    mpq_canonicalize(Q);
    if (i % 3 == 0)
      mpq_div_2exp(Q, Q, (mp_bitcnt_t)(i % 200)); /* small Q too */
    mpq_mul(q_pow, Q, Q);
    if (mpq_cmp_ui(Q, 1, 1) <= 0) {
      mpq_div_2exp(g, q_pow, 1);
      mpq_sub(g, Q, g);
    } else {
      mpq_set_ui(g, 1, 2);
    }
    dufm_gl r;
    CU_ASSERT_FATAL(dufm_gl_eval(&r, 1, q_pow, NULL) == DUFM_OK);
    CU_ASSERT(finite_result(&r));
    CU_ASSERT(encloses(r.lower, r.upper, g, 0));
    TU_ASSERT_CLOSE(r.value, dufm_q_get_d(g), TU_TOL1, 0);
    int cmp = mpq_cmp_ui(Q, 1, 1);
    CU_ASSERT(r.regime == (cmp < 0    ? DUFM_REGIME_NONZERO
                           : cmp == 0 ? DUFM_REGIME_TIE
                                      : DUFM_REGIME_ZERO));
  }
  mpq_clears(Q, q_pow, g, NULL);
  gmp_randclear(rs);
}

/* Any s in (0, 1/L) is the root for q_pow = s^(L+1) (1-s)^(L-1), and then
 * g = ((L+1) s - L s^2)/2 exactly: the enclosure must contain that rational. */
static void test_exact_stationary_points(void) {
  gmp_randstate_t rs;
  gmp_randinit_default(rs);
  gmp_randseed_ui(rs, 7);
  mpq_t s, one_minus, q_pow, tmp, g;
  mpq_inits(s, one_minus, q_pow, tmp, g, NULL);
  const int big[] = {200, 500, 1000};
  for (int i = 0; i < tu_iterations(200); i++) {
    int L = i % 20 == 19 ? big[(i / 20) % 3] : 2 + (int)gmp_urandomm_ui(rs, 60);
    /* s = u / (L v) with 0 < u < v, so 0 < s < 1/L */
    unsigned long v = 2 + gmp_urandomm_ui(rs, 1000000000UL);
    unsigned long u = 1 + gmp_urandomm_ui(rs, v - 1);
    mpq_set_ui(s, u, v * (unsigned long)L);
    mpq_canonicalize(s);
    if (i % 4 == 0)
      mpq_div_2exp(s, s, (mp_bitcnt_t)(gmp_urandomm_ui(rs, 3000)));
    mpq_set_ui(one_minus, 1, 1);
    mpq_sub(one_minus, one_minus, s);
    dufm_q_pow_ui(q_pow, s, (unsigned long)L + 1);
    dufm_q_pow_ui(tmp, one_minus, (unsigned long)L - 1);
    mpq_mul(q_pow, q_pow, tmp);
    mpq_set_si(g, L + 1, 1);
    mpq_mul(g, g, s);
    mpq_mul(tmp, s, s);
    mpq_set_si(one_minus, L, 1);
    mpq_mul(tmp, tmp, one_minus);
    mpq_sub(g, g, tmp);
    mpq_div_2exp(g, g, 1);
    dufm_gl r;
    CU_ASSERT_FATAL(dufm_gl_eval(&r, L, q_pow, NULL) == DUFM_OK);
    CU_ASSERT(r.regime == DUFM_REGIME_NONZERO);
    CU_ASSERT(finite_result(&r));
    CU_ASSERT(encloses(r.lower, r.upper, g, 0));
    double g_d = dufm_q_get_d(g);
    TU_ASSERT_CLOSE(r.value, g_d, 8 * TU_DBL_EPS, 0);
    TU_ASSERT_CLOSE(1.0 - r.t, dufm_q_get_d(s), 1e-12, 4 * TU_DBL_EPS);
    CU_ASSERT(r.upper - r.lower <= WIDTH_RTOL * g_d || g_d < 1e-290);
  }
  mpq_clears(s, one_minus, q_pow, tmp, g, NULL);
  gmp_randclear(rs);
}

/* g_L is nondecreasing in Q, strictly below the threshold, 1/2 above it. */
static void test_monotone_and_bounded(void) {
  const int Ls[] = {1, 2, 3, 5, 10, 100, 1000};
  mpq_t q0, q_pow, step;
  mpq_inits(q0, q_pow, step, NULL);
  mpq_set_ui(step, 13, 10);
  for (size_t j = 0; j < sizeof Ls / sizeof Ls[0]; j++) {
    int L = Ls[j];
    dufm_gl_threshold_qpow(q0, L);
    mpq_set_ui(q_pow, 1, 1);
    mpz_ui_pow_ui(mpq_denref(q_pow), 10, 30);
    mpq_mul(q_pow, q_pow, q0);
    dufm_gl prev;
    CU_ASSERT_FATAL(dufm_gl_eval(&prev, L, q_pow, NULL) == DUFM_OK);
    for (int i = 0; i < 300; i++) {
      mpq_mul(q_pow, q_pow, step);
      dufm_gl r;
      CU_ASSERT_FATAL(dufm_gl_eval(&r, L, q_pow, NULL) == DUFM_OK);
      CU_ASSERT(finite_result(&r));
      CU_ASSERT(prev.lower <= r.upper);
      if (r.regime == DUFM_REGIME_NONZERO) {
        CU_ASSERT(prev.value < r.value && r.value < 0.5 && r.Q > prev.Q);
      } else {
        CU_ASSERT(r.value == 0.5 && r.lower == 0.5 && r.upper == 0.5);
      }
      prev = r;
    }
    CU_ASSERT(prev.regime == DUFM_REGIME_ZERO);
  }
  mpq_clears(q0, q_pow, step, NULL);
}

/* f(t) >= g_L on a grid of t, and f(t*) = g_L at the reported minimizer. */
static void test_objective_above_value(void) {
  const int Ls[] = {1, 2, 3, 4, 7, 20, 100};
  const double Qs[] = {1e-8, 1e-3, 0.02, 0.1, 0.2, 0.35, 0.5, 0.9, 1.5};
  for (size_t j = 0; j < sizeof Ls / sizeof Ls[0]; j++)
    for (size_t k = 0; k < sizeof Qs / sizeof Qs[0]; k++) {
      int L = Ls[j];
      double Q = Qs[k];
      dufm_gl r;
      CU_ASSERT_FATAL(dufm_gl_eval_d(&r, L, Q, NULL) == DUFM_OK);
      CU_ASSERT(finite_result(&r));
      CU_ASSERT(r.Q == Q);
      double fmin = INFINITY;
      for (int i = 0; i <= 3000; i++) {
        double f = dufm_gl_objective(L, Q, 1.5 * i / 3000.0);
        fmin = fmin < f ? fmin : f;
        CU_ASSERT(f >= r.value * (1 - TU_TOL1));
      }
      TU_ASSERT_CLOSE(dufm_gl_objective(L, Q, r.t), r.value, TU_TOL2, 0);
      CU_ASSERT(fmin <= r.value * (1 + 1e-4) + 1e-6); /* the grid gets close */
    }
  CU_ASSERT(dufm_gl_objective(3, INFINITY, 0.0) == 0.5);
  CU_ASSERT(dufm_gl_objective(3, 0.0, 1.0) == 0.0);
}

/* q_pow = 1e-5000: Q = 10^(-5000/(L+1)) is below the double range for
 * L < 16, then g ~ ((L+1)/2) Q. */
static void test_tiny_q(void) {
  const int Ls[] = {1, 2, 10, 15, 16, 20, 100, 1000};
  mpq_t q_pow;
  mpq_init(q_pow);
  parse_q(q_pow, "1e-5000");
  for (size_t j = 0; j < sizeof Ls / sizeof Ls[0]; j++) {
    int L = Ls[j];
    dufm_gl r;
    CU_ASSERT_FATAL(dufm_gl_eval(&r, L, q_pow, NULL) == DUFM_OK);
    CU_ASSERT(finite_result(&r));
    CU_ASSERT(r.regime == DUFM_REGIME_NONZERO);
    CU_ASSERT(r.upper > 0); /* g > 0, and upper is rounded up */
    TU_ASSERT_CLOSE(r.log_Q, -5000 * log(10.0) / (L + 1), 1e-14, 0);
    double log10_g = -5000.0 / (L + 1) + log10((L + 1) / 2.0);
    if (log10_g < -324) {
      CU_ASSERT(r.value == 0 && r.lower == 0);
      CU_ASSERT(r.t == 1.0);
    } else if (r.Q >= DBL_MIN) {
      TU_ASSERT_CLOSE(r.value, 0.5 * (L + 1) * r.Q, 2 * L * r.Q + TU_TOL2, 0);
      CU_ASSERT(r.value > 0 && r.upper - r.lower <= WIDTH_RTOL * r.value);
    }
  }
  mpq_clear(q_pow);
}

static void test_huge_q(void) {
  const int Ls[] = {1, 2, 1000};
  mpq_t q_pow;
  mpq_init(q_pow);
  parse_q(q_pow, "1e5000");
  for (size_t j = 0; j < sizeof Ls / sizeof Ls[0]; j++) {
    int L = Ls[j];
    dufm_gl r;
    CU_ASSERT_FATAL(dufm_gl_eval(&r, L, q_pow, NULL) == DUFM_OK);
    CU_ASSERT(r.regime == DUFM_REGIME_ZERO);
    CU_ASSERT(r.value == 0.5 && r.lower == 0.5 && r.upper == 0.5 && r.t == 0.0);
    TU_ASSERT_CLOSE(r.log_Q, 5000 * log(10.0) / (L + 1), 1e-14, 0);
    CU_ASSERT(L < 10 ? isinf(r.Q) : isfinite(r.Q)); /* Q = 10^(5000/(L+1)) */
  }
  mpq_clear(q_pow);
}

/* Exactly at Q_0 both t = 0 and t = (L-1)/L give 1/2; 1e-30 either side decides. */
static void test_threshold(void) {
  mpq_t q0, q, eps;
  mpq_inits(q0, q, eps, NULL);
  dufm_gl_threshold_qpow(q0, 1);
  CU_ASSERT(mpq_cmp_ui(q0, 1, 1) == 0);
  dufm_gl_threshold_qpow(q0, 2);
  CU_ASSERT(mpq_cmp_ui(q0, 1, 16) == 0);
  dufm_gl_threshold_qpow(q0, 3);
  CU_ASSERT(mpq_cmp_ui(q0, 4, 729) == 0);
  mpq_set_ui(eps, 1, 1);
  mpz_ui_pow_ui(mpq_denref(eps), 10, 30);
  const int Ls[] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 17, 50, 99, 100, 500, 999, 1000};
  for (size_t j = 0; j < sizeof Ls / sizeof Ls[0]; j++) {
    int L = Ls[j];
    dufm_gl r;
    dufm_gl_threshold_qpow(q0, L);
    CU_ASSERT(dufm_gl_regime(L, q0) == DUFM_REGIME_TIE);
    CU_ASSERT_FATAL(dufm_gl_eval(&r, L, q0, NULL) == DUFM_OK);
    CU_ASSERT(r.regime == DUFM_REGIME_TIE && r.value == 0.5 && r.lower == 0.5 && r.upper == 0.5);
    CU_ASSERT(r.t == (double)(L - 1) / L);
    TU_ASSERT_CLOSE(dufm_gl_objective(L, r.Q, r.t), 0.5, TU_TOL2, 0);
    for (int side = -1; side <= 1; side += 2) {
      mpq_set_si(q, side, 1);
      mpq_mul(q, q, eps);
      mpz_add(mpq_numref(q), mpq_numref(q), mpq_denref(q)); /* 1 +- 1e-30 */
      mpq_mul(q, q, q0);
      CU_ASSERT_FATAL(dufm_gl_eval(&r, L, q, NULL) == DUFM_OK);
      CU_ASSERT(finite_result(&r));
      if (side < 0) {
        CU_ASSERT(r.regime == DUFM_REGIME_NONZERO);
        TU_ASSERT_CLOSE(r.value, 0.5, 1e-15, 0);
        TU_ASSERT_CLOSE(r.t, (double)(L - 1) / L, 1e-12, 1e-12);
        CU_ASSERT(r.lower < 0.5);
      } else {
        CU_ASSERT(r.regime == DUFM_REGIME_ZERO && r.value == 0.5 && r.t == 0.0);
      }
    }
  }
  mpq_clears(q0, q, eps, NULL);
}

static int one_line_error(dufm_status st, const dufm_err *err) {
  return st == DUFM_EINVAL && err->status == DUFM_EINVAL && strlen(err->msg) > 0 &&
         strchr(err->msg, '\n') == NULL;
}

static void test_bad_inputs(void) {
  mpq_t q;
  mpq_init(q);
  mpq_set_ui(q, 1, 100);
  dufm_gl r;
  dufm_err err;
  CU_ASSERT(one_line_error(dufm_gl_eval(&r, 0, q, &err), &err));
  CU_ASSERT(strstr(err.msg, "L = 0") != NULL);
  CU_ASSERT(one_line_error(dufm_gl_eval(&r, DUFM_MAX_L + 1, q, &err), &err));
  CU_ASSERT(one_line_error(dufm_gl_eval(&r, -3, q, &err), &err));
  mpq_set_si(q, -1, 7);
  CU_ASSERT(one_line_error(dufm_gl_eval(&r, 3, q, &err), &err));
  CU_ASSERT(strstr(err.msg, "nonnegative") != NULL);
  CU_ASSERT(dufm_gl_eval(&r, 3, q, NULL) == DUFM_EINVAL);
  CU_ASSERT(one_line_error(dufm_gl_eval_d(&r, 3, -1.0, &err), &err));
  CU_ASSERT(one_line_error(dufm_gl_eval_d(&r, 3, NAN, &err), &err));
  CU_ASSERT(one_line_error(dufm_gl_eval_d(&r, 3, INFINITY, &err), &err));
  CU_ASSERT(one_line_error(dufm_gl_eval_d(&r, 0, 0.1, &err), &err));
  mpq_set_ui(q, 0, 1);
  CU_ASSERT(dufm_gl_eval(&r, 5, q, &err) == DUFM_OK);
  CU_ASSERT(r.value == 0 && r.lower == 0 && r.upper == 0 && r.t == 1.0 && r.Q == 0);
  CU_ASSERT(r.regime == DUFM_REGIME_NONZERO && isinf(r.log_Q) && r.log_Q < 0);
  mpq_clear(q);
}

static const ref_row *find_row(int L, const mpq_t q_pow) {
  load_reference();
  mpq_t q;
  mpq_init(q);
  const ref_row *found = NULL;
  for (size_t i = 0; i < ref_count && found == NULL; i++) {
    if (ref_rows[i].L != L)
      continue;
    parse_q(q, ref_rows[i].q_pow);
    if (mpq_equal(q, q_pow))
      found = &ref_rows[i];
  }
  mpq_clear(q);
  return found;
}

static void test_dnc(void) {
  dufm_params p;
  dufm_err err;
  CU_ASSERT_FATAL(dufm_params_init(&p, 4, 10, 1, &err) == DUFM_OK);
  CU_ASSERT_FATAL(dufm_params_set_lambda(&p, DUFM_LAMBDA_ALL, "0.004", &err) == DUFM_OK);
  mpq_t q, expect, g;
  mpq_inits(q, expect, g, NULL);
  mpq_set_ui(expect, 1, 250);
  dufm_q_pow_ui(expect, expect, 5);
  dufm_dnc_c1pow(q, &p);
  CU_ASSERT(mpq_equal(q, expect));
  mpz_mul_ui(mpq_numref(expect), mpq_numref(expect), 100000); /* 10^5 (1/250)^5 */
  mpq_canonicalize(expect);
  dufm_dnc_qpow(q, &p);
  CU_ASSERT(mpq_equal(q, expect));
  dufm_gl r;
  CU_ASSERT_FATAL(dufm_dnc_eval(&r, &p, &err) == DUFM_OK);
  const ref_row *row = find_row(4, q);
  CU_ASSERT_FATAL(row != NULL);
  parse_q(g, row->g);
  CU_ASSERT(strcmp(row->regime, "nonzero") == 0 && r.regime == DUFM_REGIME_NONZERO);
  TU_ASSERT_CLOSE(r.value, dufm_q_get_d(g), VALUE_RTOL, 0);
  CU_ASSERT(encloses(r.lower, r.upper, g, REF_REL_MARGIN_EXP10));
  TU_ASSERT_CLOSE(r.Q, 10 * 0.004, TU_TOL1, 0);
  dufm_params_clear(&p);

  /* Different lambdas per layer and n > 1: c_1^(L+1) = n lam_H lam_1 lam_2. */
  CU_ASSERT_FATAL(dufm_params_init(&p, 2, 3, 7, &err) == DUFM_OK);
  CU_ASSERT(dufm_params_set_lambda(&p, DUFM_LAMBDA_H, "0.5", &err) == DUFM_OK);
  CU_ASSERT(dufm_params_set_lambda(&p, 0, "1/3", &err) == DUFM_OK);
  CU_ASSERT(dufm_params_set_lambda(&p, 1, "2e-3", &err) == DUFM_OK);
  dufm_dnc_c1pow(q, &p);
  mpq_set_ui(expect, 7, 3000); /* 7 * 1/2 * 1/3 * 1/500 */
  CU_ASSERT(mpq_equal(q, expect));
  dufm_dnc_qpow(q, &p);
  mpq_set_ui(expect, 27 * 7, 3000);
  mpq_canonicalize(expect);
  CU_ASSERT(mpq_equal(q, expect));
  CU_ASSERT_FATAL(dufm_dnc_eval(&r, &p, &err) == DUFM_OK);
  dufm_gl direct;
  CU_ASSERT_FATAL(dufm_gl_eval(&direct, 2, expect, &err) == DUFM_OK);
  CU_ASSERT(r.value == direct.value && r.lower == direct.lower && r.upper == direct.upper);
  dufm_params_clear(&p);
  mpq_clears(q, expect, g, NULL);
}

/* A double Q is the rational it represents: eval_d agrees with eval on Q^(L+1). */
static void test_eval_d_matches_exact(void) {
  mpq_t q;
  mpq_init(q);
  const double Qs[] = {0.0, 1e-300, 3e-17, 0.125, 0.3, 0.9999, 1.0, 7.5};
  for (int L = 1; L <= 9; L += 4)
    for (size_t k = 0; k < sizeof Qs / sizeof Qs[0]; k++) {
      dufm_gl a, b;
      CU_ASSERT_FATAL(dufm_gl_eval_d(&a, L, Qs[k], NULL) == DUFM_OK);
      mpq_set_d(q, Qs[k]);
      dufm_q_pow_ui(q, q, (unsigned long)L + 1);
      CU_ASSERT_FATAL(dufm_gl_eval(&b, L, q, NULL) == DUFM_OK);
      CU_ASSERT(a.value == b.value && a.lower == b.lower && a.upper == b.upper &&
                a.regime == b.regime && a.Q == Qs[k]);
    }
  mpq_clear(q);
}

/* The enclosure is rigorous whatever its start point: from a start off by a
 * factor 1e-9 .. 3 it still brackets the root (then wider is allowed). */
static void test_enclosure_poor_start(void) {
  mpq_t q_pow, g;
  mpq_inits(q_pow, g, NULL);
  const int Ls[] = {1, 2, 5, 40, 1000};
  const double factors[] = {1e-9, 0.5, 0.999, 1.001, 1.7, 3.0};
  for (size_t j = 0; j < sizeof Ls / sizeof Ls[0]; j++) {
    int L = Ls[j];
    /* s = 1/(4L): q_pow = s^(L+1) (1-s)^(L-1), g = ((L+1) s - L s^2)/2 = (4L+3)/(32L) */
    mpq_t s, om;
    mpq_inits(s, om, NULL);
    mpq_set_ui(s, 1, 4 * (unsigned long)L);
    mpq_set_ui(g, 4 * (unsigned long)L + 3, 32 * (unsigned long)L);
    mpq_canonicalize(g);
    mpq_set_ui(om, 4 * (unsigned long)L - 1, 4 * (unsigned long)L);
    dufm_q_pow_ui(q_pow, s, (unsigned long)L + 1);
    dufm_q_pow_ui(om, om, (unsigned long)L - 1);
    mpq_mul(q_pow, q_pow, om);
    for (size_t k = 0; k < sizeof factors / sizeof factors[0]; k++) {
      int e;
      double m = frexp(factors[k] / (4.0 * L), &e);
      double lower, upper;
      CU_ASSERT_FATAL(dufm_i_gl_enclose(&lower, &upper, L, q_pow, m, e, NULL) == DUFM_OK);
      CU_ASSERT(encloses(lower, upper, g, 0));
      CU_ASSERT(upper - lower <= WIDTH_RTOL);
    }
    mpq_clears(s, om, NULL);
  }
  mpq_clears(q_pow, g, NULL);
}

static void free_reference(void) {
  for (size_t i = 0; i < ref_count; i++) {
    free(ref_rows[i].q_pow);
    free(ref_rows[i].g);
    free(ref_rows[i].t);
    free(ref_rows[i].regime);
  }
  free(ref_rows);
}

int main(void) {
  CU_TestInfo tests[] = {{"reference table", test_reference_table},
                         {"L = 1 closed form", test_l1_closed_form},
                         {"exact stationary points", test_exact_stationary_points},
                         {"monotone and bounded", test_monotone_and_bounded},
                         {"objective above value", test_objective_above_value},
                         {"tiny Q", test_tiny_q},
                         {"huge Q", test_huge_q},
                         {"threshold and tie", test_threshold},
                         {"bad inputs", test_bad_inputs},
                         {"dnc", test_dnc},
                         {"eval_d matches exact", test_eval_d_matches_exact},
                         {"enclosure from a poor start", test_enclosure_poor_start},
                         CU_TEST_INFO_NULL};
  int rc = tu_run_suite("gl", tests);
  free_reference();
  return rc;
}
