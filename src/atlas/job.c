/* One atlas job run to completion, and the byte images of jobs and results
 * for message passing. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "atlas/atlas_internal.h"
#include "core/clock.h"
#include "dufm/polish.h"

#define JOB_MAGIC 0x31424a41u    /* "AJB1" */
#define RESULT_MAGIC 0x31535241u /* "ARS1" */

void dufm_atlas_job_clear(dufm_atlas_job *j) {
  if (j == NULL)
    return;
  dufm_config_clear(&j->input);
  memset(j, 0, sizeof *j);
}

void dufm_atlas_result_clear(dufm_atlas_result *r) {
  if (r == NULL)
    return;
  dufm_config_clear(&r->x);
  memset(r, 0, sizeof *r);
}

static void run_task(dufm_atlas_result *r, const dufm_params *p, const dufm_atlas_spec *s,
                     const dufm_atlas_job *job, dufm_err *e) {
  /* A plan of this one task: the task carries its own seed and budget. */
  dufm_search_plan plan;
  memset(&plan, 0, sizeof plan);
  plan.p = *p;
  dufm_search_opts_default(&plan.o);
  plan.o.seed = s->seed;
  plan.o.budget = s->budget;
  dufm_search_task t = job->task;
  t.input = job->has_input ? 0 : -1;
  plan.ntasks = 1;
  plan.tasks = &t;
  plan.ninputs = job->has_input ? 1 : 0;
  plan.inputs = job->has_input ? (dufm_config *)&job->input : NULL;
  if (t.kind == DUFM_TASK_CONFIG && !job->has_input) {
    r->status =
        dufm_err_set(e, DUFM_EINVAL, "task %d: a configuration task without its start", t.index);
    return;
  }
  dufm_search_result res;
  r->status = dufm_search_task_run(&res, &plan, 0, e);
  if (r->status == DUFM_OK) {
    r->loss = res.loss;
    r->evals = res.evals;
    r->converged = res.polish.converged;
    r->strict = res.polish.strict;
    r->rel_grad = res.polish.rel_grad;
    snprintf(r->stage, sizeof r->stage, "%s", res.polish.stage ? res.polish.stage : "");
    if (isfinite(res.loss)) {
      r->x = res.x;
      memset(&res.x, 0, sizeof res.x);
    }
  }
  dufm_search_result_clear(&res);
}

static void run_final(dufm_atlas_result *r, const dufm_params *p, const dufm_atlas_job *job,
                      dufm_err *e) {
  if (!job->has_input) {
    r->status = dufm_err_set(e, DUFM_EINVAL, "final polish without a configuration");
    return;
  }
  dufm_polish_opts po;
  dufm_polish_opts_default(&po);
  po.max_evals = job->task.polish_evals > 10 ? job->task.polish_evals : 10;
  po.stage = DUFM_POLISH_ROUNDS; /* as dufm search: the committed atlas depends on it */
  dufm_polish_report rep;
  memset(&rep, 0, sizeof rep);
  r->status = dufm_config_copy(&r->x, &job->input, e);
  if (r->status == DUFM_OK)
    r->status = dufm_polish(&r->x, &rep, p, &po, e);
  if (r->status == DUFM_OK) {
    r->loss = rep.loss;
    r->evals = rep.evals;
    r->converged = rep.converged;
    r->strict = rep.strict;
    r->rel_grad = rep.rel_grad;
    snprintf(r->stage, sizeof r->stage, "%s", rep.stage ? rep.stage : "");
  } else {
    dufm_config_clear(&r->x);
  }
  dufm_polish_report_clear(&rep);
}

