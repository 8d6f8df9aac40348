/* The polish module. Reference values come from other paths: the DNC closed
 * form (dufm_dnc_eval) for the L = 1 optimum, the structure closed form for
 * srg:5, the generic evaluator dufm_eval for every polished loss, and central
 * differences for the gradients of the piece and the smoothed loss. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "dufm/dnc.h"
#include "dufm/optim.h"
#include "dufm/polish.h"
#include "dufm/structure.h"
#include "optim/polish_internal.h"
#include "testutil.h"

static double eval_loss(const dufm_config *x, const dufm_params *p) {
  dufm_loss l;
  CU_ASSERT_FATAL(dufm_eval(&l, NULL, x, p, DUFM_FORM_SAMPLES, NULL) == DUFM_OK);
  return l.loss;
}

/* L = 1 is smooth (no ReLU): polish reaches the DNC closed form (theory
 * section 3: DNC is optimal at L = 1) to the gradient tolerance. */
static void test_l1_reaches_dnc(void) {
  dufm_params p;
  tu_params(&p, 1, 3, 2, "0.004");
  int d[2] = {4, 3};
  dufm_config x;
  CU_ASSERT_FATAL(dufm_optim_init_gaussian(&x, 1, d, 6, 0.3, 7, NULL) == DUFM_OK);
  dufm_polish_opts o;
  dufm_polish_opts_default(&o);
  dufm_polish_report r;
  CU_ASSERT_FATAL(dufm_polish_pattern(&x, &r, &p, &o, NULL) == DUFM_OK);
  dufm_gl dnc;
  CU_ASSERT_FATAL(dufm_dnc_eval(&dnc, &p, NULL) == DUFM_OK);
  TU_ASSERT_CLOSE(r.loss, dnc.value, 1e-12, 0.0);
  TU_ASSERT_CLOSE(eval_loss(&x, &p), r.loss, 0.0, 0.0);
  CU_ASSERT(r.converged);
  CU_ASSERT(r.rel_grad <= 1e-10);
  CU_ASSERT(r.loss <= r.loss_in);
  CU_ASSERT_EQUAL(r.layers, 0);
  dufm_polish_report_clear(&r);
  dufm_config_clear(&x);
  dufm_params_clear(&p);
}

/* A closed-form structure at (L, K = 10, lambda = 0.004, n = 1): its
 * rescale-optimal configuration in per-sample form and its closed-form loss
 * enclosure (dufm_structure_evaluate). */
typedef struct {
  dufm_params p;
  dufm_config x;
  dufm_structure_eval e;
} closed_point;

static void closed_open(closed_point *c, const char *spec, int L) {
  memset(c, 0, sizeof *c);
  tu_params(&c->p, L, 10, 1, "0.004");
  dufm_structure *s = NULL;
  CU_ASSERT_FATAL(dufm_structure_parse(&s, spec, NULL) == DUFM_OK);
  CU_ASSERT_FATAL(dufm_structure_evaluate(&c->e, s, &c->p, NULL) == DUFM_OK);
  CU_ASSERT_FATAL(dufm_structure_materialize(&c->x, s, &c->p, DUFM_FORM_SAMPLES, NULL) == DUFM_OK);
  dufm_structure_free(s);
}

static void closed_close(closed_point *c) {
  dufm_config_clear(&c->x);
  dufm_structure_eval_clear(&c->e);
  dufm_params_clear(&c->p);
}

/* srg:5 sits exactly on kinks; polishing never ends above its closed form. */
static void test_srg5_closed_form_or_below(void) {
  closed_point c;
  closed_open(&c, "srg:5", 4);
  dufm_polish_opts o;
  dufm_polish_opts_default(&o);
  o.max_evals = 6000;
  dufm_polish_report r;
  CU_ASSERT_FATAL(dufm_polish(&c.x, &r, &c.p, &o, NULL) == DUFM_OK);
  TU_ASSERT_CLOSE(r.loss_in, c.e.loss, 1e-12, 0.0);
  CU_ASSERT(r.loss <= c.e.upper);
  CU_ASSERT(r.loss <= r.loss_in);
  TU_ASSERT_CLOSE(eval_loss(&c.x, &c.p), r.loss, 0.0, 0.0);
  CU_ASSERT(r.evals <= o.max_evals + 100);
  dufm_polish_report_clear(&r);
  closed_close(&c);
}

