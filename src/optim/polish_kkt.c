/* Active-set polish of one piece, two variants sharing the machinery.
 * piece_loop (fixed = 1, the default stage): a KKT point of
 *   min F_M(x)  s.t.  P_e(x) >= 0 where M_e = 1, P_e(x) <= 0 where M_e = 0,
 * the mask M never changes; judged by the one-sided bounded least squares
 * over the entries at 0.
 * cross_loop (fixed = 0): min F_M s.t. P_e = 0 on the held set E (masked to
 * 0), the other entries on their side; held entries whose multiplier lies
 * outside [0, dF/dH] are released to the side it asks for (the pattern may
 * change); judged by Clarke stationarity (docs/search.md, "Polish").
 *
 * Each iteration: the Jacobian J of P_E (one backward pass per constraint,
 * dense), its pivoted QR J^T Pi = Q R; least-squares multipliers
 * mu = -Pi R^-1 Q^T g and the Lagrangian gradient r = g + J^T mu = (I - Q Q^T) g;
 * a Steihaug conjugate-gradient step on {J d = 0} with Hessian-vector
 * products of the Lagrangian by central differences of its gradient; chord
 * Gauss-Newton corrections back onto P_E = 0 (minimum-norm,
 * x += Q R^-T (-c)); a ratio test that holds the first entries crossing zero
 * and cuts the step there; trust-region acceptance on the piece loss of the
 * feasible points. The end point is judged by clarke() (bounded least
 * squares over every entry at 0), not by the working set's least-squares
 * multipliers. */
#include <cblas.h>
#include <float.h>
#include <lapacke.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "optim/polish_internal.h"

/* Columns of R below this fraction of the largest count as dependent. */
#define RANK_TOL 1e-10
/* Relative slack of the multiplier sign conditions when releasing. */
#define SIGN_TOL 1e-9
/* Largest dense Jacobian (doubles) this method allocates. */
#define MAX_JAC 20000000.0
#define MAX_CG 600
#define MAX_RESTORE 12
/* Entries this close to zero (relative to the largest |P|) may be held
 * together with a blocking one. */
#define NEAR_ZERO 1e-9

typedef struct {
  dufm_i_pe *pe;
  size_t n, nm;
  long m, r;         /* working set size, rank of J */
  long *ent;         /* working set: mask indices */
  double *J, *Q, *R; /* m x n (row e = grad P_e); Q n x r col-major; R r x r col-major */
  double *tau;
  lapack_int *piv;
  double *mu; /* multipliers in mask layout (NaN off E), fed to the evaluator */
  double *g, *rr, *d, *p, *hp, *z, *xt, *w1, *w2, *tmp, *c;
  double *pre0;  /* pre-activations at x (all layers back to back) */
  double *nanmu; /* all NaN: piece evaluations that fill pe->dh */
  long extra;    /* evaluation-equivalents of the Jacobian builds */
  long budget;
  long ev0, cap;     /* evaluations at the start; largest working set */
  double ctol, tolb; /* constraint residual target; |P| <= tolb is on the boundary */
  double pscale;     /* largest |P| at the start */
  int fixed;         /* the mask never changes (dufm_i_kkt_run) */
  double *muv, *x0;  /* multipliers in working-set order; step origin */
  unsigned char *mask0;
  double *mu_keep;
  long m_keep;
  unsigned char *fresh; /* fixed: released and not yet off zero (not re-held) */
} kkt;

static double dot(const double *a, const double *b, size_t n) {
  return cblas_ddot((int)n, a, 1, b, 1);
}

static double nrm(const double *a, size_t n) { return cblas_dnrm2((int)n, a, 1); }

static long used(const kkt *s, long ev0) { return s->pe->evals - ev0 + s->extra; }

/* Offsets into the flat vector. */
static size_t w_off(const dufm_i_pe *pe, int k) {
  size_t o = (size_t)pe->d[0] * pe->cols;
  for (int t = 0; t < k; t++)
    o += (size_t)pe->d[t + 1] * pe->d[t];
  return o;
}

/* Mask index -> layer. */
static int layer_of(const dufm_i_pe *pe, size_t e) {
  int k = 1;
  while (k + 1 < pe->L && e >= pe->moff[k + 1])
    k++;
  return k;
}

/* Piece loss and gradient; fills pe->dh (dF/dH before the mask). */
static double piece(kkt *s, const double *x, double *g) {
  s->pe->mult = s->nanmu;
  s->pe->rho = 0.0;
  return dufm_i_pe_eval(s->pe, x, g);
}

/* The Lagrangian's gradient with the current multipliers (rr's values). */
static double lagr(kkt *s, const double *x, const double *muv, double *g) {
  dufm_i_pe *pe = s->pe;
  for (long t = 0; t < s->m; t++)
    s->mu[s->ent[t]] = muv[t];
  pe->mult = s->mu;
  pe->rho = 0.0;
  return dufm_i_pe_eval(pe, x, g);
}

/* Copy of the pre-activations of the last forward pass. */
static void save_pre(kkt *s, double *dst) {
  const dufm_i_pe *pe = s->pe;
  for (int k = 1; k < pe->L; k++)
    memcpy(dst + pe->moff[k], pe->pre[k], (size_t)pe->d[k] * pe->cols * sizeof *dst);
}

/* J's rows at the point of the last forward pass: dP_e / dx through the
 * piece (entries of E have derivative 0 there). */
