/* dufm optimize: the saved configuration folder and the trace file, both
 * opened before the runs (dufm/atomic.h) and committed together at the end:
 * nothing half-written remains, and no save without its trace. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "args.h"
#include "dufm/meta.h"
#include "optimize.h"

int optimize_open_outputs(optimize_job *j) {
  dufm_err err;
  if (j->save != NULL && dufm_atomic_dir_begin(&j->save_dir, j->save, &err) != DUFM_OK)
    return cli_fail("--save: %s", err.msg);
  if (j->trace != NULL && dufm_atomic_file_open(&j->trace_file, j->trace, &err) != DUFM_OK) {
    dufm_atomic_dir_abort(&j->save_dir);
    return cli_fail("--trace: %s", err.msg);
  }
  return 0;
}

void optimize_abort_outputs(optimize_job *j) {
  dufm_atomic_file_abort(&j->trace_file);
  dufm_atomic_dir_abort(&j->save_dir);
}

/* What produced the outputs, for meta.json and the trace header. */
static int describe(dufm_meta *m, const optimize_job *j, const int *widths, dufm_err *err) {
  char source[600];
  snprintf(source, sizeof source, "%s, %d seed%s, best seed %llu, init %s%s%.300s",
           dufm_optim_method_name(j->o.method), j->nseeds, j->nseeds == 1 ? "" : "s",
           (unsigned long long)j->res[j->best].seed, j->init_kind, j->init_name ? " " : "",
           j->init_name ? j->init_name : "");
  return dufm_meta_init(m, &j->p, widths, DUFM_FORM_SAMPLES, "optimize", source, err) == DUFM_OK
             ? 0
             : -1;
}

static int write_trace(FILE *f, const optimize_job *j, dufm_err *err) {
  dufm_meta m;
  if (describe(&m, j, NULL, err) != 0)
    return -1;
  /* The parameters first, as a comment line, for 'dufm plot trace'. */
  fputs("# ", f);
  dufm_status st = dufm_meta_write(f, &m, err);
  dufm_meta_clear(&m);
  if (st != DUFM_OK)
    return -1;
  fputs("run,seed,iter,loss,fit,reg,grad_norm\n", f);
  for (int r = 0; r < j->nseeds; r++) {
    const dufm_optim_result *res = &j->res[r];
    for (long i = 0; i < res->ntrace; i++) {
      const dufm_optim_point *pt = &res->trace[i];
      fprintf(f, "%d,%llu,%ld,%.17g,%.17g,%.17g,%.17g\n", r, (unsigned long long)res->seed,
              pt->iter, pt->loss, pt->fit, pt->reg, pt->grad_norm);
    }
  }
  return 0;
}

int optimize_commit_outputs(optimize_job *j) {
  dufm_err err;
  int rc = 0;
  if (j->trace != NULL && write_trace(j->trace_file.f, j, &err) != 0)
    rc = cli_fail("--trace: %s: %s", j->trace, err.msg);
  if (rc == 0 && j->save != NULL) {
    const dufm_config *x = &j->res[j->best].x;
    dufm_meta m;
    if (describe(&m, j, x->d, &err) != 0 ||
        dufm_config_save_into(&j->save_dir, x, &m, &err) != DUFM_OK)
      rc = cli_fail("--save: %s", err.msg);
    dufm_meta_clear(&m);
  }
  /* The trace first: a failed trace leaves no save. */
  if (rc == 0 && j->trace != NULL && dufm_atomic_file_commit(&j->trace_file, &err) != DUFM_OK)
    rc = cli_fail("--trace: %s", err.msg);
  if (rc == 0 && j->save != NULL && dufm_atomic_dir_commit(&j->save_dir, &err) != DUFM_OK)
    rc = cli_fail("--save: %s", err.msg);
  optimize_abort_outputs(j);
  return rc;
}