/* Adds eps N(0, 1) to every entry of x (H1, then W1..WL). */
static void perturb(dufm_config *x, double eps, uint64_t seed) {
  dufm_rng r;
  dufm_rng_seed(&r, seed);
  size_t m = (size_t)x->d[0] * x->cols;
  for (size_t i = 0; i < m; i++)
    x->H1.data[i] += eps * dufm_rng_gaussian(&r);
  for (int k = 0; k < x->L; k++)
    for (size_t i = 0; i < (size_t)x->d[k + 1] * x->d[k]; i++)
      x->W[k].data[i] += eps * dufm_rng_gaussian(&r);
}

/* DNC at L = 3 (theory section 3) sits on kinks: the off-diagonal
 * pre-activations of its last hidden layer are exactly 0 with multiplier 0.
 * From a perturbed copy (1e-9, inside the kink tolerance) the kink-aware
 * pattern polish holds them at P = 0, reaches a relative Lagrangian gradient
 * <= 1e-9 with the multiplier conditions met, and returns DNC's closed-form
 * loss (dufm_dnc_eval) to 1e-12. Then dufm_eval along random directions
 * (a second path) confirms that no nearby point is lower. */
static void test_dnc_on_kinks(void) {
  dufm_params p;
  tu_params(&p, 3, 4, 1, "0.004");
  dufm_structure *s = NULL;
  CU_ASSERT_FATAL(dufm_structure_parse(&s, "dnc", NULL) == DUFM_OK);
  dufm_config x;
  CU_ASSERT_FATAL(dufm_structure_materialize(&x, s, &p, DUFM_FORM_SAMPLES, NULL) == DUFM_OK);
  perturb(&x, 1e-9, 5);
  dufm_polish_opts o;
  dufm_polish_opts_default(&o);
  o.stage = DUFM_POLISH_CROSS; /* the kink-aware pattern stage */
  o.max_evals = 4000;
  dufm_polish_report r;
  CU_ASSERT_FATAL(dufm_polish_pattern(&x, &r, &p, &o, NULL) == DUFM_OK);
  dufm_gl dnc;
  CU_ASSERT_FATAL(dufm_dnc_eval(&dnc, &p, NULL) == DUFM_OK);
  CU_ASSERT(r.kinks > 0);
  CU_ASSERT(r.converged);
  CU_ASSERT(r.rel_grad <= 1e-9);
  CU_ASSERT_EQUAL(r.kink_kkt_violations, 0);
  CU_ASSERT_EQUAL(r.violations, 0);
  CU_ASSERT(r.kink_residual <= 1e-13);
  CU_ASSERT(r.loss <= r.loss_in);
  TU_ASSERT_CLOSE(r.loss, dnc.value, 1e-12, 0.0);
  double f0 = eval_loss(&x, &p);
  CU_ASSERT(f0 == r.loss);
  for (int dir = 0; dir < 4; dir++)
    for (double t = 1e-3; t >= 1e-6; t *= 0.1) {
      dufm_config y;
      CU_ASSERT_FATAL(dufm_config_copy(&y, &x, NULL) == DUFM_OK);
      perturb(&y, t, 100 + (uint64_t)dir);
      CU_ASSERT(eval_loss(&y, &p) >= f0 * (1.0 - 1e-13));
      dufm_config_clear(&y);
    }
  dufm_polish_report_clear(&r);
  dufm_config_clear(&x);
  dufm_structure_free(s);
  dufm_params_clear(&p);
}

