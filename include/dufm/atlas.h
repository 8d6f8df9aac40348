/* dufm/atlas.h: the best-known configuration at every setting (L, K) of a
 * grid, for one lambda and n, kept in a folder of per-setting entries that a
 * rerun resumes and improves (docs/atlas.md).
 *
 * Work is cut into *jobs* that depend only on their own inputs: every start
 * task of every setting's search plan (dufm/search.h), and per setting one
 * final polish of the winner. A setting's phase 2 starts are the final
 * configurations of its neighbours (L - 1, K) (lifted) and (L, K + 1) (one
 * class deleted), so its phase 2 jobs become ready when those are final. A
 * scheduler (dufm_atlas) hands out ready jobs, takes results back in any
 * order and writes each finished setting atomically; jobs can run on threads
 * or other processes (dufm_atlas_job_pack). The reduction is by (loss, task
 * index), so the entries do not depend on the number of workers nor on the
 * order in which results come back. The library itself knows nothing of MPI. */
#ifndef DUFM_ATLAS_H
#define DUFM_ATLAS_H

#include <gmp.h>
#include <stddef.h>
#include <stdint.h>

#include "dufm/compare.h"
#include "dufm/error.h"
#include "dufm/export.h"
#include "dufm/model.h"
#include "dufm/params.h"
#include "dufm/search.h"

DUFM_BEGIN_DECLS

#define DUFM_ATLAS_FORMAT "dufm-atlas-entry-1"
/* Budget shares inside one setting, as in dufm_search: the final polish of
 * the winner, and phase 2 (neighbour starts) of the rest. */
#define DUFM_ATLAS_FINAL_SHARE 0.05
#define DUFM_ATLAS_PHASE2_SHARE 0.15
/* Entry validation: |dufm_eval loss of the saved configuration - recorded loss|. */
#define DUFM_ATLAS_LOSS_TOL 1e-12

typedef struct {
  int L_lo, L_hi, K_lo, K_hi, n;
  mpq_t lambda;         /* every lambda (H and each layer) equal, exact */
  char lambda_text[64]; /* canonical exact text: "0.004", or "1/3" when not a finite decimal */
  long budget;          /* evaluations per setting (dufm_search's meaning) */
  uint64_t seed;
  int owned; /* internal: nonzero once lambda is initialized */
} dufm_atlas_spec;

/* Checks 1 <= L_lo <= L_hi <= 64, 2 <= K_lo <= K_hi <= 1000, n in 1..DUFM_MAX_N,
 * lambda exact decimal text > 0, budget >= 10000. The message names the
 * field ("L", "K", "n", "lambda", "budget"). s uninitialized; clear it
 * afterwards whatever the status. */
dufm_status dufm_atlas_spec_init(dufm_atlas_spec *s, int L_lo, int L_hi, int K_lo, int K_hi, int n,
                                 const char *lambda, long budget, uint64_t seed, dufm_err *err);
/* Frees everything s owns and zero-fills it; a no-op on NULL and on a zero-filled
 * or cleared record. */
void dufm_atlas_spec_clear(dufm_atlas_spec *s);

/* Settings are numbered in dependency order: L ascending, then K descending,
 * so both neighbours of a setting come before it. */
int dufm_atlas_nsettings(const dufm_atlas_spec *s);
void dufm_atlas_setting(const dufm_atlas_spec *s, int index, int *L, int *K);
int dufm_atlas_index(const dufm_atlas_spec *s, int L, int K); /* -1 outside the grid */
/* Indices of the settings `index` waits for ((L - 1, K) first, then (L, K + 1),
 * those inside the grid) into dep[0..2); returns how many. */
int dufm_atlas_deps(const dufm_atlas_spec *s, int index, int dep[2]);
/* Parameters of setting (L, K): the spec's n and lambda everywhere. p
 * uninitialized; clear it afterwards whatever the status. */
dufm_status dufm_atlas_params(dufm_params *p, const dufm_atlas_spec *s, int L, int K,
                              dufm_err *err);
