/* The paper's experiments (dufm paper), a module of the executable with a
 * typed API: src/cli parses the flags into a paper_job and calls paper_run,
 * which writes the folder (tables, figures, report.md) and fills the
 * summaries the CLI prints. Pieces: the driver (paper_run.c), the four
 * experiments (paper_loss.c, paper_ratio.c, paper_rank.c, paper_width.c), the
 * runs and their labels (paper_runs.c) and the output folder (paper_out.c). */
#ifndef DUFM_PAPER_H
#define DUFM_PAPER_H

#include <stdio.h>

#include "dufm/analysis.h"
#include "dufm/optim.h"
#include "dufm/params.h"
#include "out/json.h"
#include "out/out.h"
#include "plot/plot.h"

#define PAPER_MAX_FILES 12
#define PAPER_MAX_ITEMS 40

/* One entry of an experiment's JSON summary. */
typedef enum { PAPER_NUM, PAPER_INT, PAPER_STR, PAPER_NUMS, PAPER_STRS } paper_kind;
typedef struct {
  char key[48];
  paper_kind kind;
  double num;
  long long i;
  char *str;    /* PAPER_STR (owned) */
  double *nums; /* PAPER_NUMS: n values (owned; NaN is null) */
  char **strs;  /* PAPER_STRS: n strings (owned) */
  int n;
} paper_item;

typedef struct {
  const char *name;             /* "loss", "ratio", "rank", "width" */
  char *files[PAPER_MAX_FILES]; /* names inside the folder, in writing order (owned) */
  int nfiles;
  paper_item items[PAPER_MAX_ITEMS];
  int nitems;
  int oom;  /* an allocation for the summary failed */
  FILE *md; /* the report section (open_memstream on md_text) */
  char *md_text;
  size_t md_size;
  /* One line for the summary table at the top of the report. */
  char claim[160], verdict[200];
} paper_exp;

typedef struct {
  const char *out; /* the final folder */
  char *tmp;       /* the temporary folder being filled (owned) */
  int full;
  int seeds, threads;
  long iters; /* --iters: every gd run (0: each experiment's own budget) */
  double t0;  /* start (monotonic seconds) */
  paper_exp exp[4];
  int nexp;
} paper_job;

/* ---- the driver (paper_run.c) */
#define PAPER_NEXP 4
/* Titles of the experiments, in order (loss, ratio, rank, width). */
extern const char *const paper_titles[PAPER_NEXP];

/* Runs the four experiments into a fresh folder j->out (j->out, full, seeds,
 * threads and iters set; the rest zero), writes report.md (cmdline is the
 * command shown in it) and renames the folder into place. j->exp[0..nexp-1]
 * hold the summaries; clear j with paper_job_clear whatever the status.
 * Returns 0 or an exit status after printing one line. */
int paper_run(paper_job *j, const char *cmdline);
void paper_job_clear(paper_job *j);

/* Monotonic wall clock in seconds. */
double paper_now(void);

/* ---- the experiments: each fills e (files in j->tmp, summary, report
 * section) and returns 0 or an exit status after printing one line. */
int paper_loss(paper_job *j, paper_exp *e);
int paper_ratio(paper_job *j, paper_exp *e);
int paper_rank(paper_job *j, paper_exp *e);
int paper_width(paper_job *j, paper_exp *e);

/* ---- experiment records (paper_out.c) */
int paper_exp_begin(paper_exp *e, const char *name); /* 0 or -1 (out of memory) */
void paper_exp_clear(paper_exp *e);
void paper_num(paper_exp *e, const char *key, double v);
void paper_int(paper_exp *e, const char *key, long long v);
void paper_str(paper_exp *e, const char *key, const char *s);
void paper_nums(paper_exp *e, const char *key, const double *v, int n);
void paper_strs(paper_exp *e, const char *key, const char *const *v, int n);
void paper_json_summary(json_writer *w, const paper_exp *e);

/* Opens NAME in the temporary folder for writing and records it in e; NULL
 * after printing. paper_close checks and closes: 0 or an exit status. */
FILE *paper_open(paper_job *j, paper_exp *e, const char *name);
int paper_close(FILE *f, const char *name);

/* The path of NAME in the temporary folder (into buf) and records it in e:
 * for files another module writes (figures). */
const char *paper_file(char *buf, size_t size, paper_job *j, paper_exp *e, const char *name);

/* Writes NAME.svg and NAME.png through draw(t, ctx), t a quiet target in the
 * temporary folder. 0 or an exit status. */
int paper_figure(paper_job *j, paper_exp *e, const char *name,
                 int (*draw)(const plot_target *t, const void *ctx), const void *ctx);

/* ---- the folder (paper_out.c). DIR must be missing or an empty folder; the
 * files go to a fresh DIR.tmp-XXXXXX next to it, which is removed on failure,
 * on exit() (PLplot's fatal errors) and on SIGINT/SIGTERM/SIGHUP (the handler
 * wakes a guard thread through a pipe), and renamed to DIR
 * at the end. The caller holds the folder lock while it writes files and
 * releases it while it only computes (paper_runs_do does so around the
 * optimizer), so an interrupt never races a half-written file. */
int paper_out_check(const char *out); /* 0 or an exit status after printing */
int paper_out_create(paper_job *j);   /* also takes the lock; 0 or an exit status */
int paper_out_commit(paper_job *j);   /* the rename; 0 or an exit status */
void paper_out_abandon(paper_job *j); /* removes the temporary folder */
void paper_out_finish(void);          /* releases the lock, stops the guard */
void paper_unlock(void);
void paper_lock(void);

/* ---- runs (paper_runs.c) */
typedef struct {
  int nseeds;
  dufm_optim_result *res; /* nseeds */
  dufm_analysis *an;      /* nseeds (zero-filled for a diverged run) */
  const char **label;     /* nseeds: see paper_label */
  double dnc_loss;
} paper_runs;

/* Runs gd (lr 0.5, Gaussian start N(0, 0.1^2)) from seeds 0..j->seeds-1 at p
 * with hidden widths `width`, for iters steps (j->iters overrides), traced
 * every log_every steps (0: no trace), analyses each result and labels it.
 * what names the runs in progress lines. 0 or an exit status. */
int paper_runs_do(paper_runs *out, const paper_job *j, const dufm_params *p, int width, long iters,
                  long log_every, const char *what);
void paper_runs_clear(paper_runs *r);

/* Label of a run: "diverged"; "near_dnc" (classified other, every class-mean
 * layer of rank K, loss within PAPER_NEAR_DNC relative of the DNC closed form);
 * else the classification of dufm_analyze ("zero": loss within 1e-9 of 1/2,
 * the all-zero solution; "underfit": the output's class means have rank < K;
 * "low_rank", "dnc", "other"). */
#define PAPER_NEAR_DNC 1e-3
const char *paper_label(const dufm_optim_result *r, const dufm_analysis *a, double dnc_loss);

/* Rank of layer l's class means with relative threshold tol, from the singular
 * values dufm_analyze returned (0 for a zero-solution run). */
int paper_rank_at(const dufm_analysis *a, int l, double tol, const char *label);

/* Params for (L, K, n = 1) with every lambda the exact decimal lambda; 0 or
 * an exit status. */
int paper_params(dufm_params *p, int L, int K, const char *lambda);

#endif