/* clique:5:3 at L = 4 sits on kinks and is not a minimum: the polish ends at
 * its closed form (dufm_structure_evaluate) or below, on a point whose held
 * kinks are at P = 0 to rounding. */
static void test_clique53_closed_form_or_below(void) {
  closed_point c;
  closed_open(&c, "clique:5:3", 4);
  dufm_polish_opts o;
  dufm_polish_opts_default(&o);
  o.max_evals = 6000; /* the default stage: the fixed piece */
  dufm_polish_report r;
  CU_ASSERT_FATAL(dufm_polish(&c.x, &r, &c.p, &o, NULL) == DUFM_OK);
  TU_ASSERT_CLOSE(r.loss_in, c.e.loss, 1e-12, 0.0);
  CU_ASSERT(r.loss <= c.e.upper);
  CU_ASSERT(r.loss < 0.99 * r.loss_in);
  CU_ASSERT(r.kink_residual <= 1e-12);
  TU_ASSERT_CLOSE(eval_loss(&c.x, &c.p), r.loss, 0.0, 0.0);
  dufm_polish_report_clear(&r);
  closed_close(&c);
}

/* From random points and tiny budgets the returned loss never rises, and the
 * report's loss is dufm_eval's at the returned configuration. */
static void test_never_increases(void) {
  dufm_params p;
  tu_params(&p, 3, 4, 2, "0.01");
  int d[4] = {5, 6, 5, 4};
  for (int seed = 0; seed < 6; seed++) {
    dufm_config x;
    CU_ASSERT_FATAL(dufm_optim_init_gaussian(&x, 3, d, 8, 0.4, (uint64_t)seed, NULL) == DUFM_OK);
    double before = eval_loss(&x, &p);
    dufm_polish_opts o;
    dufm_polish_opts_default(&o);
    o.max_evals = 15 + 40 * seed;
    dufm_polish_report r;
    dufm_status st =
        seed % 2 ? dufm_polish(&x, &r, &p, &o, NULL) : dufm_polish_pattern(&x, &r, &p, &o, NULL);
    CU_ASSERT_FATAL(st == DUFM_OK);
    CU_ASSERT(r.loss_in == before);
    CU_ASSERT(r.loss <= before);
    CU_ASSERT(eval_loss(&x, &p) == r.loss);
    /* On a consistent pattern the piece is the true loss. */
    if (r.violations == 0 && r.kinks == 0)
      TU_ASSERT_CLOSE(r.piece_loss, r.loss, 1e-13, 0.0);
    CU_ASSERT_EQUAL(r.active + r.inactive, r.entries);
    CU_ASSERT_EQUAL(r.entries, (long)(6 + 5) * 8);
    dufm_polish_report_clear(&r);
    dufm_config_clear(&x);
  }
  dufm_params_clear(&p);
}

/* Central differences of the piece (mask) and softplus losses. */
static void test_gradients(void) {
  dufm_params p;
  tu_params(&p, 3, 3, 1, "0.02");
  int d[4] = {4, 5, 4, 3};
  dufm_config x;
  CU_ASSERT_FATAL(dufm_optim_init_gaussian(&x, 3, d, 3, 0.5, 11, NULL) == DUFM_OK);
  dufm_i_pe *pe = NULL;
  CU_ASSERT_FATAL(dufm_i_pe_alloc(&pe, &x, &p, NULL) == DUFM_OK);
  size_t n = pe->nparam;
  double *v = malloc(n * sizeof *v), *g = malloc(n * sizeof *g);
  dufm_i_flatten(v, &x);
  dufm_i_pe_mask_from(pe, v);
  for (int mode = 0; mode < 3; mode++) {
    pe->act = mode == 0 ? DUFM_I_ACT_MASK : DUFM_I_ACT_SOFTPLUS;
    pe->beta = mode == 1 ? 3.0 : 50.0;
    double f = dufm_i_pe_eval(pe, v, g);
    CU_ASSERT(isfinite(f));
    double worst = 0.0;
    for (size_t i = 0; i < n; i++) {
      double keep = v[i], h = 1e-6;
      v[i] = keep + h;
      double fp = dufm_i_pe_eval(pe, v, NULL);
      v[i] = keep - h;
      double fm = dufm_i_pe_eval(pe, v, NULL);
      v[i] = keep;
      worst = fmax(worst, fabs((fp - fm) / (2 * h) - g[i]));
    }
    CU_ASSERT(worst < 1e-7);
  }
  /* ReLU mode and dufm_eval agree on the loss. */
  pe->act = DUFM_I_ACT_RELU;
  TU_ASSERT_CLOSE(dufm_i_pe_eval(pe, v, NULL), eval_loss(&x, &p), 1e-14, 0.0);
  free(v);
  free(g);
  dufm_i_pe_free(pe);
  dufm_config_clear(&x);
  dufm_params_clear(&p);
}