/* ROOT/lam<lambda>_n<n> and ROOT/lam<lambda>_n<n>/L<L>_K<K> ('/' of a
 * fraction written "_over_"); malloc'ed, NULL when out of memory. */
char *dufm_atlas_group_dir(const dufm_atlas_spec *s, const char *root);
char *dufm_atlas_setting_dir(const dufm_atlas_spec *s, const char *root, int L, int K);

/* ---- one entry: SETTING_DIR/entry.json and SETTING_DIR/config/ */

typedef struct {
  long budget;
  uint64_t seed;
  double best_loss; /* that search's own best, before keeping the better */
} dufm_atlas_run;

typedef struct {
  int L, K, n;
  char lambda[64]; /* canonical exact text, as dufm_atlas_spec */
  long budget;     /* of the latest search of this setting */
  uint64_t seed;
  long found_budget; /* the search that found the kept configuration */
  uint64_t found_seed;
  double best_loss; /* dufm_eval loss of config */
  double dnc_loss, ratio_to_dnc;
  int below_dnc;              /* below DNC's rigorous lower end by more than 1e-12 relative */
  char closed_form_name[128]; /* best closed-form candidate of dufm_compare ("" if none) */
  double closed_form_loss;
  double seconds; /* compute seconds of the latest search (sum over its jobs) */
  int nruns;
  dufm_atlas_run *runs; /* every search of this setting, oldest first */
  char *search_json;    /* summary of the search that found config: one JSON object */
  char *pattern_json;   /* activation pattern {signature, readable} as JSON, or NULL (null) */
  char *certificate;    /* certificate path relative to the entry, or NULL (null) */
  dufm_config config;
  /* The certificate file's text when below_dnc and the checker accepted it
   * (dufm_cert_from_config of config); filled by dufm_atlas_entry_annotate,
   * not by reading an entry. */
  char *certificate_text;
} dufm_atlas_entry;

/* Fills e's activation pattern (pattern_json) and, when e->below_dnc, its
 * certificate (certificate_text, certificate = "certificate.cert" when the
 * exact checker accepts it, else NULL) from e->config; deterministic (the same
 * configuration gives the same bytes). Cost: one pattern extraction and up to
 * five exact forward passes (dufm_cert_from_config). */
dufm_status dufm_atlas_entry_annotate(dufm_atlas_entry *e, dufm_err *err);

/* Frees everything e owns and zero-fills it; a no-op on NULL and on a zero-filled
 * or cleared record. */
void dufm_atlas_entry_clear(dufm_atlas_entry *e);

/* Writes the entry as one folder: built in a temporary sibling, then renamed
 * into place (exchanged atomically with an existing entry, which is then
 * removed), so a reader sees the old entry or the new one, never a mix. */
dufm_status dufm_atlas_entry_write(const char *dir, const dufm_atlas_entry *e, dufm_err *err);
/* Reads DIR/entry.json and DIR/config (no evaluation). DUFM_EIO when missing,
 * DUFM_EFORMAT when malformed (message names the file and field). e
 * uninitialized; clear it afterwards whatever the status. */
dufm_status dufm_atlas_entry_read(dufm_atlas_entry *e, const char *dir, dufm_err *err);
/* Checks that e belongs to setting (L, K) of s (L, K, n, lambda, shapes) and
 * that dufm_eval of its configuration equals best_loss to
 * DUFM_ATLAS_LOSS_TOL. DUFM_EFORMAT naming the field otherwise. */
dufm_status dufm_atlas_entry_validate(const dufm_atlas_entry *e, const dufm_atlas_spec *s, int L,
                                      int K, dufm_err *err);

/* The resume rule: skip a setting when a valid entry records a search with
 * the same seed and a budget >= the requested one; otherwise search, and
 * when a valid entry exists keep the better of old and new. */
typedef enum {
  DUFM_ATLAS_SEARCH,      /* no valid entry: search and write */
  DUFM_ATLAS_SKIP,        /* done already */
  DUFM_ATLAS_SEARCH_MERGE /* search, then keep the better of old and new */
} dufm_atlas_action;

dufm_atlas_action dufm_atlas_resume_action(const dufm_atlas_entry *old, long budget, uint64_t seed);

