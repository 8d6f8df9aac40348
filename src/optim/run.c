/* The single-run driver (stopping, trace, progress, timing), options and names. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "optim/optim_internal.h"

void dufm_optim_opts_default(dufm_optim_opts *o) {
  memset(o, 0, sizeof *o);
  o->method = DUFM_OPTIM_GD;
  o->lr = 0.5;
  o->iters = 20000;
  o->tol = 1e-12;
  o->memory = 10;
  o->diverge_factor = 1e6;
  o->log_every = 0;
  o->init_std = 0.1;
  o->perturb = 0.0;
  o->threads = 0;
}

dufm_status dufm_optim_opts_check(const dufm_optim_opts *o, dufm_err *err) {
  if (o->method != DUFM_OPTIM_GD && o->method != DUFM_OPTIM_ANNEAL && o->method != DUFM_OPTIM_LBFGS)
    return dufm_err_set(err, DUFM_EINVAL, "method %d: not gd, anneal or lbfgs", (int)o->method);
  if (!(o->lr > 0.0) || !isfinite(o->lr))
    return dufm_err_set(err, DUFM_EINVAL, "lr %g: must be finite and > 0", o->lr);
  if (o->iters < 1)
    return dufm_err_set(err, DUFM_EINVAL, "iters %ld: must be >= 1", o->iters);
  if (!(o->tol >= 0.0))
    return dufm_err_set(err, DUFM_EINVAL, "tol %g: must be >= 0", o->tol);
  if (o->memory < 1 || o->memory > 1000)
    return dufm_err_set(err, DUFM_EINVAL, "memory %d: must be in 1..1000", o->memory);
  if (!(o->diverge_factor > 1.0))
    return dufm_err_set(err, DUFM_EINVAL, "diverge factor %g: must be > 1", o->diverge_factor);
  if (o->log_every < 0)
    return dufm_err_set(err, DUFM_EINVAL, "log_every %ld: must be >= 0", o->log_every);
  if (!(o->init_std >= 0.0) || !isfinite(o->init_std))
    return dufm_err_set(err, DUFM_EINVAL, "init std %g: must be finite and >= 0", o->init_std);
  if (!(o->perturb >= 0.0) || !isfinite(o->perturb))
    return dufm_err_set(err, DUFM_EINVAL, "perturbation %g: must be finite and >= 0", o->perturb);
  if (o->threads < 0)
    return dufm_err_set(err, DUFM_EINVAL, "threads %d: must be >= 0", o->threads);
  return DUFM_OK;
}

const char *dufm_optim_method_name(dufm_optim_method m) {
  switch (m) {
  case DUFM_OPTIM_GD:
    return "gd";
  case DUFM_OPTIM_ANNEAL:
    return "anneal";
  case DUFM_OPTIM_LBFGS:
    return "lbfgs";
  }
  return "unknown";
}

int dufm_optim_method_parse(dufm_optim_method *out, const char *name) {
  for (int m = DUFM_OPTIM_GD; m <= DUFM_OPTIM_LBFGS; m++)
    if (strcmp(name, dufm_optim_method_name((dufm_optim_method)m)) == 0) {
      *out = (dufm_optim_method)m;
      return 0;
    }
  return -1;
}

const char *dufm_optim_stop_name(dufm_optim_stop s) {
  switch (s) {
  case DUFM_OPTIM_CONTINUE:
    return "continue";
  case DUFM_OPTIM_MAXITER:
    return "max_iters";
  case DUFM_OPTIM_CONVERGED:
    return "converged";
  case DUFM_OPTIM_LINESEARCH:
    return "line_search";
  case DUFM_OPTIM_DIVERGED:
    return "diverged";
  }
  return "unknown";
}

void dufm_optim_result_clear(dufm_optim_result *r) {
  if (r == NULL)
    return;
  dufm_config_clear(&r->x);
  free(r->trace);
  memset(r, 0, sizeof *r);
}

static void log_point(dufm_optim_result *out, const dufm_optim *s) {
  const dufm_loss *f = dufm_optim_loss(s);
  out->trace[out->ntrace++] =
      (dufm_optim_point){dufm_optim_iter(s), f->loss, f->fit, f->reg, dufm_optim_grad_norm(s)};
}

dufm_status dufm_i_optim_run(dufm_optim_result *out, const dufm_config *x0, const dufm_params *p,
                             const dufm_optim_opts *o, int run, uint64_t seed, dufm_err *err) {
  memset(out, 0, sizeof *out);
  out->seed = seed;
  const double t0 = dufm_i_now();
  dufm_optim *s = NULL;
  dufm_status st = dufm_optim_alloc(&s, x0->L, x0->d, x0->cols, o, err);
  if (st != DUFM_OK)
    goto cleanup;
  if (o->log_every > 0) {
    /* Every buffer the loop touches exists before it starts. */
    out->trace = malloc((size_t)(o->iters / o->log_every + 2) * sizeof *out->trace);
    if (out->trace == NULL) {
      st = dufm_err_set(err, DUFM_ENOMEM, "out of memory for a trace of %ld steps", o->iters);
      goto cleanup;
    }
  }
  dufm_optim_stop stop = DUFM_OPTIM_CONTINUE;
  st = dufm_optim_set(s, x0, p, err);
  if (st == DUFM_ENUMERIC) { /* a non-finite start diverged at step 0 */
    st = DUFM_OK;
    stop = DUFM_OPTIM_DIVERGED;
  } else if (st != DUFM_OK) {
    goto cleanup;
  } else if (dufm_optim_grad_norm(s) <= o->tol) {
    stop = DUFM_OPTIM_CONVERGED;
  }
  out->loss0 = dufm_optim_loss(s)->loss;
  if (out->trace != NULL)
    log_point(out, s);
  long next_progress = o->iters / 10 > 0 ? o->iters / 10 : 1;
  while (stop == DUFM_OPTIM_CONTINUE) {
    stop = dufm_optim_iterate(s);
    long k = dufm_optim_iter(s);
    if (out->trace != NULL && stop == DUFM_OPTIM_CONTINUE && k % o->log_every == 0)
      log_point(out, s);
    if (o->progress != NULL && k >= next_progress && stop == DUFM_OPTIM_CONTINUE) {
      next_progress += o->iters / 10 > 0 ? o->iters / 10 : 1;
      dufm_optim_progress pr = {run,
                                seed,
                                k,
                                o->iters,
                                dufm_optim_loss(s)->loss,
                                dufm_optim_grad_norm(s),
                                dufm_i_now() - t0};
      o->progress(o->progress_ctx, &pr);
    }
  }
  /* The last point closes the trace unless it was just logged. */
  if (out->trace != NULL &&
      (out->ntrace == 0 || out->trace[out->ntrace - 1].iter != dufm_optim_iter(s)))
    log_point(out, s);
  out->stop = stop;
  out->iters = dufm_optim_iter(s);
  out->evals = dufm_optim_evals(s);
  out->loss = *dufm_optim_loss(s);
  out->grad_norm = dufm_optim_grad_norm(s);
  st = dufm_config_copy(&out->x, dufm_optim_x(s), err);
cleanup:
  dufm_optim_free(s);
  out->seconds = dufm_i_now() - t0;
  return st;
}

dufm_status dufm_optim_run(dufm_optim_result *out, const dufm_config *x0, const dufm_params *p,
                           const dufm_optim_opts *o, dufm_err *err) {
  return dufm_i_optim_run(out, x0, p, o, 0, 0, err);
}
