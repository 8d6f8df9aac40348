/* The ridge relaxation of the last layer (dufm/bounds.h, theory section 7).
 *
 * In u = ln t the fit term is a sum of at most nj logistic steps centred at
 * u_j = (ln(K lam_L) - ln gamma_j) / 2, and the penalty grows like e^(2u/L).
 * proofs/bounds.md shows that every local minimum lies in
 * [min u_j - TAIL, u_bal] where u_bal = (ln C - ln A / L) / (2 + 2/L),
 * C = sum m_j lam_L / gamma_j, and that beyond max u_j + TAIL the only one sits
 * next to u_bal. A fine grid over those windows followed by Brent refinement of
 * every grid minimum finds the global minimum if the grid sees its basin (argued,
 * not proved: the value is an attained upper estimate, proofs/bounds.md section 3). */
#include <float.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_min.h>
#include <math.h>
#include <stdlib.h>

#include "dufm/bounds.h"

#define TAIL 20.0 /* in u; the steps' tails are below e^(-40) there */
#define STEP 0.02 /* grid spacing in u; the steps are about 0.5 wide */
#define MAX_GRID 400000

typedef struct {
  int L, K, nj;
  const int *mult;
  const double *lg; /* ln(gamma_j / lam_L), -inf when gamma_j = 0 */
  double log_a;
} ridge_fn;

static double fit_pen(const ridge_fn *R, double u, double *pen) {
  double fit = 0.0;
  for (int j = 0; j < R->nj; j++)
    fit += R->mult[j] / (2.0 * (R->K + exp(2.0 * u + R->lg[j])));
  *pen = 0.5 * R->L * exp(R->log_a / R->L + 2.0 * u / R->L);
  return fit;
}

static double value_at(double u, void *vp) {
  double pen, fit = fit_pen(vp, u, &pen);
  return fit + pen;
}

/* Brent from a grid bracket (fa > fm < fb); falls back to the grid point. */
static double refine(const ridge_fn *R, double a, double m, double b, double fm, double *u_out) {
  *u_out = m;
  gsl_function F = {value_at, (void *)R};
  gsl_min_fminimizer *s = gsl_min_fminimizer_alloc(gsl_min_fminimizer_brent);
  if (s == NULL)
    return fm;
  if (gsl_min_fminimizer_set_with_values(s, &F, m, fm, a, value_at(a, (void *)R), b,
                                         value_at(b, (void *)R)) == GSL_SUCCESS) {
    for (int it = 0; it < 200; it++) {
      if (gsl_min_fminimizer_iterate(s) != GSL_SUCCESS)
        break;
      double lo = gsl_min_fminimizer_x_lower(s), hi = gsl_min_fminimizer_x_upper(s);
      if (gsl_min_test_interval(lo, hi, 1e-12, 1e-12) == GSL_SUCCESS)
        break;
    }
    if (gsl_min_fminimizer_f_minimum(s) < fm) {
      fm = gsl_min_fminimizer_f_minimum(s);
      *u_out = gsl_min_fminimizer_x_minimum(s);
    }
  }
  gsl_min_fminimizer_free(s);
  return fm;
}

/* Scans [lo, hi] and refines every grid local minimum; updates *best, *u_best. */
static void scan(const ridge_fn *R, double lo, double hi, double *best, double *u_best) {
  int n = (int)ceil((hi - lo) / STEP);
  n = n < 2 ? 2 : n > MAX_GRID ? MAX_GRID : n;
  double h = (hi - lo) / n, f0 = value_at(lo, (void *)R), f1 = value_at(lo + h, (void *)R);
  for (int i = 1; i < n; i++) {
    double u = lo + i * h, f2 = value_at(u + h, (void *)R), uu;
    if (f1 < f0 && f1 <= f2) {
      double f = refine(R, u - h, u, u + h, f1, &uu);
      if (f < *best) {
        *best = f;
        *u_best = uu;
      }
    }
    f0 = f1;
    f1 = f2;
  }
}

