/* The atlas scheduler: per-setting plans, ready jobs in dependency order,
 * the deterministic reduction, and the entries written as settings finish. */
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "atlas/atlas_internal.h"
#include "dufm/compare.h"
#include "dufm/dnc.h"

typedef struct {
  int L, K;
  dufm_atlas_action action;
  int has_old;
  dufm_atlas_entry old;
  char note[DUFM_ERR_MSG_MAX + 64];
  int ndeps, dep[2];
  int planned, sealed;
  dufm_search_plan plan;
  int n1;        /* phase 1 tasks (known at planning) */
  int next_task; /* next task to hand out */
  int returned;
  double *loss;
  long *evals;
  int best; /* task index of the best finite loss so far, -1: none */
  dufm_config best_x;
  double seconds;
  int final_out, done;
  dufm_config final; /* kept configuration, the neighbours' input (empty: failed) */
  char inputs[2][32];
  int ninputs;
} setting;

struct dufm_atlas {
  dufm_atlas_spec spec; /* copy (own lambda) */
  dufm_atlas_opts o;
  char *root;
  int n, ndone;
  setting *s;
  dufm_atlas_summary sum;
};

static int mkdir_p(const char *path) {
  char *p = strdup(path);
  if (p == NULL)
    return -1;
  for (char *c = p + 1; *c != '\0'; c++)
    if (*c == '/') {
      *c = '\0';
      if (mkdir(p, 0777) != 0 && errno != EEXIST) {
        free(p);
        return -1;
      }
      *c = '/';
    }
  int rc = mkdir(p, 0777) != 0 && errno != EEXIST ? -1 : 0;
  struct stat sb;
  if (rc == 0 && (stat(p, &sb) != 0 || !S_ISDIR(sb.st_mode)))
    rc = -1;
  free(p);
  return rc;
}

/* Leftovers of an interrupted write: "<entry>.tmp-XXXXXX" folders. */
static void remove_leftovers(const char *group) {
  DIR *d = opendir(group);
  if (d == NULL)
    return;
  struct dirent *de;
  while ((de = readdir(d)) != NULL) {
    if (strstr(de->d_name, ".tmp-") == NULL)
      continue;
    size_t len = strlen(group) + strlen(de->d_name) + 2;
    char *path = malloc(len);
    if (path != NULL) {
      snprintf(path, len, "%s/%s", group, de->d_name);
      dufm_i_atlas_remove_tree(path);
    }
    free(path);
  }
  closedir(d);
}

static void report(dufm_atlas *a, int i, dufm_atlas_done_kind kind, double loss, double ratio,
                   int below, const char *note) {
  a->ndone++;
  if (a->o.on_done == NULL)
    return;
  dufm_atlas_done d = {i,
                       a->s[i].L,
                       a->s[i].K,
                       kind,
                       loss,
                       ratio,
                       a->s[i].seconds,
                       below,
                       a->ndone,
                       a->n,
                       note != NULL ? note : ""};
  a->o.on_done(a->o.ctx, &d);
}

static void setting_clear(setting *t) {
  dufm_atlas_entry_clear(&t->old);
  if (t->planned)
    dufm_search_plan_clear(&t->plan);
  free(t->loss);
  free(t->evals);
  dufm_config_clear(&t->best_x);
  dufm_config_clear(&t->final);
}

void dufm_atlas_free(dufm_atlas *a) {
  if (a == NULL)
    return;
  for (int i = 0; a->s != NULL && i < a->n; i++)
    setting_clear(&a->s[i]);
  free(a->s);
  free(a->root);
  dufm_atlas_spec_clear(&a->spec);
  free(a);
}