static void build_jac_list(kkt *s, const double *x, const long *ent, long m) {
  dufm_i_pe *pe = s->pe;
  const int cols = pe->cols;
  double *gh = s->w1, *gp = s->w2;
  memset(s->J, 0, (size_t)m * s->n * sizeof *s->J);
  for (long t = 0; t < m; t++) {
    size_t e = (size_t)ent[t];
    int k = layer_of(pe, e);
    size_t loc = e - pe->moff[k];
    int i = (int)(loc / (size_t)cols), j = (int)(loc % (size_t)cols);
    double *row = s->J + (size_t)t * s->n;
    int din = pe->d[k - 1];
    const double *hin = k - 1 == 0 ? x : pe->hid[k - 1];
    const double *wk = x + w_off(pe, k - 1);
    for (int b = 0; b < din; b++) {
      row[w_off(pe, k - 1) + (size_t)i * din + b] = hin[(size_t)b * cols + j];
      gh[b] = wk[(size_t)i * din + b];
    }
    for (int l = k - 1; l >= 1; l--) {
      int dl = pe->d[l], dm = pe->d[l - 1];
      const double *hm = l - 1 == 0 ? x : pe->hid[l - 1];
      const double *wl = x + w_off(pe, l - 1);
      size_t ow = w_off(pe, l - 1);
      for (int a = 0; a < dl; a++)
        gp[a] = gh[a] * pe->der[l][(size_t)a * cols + j];
      for (int b = 0; b < dm; b++)
        gh[b] = 0.0;
      for (int a = 0; a < dl; a++) {
        if (gp[a] == 0.0)
          continue;
        for (int b = 0; b < dm; b++) {
          row[ow + (size_t)a * dm + b] += gp[a] * hm[(size_t)b * cols + j];
          gh[b] += wl[(size_t)a * dm + b] * gp[a];
        }
      }
    }
    for (int b = 0; b < pe->d[0]; b++)
      row[(size_t)b * cols + j] = gh[b];
  }
  /* One backward pass of a single column is about 1 / cols of a gradient. */
  s->extra += 1 + m / (cols > 0 ? cols : 1);
}

static void build_jac(kkt *s, const double *x) { build_jac_list(s, x, s->ent, s->m); }

/* Pivoted QR of J^T (n x m, column-major = J row-major): Q, R, piv, rank. */
static dufm_status factor(kkt *s) {
  s->r = 0;
  if (s->m == 0)
    return DUFM_OK;
  const lapack_int n = (lapack_int)s->n, m = (lapack_int)s->m;
  memcpy(s->Q, s->J, (size_t)s->m * s->n * sizeof *s->Q);
  for (long t = 0; t < s->m; t++)
    s->piv[t] = 0;
  if (LAPACKE_dgeqp3(LAPACK_COL_MAJOR, n, m, s->Q, n, s->piv, s->tau) != 0)
    return DUFM_ENUMERIC;
  double top = fabs(s->Q[0]);
  long r = 0;
  long lim = s->m < (long)s->n ? s->m : (long)s->n;
  while (r < lim && fabs(s->Q[(size_t)r * s->n + r]) > RANK_TOL * top)
    r++;
  s->r = r;
  if (r == 0)
    return DUFM_OK;
  for (long b = 0; b < r; b++)
    for (long a = 0; a < r; a++)
      s->R[(size_t)b * r + a] = a <= b ? s->Q[(size_t)b * s->n + a] : 0.0;
  if (LAPACKE_dorgqr(LAPACK_COL_MAJOR, n, (lapack_int)r, (lapack_int)r, s->Q, n, s->tau) != 0)
    return DUFM_ENUMERIC;
  return DUFM_OK;
}

/* v <- (I - Q Q^T) v. */
static void project(kkt *s, double *v) {
  if (s->r == 0)
    return;
  cblas_dgemv(CblasColMajor, CblasTrans, (int)s->n, (int)s->r, 1.0, s->Q, (int)s->n, v, 1, 0.0,
              s->tmp, 1);
  cblas_dgemv(CblasColMajor, CblasNoTrans, (int)s->n, (int)s->r, -1.0, s->Q, (int)s->n, s->tmp, 1,
              1.0, v, 1);
}

/* Least-squares multipliers of g (into muv, working-set order; dependent
 * constraints get 0). */
static void multipliers(kkt *s, const double *g, double *muv) {
  for (long t = 0; t < s->m; t++)
    muv[t] = 0.0;
  if (s->r == 0)
    return;
  cblas_dgemv(CblasColMajor, CblasTrans, (int)s->n, (int)s->r, -1.0, s->Q, (int)s->n, g, 1, 0.0,
              s->tmp, 1);
  cblas_dtrsv(CblasColMajor, CblasUpper, CblasNoTrans, CblasNonUnit, (int)s->r, s->R, (int)s->r,
              s->tmp, 1);
  for (long t = 0; t < s->r; t++)
    muv[s->piv[t] - 1] = s->tmp[t];
}

/* Largest |P_e| over E at the last forward pass, and c (working-set order). */
static double residual(kkt *s) {
  double worst = 0.0;
  for (long t = 0; t < s->m; t++) {
    size_t e = (size_t)s->ent[t];
    int k = layer_of(s->pe, e);
    s->c[t] = s->pe->pre[k][e - s->pe->moff[k]];
    worst = fmax(worst, fabs(s->c[t]));
  }
  return worst;
}

/* Chord (fixed-Jacobian Gauss-Newton) corrections of x onto P_E = 0:
 * x <- x + Q R^-T (-c_piv), the minimum-norm correction of the independent
 * constraints. Returns the final largest |P_e| (forward pass done at x). */
