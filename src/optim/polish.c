/* Pattern polish and the softplus-continuation polish (dufm/polish.h). */
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "optim/polish_internal.h"

void dufm_polish_opts_default(dufm_polish_opts *o) {
  o->rel_tol = 1e-10;
  o->max_evals = 100000;
  o->memory = 20;
  o->rounds = 4;
  o->beta_start = 100.0;
  o->beta_end = 1e5;
  o->beta_factor = 10.0;
  o->stage = DUFM_POLISH_PIECE;
}

dufm_status dufm_polish_opts_check(const dufm_polish_opts *o, dufm_err *err) {
  if (!(o->rel_tol >= 0.0) || !isfinite(o->rel_tol))
    return dufm_err_set(err, DUFM_EINVAL, "polish rel_tol %g: must be finite and >= 0", o->rel_tol);
  if (o->max_evals < 1)
    return dufm_err_set(err, DUFM_EINVAL, "polish max_evals %ld: must be >= 1", o->max_evals);
  if (o->memory < 1 || o->memory > 1000)
    return dufm_err_set(err, DUFM_EINVAL, "polish memory %d: must be in 1..1000", o->memory);
  if (o->rounds < 1 || o->rounds > 1000)
    return dufm_err_set(err, DUFM_EINVAL, "polish rounds %d: must be in 1..1000", o->rounds);
  if (!(o->beta_start > 0.0) || !(o->beta_end >= o->beta_start) || !isfinite(o->beta_end))
    return dufm_err_set(err, DUFM_EINVAL,
                        "polish beta range %g..%g: needs 0 < beta_start <= beta_end < inf",
                        o->beta_start, o->beta_end);
  if (o->stage != DUFM_POLISH_PIECE && o->stage != DUFM_POLISH_ROUNDS &&
      o->stage != DUFM_POLISH_CROSS)
    return dufm_err_set(err, DUFM_EINVAL, "polish stage %d: must be piece, rounds or cross",
                        (int)o->stage);
  if (!(o->beta_factor > 1.0) || !isfinite(o->beta_factor))
    return dufm_err_set(err, DUFM_EINVAL, "polish beta_factor %g: must be > 1", o->beta_factor);
  return DUFM_OK;
}

void dufm_polish_report_clear(dufm_polish_report *r) {
  if (r == NULL)
    return;
  free(r->pattern);
  memset(r, 0, sizeof *r);
}

/* Pre-activations this close to zero (relative to the layer's largest) count
 * as on the boundary of the pattern's region. */
#define BOUNDARY_TOL 1e-7
/* Relative slack of the kink multiplier conditions 0 <= mu <= dF/dH. */
#define KKT_TOL 1e-6

static double pe_fg(void *ctx, const double *x, double *g) { return dufm_i_pe_eval(ctx, x, g); }

/* Shared state of one polish call. */
typedef struct {
  dufm_config *x; /* caller's configuration: holds the best point seen */
  const dufm_params *p;
  dufm_i_pe *pe;
  double *v, *best; /* working vector, best vector */
  unsigned char *best_mask;
  double *mult, *dh, *best_mult; /* kink multipliers (pattern polish) */
  double best_rho;
  double best_loss; /* dufm_eval loss of best */
  double loss_in;   /* dufm_eval loss of the input */
  const char *best_stage;
  int best_has_mask; /* best came from a pattern polish with best_mask */
  long evals;
  int last_converged; /* the last L-BFGS run met its tolerance */
  long last_iters;
  dufm_err *err;
  long kink_rank; /* rank of the kink Jacobian at the active-set stage's end (-1: none) */
} job;

/* The true loss of v through dufm_eval (a separate code path). */
static dufm_status true_loss(double *out, job *j, const double *v) {
  dufm_i_unflatten(j->x, v);
  dufm_loss l;
  dufm_status st = dufm_eval(&l, NULL, j->x, j->p, DUFM_FORM_SAMPLES, j->err);
  *out = st == DUFM_OK ? l.loss : INFINITY;
  return st == DUFM_ENUMERIC ? DUFM_OK : st;
}

/* v becomes the best when dufm_eval says it is strictly lower, or, for a
 * point that met the stationarity test (stationary != 0), when it is at most
 * a few rounding errors above the best and not above the input. */