static void test_bad_options(void) {
  dufm_polish_opts o;
  dufm_err err;
  dufm_polish_opts_default(&o);
  CU_ASSERT(dufm_polish_opts_check(&o, &err) == DUFM_OK);
  o.max_evals = 0;
  CU_ASSERT(dufm_polish_opts_check(&o, &err) == DUFM_EINVAL);
  dufm_polish_opts_default(&o);
  o.beta_factor = 1.0;
  CU_ASSERT(dufm_polish_opts_check(&o, &err) == DUFM_EINVAL);
  dufm_polish_opts_default(&o);
  o.rel_tol = -1;
  CU_ASSERT(dufm_polish_opts_check(&o, &err) == DUFM_EINVAL);
  CU_ASSERT(strstr(err.msg, "rel_tol") != NULL);
  /* A configuration that does not match the parameters. */
  dufm_params p;
  tu_params(&p, 2, 3, 1, "0.01");
  int d[3] = {3, 3, 4};
  dufm_config x;
  CU_ASSERT_FATAL(dufm_optim_init_gaussian(&x, 2, d, 4, 0.1, 1, NULL) == DUFM_OK);
  dufm_polish_opts_default(&o);
  dufm_polish_report r;
  CU_ASSERT(dufm_polish(&x, &r, &p, &o, &err) == DUFM_EINVAL);
  dufm_polish_report_clear(&r);
  dufm_config_clear(&x);
  dufm_params_clear(&p);
}

/* |A z - b| for A rows x m column-major. */
static double ls_resid(int rows, int m, const double *A, const double *b, const double *z) {
  double s2 = 0.0;
  for (int i = 0; i < rows; i++) {
    double v = -b[i];
    for (int j = 0; j < m; j++)
      v += A[(size_t)j * rows + i] * z[j];
    s2 += v * v;
  }
  return sqrt(s2);
}

/* dufm_i_bvls against enumeration: every assignment of each variable to lo,
 * hi or free, least squares on the free ones (normal equations by Gaussian
 * elimination, skipped when singular), the lowest feasible residual. Seeded
 * random problems, some with a repeated column (rank deficient) or a fixed
 * variable (lo = hi = 0, a dead unit). */