static double restore(kkt *s, double *x, double ctol) {
  dufm_i_pe *pe = s->pe;
  pe->mult = NULL;
  dufm_i_pe_eval(pe, x, NULL);
  double res = residual(s), prev = INFINITY;
  for (int it = 0; it < MAX_RESTORE && res > ctol && s->r > 0 && res < 0.5 * prev; it++) {
    for (long t = 0; t < s->r; t++)
      s->tmp[t] = -s->c[s->piv[t] - 1];
    cblas_dtrsv(CblasColMajor, CblasUpper, CblasTrans, CblasNonUnit, (int)s->r, s->R, (int)s->r,
                s->tmp, 1);
    cblas_dgemv(CblasColMajor, CblasNoTrans, (int)s->n, (int)s->r, 1.0, s->Q, (int)s->n, s->tmp, 1,
                1.0, x, 1);
    dufm_i_pe_eval(pe, x, NULL);
    prev = res;
    res = residual(s);
  }
  return res;
}

/* The fraction of the step at which entry e (layer k, index i) off E left
 * its side by more than tolb between pre0 and the last forward pass, or -1. */
static double crossing(const kkt *s, size_t e, int k, size_t i, double tolb) {
  const dufm_i_pe *pe = s->pe;
  if (!isnan(s->mu[e]))
    return -1.0;
  double q0 = s->pre0[e], q1 = pe->pre[k][i], a;
  if (pe->mask[e]) {
    if (!(q1 < -tolb))
      return -1.0;
    a = (q0 + tolb) / (q0 - q1);
  } else {
    if (!(q1 > tolb))
      return -1.0;
    a = (tolb - q0) / (q1 - q0);
  }
  return fmin(fmax(a, 0.0), 1.0);
}

/* First entry off E that left its side (by more than tolb) between pre0
 * (at x) and the last forward pass (at x + d): returns its mask index and
 * the linearly interpolated fraction alpha of the step, or -1. */
static long blocking(kkt *s, double tolb, double *alpha) {
  const dufm_i_pe *pe = s->pe;
  long who = -1;
  *alpha = 1.0;
  for (int k = 1; k < pe->L; k++) {
    size_t mk = (size_t)pe->d[k] * pe->cols;
    for (size_t i = 0; i < mk; i++) {
      size_t e = pe->moff[k] + i;
      double a = crossing(s, e, k, i, tolb);
      if (a >= 0.0 && (who < 0 || a < *alpha)) {
        who = (long)e;
        *alpha = a;
      }
    }
  }
  return who;
}

/* Steihaug CG on min g.d + d.H d / 2, J d = 0, |d| <= delta from rr = (I -
 * QQ^T) g. Returns the predicted decrease (>= 0) in *pred; d in s->d. */
static void steihaug(kkt *s, const double *x, const double *muv, double delta, double tol,
                     double *pred, long ev0) {
  const size_t n = s->n;
  double *d = s->d, *r = s->w1, *z = s->z, *p = s->p, *hp = s->hp;
  memset(d, 0, n * sizeof *d);
  memcpy(r, s->g, n * sizeof *r);
  memcpy(z, s->rr, n * sizeof *z);
  for (size_t i = 0; i < n; i++)
    p[i] = -z[i];
  double zz = dot(z, z, n);
  const double xs = 1.0 + nrm(x, n);
  for (int it = 0; it < MAX_CG && used(s, ev0) + 2 <= s->budget; it++) {
    double pn = nrm(p, n);
    if (!(pn > 0.0))
      break;
    double h = cbrt(DBL_EPSILON) * xs / pn;
    for (size_t i = 0; i < n; i++)
      s->xt[i] = x[i] + h * p[i];
    lagr(s, s->xt, muv, hp);
    for (size_t i = 0; i < n; i++)
      s->xt[i] = x[i] - h * p[i];
    lagr(s, s->xt, muv, s->tmp + s->m + 1);
    for (size_t i = 0; i < n; i++)
      hp[i] = (hp[i] - s->tmp[s->m + 1 + i]) / (2.0 * h);
    double kap = dot(p, hp, n);
    double dp = dot(d, p, n), dd = dot(d, d, n);
    /* tau with |d + tau p| = delta */
    double tau_b = (-dp + sqrt(dp * dp + pn * pn * (delta * delta - dd))) / (pn * pn);
    if (kap <= 0.0 || zz / kap >= tau_b) {
      double a = tau_b;
      for (size_t i = 0; i < n; i++) {
        d[i] += a * p[i];
        r[i] += a * hp[i];
      }
      break;
    }
    double a = zz / kap;
    for (size_t i = 0; i < n; i++) {
      d[i] += a * p[i];
      r[i] += a * hp[i];
    }
    memcpy(z, r, n * sizeof *z);
    project(s, z);
    double zz1 = dot(z, z, n);
    if (sqrt(zz1) <= tol)
      break;
    double beta = zz1 / zz;
    zz = zz1;
    for (size_t i = 0; i < n; i++)
      p[i] = -z[i] + beta * p[i];
  }
  /* r = g + H d: q(d) = g.d + d.(r - g) / 2, with g and r projected on the
   * tangent space (d lies in it): the full g is mostly normal to it, and
   * its products with d would drown small decreases in rounding. */
  project(s, r);
  *pred = -0.5 * (dot(s->rr, d, n) + dot(r, d, n));
}

/* Does d move an entry off E that sits on its boundary (within tolb) to the
 * wrong side at first order? One forward pass at x + h d. */