static dufm_status offer_any(job *j, const double *v, const char *stage, int with_mask,
                             int stationary) {
  double f;
  dufm_status st = true_loss(&f, j, v);
  if (st != DUFM_OK)
    return st;
  int take = f < j->best_loss;
  if (stationary)
    take = take || (f <= j->best_loss + 8.0 * DBL_EPSILON * fabs(j->best_loss) && f <= j->loss_in);
  if (take) {
    j->best_loss = f;
    j->best_stage = stage;
    memcpy(j->best, v, j->pe->nparam * sizeof *v);
    j->best_has_mask = with_mask;
    if (with_mask) {
      memcpy(j->best_mask, j->pe->mask, j->pe->nmask);
      memcpy(j->best_mult, j->mult, j->pe->nmask * sizeof *j->mult);
      j->best_rho = j->pe->rho;
    }
  }
  return DUFM_OK;
}

static dufm_status offer(job *j, const double *v, const char *stage, int with_mask) {
  return offer_any(j, v, stage, with_mask, 0);
}

static dufm_status run_lbfgs(job *j, const dufm_polish_opts *o, long budget, double tol) {
  dufm_i_lbfgs_out lo;
  if (budget < 2)
    return DUFM_OK;
  dufm_status st = dufm_i_lbfgs_min(j->v, j->pe->nparam, pe_fg, j->pe, o->memory, budget, tol, &lo);
  j->evals += lo.evals;
  j->last_converged = lo.converged;
  j->last_iters = lo.iters;
  if (st == DUFM_ENOMEM)
    return dufm_err_set(j->err, st, "out of memory for L-BFGS");
  return DUFM_OK; /* a non-finite start of a stage just ends the stage */
}

/* Largest |P| of each layer at the last evaluation, into big[1..L-1]. */
static void layer_scales(const dufm_i_pe *pe, double *big) {
  for (int k = 1; k < pe->L; k++) {
    size_t m = (size_t)pe->d[k] * pe->cols;
    big[k] = 0.0;
    for (size_t i = 0; i < m; i++)
      big[k] = fmax(big[k], fabs(pe->pre[k][i]));
  }
}

/* Largest |P| over the constrained entries, relative to the layer scale. */
static double kink_residual(const dufm_i_pe *pe, const double *big) {
  double r = 0.0;
  for (int k = 1; k < pe->L; k++) {
    size_t m = (size_t)pe->d[k] * pe->cols;
    const double *mu = pe->mult + pe->moff[k];
    for (size_t i = 0; i < m; i++)
      if (!isnan(mu[i]) && big[k] > 0.0)
        r = fmax(r, fabs(pe->pre[k][i]) / big[k]);
  }
  return r;
}

/* The fixed-pattern polish from j->v. Entries with |P| <= BOUNDARY_TOL times
 * their layer's largest sit on kinks: they are held at P = 0 by an augmented
 * Lagrangian (a minimum on a kink is generally not stationary on either
 * adjacent piece); the others keep their side (active = P > 0). Each outer
 * round minimizes the piece plus mu P + rho/2 P^2 on the kink entries, then
 * updates mu <- mu + rho P. */
static dufm_status pattern_rounds(job *j, const dufm_polish_opts *o, long budget) {
  dufm_i_pe *pe = j->pe;
  const long stop_at = j->evals + budget;
  double big[DUFM_MAX_L];
  pe->mult = j->mult;
  pe->dh = j->dh;
  dufm_i_pe_mask_from(pe, j->v);
  layer_scales(pe, big);
  long nk = 0;
  for (int k = 1; k < pe->L; k++) {
    size_t m = (size_t)pe->d[k] * pe->cols;
    double *mu = pe->mult + pe->moff[k];
    for (size_t i = 0; i < m; i++) {
      int on = fabs(pe->pre[k][i]) <= BOUNDARY_TOL * big[k];
      mu[i] = on ? 0.0 : NAN;
      nk += on;
      if (on)
        pe->mask[pe->moff[k] + i] = 0;
    }
  }
  pe->act = DUFM_I_ACT_MASK;
  pe->confine = 1;
  pe->rho = 1e3;
  double prev = INFINITY;
  const int nround = 4 * o->rounds;
  for (int round = 0; round < nround && j->evals < stop_at; round++) {
    dufm_status st =
        run_lbfgs(j, o, (stop_at - j->evals) / (nk > 0 ? nround - round : 1), o->rel_tol);
    if (st != DUFM_OK)
      return (pe->mult = NULL), (pe->confine = 0), st;
    dufm_i_pe_eval(pe, j->v, NULL);
    double res = nk > 0 ? kink_residual(pe, big) : 0.0;
    st = offer(j, j->v, "pattern", 1);
    if (st != DUFM_OK)
      return (pe->mult = NULL), (pe->confine = 0), st;
    /* Converged, or stalled on the region's boundary (a kink this method does
     * not resolve: the report then says not converged). */
    if (nk == 0 || (j->last_converged && res <= 1e-13) || j->last_iters == 0)
      break;
    for (int k = 1; k < pe->L; k++) {
      size_t m = (size_t)pe->d[k] * pe->cols;
      double *mu = pe->mult + pe->moff[k];
      for (size_t i = 0; i < m; i++)
        if (!isnan(mu[i]))
          mu[i] += pe->rho * pe->pre[k][i];
    }
    if (res > 0.25 * prev)
      pe->rho *= 10.0;
    prev = res;
  }
  pe->mult = NULL;
  pe->confine = 0;
  return DUFM_OK;
}