static int needs_annotation(const dufm_atlas *a, const setting *t) {
  if (t->old.pattern_json == NULL)
    return 1;
  if (!t->old.below_dnc || t->old.certificate == NULL)
    return 0;
  char *dir = dufm_atlas_setting_dir(&a->spec, a->root, t->L, t->K);
  if (dir == NULL)
    return 1;
  size_t len = strlen(dir) + strlen(t->old.certificate) + 2;
  char *path = malloc(len);
  struct stat sb;
  int missing = 1;
  if (path != NULL) {
    snprintf(path, len, "%s/%s", dir, t->old.certificate);
    missing = stat(path, &sb) != 0 || !S_ISREG(sb.st_mode);
  }
  free(path);
  free(dir);
  return missing;
}

static dufm_status upgrade(dufm_atlas *a, setting *t, dufm_err *err) {
  char *dir = dufm_atlas_setting_dir(&a->spec, a->root, t->L, t->K);
  if (dir == NULL)
    return dufm_err_set(err, DUFM_ENOMEM, "out of memory");
  dufm_status st = dufm_atlas_entry_annotate(&t->old, err);
  if (st == DUFM_OK)
    st = dufm_atlas_entry_write(dir, &t->old, err);
  free(dir);
  return st;
}

/* Reads the existing entry of setting i, if any, and decides its action. */
static dufm_status look(dufm_atlas *a, int i, dufm_err *err) {
  setting *t = &a->s[i];
  char *dir = dufm_atlas_setting_dir(&a->spec, a->root, t->L, t->K);
  if (dir == NULL)
    return dufm_err_set(err, DUFM_ENOMEM, "out of memory");
  struct stat sb;
  t->action = DUFM_ATLAS_SEARCH;
  if (stat(dir, &sb) == 0) {
    dufm_err e;
    dufm_err_clear(&e);
    dufm_status st = dufm_atlas_entry_read(&t->old, dir, &e);
    if (st == DUFM_OK)
      st = dufm_atlas_entry_validate(&t->old, &a->spec, t->L, t->K, &e);
    if (st == DUFM_ENOMEM) {
      free(dir);
      return dufm_err_set(err, st, "%s", e.msg);
    }
    if (st == DUFM_OK) {
      t->has_old = 1;
      t->action = dufm_atlas_resume_action(&t->old, a->spec.budget, a->spec.seed);
    } else {
      dufm_atlas_entry_clear(&t->old);
      snprintf(t->note, sizeof t->note, "existing entry replaced: %s", e.msg);
    }
  }
  free(dir);
  return DUFM_OK;
}

dufm_status dufm_atlas_open(dufm_atlas **out, const dufm_atlas_spec *s, const char *root,
                            const dufm_atlas_opts *o, dufm_err *err) {
  *out = NULL;
  dufm_atlas *a = calloc(1, sizeof *a);
  if (a == NULL)
    return dufm_err_set(err, DUFM_ENOMEM, "out of memory for the atlas");
  a->spec = *s;
  mpq_init(a->spec.lambda);
  a->spec.owned = 1;
  mpq_set(a->spec.lambda, s->lambda);
  if (o != NULL)
    a->o = *o;
  a->n = dufm_atlas_nsettings(s);
  a->root = strdup(root);
  a->s = calloc((size_t)a->n, sizeof *a->s);
  char *group = dufm_atlas_group_dir(s, root);
  dufm_status st = DUFM_OK;
  if (a->root == NULL || a->s == NULL || group == NULL) {
    st = dufm_err_set(err, DUFM_ENOMEM, "out of memory for the atlas");
    goto cleanup;
  }
  if (mkdir_p(group) != 0) {
    st = dufm_err_set(err, DUFM_EIO, "%s: cannot create the folder: %s", group, strerror(errno));
    goto cleanup;
  }
  remove_leftovers(group);
  a->sum.total = a->n;
  for (int i = 0; i < a->n && st == DUFM_OK; i++) {
    setting *t = &a->s[i];
    dufm_atlas_setting(s, i, &t->L, &t->K);
    t->ndeps = dufm_atlas_deps(s, i, t->dep);
    t->best = -1;
    st = look(a, i, err);
  }
  for (int i = 0; i < a->n && st == DUFM_OK; i++) {
    setting *t = &a->s[i];
    if (t->action != DUFM_ATLAS_SKIP)
      continue;
    st = dufm_config_copy(&t->final, &t->old.config, err);
    /* An entry written before patterns and certificates were recorded (or
     * whose certificate file is missing) gets them now, without a search. */
    if (st == DUFM_OK && needs_annotation(a, t))
      st = upgrade(a, t, err);
    t->done = 1;
    t->seconds = 0.0;
    a->sum.skipped++;
    report(a, i, DUFM_ATLAS_DONE_SKIPPED, t->old.best_loss, t->old.ratio_to_dnc, t->old.below_dnc,
           "");
  }
cleanup:
  free(group);
  if (st != DUFM_OK)
    dufm_atlas_free(a);
  else
    *out = a;
  return st;
}

