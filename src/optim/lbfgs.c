/* L-BFGS: two-loop recursion over the stored pairs, a weak Wolfe line search,
 * restarts along steepest descent. */
#include <float.h>
#include <math.h>

#include "optim/optim_internal.h"

#define ARMIJO_C1 1e-4
#define WOLFE_C2 0.9
#define MAX_TRIALS 60
/* Pairs with s'y at or below this fraction of |s| |y| would make the inverse
 * Hessian estimate (nearly) indefinite; across a ReLU kink that happens. */
#define CURVATURE_MIN 1e-12

/* dir = -H g by the two-loop recursion, oldest pair first in the second loop. */
static void two_loop(dufm_optim *s) {
  const size_t n = s->n;
  const int m = s->o.memory, cnt = s->mem_count;
  double *q = s->dir;
  for (size_t i = 0; i < n; i++)
    q[i] = s->g[i];
  for (int j = 0; j < cnt; j++) { /* newest to oldest */
    int slot = ((s->mem_head - 1 - j) % m + m) % m;
    const double *sv = s->S + (size_t)slot * n, *yv = s->Y + (size_t)slot * n;
    double a = s->rho[slot] * dufm_i_dot(sv, q, n);
    s->alpha[slot] = a;
    for (size_t i = 0; i < n; i++)
      q[i] -= a * yv[i];
  }
  int newest = ((s->mem_head - 1) % m + m) % m;
  const double *yn = s->Y + (size_t)newest * n;
  /* Initial inverse Hessian gamma I with gamma = s'y / y'y of the newest pair. */
  double gamma = 1.0 / (s->rho[newest] * dufm_i_dot(yn, yn, n));
  for (size_t i = 0; i < n; i++)
    q[i] *= gamma;
  for (int j = cnt - 1; j >= 0; j--) { /* oldest to newest */
    int slot = ((s->mem_head - 1 - j) % m + m) % m;
    const double *sv = s->S + (size_t)slot * n, *yv = s->Y + (size_t)slot * n;
    double b = s->rho[slot] * dufm_i_dot(yv, q, n);
    for (size_t i = 0; i < n; i++)
      q[i] += (s->alpha[slot] - b) * sv[i];
  }
  for (size_t i = 0; i < n; i++)
    q[i] = -q[i];
}

/* Stores s = xt - x, y = gt - g when the curvature condition holds. */
static void push_pair(dufm_optim *s) {
  const size_t n = s->n;
  double *sv = s->S + (size_t)s->mem_head * n, *yv = s->Y + (size_t)s->mem_head * n;
  for (size_t i = 0; i < n; i++) {
    sv[i] = s->xt[i] - s->x[i];
    yv[i] = s->gt[i] - s->g[i];
  }
  double sy = dufm_i_dot(sv, yv, n), ss = dufm_i_dot(sv, sv, n), yy = dufm_i_dot(yv, yv, n);
  if (!(sy > CURVATURE_MIN * sqrt(ss) * sqrt(yy))) {
    /* The slot held the oldest pair when the memory was full: it is gone. */
    if (s->mem_count == s->o.memory)
      s->mem_count--;
    return;
  }
  s->rho[s->mem_head] = 1.0 / sy;
  s->mem_head = (s->mem_head + 1) % s->o.memory;
  if (s->mem_count < s->o.memory)
    s->mem_count++;
}

/* The trial becomes the iterate: swap buffers and their views. */
static void accept(dufm_optim *s) {
  double *t = s->x;
  s->x = s->xt;
  s->xt = t;
  t = s->g;
  s->g = s->gt;
  s->gt = t;
  dufm_config c = s->cx;
  s->cx = s->cxt;
  s->cxt = c;
  c = s->cg;
  s->cg = s->cgt;
  s->cgt = c;
  s->f = s->ft;
  s->gnorm = s->gtnorm;
}

static double max_abs(const double *v, size_t n) {
  double m = 0.0;
  for (size_t i = 0; i < n; i++)
    m = fmax(m, fabs(v[i]));
  return m;
}

/* Trial point x + a dir, evaluated into (xt, gt); 0 when the loss is finite. */
static int trial(dufm_optim *s, double a) {
  for (size_t i = 0; i < s->n; i++)
    s->xt[i] = s->x[i] + a * s->dir[i];
  return dufm_i_optim_eval(s, 1);
}

/* Weak Wolfe search by bracketing (Lewis and Overton's choice for BFGS on
 * nonsmooth functions): Armijo f(a) <= f + c1 a gd and slope g(a)'d >= c2 gd,
 * doubling a until Armijo fails, then bisecting. Accepted points always have
 * s'y > 0. When the bracket collapses first (a kink), the last Armijo point
 * is taken if there is one. Returns 1 when a step was accepted. */
static int line_search(dufm_optim *s, double a0, double gd) {
  const size_t n = s->n;
  const double xmax = max_abs(s->x, n), dmax = max_abs(s->dir, n), f = s->f.loss;
  double a = a0, lo = 0.0, hi = INFINITY;
  for (int it = 0; it < MAX_TRIALS; it++) {
    /* Once the step no longer moves x in floating point there is nothing to find. */
    if (!(a * dmax > DBL_EPSILON * xmax) && xmax > 0.0)
      break;
    if (trial(s, a) != 0 || s->ft.loss > f + ARMIJO_C1 * a * gd) {
      hi = a;
    } else if (dufm_i_dot(s->gt, s->dir, n) < WOLFE_C2 * gd) {
      lo = a;
    } else {
      push_pair(s);
      accept(s);
      return 1;
    }
    a = isinf(hi) ? 2.0 * a : 0.5 * (lo + hi);
  }
  if (lo > 0.0 && trial(s, lo) == 0) {
    push_pair(s);
    accept(s);
    return 1;
  }
  return 0;
}

dufm_optim_stop dufm_i_lbfgs_iterate(dufm_optim *s) {
  const size_t n = s->n;
  for (int attempt = 0; attempt < 2; attempt++) {
    int steepest = s->mem_count == 0;
    double gd = 0.0;
    if (!steepest) {
      two_loop(s);
      gd = dufm_i_dot(s->g, s->dir, n);
      /* Not a descent direction (possible across kinks): forget the pairs. */
      if (!(gd < 0.0) || !isfinite(gd)) {
        s->mem_count = s->mem_head = 0;
        steepest = 1;
      }
    }
    if (steepest) {
      for (size_t i = 0; i < n; i++)
        s->dir[i] = -s->g[i];
      gd = -s->gnorm * s->gnorm;
      if (!(gd < 0.0))
        return DUFM_OPTIM_CONVERGED; /* zero gradient: a stationary point */
    }
    /* Without curvature information the first trial moves x by at most 1. */
    double a0 = steepest ? fmin(1.0, 1.0 / s->gnorm) : 1.0;
    if (line_search(s, a0, gd)) {
      s->k++;
      return dufm_i_optim_test(s);
    }
    if (steepest)
      return DUFM_OPTIM_LINESEARCH;
    s->mem_count = s->mem_head = 0; /* retry once along steepest descent */
  }
  return DUFM_OPTIM_LINESEARCH;
}
