/* dufm optimize: the pieces shared by its parsing, reporting and file output. */
#ifndef DUFM_CLI_OPTIMIZE_H
#define DUFM_CLI_OPTIMIZE_H

#include <stdint.h>

#include "dufm/analysis.h"
#include "dufm/gl.h"
#include "dufm/model.h"
#include "dufm/optim.h"
#include "dufm/params.h"
#include "dufm/pattern.h"

typedef struct {
  dufm_params p;
  dufm_optim_opts o;
  int *d; /* d_1..d_L, K in d[0..L] */
  int nseeds;
  uint64_t *seeds;
  const char *init;       /* --init text, NULL for a Gaussian start */
  const char *init_kind;  /* "gaussian", "structure" or "folder" */
  char *init_name;        /* canonical structure name or the folder (owned) */
  dufm_config start;      /* the --init configuration before padding */
  dufm_optim_result *res; /* nseeds */
  dufm_analysis *an;      /* nseeds */
  dufm_pattern *pat;      /* nseeds: activation patterns */
  int best;               /* index of the lowest final loss */
  dufm_gl dnc;
  char *best_structure; /* best candidate of dufm_compare (owned) */
  double best_structure_loss, best_structure_lower;
  const char *save, *trace; /* NULL when not asked */
} optimize_job;

/* Margin below which a numerical loss is not called "below" a closed form:
 * the double evaluation of a configuration's loss is good to far better than
 * this relative amount, so a smaller gap proves nothing either way. */
#define OPTIMIZE_BELOW_RTOL 1e-12

/* 1 when loss is below the closed form's rigorous lower end by more than the
 * margin above. */
int optimize_below(double loss, double closed_lower);

void optimize_print_json(const optimize_job *j);
void optimize_print_text(const optimize_job *j);

/* The best run's configuration into DIR: written to a fresh sibling folder,
 * then renamed into place (DIR must be missing or an empty folder). */
dufm_status optimize_save(const char *dir, const dufm_config *c, dufm_err *err);

/* CSV run,seed,iter,loss,fit,reg,grad_norm of every logged step, written to
 * FILE.tmp and renamed. */
dufm_status optimize_write_trace(const char *file, const optimize_job *j, dufm_err *err);

/* 0 when DIR can receive a save: missing (with an existing parent) or an empty
 * folder; otherwise prints the error naming --save and returns -1. */
int optimize_check_save(const char *dir);

/* 0 when the folder that will hold FILE exists; else prints and returns -1. */
int optimize_check_trace(const char *file);

#endif
