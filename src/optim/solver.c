/* The solver object: allocation of every buffer up front, set, the gradient
 * descent steps and the stopping tests. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "model/model_internal.h"
#include "optim/optim_internal.h"

double dufm_i_dot(const double *a, const double *b, size_t n) {
  double acc[8] = {0.0};
  size_t i = 0;
  for (; i + 8 <= n; i += 8)
    for (size_t k = 0; k < 8; k++)
      acc[k] += a[i + k] * b[i + k];
  for (; i < n; i++)
    acc[0] += a[i] * b[i];
  return ((acc[0] + acc[1]) + (acc[2] + acc[3])) + ((acc[4] + acc[5]) + (acc[6] + acc[7]));
}

/* Points the view's matrices into the flat vector v. */
static void make_view(dufm_config *c, dufm_mat *mats, int L, int *d, int cols, double *v) {
  c->L = L;
  c->K = d[L];
  c->cols = cols;
  c->d = d;
  c->W = mats;
  c->H1 = (dufm_mat){d[0], cols, v};
  v += (size_t)d[0] * (size_t)cols;
  for (int l = 0; l < L; l++) {
    mats[l] = (dufm_mat){d[l + 1], d[l], v};
    v += (size_t)d[l + 1] * (size_t)d[l];
  }
}

dufm_status dufm_optim_alloc(dufm_optim **out, int L, const int *d, int cols,
                             const dufm_optim_opts *o, dufm_err *err) {
  *out = NULL;
  dufm_status st = dufm_optim_opts_check(o, err);
  if (st != DUFM_OK)
    return st;
  if (L < 1 || L > DUFM_MAX_L || cols < 1)
    return dufm_err_set(err, DUFM_EINVAL, "optimizer shape: L = %d, columns = %d", L, cols);
  size_t n = (size_t)d[0] * (size_t)cols;
  for (int l = 0; l <= L; l++)
    if (d[l] < 1)
      return dufm_err_set(err, DUFM_EINVAL, "optimizer width d[%d] = %d: must be >= 1", l, d[l]);
  for (int l = 0; l < L; l++)
    n += (size_t)d[l + 1] * (size_t)d[l];
  const int lbfgs = o->method == DUFM_OPTIM_LBFGS, m = lbfgs ? o->memory : 0;
  /* x, g always; lbfgs adds xt, gt, dir and 2 m pair vectors, plus 2 m scalars. */
  size_t vectors = lbfgs ? 5 + 2 * (size_t)m : 2;
  if (n > ((size_t)1 << 40) / sizeof(double) / vectors)
    return dufm_err_set(err, DUFM_ENOMEM, "optimizer for %zu parameters is too large", n);
  dufm_optim *s = calloc(1, sizeof *s);
  if (s == NULL)
    return dufm_err_set(err, DUFM_ENOMEM, "out of memory for the optimizer");
  s->d = malloc((size_t)(L + 1) * sizeof *s->d);
  s->mats = calloc(4 * (size_t)L, sizeof *s->mats);
  s->sq = malloc((size_t)(L + 1) * sizeof *s->sq);
  s->block = malloc((vectors * n + 2 * (size_t)m) * sizeof(double));
  if (s->d == NULL || s->mats == NULL || s->sq == NULL || s->block == NULL) {
    st = dufm_err_set(err, DUFM_ENOMEM, "out of memory for the optimizer");
    goto cleanup;
  }
  memcpy(s->d, d, (size_t)(L + 1) * sizeof *s->d);
  s->o = *o;
  s->L = L;
  s->cols = cols;
  s->n = n;
  double *v = s->block;
  s->x = v;
  s->g = v + n;
  if (lbfgs) {
    s->xt = v + 2 * n;
    s->gt = v + 3 * n;
    s->dir = v + 4 * n;
    s->S = v + 5 * n;
    s->Y = s->S + (size_t)m * n;
    s->rho = s->Y + (size_t)m * n;
    s->alpha = s->rho + m;
  }
  make_view(&s->cx, s->mats, L, s->d, cols, s->x);
  make_view(&s->cg, s->mats + L, L, s->d, cols, s->g);
  if (lbfgs) {
    make_view(&s->cxt, s->mats + 2 * L, L, s->d, cols, s->xt);
    make_view(&s->cgt, s->mats + 3 * L, L, s->d, cols, s->gt);
  }
  st = dufm_eval_ws_alloc(&s->ws, &s->cx, err);
cleanup:
  if (st != DUFM_OK)
    dufm_optim_free(s);
  else
    *out = s;
  return st;
}

void dufm_optim_free(dufm_optim *s) {
  if (s == NULL)
    return;
  dufm_eval_ws_free(s->ws);
  free(s->block);
  free(s->sq);
  free(s->mats);
  free(s->d);
  free(s);
}

int dufm_i_optim_eval(dufm_optim *s, int trial) {
  dufm_loss *f = trial ? &s->ft : &s->f;
  const dufm_config *c = trial ? &s->cxt : &s->cx;
  dufm_config *g = trial ? &s->cgt : &s->cg;
  s->evals++;
  /* err NULL: no message is formatted; a non-finite loss is the only failure
   * left once set has checked the shapes. */
  int ok = dufm_eval_with(f, g, c, s->p, DUFM_FORM_SAMPLES, s->ws, NULL) == DUFM_OK;
  double gn = sqrt(dufm_i_dot(trial ? s->gt : s->g, trial ? s->gt : s->g, s->n));
  *(trial ? &s->gtnorm : &s->gnorm) = gn;
  return ok && isfinite(gn) ? 0 : -1;
}

