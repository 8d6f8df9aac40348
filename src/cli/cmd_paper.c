/* dufm paper: the paper's DUFM experiments in one command. The flags are
 * parsed here; src/paper runs the experiments (paper_run) and this prints the
 * summary. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "args.h"
#include "commands.h"
#include "paper/paper.h"

typedef struct {
  const char *out, *full, *seeds, *threads, *iters, *json;
} flags;

static int parse(paper_job *j, const flags *f) {
  long v;
  j->out = f->out ? f->out : "paper-out";
  j->full = f->full != NULL;
  j->seeds = j->full ? 10 : 4;
  if (f->seeds != NULL) {
    if (cli_int(&v, f->seeds, "seeds", 1, 1000) != 0)
      return -1;
    j->seeds = (int)v;
  }
  long cores = sysconf(_SC_NPROCESSORS_ONLN);
  v = cores > 0 ? cores : 1;
  if (f->threads != NULL && cli_int(&v, f->threads, "threads", 1, 1024) != 0)
    return -1;
  j->threads = (int)v;
  if (f->iters != NULL) {
    if (cli_int(&v, f->iters, "iters", 1, 1000000000) != 0)
      return -1;
    j->iters = v;
  }
  return paper_out_check(j->out) ? -1 : 0;
}

static void print(const paper_job *j, int json, double seconds) {
  if (!json) {
    int n = 1;
    for (int i = 0; i < j->nexp; i++)
      n += j->exp[i].nfiles;
    printf("wrote %s (%d files) in %.1f s\n", j->out, n, seconds);
    for (int i = 0; i < j->nexp; i++)
      printf("  %d %-6s %s\n", i + 1, j->exp[i].name, j->exp[i].verdict);
    printf("report: %s/report.md\n", j->out);
    return;
  }
  json_writer w;
  json_init(&w, stdout);
  json_begin_object(&w);
  json_kv_string(&w, "out", j->out);
  json_kv_string(&w, "mode", j->full ? "full" : "quick");
  json_kv_int(&w, "seeds", j->seeds);
  json_kv_int(&w, "threads", j->threads);
  json_kv_string(&w, "report", "report.md");
  json_key(&w, "experiments");
  json_begin_array(&w);
  for (int i = 0; i < j->nexp; i++) {
    json_begin_object(&w);
    json_kv_string(&w, "name", j->exp[i].name);
    json_kv_string(&w, "title", paper_titles[i]);
    json_key(&w, "files");
    json_begin_array(&w);
    for (int k = 0; k < j->exp[i].nfiles; k++)
      json_string(&w, j->exp[i].files[k]);
    json_end_array(&w);
    json_kv_string(&w, "verdict", j->exp[i].verdict);
    json_key(&w, "summary");
    paper_json_summary(&w, &j->exp[i]);
    json_end_object(&w);
  }
  json_end_array(&w);
  json_kv_double(&w, "seconds", seconds);
  json_end_object(&w);
  json_finish(&w);
}

int cmd_paper(int argc, char **argv, int first) {
  flags f = {0};
  cli_opt opts[] = {{"out", OPT_VALUE, &f.out},     {"full", OPT_SWITCH, &f.full},
                    {"seeds", OPT_VALUE, &f.seeds}, {"threads", OPT_VALUE, &f.threads},
                    {"iters", OPT_VALUE, &f.iters}, {"json", OPT_SWITCH, &f.json},
                    {NULL, OPT_SWITCH, NULL}};
  paper_job j = {0};
  if (cli_parse(argc, argv, first, "paper", opts, NULL, 0) < 0 || parse(&j, &f) != 0)
    return CLI_EXIT_USAGE;
  char cmdline[512] = "dufm";
  for (int i = 1; i < argc && strlen(cmdline) + strlen(argv[i]) + 2 < sizeof cmdline; i++)
    strcat(strcat(cmdline, " "), argv[i]);
  int rc = paper_run(&j, cmdline);
  double seconds = paper_now() - j.t0;
  if (rc == 0) {
    fprintf(stderr, "dufm: paper: done in %.1f s\n", seconds);
    print(&j, f.json != NULL, seconds);
  }
  paper_job_clear(&j);
  return rc;
}
