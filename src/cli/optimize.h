/* dufm optimize: the pieces shared by its parsing, reporting and file output. */
#ifndef DUFM_CLI_OPTIMIZE_H
#define DUFM_CLI_OPTIMIZE_H

#include <stdint.h>

#include "dufm/analysis.h"
#include "dufm/atomic.h"
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
  dufm_atomic_dir save_dir;
  dufm_atomic_file trace_file;
} optimize_job;

/* "below" a closed form is the one rule of dufm/analysis.h (dufm_loss_below);
 * the names here are kept for the optimize commands. */
#define OPTIMIZE_BELOW_RTOL DUFM_BELOW_RTOL
#define optimize_below dufm_loss_below

void optimize_print_json(const optimize_job *j);
void optimize_print_text(const optimize_job *j);

/* Creates the --save folder's and the --trace file's temporaries before the
 * runs (a refused target fails at once). 0 or an exit status after printing. */
int optimize_open_outputs(optimize_job *j);

/* Writes the best run (H1.npy, ..., meta.json) and the trace (a "# " line with
 * the meta.json object, then CSV run,seed,iter,loss,fit,reg,grad_norm of every
 * logged step), then renames the trace and the folder into place, the trace
 * first. 0 or an exit status after printing (then nothing is left). */
int optimize_commit_outputs(optimize_job *j);

/* Removes the temporaries (no-op once committed). */
void optimize_abort_outputs(optimize_job *j);

#endif