static long final_budget(const dufm_atlas_spec *s) {
  return (long)(DUFM_ATLAS_FINAL_SHARE * (double)s->budget);
}

static dufm_status plan(dufm_atlas *a, int i, dufm_err *err) {
  setting *t = &a->s[i];
  dufm_params p;
  dufm_status st = dufm_atlas_params(&p, &a->spec, t->L, t->K, err);
  if (st != DUFM_OK)
    return st;
  dufm_search_opts o;
  dufm_search_opts_default(&o);
  o.seed = a->spec.seed;
  o.budget = a->spec.budget - final_budget(&a->spec);
  o.chain = 0;
  st = dufm_search_plan_init(&t->plan, &p, &o, t->ndeps > 0 ? DUFM_ATLAS_PHASE2_SHARE : 0.0, err);
  dufm_params_clear(&p);
  if (st != DUFM_OK) {
    dufm_search_plan_clear(&t->plan);
    return st;
  }
  t->planned = 1;
  t->n1 = t->plan.ntasks;
  t->loss = malloc((size_t)t->n1 * sizeof *t->loss);
  t->evals = calloc((size_t)t->n1, sizeof *t->evals);
  if (t->loss == NULL || t->evals == NULL)
    return dufm_err_set(err, DUFM_ENOMEM, "out of memory for the atlas");
  for (int k = 0; k < t->n1; k++)
    t->loss[k] = NAN;
  return DUFM_OK;
}

static int deps_done(const dufm_atlas *a, int i) {
  for (int k = 0; k < a->s[i].ndeps; k++)
    if (!a->s[a->s[i].dep[k]].done)
      return 0;
  return 1;
}

/* Phase 2 starts from the neighbours' kept configurations, then sealed. */
static dufm_status seal(dufm_atlas *a, int i, dufm_err *err) {
  setting *t = &a->s[i];
  dufm_status st = DUFM_OK;
  for (int k = 0; k < t->ndeps && st == DUFM_OK; k++) {
    const setting *d = &a->s[t->dep[k]];
    if (d->final.d == NULL)
      continue; /* the neighbour failed: no start from it */
    const char *label = d->L < t->L ? "best at (L-1, K)" : "best at (L, K+1)";
    snprintf(t->inputs[t->ninputs++], sizeof t->inputs[0], "%s", label);
    st = dufm_search_plan_add_start(&t->plan, &d->final, label, err);
  }
  if (st != DUFM_OK)
    return st;
  dufm_search_plan_seal(&t->plan);
  int n = t->plan.ntasks;
  double *l = realloc(t->loss, (size_t)n * sizeof *l);
  if (l != NULL)
    t->loss = l;
  long *e = realloc(t->evals, (size_t)n * sizeof *e);
  if (e != NULL)
    t->evals = e;
  if (l == NULL || e == NULL)
    return dufm_err_set(err, DUFM_ENOMEM, "out of memory for the atlas");
  for (int k = t->n1; k < n; k++) {
    t->loss[k] = NAN;
    t->evals[k] = 0;
  }
  t->sealed = 1;
  return DUFM_OK;
}

