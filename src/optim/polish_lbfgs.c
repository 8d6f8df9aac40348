/* A generic L-BFGS for the polish module: two-loop recursion and a line
 * search that accepts Wolfe or Hager-Zhang approximate Wolfe points, so that
 * it keeps making progress when loss differences are at rounding level. */
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "optim/polish_internal.h"

#define C1 1e-4
#define C2 0.9
#define HZ_DELTA 0.1
/* Approximate Wolfe points may raise the loss by at most this relative amount. */
#define HZ_EPS 1e-14
#define MAX_TRIALS 50

static double dot(const double *a, const double *b, size_t n) {
  double acc[4] = {0.0, 0.0, 0.0, 0.0};
  size_t i = 0;
  for (; i + 4 <= n; i += 4)
    for (size_t k = 0; k < 4; k++)
      acc[k] += a[i + k] * b[i + k];
  for (; i < n; i++)
    acc[0] += a[i] * b[i];
  return (acc[0] + acc[1]) + (acc[2] + acc[3]);
}

typedef struct {
  size_t n;
  int m, count, head;
  double *S, *Y, *rho, *alpha;
} pairs;

static void two_loop(const pairs *P, const double *g, double *q) {
  const size_t n = P->n;
  for (size_t i = 0; i < n; i++)
    q[i] = -g[i];
  for (int j = 0; j < P->count; j++) {
    int s = ((P->head - 1 - j) % P->m + P->m) % P->m;
    double a = P->rho[s] * dot(P->S + (size_t)s * n, q, n);
    P->alpha[s] = a;
    const double *y = P->Y + (size_t)s * n;
    for (size_t i = 0; i < n; i++)
      q[i] -= a * y[i];
  }
  int nw = ((P->head - 1) % P->m + P->m) % P->m;
  const double *yn = P->Y + (size_t)nw * n;
  double gamma = 1.0 / (P->rho[nw] * dot(yn, yn, n));
  for (size_t i = 0; i < n; i++)
    q[i] *= gamma;
  for (int j = P->count - 1; j >= 0; j--) {
    int s = ((P->head - 1 - j) % P->m + P->m) % P->m;
    double b = P->rho[s] * dot(P->Y + (size_t)s * n, q, n);
    const double *sv = P->S + (size_t)s * n;
    for (size_t i = 0; i < n; i++)
      q[i] += (P->alpha[s] - b) * sv[i];
  }
}

static void push(pairs *P, const double *x, const double *xt, const double *g, const double *gt) {
  const size_t n = P->n;
  double *s = P->S + (size_t)P->head * n, *y = P->Y + (size_t)P->head * n;
  for (size_t i = 0; i < n; i++) {
    s[i] = xt[i] - x[i];
    y[i] = gt[i] - g[i];
  }
  double sy = dot(s, y, n), ss = dot(s, s, n), yy = dot(y, y, n);
  if (!(sy > 1e-14 * sqrt(ss) * sqrt(yy)))
    return;
  P->rho[P->head] = 1.0 / sy;
  P->head = (P->head + 1) % P->m;
  if (P->count < P->m)
    P->count++;
}

dufm_status dufm_i_lbfgs_min(double *x, size_t n, dufm_i_fg fn, void *ctx, int memory,
                             long max_evals, double rel_tol, dufm_i_lbfgs_out *out) {
  memset(out, 0, sizeof *out);
  pairs P = {n, memory, 0, 0, NULL, NULL, NULL, NULL};
  double *block = malloc((4 * n + 2 * (size_t)memory * n + 2 * (size_t)memory) * sizeof(double));
  if (block == NULL)
    return DUFM_ENOMEM;
  double *g = block, *xt = g + n, *gt = xt + n, *dir = gt + n;
  P.S = dir + n;
  P.Y = P.S + (size_t)memory * n;
  P.rho = P.Y + (size_t)memory * n;
  P.alpha = P.rho + memory;
  dufm_status st = DUFM_OK;
  double f = fn(ctx, x, g);
  out->evals = 1;
  if (!isfinite(f)) {
    st = DUFM_ENUMERIC;
    goto done;
  }
  double gn = sqrt(dot(g, g, n));
  while (!(gn <= rel_tol * fabs(f)) && out->evals < max_evals) {
    int steepest = P.count == 0, moved = 0;
    for (int attempt = 0; attempt < 2 && !moved; attempt++) {
      double gd;
      if (!steepest) {
        two_loop(&P, g, dir);
        gd = dot(g, dir, n);
        if (!(gd < 0.0) || !isfinite(gd)) {
          P.count = P.head = 0;
          steepest = 1;
        }
      }
      if (steepest) {
        for (size_t i = 0; i < n; i++)
          dir[i] = -g[i];
        gd = -gn * gn;
      }
      double a = steepest ? fmin(1.0, 1.0 / gn) : 1.0, lo = 0.0, hi = INFINITY;
      double dlo = gd, dhi = NAN;
      for (int t = 0; t < MAX_TRIALS && out->evals < max_evals; t++) {
        for (size_t i = 0; i < n; i++)
          xt[i] = x[i] + a * dir[i];
        double ft = fn(ctx, xt, gt);
        out->evals++;
        double dt = isfinite(ft) ? dot(gt, dir, n) : NAN;
        int armijo = isfinite(ft) && ft <= f + C1 * a * gd;
        int approx =
            isfinite(ft) && ft <= f + HZ_EPS * fabs(f) && dt <= (2.0 * HZ_DELTA - 1.0) * gd;
        if ((armijo || approx) && dt >= C2 * gd && dt <= -C2 * gd) {
          push(&P, x, xt, g, gt);
          memcpy(x, xt, n * sizeof *x);
          memcpy(g, gt, n * sizeof *g);
          f = ft;
          gn = sqrt(dot(g, g, n));
          moved = 1;
          break;
        }
        if (!(armijo || approx) || dt > -C2 * gd) {
          hi = a;
          dhi = (armijo || approx) ? dt : NAN;
        } else {
          lo = a;
          dlo = dt;
        }
        if (isinf(hi)) {
          a *= 2.0;
        } else {
          double w = hi - lo, next = 0.5 * (lo + hi);
          if (isfinite(dhi) && dhi > dlo) /* secant on the slope, kept inside the bracket */
            next = fmin(fmax(lo - dlo * w / (dhi - dlo), lo + 0.1 * w), hi - 0.1 * w);
          a = next;
        }
        if (!(a * sqrt(dot(dir, dir, n)) > DBL_EPSILON * (1.0 + sqrt(dot(x, x, n)))))
          break;
      }
      if (!moved) {
        if (steepest)
          goto done;
        P.count = P.head = 0;
        steepest = 1;
      }
    }
    if (!moved)
      break;
    out->iters++;
  }
done:
  out->f = f;
  out->gnorm = sqrt(dot(g, g, n));
  out->converged = out->gnorm <= rel_tol * fabs(f);
  free(block);
  return st;
}