static int wrong_way(kkt *s, const double *x, double tolb) {
  dufm_i_pe *pe = s->pe;
  const size_t n = s->n;
  double dn = nrm(s->d, n);
  if (!(dn > 0.0))
    return 0;
  double h = 1e-7 * (1.0 + nrm(x, n)) / dn;
  for (size_t i = 0; i < n; i++)
    s->xt[i] = x[i] + h * s->d[i];
  pe->mult = NULL;
  dufm_i_pe_eval(pe, s->xt, NULL);
  for (int k = 1; k < pe->L; k++) {
    size_t mk = (size_t)pe->d[k] * pe->cols;
    for (size_t i = 0; i < mk; i++) {
      size_t e = pe->moff[k] + i;
      double q0 = s->pre0[e];
      if (!isnan(s->mu[e]) || fabs(q0) > tolb)
        continue;
      double slope = (pe->pre[k][i] - q0) / h;
      if (pe->mask[e] ? slope < -tolb : slope > tolb)
        return 1;
    }
  }
  return 0;
}

/* d = -t r with t minimizing the model along -r within the trust region. */
static void cauchy(kkt *s, const double *x, const double *muv, double delta, double *pred) {
  const size_t n = s->n;
  double rn = nrm(s->rr, n);
  *pred = 0.0;
  memset(s->d, 0, n * sizeof *s->d);
  if (!(rn > 0.0))
    return;
  double h = cbrt(DBL_EPSILON) * (1.0 + nrm(x, n)) / rn;
  for (size_t i = 0; i < n; i++)
    s->xt[i] = x[i] + h * s->rr[i];
  lagr(s, s->xt, muv, s->hp);
  for (size_t i = 0; i < n; i++)
    s->xt[i] = x[i] - h * s->rr[i];
  lagr(s, s->xt, muv, s->tmp + s->m + 1);
  for (size_t i = 0; i < n; i++)
    s->hp[i] = (s->hp[i] - s->tmp[s->m + 1 + i]) / (2.0 * h);
  double kap = dot(s->rr, s->hp, n), rr2 = rn * rn;
  double t = delta / rn;
  if (kap > 0.0 && rr2 / kap < t)
    t = rr2 / kap;
  for (size_t i = 0; i < n; i++)
    s->d[i] = -t * s->rr[i];
  *pred = t * rr2 - 0.5 * t * t * kap;
}

/* Warm starts and results of the bounded least squares, per mask entry. */
typedef struct {
  double *z, *lo, *hi, *bz, *b; /* z, state: per mask entry; lo..b: Z order */
  signed char *st, *bst;
} clk;

/* The Clarke stationarity of the true loss at x. Z = the entries with
 * |P| <= tolb (at most cap): with them inactive the piece has gradient g0 and
 * dF/dH_e = c_e, and the loss's generalized gradients are
 * g0 + sum_e theta_e c_e grad P_e, theta in [0, 1]^Z. The bounded least
 * squares min |g0 + J^T mu| over mu_e between 0 and c_e (mu = theta c, J the
 * rows grad P_e) gives the nearest one: r = g0 + J^T mu into s->rr, its norm
 * into *rn. On return s->ent = Z (mask 0, multiplier 0), the other entries
 * have multiplier NaN and mask P > 0; s->g = g0, s->pre0 = P at x, s->J = J,
 * c->bz / c->bst = mu and its BVLS states in Z order. */
static dufm_status clarke(kkt *s, clk *c, const double *x, double tolb, long cap, int fixed,
                          double *f, double *rn) {
  dufm_i_pe *pe = s->pe;
  const size_t n = s->n;
  pe->mult = NULL;
  dufm_i_pe_eval(pe, x, NULL);
  s->m = 0;
  for (int k = 1; k < pe->L; k++) {
    size_t mk = (size_t)pe->d[k] * pe->cols;
    for (size_t i = 0; i < mk; i++) {
      size_t e = pe->moff[k] + i;
      double q = pe->pre[k][i];
      if (fabs(q) <= tolb && s->m < cap) {
        s->ent[s->m++] = (long)e;
        s->mu[e] = 0.0;
        if (!fixed)
          pe->mask[e] = 0;
      } else {
        s->mu[e] = NAN;
        if (!fixed)
          pe->mask[e] = q > 0.0;
      }
    }
  }
  *f = piece(s, x, s->g);
  save_pre(s, s->pre0);
  memcpy(s->rr, s->g, n * sizeof *s->rr);
  *rn = nrm(s->rr, n);
  const long m = s->m;
  if (m == 0 || !isfinite(*f))
    return DUFM_OK;
  build_jac(s, x);
  /* J^T = Q R (n x m): the problem shrinks to min |R mu - Q^T (-g0)|. */
  const lapack_int ln = (lapack_int)n, lm = (lapack_int)m;
  const long k = m < (long)n ? m : (long)n;
  memcpy(s->Q, s->J, (size_t)m * n * sizeof *s->Q);
  if (LAPACKE_dgeqrf(LAPACK_COL_MAJOR, ln, lm, s->Q, ln, s->tau) != 0)
    return DUFM_ENUMERIC;
  for (size_t i = 0; i < n; i++)
    s->tmp[i] = -s->g[i];
  if (LAPACKE_dormqr(LAPACK_COL_MAJOR, 'L', 'T', ln, 1, (lapack_int)k, s->Q, ln, s->tau, s->tmp,
                     ln) != 0)
    return DUFM_ENUMERIC;
  for (long b = 0; b < m; b++)
    for (long a = 0; a < k; a++)
      s->R[(size_t)b * k + a] = a <= b ? s->Q[(size_t)b * n + a] : 0.0;
  for (long t = 0; t < m; t++) {
    size_t e = (size_t)s->ent[t];
    double dh = pe->dh[e];
    c->lo[t] = fixed ? (pe->mask[e] ? -INFINITY : 0.0) : fmin(0.0, dh);
    c->hi[t] = fixed ? (pe->mask[e] ? 0.0 : INFINITY) : fmax(0.0, dh);
    c->b[t] = t < k ? s->tmp[t] : 0.0;
    c->bz[t] = c->z[e];
    c->bst[t] = c->st[e];
  }
  double rs;
  dufm_status st = dufm_i_bvls((int)k, (int)m, s->R, c->b, c->lo, c->hi, c->bz, c->bst, &rs);
  if (st != DUFM_OK)
    return st;
  for (long t = 0; t < m; t++) {
    c->z[s->ent[t]] = c->bz[t];
    c->st[s->ent[t]] = c->bst[t];
  }
  cblas_dgemv(CblasRowMajor, CblasTrans, (int)m, (int)n, 1.0, s->J, (int)n, c->bz, 1, 1.0, s->rr,
              1);
  *rn = nrm(s->rr, n);
  return DUFM_OK;
}