static dufm_status task_job(dufm_atlas *a, int i, dufm_atlas_job *job, dufm_err *err) {
  setting *t = &a->s[i];
  const dufm_search_task *task = &t->plan.tasks[t->next_task];
  memset(job, 0, sizeof *job);
  job->id = i * 65536 + t->next_task;
  job->setting = i;
  job->kind = DUFM_ATLAS_JOB_TASK;
  job->task = *task;
  if (task->kind == DUFM_TASK_CONFIG) {
    dufm_status st = dufm_config_copy(&job->input, &t->plan.inputs[task->input], err);
    if (st != DUFM_OK)
      return st;
    job->has_input = 1;
  }
  t->next_task++;
  a->sum.jobs++;
  return DUFM_OK;
}

dufm_status dufm_atlas_next(dufm_atlas *a, dufm_atlas_job *job, int *got, dufm_err *err) {
  memset(job, 0, sizeof *job);
  *got = 0;
  if (a->ndone == a->n) {
    *got = -1;
    return DUFM_OK;
  }
  dufm_status st;
  /* Final polishes: they free the settings that wait on this one. */
  for (int i = 0; i < a->n; i++) {
    setting *t = &a->s[i];
    if (t->done || t->final_out || !t->sealed || t->returned < t->plan.ntasks || t->best < 0)
      continue;
    job->id = i * 65536 + 65535;
    job->setting = i;
    job->kind = DUFM_ATLAS_JOB_FINAL;
    job->task.index = -1;
    job->task.polish_evals = final_budget(&a->spec);
    snprintf(job->task.origin, sizeof job->task.origin, "final polish");
    job->input = t->best_x;
    memset(&t->best_x, 0, sizeof t->best_x);
    job->has_input = 1;
    t->final_out = 1;
    a->sum.jobs++;
    *got = 1;
    return DUFM_OK;
  }
  /* Settings whose neighbours are final: every remaining task. */
  for (int i = 0; i < a->n; i++) {
    setting *t = &a->s[i];
    if (t->done || !deps_done(a, i))
      continue;
    if (!t->planned && (st = plan(a, i, err)) != DUFM_OK)
      return st;
    if (!t->sealed && (st = seal(a, i, err)) != DUFM_OK)
      return st;
    if (t->next_task < t->plan.ntasks) {
      *got = 1;
      return task_job(a, i, job, err);
    }
  }
  /* Phase 1 tasks of the others, in order. */
  for (int i = 0; i < a->n; i++) {
    setting *t = &a->s[i];
    if (t->done || t->sealed)
      continue;
    if (!t->planned && (st = plan(a, i, err)) != DUFM_OK)
      return st;
    if (t->next_task < t->n1) {
      *got = 1;
      return task_job(a, i, job, err);
    }
  }
  return DUFM_OK;
}

/* ---- finishing a setting */

static char *search_json(const setting *t, const dufm_atlas_spec *s, const dufm_atlas_result *r,
                         long used) {
  char *buf = NULL;
  size_t len = 0;
  FILE *f = open_memstream(&buf, &len);
  if (f == NULL)
    return NULL;
  fprintf(f, "{\"budget\": %ld, \"budget_used\": %ld, \"seed\": %llu, \"ntasks\": %d, ", s->budget,
          used, (unsigned long long)s->seed, t->plan.ntasks);
  fputs("\"phase2_inputs\": [", f);
  for (int k = 0; k < t->ninputs; k++) {
    fputs(k ? ", " : "", f);
    dufm_i_aj_string(f, t->inputs[k]);
  }
  fprintf(f, "], \"best_task\": %d, \"best_origin\": ", t->best);
  dufm_i_aj_string(f, t->plan.tasks[t->best].origin);
  fprintf(f,
          ",\n    \"final_polish\": {\"evals\": %ld, \"converged\": %s, \"strict\": %s, "
          "\"rel_grad\": ",
          r->evals, r->converged ? "true" : "false", r->strict ? "true" : "false");
  dufm_i_aj_double(f, r->rel_grad);
  fputs(", \"stage\": ", f);
  dufm_i_aj_string(f, r->stage);
  fputs("},\n    \"tasks\": [", f);
  for (int k = 0; k < t->plan.ntasks; k++) {
    const dufm_search_task *task = &t->plan.tasks[k];
    fprintf(f, "%s\n      {\"task\": %d, \"phase\": %d, \"origin\": ", k ? "," : "", k,
            task->phase);
    dufm_i_aj_string(f, task->origin);
    fprintf(f, ", \"seed\": %llu, \"loss\": ", (unsigned long long)task->seed);
    dufm_i_aj_double(f, t->loss[k]);
    fprintf(f, ", \"evals\": %ld}", t->evals[k]);
  }
  fputs("]}", f);
  if (fclose(f) != 0) {
    free(buf);
    return NULL;
  }
  return buf;
}