/* The active-set pattern polish (polish_kkt.c) from j->v: kinks as in
 * pattern_rounds are the initial working set. fixed: the piece of the
 * pattern M = [P > BOUNDARY_TOL max|P_l|] (kinks inactive) is never left;
 * otherwise the kink-aware stage may move kinks to either side. Falls back to
 * pattern_rounds when the dense constraint Jacobian would be too large. */
static dufm_status pattern_kkt(job *j, const dufm_polish_opts *o, long budget, int fixed) {
  dufm_i_pe *pe = j->pe;
  double big[DUFM_MAX_L];
  dufm_i_pe_mask_from(pe, j->v);
  layer_scales(pe, big);
  for (int k = 1; k < pe->L; k++) {
    size_t m = (size_t)pe->d[k] * pe->cols;
    double *mu = j->mult + pe->moff[k];
    for (size_t i = 0; i < m; i++) {
      int on = fabs(pe->pre[k][i]) <= BOUNDARY_TOL * big[k];
      mu[i] = on ? 0.0 : NAN;
      if (on)
        pe->mask[pe->moff[k] + i] = 0;
    }
  }
  pe->dh = j->dh;
  dufm_i_kkt_out ko;
  dufm_status st = dufm_i_kkt_run(pe, j->v, j->mult, budget, o->rel_tol, fixed, &ko);
  j->evals += ko.evals;
  if (st == DUFM_ENOMEM)
    return dufm_err_set(j->err, st, "out of memory for the active-set pattern polish");
  if (st != DUFM_OK)
    return dufm_err_set(j->err, st, "LAPACK failed in the active-set pattern polish");
  if (ko.too_big) {
    memcpy(j->v, j->best, pe->nparam * sizeof *j->v);
    return pattern_rounds(j, o, budget);
  }
  pe->rho = 0.0;
  if (!isfinite(ko.f))
    return DUFM_OK;
  j->kink_rank = ko.rank;
  return offer_any(j, j->v, "pattern", 1, ko.converged);
}

/* The report at the best point: pattern (its polish mask, else P > 0), the
 * piece's loss and gradient, the conditions and dufm_eval's gradient norm. */