/* x <- x0 + s->d pulled back onto P_E = 0; an entry off E that crosses zero
 * on the way joins E (masked to 0 unless the mask is fixed) and the step is
 * cut back to the first crossing. *ft = the piece loss at the new x, +inf
 * when it could not be made feasible. */
static dufm_status trial(kkt *s, double *x, long *added, double *alpha_out, double *ft) {
  const size_t n = s->n;
  double alpha = 1.0;
  *added = 0;
  for (size_t i = 0; i < n; i++)
    x[i] = s->x0[i] + s->d[i];
  double res = restore(s, x, s->ctol);
  for (int tries = 0; tries < 8; tries++) {
    if (s->fixed && !(res <= 1e-6 * s->pscale)) {
      /* The correction failed: no crossing read off such a point means
       * anything. */
      res = INFINITY;
      break;
    }
    double a1;
    long b1 = blocking(s, s->tolb, &a1);
    if (b1 < 0)
      break;
    if (tries == 7 || s->m >= s->cap) {
      res = INFINITY;
      break;
    }
    /* A fixed piece holds every entry crossing at the first fraction at
     * once (entries a hair off zero would otherwise cost a step each). */
    if (s->fixed)
      for (int k = 1; k < s->pe->L && s->m < s->cap; k++)
        for (size_t i = 0; i < (size_t)s->pe->d[k] * s->pe->cols && s->m < s->cap; i++) {
          size_t e = s->pe->moff[k] + i;
          double a = (long)e == b1 ? -1.0 : crossing(s, e, k, i, s->tolb);
          if (a >= 0.0 && a <= a1 + 1e-9 && fabs(s->pre0[e]) <= NEAR_ZERO * s->pscale) {
            s->mu[e] = 0.0;
            s->ent[s->m++] = (long)e;
            (*added)++;
          }
        }
    alpha *= a1;
    for (size_t i = 0; i < n; i++)
      x[i] = s->x0[i] + alpha * s->d[i];
    s->mu[b1] = 0.0;
    if (!s->fixed)
      s->pe->mask[b1] = 0;
    s->ent[s->m++] = b1;
    (*added)++;
    s->pe->mult = NULL;
    dufm_i_pe_eval(s->pe, s->x0, NULL);
    build_jac(s, s->x0);
    dufm_status st = factor(s);
    if (st != DUFM_OK)
      return st;
    res = restore(s, x, s->ctol);
  }
  *alpha_out = alpha;
  /* Feasible: the held entries at 0 to rounding, or no farther from it than
   * they were at x0 (entries held a hair off zero whose rows depend on the
   * others cannot be corrected on their own). */
  double v0 = 0.0;
  if (s->fixed)
    for (long t = 0; t < s->m; t++)
      v0 = fmax(v0, fabs(s->pre0[s->ent[t]]));
  *ft = res <= fmax(1e3 * s->ctol, 10.0 * v0) ? piece(s, x, NULL) : INFINITY;
  return DUFM_OK;
}

/* Are all entries held since keep() within NEAR_ZERO of 0 at x0? */
static int held_near_zero(const kkt *s) {
  for (long t = s->m_keep; t < s->m; t++)
    if (!(fabs(s->pre0[s->ent[t]]) <= NEAR_ZERO * s->pscale))
      return 0;
  return 1;
}

/* Saves the point, mask and working set before a trial step. */
static void keep(kkt *s, const double *x) {
  memcpy(s->x0, x, s->n * sizeof *x);
  memcpy(s->mask0, s->pe->mask, s->nm);
  memcpy(s->mu_keep, s->mu, s->nm * sizeof *s->mu);
  s->m_keep = s->m;
}

/* Undoes a rejected trial step. */
static void undo(kkt *s, double *x) {
  memcpy(x, s->x0, s->n * sizeof *x);
  memcpy(s->pe->mask, s->mask0, s->nm);
  memcpy(s->mu, s->mu_keep, s->nm * sizeof *s->mu);
  s->m = s->m_keep; /* trial() only appends to the working set */
}

/* Trust-region acceptance of a step with predicted decrease pa from f to ft;
 * dn the length taken, full the length proposed. */
static int accept(double f, double ft, double pa, double dn, double full, double *delta) {
  double noise = 16.0 * DBL_EPSILON * fabs(f), ared = f - ft;
  int ok = isfinite(ft) && (ared >= 1e-4 * pa || (pa <= noise && ared >= -noise));
  if (ok) {
    double rho = pa > noise ? ared / pa : 1.0;
    if (rho > 0.75 && dn >= 0.8 * *delta)
      *delta *= 2.0;
    else if (rho < 0.25)
      *delta = 0.25 * dn;
  } else {
    *delta = 0.25 * fmin(full, *delta);
  }
  return ok;
}