/* The entry of a finished search (before the merge with an old entry). */
static dufm_status build_entry(dufm_atlas_entry *e, dufm_atlas *a, int i, dufm_atlas_result *r,
                               dufm_err *err) {
  setting *t = &a->s[i];
  memset(e, 0, sizeof *e);
  dufm_params p;
  dufm_status st = dufm_atlas_params(&p, &a->spec, t->L, t->K, err);
  if (st != DUFM_OK)
    return st;
  dufm_loss f;
  dufm_gl dnc;
  dufm_comparison cmp;
  memset(&cmp, 0, sizeof cmp);
  dufm_compare_opts co;
  dufm_compare_opts_default(&co);
  e->config = r->x;
  memset(&r->x, 0, sizeof r->x);
  if ((st = dufm_eval(&f, NULL, &e->config, &p, DUFM_FORM_SAMPLES, err)) != DUFM_OK ||
      (st = dufm_dnc_eval(&dnc, &p, err)) != DUFM_OK ||
      (st = dufm_compare(&cmp, &p, &co, err)) != DUFM_OK)
    goto cleanup;
  e->L = t->L;
  e->K = t->K;
  e->n = a->spec.n;
  snprintf(e->lambda, sizeof e->lambda, "%s", a->spec.lambda_text);
  e->budget = e->found_budget = a->spec.budget;
  e->seed = e->found_seed = a->spec.seed;
  e->best_loss = f.loss;
  e->dnc_loss = dnc.value;
  e->ratio_to_dnc = f.loss / dnc.value;
  e->below_dnc = dufm_i_atlas_below(f.loss, dnc.lower);
  if (cmp.best_index >= 0 && cmp.best_index < cmp.ncand) {
    const dufm_candidate *c = &cmp.cand[cmp.best_index];
    snprintf(e->closed_form_name, sizeof e->closed_form_name, "%s",
             dufm_structure_name(c->structure));
    e->closed_form_loss = c->eval.loss;
  }
  e->seconds = t->seconds;
  long used = r->evals;
  for (int k = 0; k < t->plan.ntasks; k++)
    used += t->evals[k];
  if ((e->runs = malloc(sizeof *e->runs)) == NULL ||
      (e->search_json = search_json(t, &a->spec, r, used)) == NULL) {
    st = dufm_err_set(err, DUFM_ENOMEM, "out of memory for an atlas entry");
    goto cleanup;
  }
  e->nruns = 1;
  e->runs[0] = (dufm_atlas_run){a->spec.budget, a->spec.seed, f.loss};
  /* The pattern and the certificate come with every write (finish). */
  e->pattern_json = NULL;
  e->certificate = NULL;
cleanup:
  dufm_comparison_clear(&cmp);
  dufm_params_clear(&p);
  return st;
}

