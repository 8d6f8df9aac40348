/* Trace data: the logged (iter, loss) points of each run (plot.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plot.h"

static trace_run *run_of(trace_data *t, long run, const char *seed) {
  for (int i = 0; i < t->nruns; i++)
    if (t->runs[i].run == run)
      return &t->runs[i];
  trace_run *nr = realloc(t->runs, (size_t)(t->nruns + 1) * sizeof *nr);
  if (nr == NULL)
    return NULL;
  t->runs = nr;
  memset(&nr[t->nruns], 0, sizeof *nr);
  nr[t->nruns].run = run;
  snprintf(nr[t->nruns].seed, sizeof nr[t->nruns].seed, "%s", seed);
  return &nr[t->nruns++];
}

int trace_add(trace_data *t, long run, const char *seed, double iter, double loss) {
  trace_run *r = run_of(t, run, seed);
  if (r == NULL)
    return -1;
  if (r->n == r->cap) {
    int cap = r->cap ? 2 * r->cap : 64;
    double *ni = realloc(r->iter, (size_t)cap * sizeof *ni);
    if (ni == NULL)
      return -1;
    r->iter = ni;
    double *nl = realloc(r->loss, (size_t)cap * sizeof *nl);
    if (nl == NULL)
      return -1;
    r->loss = nl;
    r->cap = cap;
  }
  r->iter[r->n] = iter;
  r->loss[r->n++] = loss;
  return 0;
}

void trace_clear(trace_data *t) {
  dufm_meta_clear(&t->meta);
  for (int i = 0; i < t->nruns; i++)
    free(t->runs[i].iter), free(t->runs[i].loss);
  free(t->runs);
  memset(t, 0, sizeof *t);
}