/* At x (s->g the piece gradient there): J of the working set, its QR, the
 * least-squares multipliers into s->muv and the tangent gradient s->rr,
 * whose norm goes to *rn. */
static dufm_status linearize(kkt *s, const double *x, double *rn) {
  build_jac(s, x);
  dufm_status st = factor(s);
  if (st != DUFM_OK)
    return st;
  multipliers(s, s->g, s->muv);
  memcpy(s->rr, s->g, s->n * sizeof *s->rr);
  project(s, s->rr);
  *rn = nrm(s->rr, s->n);
  return DUFM_OK;
}

/* The tangent step from x (s->g, s->rr and s->muv of the working set at x):
 * Steihaug Newton-CG, the trial and the trust-region test. Returns 1 when
 * the loop should stop (radius exhausted, or an error in *st). */
static int tangent_step(kkt *s, double *x, double f, double rn, double rel_tol, double *delta,
                        long *stall, dufm_i_kkt_out *out, dufm_status *st) {
  const size_t n = s->n;
  double pred;
  double tol = rn * fmin(0.1, sqrt(rn / fabs(f)));
  tol = fmax(tol, (s->fixed ? 0.01 : 0.05) * rel_tol * fabs(f));
  *st = DUFM_OK;
  steihaug(s, x, s->muv, *delta, tol, &pred, s->ev0);
  if (!s->fixed && wrong_way(s, x, s->tolb)) {
    /* The Newton step would push an entry that sits on its boundary (just
     * released, or degenerate) across at once: the Cauchy step along -r
     * moves a released entry to its side at first order. */
    cauchy(s, x, s->muv, *delta, &pred);
    out->cauchy++;
  }
  double dn = nrm(s->d, n);
  if (!(dn > 0.0) || !(pred > 0.0)) {
    (*stall)++;
    *delta *= 0.25;
    return *delta < 1e-18 * (1.0 + nrm(x, n));
  }
  keep(s, x);
  long added;
  double alpha, ft, before = *delta;
  if ((*st = trial(s, x, &added, &alpha, &ft)) != DUFM_OK)
    return 1;
  /* alpha pred <= the model's decrease; the fixed piece measures the radius
   * by the length taken. */
  if (accept(f, ft, alpha * pred, s->fixed ? alpha * dn : dn, dn, delta)) {
    out->added += added;
    *stall = 0;
    return 0;
  }
  (*stall)++;
  if (s->fixed && added > 0 && alpha < 1e-3 && held_near_zero(s)) {
    /* Cut at once by entries a hair off zero: hold them and retry from x0
     * with the same radius (the next trial restores them to 0). */
    memcpy(x, s->x0, n * sizeof *x);
    out->added += added;
    *delta = before;
    return 0;
  }
  undo(s, x);
  return *delta < 1e-18 * (1.0 + nrm(x, n));
}

/* The cross-piece loop: held entries are released to the side their
 * least-squares multiplier asks for, which may change the pattern. */
static dufm_status cross_loop(kkt *s, double *x, double rel_tol, dufm_i_kkt_out *out) {
  dufm_i_pe *pe = s->pe;
  const size_t n = s->n;
  double *muv = s->muv;
  dufm_status st;
  double delta = 0.1 * (1.0 + nrm(x, n));
  long stall = 0;
  int need_jac = 0;
  for (;;) {
    if (need_jac) {
      pe->mult = NULL;
      dufm_i_pe_eval(pe, x, NULL);
      build_jac(s, x);
      if ((st = factor(s)) != DUFM_OK)
        return st;
      restore(s, x, s->ctol);
      need_jac = 0;
    }
    double f = piece(s, x, s->g);
    save_pre(s, s->pre0);
    if (!isfinite(f))
      break;
    double rn;
    if ((st = linearize(s, x, &rn)) != DUFM_OK)
      return st;
    out->iters++;
    /* The worst multiplier outside [0, dF/dH], weighted by |grad P_e| so
     * that it compares with rn (independent constraints only: the others'
     * least-squares multipliers are 0 by choice, not by the problem). */
    long worst = -1;
    double wv = 0.0;
    int to_active = 0;
    for (long q = 0; q < s->r; q++) {
      long t = s->piv[q] - 1;
      double c = pe->dh[s->ent[t]], slack = SIGN_TOL * (1.0 + fabs(c));
      double lo = -muv[t], hi = muv[t] - c, v = fmax(lo, hi);
      if (v <= slack)
        continue;
      double wgt = v * nrm(s->J + (size_t)t * n, n);
      if (wgt > wv) {
        wv = wgt;
        worst = t;
        to_active = hi > lo;
      }
    }
    if (rn <= rel_tol * fabs(f) && worst < 0)
      break;
    if (used(s, s->ev0) + 4 > s->budget || stall > 30)
      break;
    if (worst >= 0 && 0.01 * wv > rn) {
      /* Release: the entry moves to the side its multiplier asks for. */
      long e = s->ent[worst];
      pe->mask[e] = (unsigned char)to_active;
      s->mu[e] = NAN;
      s->ent[worst] = s->ent[--s->m];
      out->released++;
      need_jac = 1;
      continue;
    }
    int stop = tangent_step(s, x, f, rn, rel_tol, &delta, &stall, out, &st);
    if (st != DUFM_OK)
      return st;
    if (stop)
      break;
  }
  return DUFM_OK;
}

/* After clarke(fixed): releases the held entries whose multiplier sits at
 * its bound 0 while the residual s->rr pulls them into their own side (they
 * leave the working set, marked fresh); the others stay, in order, with
 * their multipliers in s->muv and their rows in s->J. Returns the count. */