static void test_bvls_enumeration(void) {
  dufm_rng g;
  dufm_rng_seed(&g, 11);
  for (int trial = 0; trial < 300; trial++) {
    int rows = 2 + (int)(dufm_rng_uniform(&g) * 6), m = 1 + (int)(dufm_rng_uniform(&g) * 5);
    double A[64], b[8], lo[8], hi[8], z[8];
    signed char st[8];
    for (int i = 0; i < rows * m; i++)
      A[i] = dufm_rng_gaussian(&g);
    if (trial % 3 == 0 && m > 1)
      for (int i = 0; i < rows; i++)
        A[rows + i] = 2.0 * A[i];
    for (int i = 0; i < rows; i++)
      b[i] = 2.0 * dufm_rng_gaussian(&g);
    for (int j = 0; j < m; j++) {
      double c = dufm_rng_gaussian(&g) + 0.3;
      if (trial % 5 == 0 && j == m - 1)
        c = 0.0;
      lo[j] = fmin(0.0, c);
      hi[j] = fmax(0.0, c);
      z[j] = 0.0;
      st[j] = 2;
    }
    double rn;
    CU_ASSERT_FATAL(dufm_i_bvls(rows, m, A, b, lo, hi, z, st, &rn) == DUFM_OK);
    for (int j = 0; j < m; j++)
      CU_ASSERT(z[j] >= lo[j] && z[j] <= hi[j]);
    TU_ASSERT_CLOSE(rn, ls_resid(rows, m, A, b, z), 1e-12, 1e-14);
    double best = INFINITY;
    int combos = 1;
    for (int j = 0; j < m; j++)
      combos *= 3;
    for (int cmb = 0; cmb < combos; cmb++) {
      double y[8], N[64], v[8];
      int fr[8], nf = 0, code = cmb;
      for (int j = 0; j < m; j++, code /= 3) {
        y[j] = code % 3 == 0 ? lo[j] : hi[j];
        if (code % 3 == 2)
          fr[nf++] = j;
      }
      /* Normal equations of the free variables with the rest fixed. */
      for (int a = 0; a < nf; a++) {
        v[a] = 0.0;
        for (int i = 0; i < rows; i++) {
          double r = b[i];
          for (int j = 0; j < m; j++) {
            int isfree = 0;
            for (int q = 0; q < nf; q++)
              isfree |= fr[q] == j;
            if (!isfree)
              r -= A[j * rows + i] * y[j];
          }
          v[a] += A[fr[a] * rows + i] * r;
        }
        for (int c2 = 0; c2 < nf; c2++) {
          N[a * nf + c2] = 0.0;
          for (int i = 0; i < rows; i++)
            N[a * nf + c2] += A[fr[a] * rows + i] * A[fr[c2] * rows + i];
        }
      }
      int singular = 0;
      for (int a = 0; a < nf && !singular; a++) {
        int piv = a;
        for (int q = a + 1; q < nf; q++)
          if (fabs(N[q * nf + a]) > fabs(N[piv * nf + a]))
            piv = q;
        if (fabs(N[piv * nf + a]) < 1e-9) {
          singular = 1;
          break;
        }
        for (int c2 = 0; c2 < nf; c2++) {
          double t = N[a * nf + c2];
          N[a * nf + c2] = N[piv * nf + c2];
          N[piv * nf + c2] = t;
        }
        double t = v[a];
        v[a] = v[piv];
        v[piv] = t;
        for (int q = 0; q < nf; q++) {
          if (q == a)
            continue;
          double f = N[q * nf + a] / N[a * nf + a];
          for (int c2 = 0; c2 < nf; c2++)
            N[q * nf + c2] -= f * N[a * nf + c2];
          v[q] -= f * v[a];
        }
      }
      if (singular)
        continue;
      int ok = 1;
      for (int a = 0; a < nf; a++) {
        y[fr[a]] = v[a] / N[a * nf + a];
        ok &= y[fr[a]] >= lo[fr[a]] - 1e-12 && y[fr[a]] <= hi[fr[a]] + 1e-12;
      }
      if (ok)
        best = fmin(best, ls_resid(rows, m, A, b, y));
    }
    /* Free sets with singular normal equations are skipped, so the
     * enumeration is an upper bound that is attained when the optimum has a
     * nonsingular free set: rn never above it. */
    CU_ASSERT(rn <= best * (1.0 + 1e-10) + 1e-13);
  }
}