dufm_status dufm_atlas_job_run(dufm_atlas_result *r, const dufm_atlas_spec *s,
                               const dufm_atlas_job *job, dufm_err *err) {
  (void)err;
  memset(r, 0, sizeof *r);
  r->id = job->id;
  r->setting = job->setting;
  r->kind = job->kind;
  r->task = job->task.index;
  r->loss = INFINITY;
  const double t0 = dufm_i_now();
  int L, K;
  dufm_err e;
  dufm_err_clear(&e);
  dufm_params p;
  if (job->setting < 0 || job->setting >= dufm_atlas_nsettings(s)) {
    r->status = dufm_err_set(&e, DUFM_EINVAL, "job for setting %d outside the grid", job->setting);
  } else {
    dufm_atlas_setting(s, job->setting, &L, &K);
    r->status = dufm_atlas_params(&p, s, L, K, &e);
    if (r->status == DUFM_OK) {
      if (job->kind == DUFM_ATLAS_JOB_TASK)
        run_task(r, &p, s, job, &e);
      else
        run_final(r, &p, job, &e);
      dufm_params_clear(&p);
    }
  }
  if (r->status != DUFM_OK)
    snprintf(r->msg, sizeof r->msg, "%s", e.msg);
  r->seconds = dufm_i_now() - t0;
  return DUFM_OK;
}

/* ---- byte images */

typedef struct {
  unsigned char *buf;
  size_t len, cap;
  int oom;
} sink;

static void put(sink *k, const void *p, size_t n) {
  if (k->oom)
    return;
  if (k->len + n > k->cap) {
    size_t cap = k->cap ? k->cap : 256;
    while (cap < k->len + n)
      cap *= 2;
    unsigned char *b = realloc(k->buf, cap);
    if (b == NULL) {
      k->oom = 1;
      return;
    }
    k->buf = b;
    k->cap = cap;
  }
  memcpy(k->buf + k->len, p, n);
  k->len += n;
}

static void put_int(sink *k, int v) { put(k, &v, sizeof v); }

static void put_config(sink *k, const dufm_config *c) {
  int present = c->d != NULL;
  put_int(k, present);
  if (!present)
    return;
  put_int(k, c->L);
  put_int(k, c->cols);
  put(k, c->d, (size_t)(c->L + 1) * sizeof *c->d);
  put(k, c->H1.data, (size_t)c->H1.rows * c->H1.cols * sizeof(double));
  for (int l = 0; l < c->L; l++)
    put(k, c->W[l].data, (size_t)c->W[l].rows * c->W[l].cols * sizeof(double));
}

typedef struct {
  const unsigned char *p, *end;
  int bad;
} source;

static void get(source *s, void *out, size_t n) {
  if (s->bad || (size_t)(s->end - s->p) < n) {
    s->bad = 1;
    memset(out, 0, n);
    return;
  }
  memcpy(out, s->p, n);
  s->p += n;
}

static int get_int(source *s) {
  int v;
  get(s, &v, sizeof v);
  return v;
}

static dufm_status get_config(source *s, dufm_config *c, dufm_err *err) {
  memset(c, 0, sizeof *c);
  if (!get_int(s))
    return s->bad ? dufm_err_set(err, DUFM_EFORMAT, "truncated atlas message") : DUFM_OK;
  int L = get_int(s), cols = get_int(s);
  if (s->bad || L < 1 || L > DUFM_MAX_L || cols < 1)
    return dufm_err_set(err, DUFM_EFORMAT, "malformed configuration in an atlas message");
  int d[DUFM_MAX_L + 1];
  get(s, d, (size_t)(L + 1) * sizeof *d);
  for (int l = 0; l <= L; l++)
    if (s->bad || d[l] < 1 || d[l] > (1 << 20))
      return dufm_err_set(err, DUFM_EFORMAT, "malformed configuration in an atlas message");
  dufm_status st = dufm_config_init(c, L, d, cols, err);
  if (st != DUFM_OK)
    return st;
  get(s, c->H1.data, (size_t)c->H1.rows * c->H1.cols * sizeof(double));
  for (int l = 0; l < L; l++)
    get(s, c->W[l].data, (size_t)c->W[l].rows * c->W[l].cols * sizeof(double));
  if (s->bad) {
    dufm_config_clear(c);
    return dufm_err_set(err, DUFM_EFORMAT, "truncated atlas message");
  }
  return DUFM_OK;
}

static dufm_status finish(sink *k, unsigned char **buf, size_t *len, dufm_err *err) {
  if (k->oom) {
    free(k->buf);
    *buf = NULL;
    *len = 0;
    return dufm_err_set(err, DUFM_ENOMEM, "out of memory for an atlas message");
  }
  *buf = k->buf;
  *len = k->len;
  return DUFM_OK;
}