static long release_pulled(kkt *s, const clk *c) {
  const size_t n = s->n;
  long kept = 0, rel = 0;
  double rkn = nrm(s->rr, n);
  for (long t = 0; t < s->m; t++) {
    long e = s->ent[t];
    const double *row = s->J + (size_t)t * n;
    double pull = dot(row, s->rr, n), rown = nrm(row, n);
    int at_bound = c->bst[t] == -1 || c->bst[t] == 1;
    int inward = s->pe->mask[e] ? pull < 0.0 : pull > 0.0;
    if (at_bound && inward && fabs(pull) > 1e-12 * rkn * rown) {
      s->mu[e] = NAN;
      s->fresh[e] = 1;
      rel++;
    } else {
      memmove(s->J + (size_t)kept * n, row, n * sizeof *row);
      s->muv[kept] = c->bz[t];
      s->ent[kept++] = e;
    }
  }
  s->m = kept;
  return rel;
}

/* The fixed-piece loop: min F_M s.t. P_e <= 0 on inactive entries, >= 0 on
 * active ones, M never changes. Newton-CG on the stratum of the working set
 * until its tangent gradient is below half the target; then the
 * piece's KKT test (one-sided bounded least squares over every entry at 0,
 * clarke(fixed)); entries whose multiplier is at its bound 0 while the
 * residual pulls them inward are released, and a steepest-descent step along
 * that residual (first-order feasible: it moves each released entry into its
 * own side, and within one piece the first-order model is exact) leaves the
 * stratum before Newton resumes. */
static dufm_status piece_loop(kkt *s, clk *c, double *x, double rel_tol, dufm_i_kkt_out *out) {
  const size_t n = s->n;
  double *muv = s->muv;
  dufm_status st;
  double delta = 0.1 * (1.0 + nrm(x, n));
  long stall = 0;
  int judge = 1;
  for (;;) {
    if (used(s, s->ev0) + 4 > s->budget || stall > 30)
      break;
    double f = piece(s, x, s->g);
    save_pre(s, s->pre0);
    if (!isfinite(f))
      break;
    /* Every entry at zero is held (except those just released), so that
     * zeros whose rows depend on the held ones (low-rank class means) join
     * at once instead of one blocked step each. */
    for (size_t e = 0; e < s->nm && s->m < s->cap; e++) {
      if (fabs(s->pre0[e]) > s->tolb)
        s->fresh[e] = 0;
      else if (isnan(s->mu[e]) && !s->fresh[e]) {
        s->mu[e] = 0.0;
        s->ent[s->m++] = (long)e;
        out->added++;
      }
    }
    double rn;
    if ((st = linearize(s, x, &rn)) != DUFM_OK)
      return st;
    out->iters++;
    if (judge || rn <= 0.5 * rel_tol * fabs(f)) {
      judge = 0;
      double rk;
      if ((st = clarke(s, c, x, s->tolb, s->cap, 1, &f, &rk)) != DUFM_OK)
        return st;
      if (rk <= rel_tol * fabs(f))
        break;
      /* Releasing pays only when the bounds, not the stratum, hold rk up. */
      int release = rn <= 0.5 * rel_tol * fabs(f) || rk > 2.0 * rn;
      long rel = release ? release_pulled(s, c) : 0;
      if (!release)
        for (long t = 0; t < s->m; t++)
          muv[t] = c->bz[t];
      out->released += rel;
      if ((st = factor(s)) != DUFM_OK)
        return st;
      if (rel == 0) {
        /* The residual is the stratum's own: back to Newton on Z. */
        stall += release;
        continue;
      }
      /* Steepest descent along -rr (rr = g + J^T mu of the test) with the
       * curvature of the Lagrangian. */
      double pred;
      cauchy(s, x, muv, delta, &pred);
      out->cauchy++;
      double dn = nrm(s->d, n);
      keep(s, x);
      long added;
      double alpha, ft;
      if (!(dn > 0.0) || !(pred > 0.0)) {
        stall++;
        continue;
      }
      if ((st = trial(s, x, &added, &alpha, &ft)) != DUFM_OK)
        return st;
      if (accept(f, ft, alpha * pred, alpha * dn, dn, &delta)) {
        out->added += added;
        stall = 0;
      } else {
        undo(s, x);
        stall++;
        judge = 1;
      }
      continue;
    }
    int stop = tangent_step(s, x, f, rn, rel_tol, &delta, &stall, out, &st);
    if (st != DUFM_OK)
      return st;
    if (stop)
      break;
  }
  return DUFM_OK;
}