static dufm_status fill_report(dufm_polish_report *rep, job *j, const dufm_polish_opts *o) {
  dufm_i_pe *pe = j->pe;
  pe->act = DUFM_I_ACT_MASK;
  if (!j->best_has_mask) {
    dufm_i_pe_mask_from(pe, j->best);
    pe->mult = NULL;
  } else {
    memcpy(pe->mask, j->best_mask, pe->nmask);
    memcpy(j->mult, j->best_mult, pe->nmask * sizeof *j->mult);
    pe->mult = j->mult;
    pe->dh = j->dh;
    pe->rho = j->best_rho;
  }
  rep->layers = pe->L - 1;
  rep->entries = (long)pe->nmask;
  rep->pattern = malloc(pe->nmask > 0 ? pe->nmask : 1);
  if (rep->pattern == NULL)
    return dufm_err_set(j->err, DUFM_ENOMEM, "out of memory for the pattern");
  memcpy(rep->pattern, pe->mask, pe->nmask);
  /* The Lagrangian's gradient (the piece's when there are no kinks); j->v is
   * scratch here. */
  double lag = dufm_i_pe_eval(pe, j->best, j->v);
  double g2 = 0.0;
  for (size_t i = 0; i < pe->nparam; i++)
    g2 += j->v[i] * j->v[i];
  rep->grad_norm = sqrt(g2);
  rep->min_active = INFINITY;
  rep->max_inactive = -INFINITY;
  rep->kink_residual = 0.0;
  double mu_extra = 0.0;
  for (int k = 1; k < pe->L; k++) {
    size_t m = (size_t)pe->d[k] * pe->cols;
    const unsigned char *mk = pe->mask + pe->moff[k];
    for (size_t i = 0; i < m; i++) {
      double q = pe->pre[k][i];
      if (pe->mult != NULL && !isnan(pe->mult[pe->moff[k] + i])) {
        double mu = pe->mult[pe->moff[k] + i] + pe->rho * q, c = pe->dh[pe->moff[k] + i];
        mu_extra += pe->mult[pe->moff[k] + i] * q + 0.5 * pe->rho * q * q;
        rep->kinks++;
        rep->active += mk[i];
        rep->inactive += !mk[i];
        rep->kink_residual = fmax(rep->kink_residual, fabs(q));
        double slack = KKT_TOL * (1.0 + fabs(c));
        /* The piece: mu >= 0 where masked, <= 0 where active. */
        rep->kink_kkt_violations += mk[i] ? mu > slack : mu < -slack;
        /* Both sides: mu0 (the multiplier with the entry masked) between 0
         * and dF/dH. */
        double mu0 = mk[i] ? mu + c : mu;
        rep->kink_descents += mu0 < fmin(0.0, c) - slack || mu0 > fmax(0.0, c) + slack;
        continue;
      }
      if (mk[i]) {
        rep->active++;
        rep->violations += q < 0.0;
        rep->min_active = fmin(rep->min_active, q);
      } else {
        rep->inactive++;
        rep->violations += q > 0.0;
        rep->max_inactive = fmax(rep->max_inactive, q);
      }
    }
  }
  rep->piece_loss = lag - mu_extra;
  rep->rel_grad = rep->grad_norm / fabs(rep->piece_loss);
  rep->kink_rank = j->best_has_mask ? j->kink_rank : -1;
  rep->converged = rep->rel_grad <= o->rel_tol;
  rep->strict = rep->violations == 0 && rep->kinks == 0;
  pe->mult = NULL;
  dufm_i_unflatten(j->x, j->best);
  dufm_config grad;
  dufm_loss l;
  dufm_status st = dufm_config_copy(&grad, j->x, j->err);
  if (st == DUFM_OK)
    st = dufm_eval(&l, &grad, j->x, j->p, DUFM_FORM_SAMPLES, j->err);
  if (st == DUFM_OK) {
    dufm_i_flatten(j->v, &grad);
    g2 = 0.0;
    for (size_t i = 0; i < pe->nparam; i++)
      g2 += j->v[i] * j->v[i];
    rep->eval_grad_norm = sqrt(g2);
    rep->loss = l.loss;
  }
  dufm_config_clear(&grad);
  rep->stage = j->best_stage;
  rep->evals = j->evals;
  return st;
}

typedef enum { MODE_PATTERN, MODE_FULL, MODE_INSPECT } polish_mode;

