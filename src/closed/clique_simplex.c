/* The double solver behind dufm_clique_optimize: minimize
 *
 *   F(x) = sum_j w_j / d_j,  d = V^T x,  x on the unit simplex,
 *
 * a convex function (each term is 1/affine where the affine part is positive).
 * The optimal d lies on a face of conv(v_i) in R^3, so at most three vertices
 * carry weight (proofs/clique.md). Simplicial decomposition exploits that: keep a
 * small active set, minimize exactly over its hull with Newton steps whose
 * quadratic model is solved over the small simplex by enumerating faces, then
 * add the vertex of steepest descent (the Frank-Wolfe vertex) until none
 * improves. */
#include <float.h>
#include <math.h>
#include <string.h>

#include "closed/clique_internal.h"

#define SMAX 8         /* active set cap; the optimum needs at most 3 */
#define OUTER_MAX 200  /* vertex additions */
#define NEWTON_MAX 60  /* Newton steps per active set */
#define GAP_RTOL 1e-15 /* relative Frank-Wolfe gap at which to stop */
#define STEP_TOL 1e-15 /* Newton step (in mass) at which to stop */

typedef struct {
  int m;
  const double *v; /* m x 3 */
  double w[3];
} problem;

/* F at the point with weights xs on the vertices idx[0..n-1]; +inf outside
 * the domain. d receives V^T x. */
static double objective(const problem *P, const int *idx, const double *xs, int n, double d[3]) {
  double f = 0.0;
  for (int j = 0; j < 3; j++) {
    d[j] = 0.0;
    for (int a = 0; a < n; a++)
      d[j] += xs[a] * P->v[3 * idx[a] + j];
    if (P->w[j] > 0.0)
      f += d[j] > 0.0 ? P->w[j] / d[j] : INFINITY;
  }
  return f;
}

/* Solves the (n x n) system A y = b in place by Gaussian elimination with partial
 * pivoting; returns 0 when A is numerically singular. */
static int solve_small(double *A, double *b, int n) {
  for (int c = 0; c < n; c++) {
    int p = c;
    for (int i = c + 1; i < n; i++)
      if (fabs(A[i * n + c]) > fabs(A[p * n + c]))
        p = i;
    if (!(fabs(A[p * n + c]) > 1e-300))
      return 0;
    if (p != c) {
      for (int j = 0; j < n; j++) {
        double t = A[c * n + j];
        A[c * n + j] = A[p * n + j];
        A[p * n + j] = t;
      }
      double t = b[c];
      b[c] = b[p];
      b[p] = t;
    }
    for (int i = c + 1; i < n; i++) {
      double f = A[i * n + c] / A[c * n + c];
      for (int j = c; j < n; j++)
        A[i * n + j] -= f * A[c * n + j];
      b[i] -= f * b[c];
    }
  }
  for (int i = n - 1; i >= 0; i--) {
    for (int j = i + 1; j < n; j++)
      b[i] -= A[i * n + j] * b[j];
    b[i] /= A[i * n + i];
  }
  return 1;
}

/* min_y c.y + y^T H y / 2 over the n-simplex. The optimum is the stationary
 * point of the affine hull of some face that lies in that face, and every such
 * candidate is feasible, so the best feasible candidate is the optimum. */
static void simplex_qp(double *y, const double *H, const double *c, int n) {
  double best = INFINITY, A[(SMAX + 1) * (SMAX + 1)], b[SMAX + 1], cand[SMAX];
  int sub[SMAX];
  for (unsigned mask = 1; mask < (1u << n); mask++) {
    int s = 0;
    for (int a = 0; a < n; a++)
      if (mask & (1u << a))
        sub[s++] = a;
    int q = s + 1;
    for (int i = 0; i < s; i++) {
      for (int j = 0; j < s; j++)
        A[i * q + j] = H[sub[i] * n + sub[j]];
      A[i * q + s] = -1.0;
      A[s * q + i] = 1.0;
      b[i] = -c[sub[i]];
    }
    A[s * q + s] = 0.0;
    b[s] = 1.0;
    if (!solve_small(A, b, q))
      continue;
    double sum = 0.0;
    int ok = 1;
    for (int i = 0; i < s; i++) {
      if (!(b[i] >= -1e-13))
        ok = 0;
      b[i] = b[i] > 0.0 ? b[i] : 0.0;
      sum += b[i];
    }
    if (!ok || !(sum > 0.0))
      continue;
    memset(cand, 0, sizeof cand);
    for (int i = 0; i < s; i++)
      cand[sub[i]] = b[i] / sum;
    double val = 0.0;
    for (int a = 0; a < n; a++) {
      double hy = 0.0;
      for (int e = 0; e < n; e++)
        hy += H[a * n + e] * cand[e];
      val += cand[a] * (c[a] + 0.5 * hy);
    }
    if (val < best) {
      best = val;
      memcpy(y, cand, (size_t)n * sizeof *y);
    }
  }
}