dufm_status dufm_i_kkt_run(dufm_i_pe *pe, double *x, double *mult, long max_evals, double rel_tol,
                           int fixed, dufm_i_kkt_out *out) {
  memset(out, 0, sizeof *out);
  out->f = NAN;
  const size_t n = pe->nparam, nm = pe->nmask, nm1 = nm > 0 ? nm : 1;
  kkt s = {0};
  clk c = {0};
  s.pe = pe;
  s.n = n;
  s.nm = nm;
  s.budget = max_evals;
  s.mu = mult;
  s.ev0 = pe->evals;
  s.fixed = fixed;
  dufm_status st = DUFM_OK;
  long held0 = 0;
  for (size_t e = 0; e < nm; e++)
    held0 += !isnan(mult[e]);
  s.cap = (long)nm;
  if ((double)s.cap * (double)n > MAX_JAC)
    s.cap = (long)(MAX_JAC / (double)n);
  if (held0 > s.cap) {
    out->too_big = 1;
    return DUFM_OK;
  }
  size_t cz = s.cap > 0 ? (size_t)s.cap : 1;
  s.ent = malloc(cz * sizeof *s.ent);
  s.J = malloc(cz * n * sizeof *s.J);
  s.Q = malloc(cz * n * sizeof *s.Q);
  s.R = malloc(cz * cz * sizeof *s.R);
  s.tau = malloc(cz * sizeof *s.tau);
  s.piv = malloc(cz * sizeof *s.piv);
  s.c = malloc(cz * sizeof *s.c);
  s.muv = malloc(cz * sizeof *s.muv);
  s.x0 = malloc(n * sizeof *s.x0);
  s.g = malloc(n * sizeof *s.g);
  s.rr = malloc(n * sizeof *s.rr);
  s.d = malloc(n * sizeof *s.d);
  s.p = malloc(n * sizeof *s.p);
  s.hp = malloc(n * sizeof *s.hp);
  s.z = malloc(n * sizeof *s.z);
  s.xt = malloc(n * sizeof *s.xt);
  s.w1 = malloc(n * sizeof *s.w1);
  s.w2 = malloc(n * sizeof *s.w2);
  s.tmp = malloc((n + cz + 1) * sizeof *s.tmp);
  s.pre0 = malloc(nm1 * sizeof *s.pre0);
  s.nanmu = malloc(nm1 * sizeof *s.nanmu);
  s.mask0 = malloc(nm1);
  s.mu_keep = malloc(nm1 * sizeof *s.mu_keep);
  s.fresh = calloc(nm1, 1);
  c.z = calloc(nm1, sizeof *c.z);
  c.st = malloc(nm1);
  c.lo = malloc(cz * sizeof *c.lo);
  c.hi = malloc(cz * sizeof *c.hi);
  c.bz = malloc(cz * sizeof *c.bz);
  c.b = malloc(cz * sizeof *c.b);
  c.bst = malloc(cz);
  if (c.z == NULL || c.st == NULL || c.lo == NULL || c.hi == NULL || c.bz == NULL || c.b == NULL ||
      c.bst == NULL || s.ent == NULL || s.J == NULL || s.Q == NULL || s.R == NULL ||
      s.tau == NULL || s.piv == NULL || s.c == NULL || s.muv == NULL || s.x0 == NULL ||
      s.g == NULL || s.rr == NULL || s.d == NULL || s.p == NULL || s.hp == NULL || s.z == NULL ||
      s.xt == NULL || s.w1 == NULL || s.w2 == NULL || s.tmp == NULL || s.pre0 == NULL ||
      s.nanmu == NULL || s.mask0 == NULL || s.mu_keep == NULL || s.fresh == NULL) {
    st = DUFM_ENOMEM;
    goto cleanup;
  }
  memset(c.st, 2, nm1);
  for (size_t e = 0; e < nm; e++) {
    s.nanmu[e] = NAN;
    if (!isnan(mult[e]))
      s.ent[s.m++] = (long)e;
  }
  pe->act = DUFM_I_ACT_MASK;
  pe->confine = 0;
  pe->mult = NULL;
  dufm_i_pe_eval(pe, x, NULL);
  double pscale = 0.0;
  for (int k = 1; k < pe->L; k++)
    for (size_t i = 0; i < (size_t)pe->d[k] * pe->cols; i++)
      pscale = fmax(pscale, fabs(pe->pre[k][i]));
  /* Constraint residual target; entries within tolb of zero are on their
   * boundary (kinks). */
  s.pscale = pscale > 0.0 ? pscale : 1.0;
  s.ctol = 1e-15 * s.pscale;
  s.tolb = 100.0 * s.ctol;
  build_jac(&s, x);
  st = factor(&s);
  if (st != DUFM_OK)
    goto cleanup;
  restore(&s, x, s.ctol);
  st = fixed ? piece_loop(&s, &c, x, rel_tol, out) : cross_loop(&s, x, rel_tol, out);
  if (st != DUFM_OK)
    goto cleanup;
  /* The verdict at the end point, not the working set's least-squares
   * multipliers (which may lie outside their intervals): every entry at 0
   * held with its bounded least-squares multiplier, whose Lagrangian
   * gradient is r. Clarke stationarity of the true loss (multipliers in
   * [0, dF/dH], those entries masked to 0) across pieces; the piece's KKT
   * conditions (one-sided, the mask unchanged) for a fixed piece. */
  double f, rn;
  st = clarke(&s, &c, x, s.tolb, s.cap, fixed, &f, &rn);
  if (st != DUFM_OK)
    goto cleanup;
  for (long t = 0; t < s.m; t++)
    mult[s.ent[t]] = c.bz[t];
  out->converged = isfinite(f) && rn <= rel_tol * fabs(f);
  if ((st = factor(&s)) != DUFM_OK)
    goto cleanup;
  out->rank = s.r;
  out->f = f;
  out->rnorm = rn;
  out->kinks = s.m;
cleanup:
  out->evals = used(&s, s.ev0);
  pe->mult = NULL;
  free(c.bst);
  free(c.b);
  free(c.bz);
  free(c.hi);
  free(c.lo);
  free(c.st);
  free(c.z);
  free(s.mu_keep);
  free(s.fresh);
  free(s.mask0);
  free(s.nanmu);
  free(s.pre0);
  free(s.tmp);
  free(s.w2);
  free(s.w1);
  free(s.xt);
  free(s.z);
  free(s.hp);
  free(s.p);
  free(s.d);
  free(s.rr);
  free(s.g);
  free(s.x0);
  free(s.muv);
  free(s.c);
  free(s.piv);
  free(s.tau);
  free(s.R);
  free(s.Q);
  free(s.J);
  free(s.ent);
  return st;
}