dufm_status dufm_atlas_job_pack(unsigned char **buf, size_t *len, const dufm_atlas_job *j,
                                dufm_err *err) {
  sink k = {0};
  unsigned magic = JOB_MAGIC;
  put(&k, &magic, sizeof magic);
  put_int(&k, j->id);
  put_int(&k, j->setting);
  put_int(&k, (int)j->kind);
  put(&k, &j->task, sizeof j->task);
  put_config(&k, j->has_input ? &j->input : &(dufm_config){0});
  return finish(&k, buf, len, err);
}

dufm_status dufm_atlas_job_unpack(dufm_atlas_job *j, const unsigned char *buf, size_t len,
                                  dufm_err *err) {
  memset(j, 0, sizeof *j);
  source s = {buf, buf + len, 0};
  unsigned magic;
  get(&s, &magic, sizeof magic);
  if (s.bad || magic != JOB_MAGIC)
    return dufm_err_set(err, DUFM_EFORMAT, "not an atlas job message");
  j->id = get_int(&s);
  j->setting = get_int(&s);
  j->kind = (dufm_atlas_job_kind)get_int(&s);
  get(&s, &j->task, sizeof j->task);
  j->task.origin[sizeof j->task.origin - 1] = '\0';
  dufm_status st = get_config(&s, &j->input, err);
  if (st == DUFM_OK && s.p != s.end)
    st = dufm_err_set(err, DUFM_EFORMAT, "atlas job message: %ld bytes too many",
                      (long)(s.end - s.p));
  j->has_input = j->input.d != NULL;
  if (st != DUFM_OK)
    dufm_atlas_job_clear(j);
  return st;
}

dufm_status dufm_atlas_result_pack(unsigned char **buf, size_t *len, const dufm_atlas_result *r,
                                   dufm_err *err) {
  sink k = {0};
  unsigned magic = RESULT_MAGIC;
  put(&k, &magic, sizeof magic);
  put_int(&k, r->id);
  put_int(&k, r->setting);
  put_int(&k, (int)r->kind);
  put_int(&k, r->task);
  put_int(&k, (int)r->status);
  put(&k, r->msg, sizeof r->msg);
  put(&k, &r->loss, sizeof r->loss);
  put(&k, &r->evals, sizeof r->evals);
  put(&k, &r->seconds, sizeof r->seconds);
  put_int(&k, r->converged);
  put_int(&k, r->strict);
  put(&k, &r->rel_grad, sizeof r->rel_grad);
  put(&k, r->stage, sizeof r->stage);
  put_config(&k, &r->x);
  return finish(&k, buf, len, err);
}

dufm_status dufm_atlas_result_unpack(dufm_atlas_result *r, const unsigned char *buf, size_t len,
                                     dufm_err *err) {
  memset(r, 0, sizeof *r);
  source s = {buf, buf + len, 0};
  unsigned magic;
  get(&s, &magic, sizeof magic);
  if (s.bad || magic != RESULT_MAGIC)
    return dufm_err_set(err, DUFM_EFORMAT, "not an atlas result message");
  r->id = get_int(&s);
  r->setting = get_int(&s);
  r->kind = (dufm_atlas_job_kind)get_int(&s);
  r->task = get_int(&s);
  r->status = (dufm_status)get_int(&s);
  get(&s, r->msg, sizeof r->msg);
  r->msg[sizeof r->msg - 1] = '\0';
  get(&s, &r->loss, sizeof r->loss);
  get(&s, &r->evals, sizeof r->evals);
  get(&s, &r->seconds, sizeof r->seconds);
  r->converged = get_int(&s);
  r->strict = get_int(&s);
  get(&s, &r->rel_grad, sizeof r->rel_grad);
  get(&s, r->stage, sizeof r->stage);
  r->stage[sizeof r->stage - 1] = '\0';
  dufm_status st = get_config(&s, &r->x, err);
  if (st == DUFM_OK && s.p != s.end)
    st = dufm_err_set(err, DUFM_EFORMAT, "atlas result message: %ld bytes too many",
                      (long)(s.end - s.p));
  if (st != DUFM_OK)
    dufm_atlas_result_clear(r);
  return st;
}