/* fresh becomes the merge of old (valid) and fresh (one new search): the
 * lower best_loss wins (ties keep old); budget, seed and seconds are the
 * fresh search's; runs are old's followed by fresh's. old is left as is. */
dufm_status dufm_atlas_entry_merge(dufm_atlas_entry *fresh, const dufm_atlas_entry *old,
                                   dufm_err *err);

/* ---- lookup: the entry at given parameters (dufm compare, dufm table) */

typedef struct {
  int found;                       /* an entry matched; the fields below are set only then */
  char *dir;                       /* its folder ROOT/lam<X>_n<N>/L<L>_K<K> */
  dufm_atlas_entry entry;          /* read and validated */
  char *pattern;                   /* signature of the entry's activation pattern, or NULL */
  char *certificate_path;          /* dir/<certificate> when the entry names one, else NULL */
  int certificate_verified;        /* loaded, dufm_cert_check valid, parameters exactly p */
  char note[2 * DUFM_ERR_MSG_MAX]; /* why a named certificate was refused ("" otherwise) */
} dufm_atlas_match;

/* Finds the entry of ROOT for p: one exists only when every lambda of p
 * (lambda_H and each lambda_l) is the same rational, and then it is
 * ROOT/lam<X>_n<N>/L<L>_K<K> with X that rational's canonical text (so
 * 0.004, 0.0040 and 1/250 find the same entry). A missing root or folder:
 * found = 0, DUFM_OK. An existing folder is read and validated (L, K, n and
 * the exact lambda equal p's; dufm_eval of its configuration equals best_loss
 * to DUFM_ATLAS_LOSS_TOL): DUFM_EIO or DUFM_EFORMAT naming the folder
 * otherwise. A certificate it names is loaded and checked exactly
 * (dufm_cert_check) and its parameters compared with p exactly; only then
 * certificate_verified = 1, else note says why (not an error). out
 * uninitialized; clear it afterwards whatever the status. Cost: one dufm_eval
 * and, with a certificate, one exact forward pass. */
dufm_status dufm_atlas_lookup(dufm_atlas_match *out, const char *root, const dufm_params *p,
                              dufm_err *err);
/* Frees everything m owns and zero-fills it; a no-op on NULL and on a zero-filled
 * or cleared record. */
void dufm_atlas_match_clear(dufm_atlas_match *m);

/* dufm_atlas_lookup at cmp's parameters p, then, when an entry matched, its
 * configuration added to cmp as the search candidate (source "atlas entry",
 * the budget and seed that found it) and the verdict recomputed
 * (dufm_comparison_add_search). *found (may be NULL) tells whether one did. */
dufm_status dufm_atlas_compare_add(dufm_comparison *cmp, const char *root, const dufm_params *p,
                                   int *found, dufm_err *err);

/* ---- jobs */

typedef enum { DUFM_ATLAS_JOB_TASK = 1, DUFM_ATLAS_JOB_FINAL = 2 } dufm_atlas_job_kind;

typedef struct {
  int id;      /* the scheduler's handle */
  int setting; /* index into the grid */
  dufm_atlas_job_kind kind;
  dufm_search_task task; /* TASK: the plan's task; FINAL: polish_evals is the budget */
  int has_input;
  dufm_config input; /* TASK of kind CONFIG: its start; FINAL: the winner (owned) */
} dufm_atlas_job;

typedef struct {
  int id, setting;
  dufm_atlas_job_kind kind;
  int task;
  dufm_status status; /* of the run; message in msg when not DUFM_OK */
  char msg[DUFM_ERR_MSG_MAX];
  double loss; /* dufm_eval loss of x (INFINITY when the task ended non-finite) */
  long evals;
  double seconds;        /* wall time of the run */
  int converged, strict; /* of the polish */
  double rel_grad;
  char stage[16];
  dufm_config x; /* owned; empty when loss is not finite */
} dufm_atlas_result;

/* Frees everything j (r) owns and zero-fills it; a no-op on NULL and on a zero-filled
 * or cleared record. */