/* The kink-aware stage's stationarity verdict is Clarke's (bounded least
 * squares over the entries at 0): never above the gradient of the piece with
 * all of them inactive (mu = 0 is feasible), which dufm_polish_inspect
 * computes by its own pass at the returned point. srg:5 at L = 4 still ends
 * at or below its closed form, and reports converged iff rel_grad <= rel_tol. */
static void test_srg5_kkt_clarke(void) {
  closed_point c;
  closed_open(&c, "srg:5", 4);
  dufm_polish_opts o;
  dufm_polish_opts_default(&o);
  o.stage = DUFM_POLISH_CROSS;
  o.max_evals = 4000;
  dufm_polish_report r, q;
  CU_ASSERT_FATAL(dufm_polish(&c.x, &r, &c.p, &o, NULL) == DUFM_OK);
  CU_ASSERT(r.loss <= c.e.upper);
  CU_ASSERT(r.kinks > 0);
  CU_ASSERT_EQUAL(r.converged, r.rel_grad <= o.rel_tol);
  CU_ASSERT_FATAL(dufm_polish_inspect(&q, &c.x, &c.p, NULL) == DUFM_OK);
  CU_ASSERT(r.rel_grad <= q.rel_grad * (1.0 + 1e-9));
  dufm_polish_report_clear(&q);
  dufm_polish_report_clear(&r);
  closed_close(&c);
}

/* The default pattern stage ends at a KKT point of srg:5's piece at L = 4:
 * converged to rel_tol with every kink multiplier of the right sign and no
 * entry off its side, below the closed form (dufm_structure_evaluate). The
 * pattern of the output is the pattern of the piece: the kinks are at 0 and
 * dufm_eval's loss is the report's. python/tests/test_polish_piece.py checks
 * the KKT residual by a second path (autograd + NNLS). */
static void test_srg5_piece_kkt(void) {
  closed_point c;
  closed_open(&c, "srg:5", 4);
  dufm_polish_opts o;
  dufm_polish_opts_default(&o);
  CU_ASSERT_EQUAL(o.stage, DUFM_POLISH_PIECE);
  dufm_polish_report r;
  CU_ASSERT_FATAL(dufm_polish(&c.x, &r, &c.p, &o, NULL) == DUFM_OK);
  CU_ASSERT(strcmp(r.method, "piece") == 0);
  CU_ASSERT(r.converged);
  CU_ASSERT(r.rel_grad <= o.rel_tol);
  CU_ASSERT(r.kinks > 0);
  CU_ASSERT_EQUAL(r.kink_kkt_violations, 0);
  CU_ASSERT_EQUAL(r.violations, 0);
  CU_ASSERT(r.kink_residual <= 1e-12);
  CU_ASSERT(r.kink_rank > 0 && r.kink_rank <= r.kinks);
  CU_ASSERT(r.loss < c.e.lower);
  TU_ASSERT_CLOSE(eval_loss(&c.x, &c.p), r.loss, 0.0, 0.0);
  TU_ASSERT_CLOSE(r.piece_loss, r.loss, 1e-13, 0.0);
  dufm_polish_report_clear(&r);
  closed_close(&c);
}

int main(void) {
  CU_TestInfo tests[] = {
      {"L = 1 polish reaches the DNC closed form", test_l1_reaches_dnc},
      {"srg:5 polishes to its closed form or below", test_srg5_closed_form_or_below},
      {"DNC on kinks: KKT point, closed form", test_dnc_on_kinks},
      {"clique:5:3 polishes to its closed form or below", test_clique53_closed_form_or_below},
      {"polish never increases the loss", test_never_increases},
      {"piece and softplus gradients by differences", test_gradients},
      {"bad options and shapes", test_bad_options},
      {"bounded least squares against enumeration", test_bvls_enumeration},
      {"srg:5 kink-aware verdict is Clarke's", test_srg5_kkt_clarke},
      {"srg:5 piece stage: KKT point of its piece", test_srg5_piece_kkt},
      CU_TEST_INFO_NULL};
  return tu_run_suite("polish", tests);
}