/* Damped Newton over the hull of the active set; returns the number of steps. */
static int newton(const problem *P, const int *idx, double *xs, int n) {
  double d[3], g[SMAX], H[SMAX * SMAX], c[SMAX], y[SMAX], xn[SMAX], dn[3];
  int steps = 0, polish = 0;
  for (; steps < NEWTON_MAX; steps++) {
    double f = objective(P, idx, xs, n, d), hmax = 0.0;
    for (int a = 0; a < n; a++) {
      const double *va = P->v + 3 * idx[a];
      g[a] = 0.0;
      for (int j = 0; j < 3; j++)
        if (P->w[j] > 0.0)
          g[a] -= P->w[j] * va[j] / (d[j] * d[j]);
      for (int e = 0; e < n; e++) {
        const double *ve = P->v + 3 * idx[e];
        double h = 0.0;
        for (int j = 0; j < 3; j++)
          if (P->w[j] > 0.0)
            h += 2.0 * P->w[j] * va[j] * ve[j] / (d[j] * d[j] * d[j]);
        H[a * n + e] = h;
      }
      hmax = fmax(hmax, H[a * n + a]);
    }
    /* The Hessian has rank <= 3; a tiny ridge keeps every face's system regular. */
    for (int a = 0; a < n; a++)
      H[a * n + a] += 1e-12 * hmax;
    for (int a = 0; a < n; a++) {
      c[a] = g[a];
      for (int e = 0; e < n; e++)
        c[a] -= H[a * n + e] * xs[e];
    }
    simplex_qp(y, H, c, n);
    double slope = 0.0, step = 0.0;
    for (int a = 0; a < n; a++) {
      slope += g[a] * (y[a] - xs[a]);
      step = fmax(step, fabs(y[a] - xs[a]));
    }
    /* The slope is quadratic in the error (and its sign is noise near the
     * optimum), so stop on the step size instead. */
    if (step <= STEP_TOL || slope > 1e-10 * f)
      break;
    /* Near the optimum the decrease is below rounding: there the full Newton
     * step is taken (a few times at most) as long as F does not visibly grow. */
    int near = fabs(slope) <= 1e-8 * f && ++polish <= 3;
    double alpha = 1.0;
    int accepted = 0;
    for (int tries = 0; tries < 60 && !accepted; tries++, alpha *= 0.5) {
      for (int a = 0; a < n; a++)
        xn[a] = xs[a] + alpha * (y[a] - xs[a]);
      double fn = objective(P, idx, xn, n, dn);
      accepted = (slope < 0.0 && fn <= f + 1e-4 * alpha * slope) ||
                 (near && tries == 0 && fn <= f * (1.0 + 8.0 * DBL_EPSILON));
    }
    if (!accepted)
      break;
    memcpy(xs, xn, (size_t)n * sizeof *xs);
  }
  return steps;
}

dufm_status dufm_i_clique_simplex_min(double *x, int *iterations, int m, const double *v,
                                      const double w[3], dufm_err *err) {
  problem P = {m, v, {w[0], w[1], w[2]}};
  int idx[SMAX], n = 0, best = -1;
  double xs[SMAX], d[3], fbest = INFINITY;
  *iterations = 0;
  for (int i = 0; i < m; i++) {
    double one = 1.0, f = objective(&P, &i, &one, 1, d);
    if (f < fbest) {
      fbest = f;
      best = i;
    }
  }
  if (best < 0)
    return dufm_err_set(err, DUFM_EINVAL,
                        "clique weights make T rank-deficient for every choice of weights");
  idx[n] = best;
  xs[n++] = 1.0;
  for (int outer = 0; outer < OUTER_MAX; outer++) {
    double f = objective(&P, idx, xs, n, d), top = -INFINITY;
    int add = -1;
    for (int i = 0; i < m; i++) {
      double gi = 0.0; /* -dF/dx_i */
      for (int j = 0; j < 3; j++)
        if (P.w[j] > 0.0)
          gi += P.w[j] * v[3 * i + j] / (d[j] * d[j]);
      if (gi > top) {
        top = gi;
        add = i;
      }
    }
    /* Frank-Wolfe gap: F - min over vertices of the linearization = top - F. */
    if (top - f <= GAP_RTOL * f)
      break;
    int present = 0;
    for (int a = 0; a < n; a++)
      present |= idx[a] == add;
    if (!present && n == SMAX)
      break;
    if (!present) {
      idx[n] = add;
      xs[n++] = 0.0;
    }
    /* An active vertex as the Frank-Wolfe vertex means the last inner solve
     * stopped early: give it one more chance, then stop. */
    int steps = newton(&P, idx, xs, n);
    *iterations += 1 + steps;
    if (present && steps == 0)
      break;
    int kept = 0;
    for (int a = 0; a < n; a++)
      if (xs[a] > 0.0) {
        idx[kept] = idx[a];
        xs[kept++] = xs[a];
      }
    n = kept;
  }
  memset(x, 0, (size_t)m * sizeof *x);
  for (int a = 0; a < n; a++)
    x[idx[a]] = xs[a];
  return DUFM_OK;
}