void dufm_atlas_job_clear(dufm_atlas_job *j);
void dufm_atlas_result_clear(dufm_atlas_result *r);

/* Runs one job (pure: the result depends only on s and job). A failure of the
 * run itself is recorded in r->status and r->msg (the scheduler reports it);
 * the return value is DUFM_ENOMEM only when r could not be filled. r
 * uninitialized; clear it afterwards whatever the status. */
dufm_status dufm_atlas_job_run(dufm_atlas_result *r, const dufm_atlas_spec *s,
                               const dufm_atlas_job *job, dufm_err *err);

/* Flat byte images for message passing (doubles bit for bit, native byte
 * order: same architecture on both ends). *buf malloc'ed, NULL on failure;
 * free it with free(). Unpacking: j (r) uninitialized; clear it afterwards
 * whatever the status. */
dufm_status dufm_atlas_job_pack(unsigned char **buf, size_t *len, const dufm_atlas_job *j,
                                dufm_err *err);
dufm_status dufm_atlas_job_unpack(dufm_atlas_job *j, const unsigned char *buf, size_t len,
                                  dufm_err *err);
dufm_status dufm_atlas_result_pack(unsigned char **buf, size_t *len, const dufm_atlas_result *r,
                                   dufm_err *err);
dufm_status dufm_atlas_result_unpack(dufm_atlas_result *r, const unsigned char *buf, size_t len,
                                     dufm_err *err);

/* ---- the scheduler (not thread safe: callers serialize calls) */

typedef enum {
  DUFM_ATLAS_DONE_SEARCHED, /* new entry written */
  DUFM_ATLAS_DONE_IMPROVED, /* merged: the new search was better */
  DUFM_ATLAS_DONE_KEPT,     /* merged: the old entry stays better (budget updated) */
  DUFM_ATLAS_DONE_SKIPPED,  /* valid entry with enough budget found at open */
  DUFM_ATLAS_DONE_FAILED    /* no task ended finite, or the entry could not be written */
} dufm_atlas_done_kind;

typedef struct {
  int setting, L, K;
  dufm_atlas_done_kind kind;
  double best_loss, ratio_to_dnc, seconds;
  int below_dnc;
  int done, total;  /* settings final so far, in the grid */
  const char *note; /* why an existing entry was not used, or why it failed; "" */
} dufm_atlas_done;

typedef struct {
  void (*on_done)(void *ctx, const dufm_atlas_done *d); /* may be NULL */
  void *ctx;
} dufm_atlas_opts;

typedef struct dufm_atlas dufm_atlas;

/* Opens ROOT/lam<X>_n<N> (created if missing, with ROOT), removes leftover
 * temporaries of an interrupted write, reads and validates every existing
 * entry of the grid and decides each setting's action. Skipped settings are
 * reported through on_done here. *out NULL on failure; free it with
 * dufm_atlas_free (a no-op on NULL). */
dufm_status dufm_atlas_open(dufm_atlas **out, const dufm_atlas_spec *s, const char *root,
                            const dufm_atlas_opts *o, dufm_err *err);
void dufm_atlas_free(dufm_atlas *a);

/* The next ready job into *job (job uninitialized; clear it afterwards
 * whatever the status). *got: 1 a job,
 * 0 none ready until results come back, -1 every setting is final. Order:
 * final polishes, then phase 2 tasks, then phase 1 tasks, each by setting
 * index. */
dufm_status dufm_atlas_next(dufm_atlas *a, dufm_atlas_job *job, int *got, dufm_err *err);
/* Takes a result back (its configuration is moved out of r). A setting whose
 * last job returned is reduced, merged with its old entry and written here;
 * on_done is called. An error status in r (a worker failure) is returned. */
dufm_status dufm_atlas_complete(dufm_atlas *a, dufm_atlas_result *r, dufm_err *err);

typedef struct {
  int total, skipped, searched, improved, kept, failed;
  long jobs;
  double seconds; /* compute seconds over every job run */
} dufm_atlas_summary;

void dufm_atlas_summary_get(const dufm_atlas *a, dufm_atlas_summary *out);

DUFM_END_DECLS

#endif