static dufm_status finish(dufm_atlas *a, int i, dufm_atlas_result *r, dufm_err *err) {
  setting *t = &a->s[i];
  dufm_atlas_entry e;
  dufm_status st = build_entry(&e, a, i, r, err);
  dufm_atlas_done_kind kind = DUFM_ATLAS_DONE_SEARCHED;
  double fresh = e.best_loss;
  if (st == DUFM_OK && t->has_old) {
    st = dufm_atlas_entry_merge(&e, &t->old, err);
    kind = fresh < t->old.best_loss ? DUFM_ATLAS_DONE_IMPROVED : DUFM_ATLAS_DONE_KEPT;
  }
  char *dir = NULL;
  if (st == DUFM_OK && (dir = dufm_atlas_setting_dir(&a->spec, a->root, t->L, t->K)) == NULL)
    st = dufm_err_set(err, DUFM_ENOMEM, "out of memory");
  if (st == DUFM_OK)
    st = dufm_atlas_entry_annotate(&e, err);
  if (st == DUFM_OK)
    st = dufm_atlas_entry_write(dir, &e, err);
  free(dir);
  if (st == DUFM_OK)
    st = dufm_config_copy(&t->final, &e.config, err);
  t->done = 1;
  if (st == DUFM_OK) {
    if (kind == DUFM_ATLAS_DONE_SEARCHED)
      a->sum.searched++;
    else if (kind == DUFM_ATLAS_DONE_IMPROVED)
      a->sum.improved++;
    else
      a->sum.kept++;
    report(a, i, kind, e.best_loss, e.ratio_to_dnc, e.below_dnc, t->note);
  }
  dufm_atlas_entry_clear(&e);
  return st;
}

static int find(const dufm_atlas *a, const dufm_atlas_result *r) {
  if (r->setting < 0 || r->setting >= a->n)
    return -1;
  const setting *t = &a->s[r->setting];
  if (r->kind == DUFM_ATLAS_JOB_FINAL)
    return t->final_out && !t->done && r->id == r->setting * 65536 + 65535 ? r->setting : -1;
  if (!t->planned || r->task < 0 || r->task >= t->next_task || !isnan(t->loss[r->task]) ||
      r->id != r->setting * 65536 + r->task)
    return -1;
  return r->setting;
}

dufm_status dufm_atlas_complete(dufm_atlas *a, dufm_atlas_result *r, dufm_err *err) {
  int i = find(a, r);
  if (i < 0)
    return dufm_err_set(err, DUFM_EINVAL, "atlas result %d (setting %d, task %d) was not expected",
                        r->id, r->setting, r->task);
  setting *t = &a->s[i];
  if (r->status != DUFM_OK)
    return dufm_err_set(err, r->status, "L = %d, K = %d, %s: %s", t->L, t->K,
                        r->kind == DUFM_ATLAS_JOB_FINAL ? "final polish" : "search task", r->msg);
  t->seconds += r->seconds;
  a->sum.seconds += r->seconds;
  if (r->kind == DUFM_ATLAS_JOB_FINAL)
    return finish(a, i, r, err);
  /* A NaN marks "not returned": store an unusable loss as infinity. */
  t->loss[r->task] = isfinite(r->loss) ? r->loss : INFINITY;
  t->evals[r->task] = r->evals;
  t->returned++;
  /* The reduction: lowest finite loss, ties to the lower task index, so the
   * order of arrival does not matter. */
  if (isfinite(r->loss) && r->x.d != NULL &&
      (t->best < 0 || r->loss < t->loss[t->best] ||
       (r->loss == t->loss[t->best] && r->task < t->best))) {
    dufm_config_clear(&t->best_x);
    t->best_x = r->x;
    memset(&r->x, 0, sizeof r->x);
    t->best = r->task;
  }
  if (t->sealed && t->returned == t->plan.ntasks && t->best < 0) {
    /* No task ended finite: the setting fails, the others go on without it. */
    t->done = 1;
    a->sum.failed++;
    report(a, i, DUFM_ATLAS_DONE_FAILED, NAN, NAN, 0, "no search task ended at a finite loss");
  }
  return DUFM_OK;
}

void dufm_atlas_summary_get(const dufm_atlas *a, dufm_atlas_summary *out) { *out = a->sum; }