/* The gd and anneal evaluation, fused with the step x <- x - lr g when step is
 * set (not at the start, where g is not a gradient yet): that pass also leaves lam x in g and the
 * squared norms of the new blocks in s->sq, so dufm_i_eval_seeded does not read the parameters
 * again for the regularization and returns ||g||^2 from the blocks while in cache. */
static int gd_eval(dufm_optim *s, int step, double lr) {
  const size_t cols = (size_t)s->cols;
  const double lam_h1 = dufm_i_lam_h1(s->p, DUFM_FORM_SAMPLES);
  double *x = s->x, *g = s->g;
  for (int b = 0; b <= s->L; b++) {
    size_t count = b == 0 ? (size_t)s->d[0] * cols : (size_t)s->d[b] * (size_t)s->d[b - 1];
    double lam = b == 0 ? lam_h1 : s->p->lam_w_d[b - 1];
    s->sq[b] =
        step ? dufm_i_step_seed_sum_sq(x, g, lr, lam, count) : dufm_i_seed_sum_sq(g, x, lam, count);
    x += count;
    g += count;
  }
  s->evals++;
  double gn2;
  int ok = dufm_i_eval_seeded(&s->f, &gn2, &s->cg, &s->cx, s->p, DUFM_FORM_SAMPLES, s->sq, s->ws) ==
           DUFM_OK;
  s->gnorm = sqrt(gn2);
  return ok && isfinite(s->gnorm) ? 0 : -1;
}

dufm_status dufm_optim_set(dufm_optim *s, const dufm_config *x0, const dufm_params *p,
                           dufm_err *err) {
  dufm_status st = dufm_config_check(x0, p, DUFM_FORM_SAMPLES, err);
  if (st != DUFM_OK)
    return st;
  if (x0->L != s->L)
    return dufm_err_set(err, DUFM_EINVAL, "starting point has depth %d, the optimizer %d", x0->L,
                        s->L);
  if (x0->cols != s->cols)
    return dufm_err_set(err, DUFM_EINVAL, "starting point has %d columns, the optimizer %d",
                        x0->cols, s->cols);
  for (int l = 0; l <= s->L; l++)
    if (x0->d[l] != s->d[l])
      return dufm_err_set(err, DUFM_EINVAL, "starting point has d[%d] = %d, the optimizer %d", l,
                          x0->d[l], s->d[l]);
  memcpy(s->cx.H1.data, x0->H1.data, (size_t)s->d[0] * (size_t)s->cols * sizeof(double));
  for (int l = 0; l < s->L; l++)
    memcpy(s->cx.W[l].data, x0->W[l].data, (size_t)s->d[l + 1] * (size_t)s->d[l] * sizeof(double));
  s->p = p;
  s->k = s->evals = 0;
  s->mem_count = s->mem_head = 0;
  int bad = s->o.method == DUFM_OPTIM_LBFGS ? dufm_i_optim_eval(s, 0) : gd_eval(s, 0, 0.0);
  if (bad)
    return dufm_err_set(err, DUFM_ENUMERIC, "the starting point has a non-finite loss or gradient");
  s->f0 = s->f.loss;
  return DUFM_OK;
}

dufm_optim_stop dufm_i_optim_test(const dufm_optim *s) {
  if (!isfinite(s->f.loss) || !isfinite(s->gnorm) || s->f.loss > s->o.diverge_factor * s->f0)
    return DUFM_OPTIM_DIVERGED;
  if (s->gnorm <= s->o.tol)
    return DUFM_OPTIM_CONVERGED;
  return s->k >= s->o.iters ? DUFM_OPTIM_MAXITER : DUFM_OPTIM_CONTINUE;
}

/* x <- x - lr_k g, the same update torch.optim.SGD makes (p.add_(grad, alpha=-lr)). */
static dufm_optim_stop gd_iterate(dufm_optim *s) {
  double lr = s->o.lr;
  if (s->o.method == DUFM_OPTIM_ANNEAL)
    lr = s->o.lr / (1.0 + 10.0 * (double)s->k / (double)s->o.iters);
  s->k++;
  if (gd_eval(s, 1, lr) != 0)
    return DUFM_OPTIM_DIVERGED;
  return dufm_i_optim_test(s);
}

dufm_optim_stop dufm_optim_iterate(dufm_optim *s) {
  return s->o.method == DUFM_OPTIM_LBFGS ? dufm_i_lbfgs_iterate(s) : gd_iterate(s);
}

const dufm_config *dufm_optim_x(const dufm_optim *s) { return &s->cx; }
const dufm_config *dufm_optim_grad(const dufm_optim *s) { return &s->cg; }
const dufm_loss *dufm_optim_loss(const dufm_optim *s) { return &s->f; }
double dufm_optim_grad_norm(const dufm_optim *s) { return s->gnorm; }
long dufm_optim_iter(const dufm_optim *s) { return s->k; }
long dufm_optim_evals(const dufm_optim *s) { return s->evals; }