static dufm_status check(int L, double lam_L, int K, int nj, const double *gamma, const int *mult,
                         double log_A, dufm_err *err) {
  if (L < 1 || L > DUFM_MAX_L)
    return dufm_err_set(err, DUFM_EINVAL, "L = %d: depth must be between 1 and %d", L, DUFM_MAX_L);
  if (K < 1 || nj < 1)
    return dufm_err_set(err, DUFM_EINVAL, "ridge: K = %d and nj = %d must be positive", K, nj);
  if (!(lam_L >= 0.0) || !isfinite(lam_L))
    return dufm_err_set(err, DUFM_EINVAL, "ridge: lam_L = %g must be finite and nonnegative",
                        lam_L);
  if (isnan(log_A) || log_A == INFINITY)
    return dufm_err_set(err, DUFM_EINVAL, "ridge: log_A must be finite or -inf");
  long sum = 0;
  for (int j = 0; j < nj; j++) {
    if (!(gamma[j] >= 0.0) || !isfinite(gamma[j]) || mult[j] < 0)
      return dufm_err_set(err, DUFM_EINVAL,
                          "ridge: eigenvalue %d (gamma = %g, multiplicity %d) must be finite "
                          "and nonnegative",
                          j, gamma[j], mult[j]);
    sum += mult[j];
  }
  if (sum != K)
    return dufm_err_set(err, DUFM_EINVAL, "ridge: multiplicities sum to %ld, not K = %d", sum, K);
  return DUFM_OK;
}

dufm_status dufm_ridge_eval(dufm_ridge *out, int L, double lam_L, int K, int nj,
                            const double *gamma, const int *mult, double log_A, dufm_err *err) {
  *out = (dufm_ridge){.value = 0.5, .t = 0.0, .err = 0.0};
  dufm_status st = check(L, lam_L, K, nj, gamma, mult, log_A, err);
  if (st != DUFM_OK)
    return st;
  long null = 0;
  for (int j = 0; j < nj; j++)
    if (gamma[j] == 0.0)
      null += mult[j];
  if (lam_L == 0.0 || log_A == -INFINITY) {
    /* No price on W_L (t -> 0+) or on the first L factors (t -> inf): the fit
     * alone, which keeps only the null space of T. */
    out->value = (double)null / (2.0 * K);
    out->t = lam_L == 0.0 || null == K ? 0.0 : INFINITY;
    return DUFM_OK;
  }
  double *lg = malloc((size_t)nj * sizeof *lg), umin = INFINITY, umax = -INFINITY;
  double log_c = -INFINITY;
  if (lg == NULL)
    return dufm_err_set(err, DUFM_ENOMEM, "ridge: out of memory for %d eigenvalues", nj);
  for (int j = 0; j < nj; j++) {
    lg[j] = gamma[j] > 0.0 ? log(gamma[j]) - log(lam_L) : -INFINITY;
    if (gamma[j] > 0.0 && mult[j] > 0) {
      double uj = 0.5 * (log((double)K) - lg[j]);
      umin = fmin(umin, uj);
      umax = fmax(umax, uj);
      double lc = log((double)mult[j]) - lg[j]; /* ln(m_j lam_L / gamma_j) */
      log_c = log_c > lc ? log_c + log1p(exp(lc - log_c)) : lc + log1p(exp(log_c - lc));
    }
  }
  if (umin < INFINITY) { /* else T = 0 and F(t) >= 1/2 = F(0) */
    ridge_fn R = {L, K, nj, mult, lg, log_A};
    double u_bal = (log_c - log_A / L) / (2.0 + 2.0 / L);
    double best = INFINITY, u_best = 0.0, pen = 0.0;
    double hi = fmin(umax + TAIL, u_bal + 1.0), lo = umin - TAIL;
    if (hi > lo)
      scan(&R, lo, hi, &best, &u_best);
    if (u_bal + 1.0 > umax + TAIL)
      scan(&R, fmax(u_bal - 1.0, lo), u_bal + 1.0, &best, &u_best);
    if (best < 0.5) {
      double fit = fit_pen(&R, u_best, &pen);
      out->value = best;
      out->t = exp(u_best);
      out->err = 16.0 * DBL_EPSILON * (fit + pen);
    }
    /* L = 1: a minimum left of the grid would be above 1/2 - e^(-2 TAIL) / 2. */
    if (L == 1)
      out->err += 0.5 * exp(-2.0 * TAIL);
  }
  free(lg);
  return DUFM_OK;
}