static dufm_status polish_any(dufm_config *x, dufm_polish_report *rep, const dufm_params *p,
                              const dufm_polish_opts *o, polish_mode mode, dufm_err *err) {
  memset(rep, 0, sizeof *rep);
  dufm_status st = dufm_config_check(x, p, DUFM_FORM_SAMPLES, err);
  if (st == DUFM_OK && o != NULL)
    st = dufm_polish_opts_check(o, err);
  if (st != DUFM_OK)
    return st;
  job j = {x,        p,        NULL,    NULL, NULL, NULL, NULL, NULL, NULL, 0.0,
           INFINITY, INFINITY, "input", 0,    0,    0,    0,    err,  -1};
  st = dufm_i_pe_alloc(&j.pe, x, p, err);
  if (st != DUFM_OK)
    return st;
  size_t n = j.pe->nparam;
  j.v = malloc(n * sizeof *j.v);
  j.best = malloc(n * sizeof *j.best);
  size_t nm = j.pe->nmask > 0 ? j.pe->nmask : 1;
  j.best_mask = malloc(nm);
  j.mult = malloc(nm * sizeof *j.mult);
  j.dh = malloc(nm * sizeof *j.dh);
  j.best_mult = malloc(nm * sizeof *j.best_mult);
  if (j.v == NULL || j.best == NULL || j.best_mask == NULL || j.mult == NULL || j.dh == NULL ||
      j.best_mult == NULL) {
    st = dufm_err_set(err, DUFM_ENOMEM, "out of memory for polishing");
    goto cleanup;
  }
  dufm_i_flatten(j.best, x);
  st = true_loss(&j.best_loss, &j, j.best);
  if (st == DUFM_OK && !isfinite(j.best_loss))
    st = dufm_err_set(err, DUFM_ENUMERIC, "the configuration's loss is not finite");
  if (st != DUFM_OK)
    goto cleanup;
  rep->loss_in = j.best_loss;
  j.loss_in = j.best_loss;
  if (mode == MODE_FULL) {
    /* Budget split softplus / exact / pattern: 40 / 20 / 40 %. The piece
     * stage caps the first two at 24000 / 12000 evaluations and gives it all
     * the rest: a larger budget then only lets the same path run longer. */
    const int piece = o->stage == DUFM_POLISH_PIECE;
    long part = o->max_evals * 2 / 5, upto = o->max_evals * 3 / 5, stages = 0;
    if (piece && part > 24000)
      part = 24000;
    if (piece && upto > 36000)
      upto = 36000;
    for (double b = o->beta_start; b <= o->beta_end * (1 + 1e-12); b *= o->beta_factor)
      stages++;
    memcpy(j.v, j.best, n * sizeof *j.v);
    j.pe->act = DUFM_I_ACT_SOFTPLUS;
    double b = o->beta_start;
    for (long s = 0; s < stages && st == DUFM_OK; s++, b *= o->beta_factor) {
      j.pe->beta = b;
      st = run_lbfgs(&j, o, (part * (s + 1)) / stages - j.evals, o->rel_tol);
      if (st == DUFM_OK)
        st = offer(&j, j.v, "softplus", 0);
    }
    /* The exact loss from the best point so far. */
    if (st == DUFM_OK) {
      memcpy(j.v, j.best, n * sizeof *j.v);
      j.pe->act = DUFM_I_ACT_RELU;
      st = run_lbfgs(&j, o, upto - j.evals, o->rel_tol);
    }
    if (st == DUFM_OK)
      st = offer(&j, j.v, "exact", 0);
  }
  if (st == DUFM_OK && mode != MODE_INSPECT) {
    memcpy(j.v, j.best, n * sizeof *j.v);
    long left = o->max_evals - j.evals;
    st = o->stage == DUFM_POLISH_ROUNDS ? pattern_rounds(&j, o, left)
                                        : pattern_kkt(&j, o, left, o->stage == DUFM_POLISH_PIECE);
  }
  if (st == DUFM_OK)
    st = fill_report(rep, &j, o != NULL ? o : &(dufm_polish_opts){.rel_tol = 1e-10});
  if (st == DUFM_OK) {
    static const char *const names[] = {"piece", "rounds", "cross"};
    rep->method = mode == MODE_INSPECT ? "none" : names[o->stage];
  }
cleanup:
  if (j.best != NULL)
    dufm_i_unflatten(x, j.best);
  if (st != DUFM_OK)
    dufm_polish_report_clear(rep);
  free(j.best_mask);
  free(j.mult);
  free(j.dh);
  free(j.best_mult);
  free(j.best);
  free(j.v);
  dufm_i_pe_free(j.pe);
  return st;
}

dufm_status dufm_polish_pattern(dufm_config *x, dufm_polish_report *rep, const dufm_params *p,
                                const dufm_polish_opts *o, dufm_err *err) {
  return polish_any(x, rep, p, o, MODE_PATTERN, err);
}

dufm_status dufm_polish(dufm_config *x, dufm_polish_report *rep, const dufm_params *p,
                        const dufm_polish_opts *o, dufm_err *err) {
  return polish_any(x, rep, p, o, MODE_FULL, err);
}

dufm_status dufm_polish_inspect(dufm_polish_report *rep, const dufm_config *x, const dufm_params *p,
                                dufm_err *err) {
  dufm_config copy;
  dufm_status st = dufm_config_copy(&copy, x, err);
  if (st != DUFM_OK) {
    memset(rep, 0, sizeof *rep);
    return st;
  }
  st = polish_any(&copy, rep, p, NULL, MODE_INSPECT, err);
  dufm_config_clear(&copy);
  return st;
}
