/* Reading an optimizer trace CSV (dufm optimize --trace) for dufm plot trace. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "args.h"
#include "dufm/atomic.h"
#include "plot_load.h"

#define MAX_FIELDS 64

/* Splits line in place at commas (no quoting: every field is a number or a
 * plain name); returns the number of fields. */
static int split(char *line, char **f) {
  int n = 0;
  line[strcspn(line, "\r\n")] = '\0';
  for (char *p = line;; p++) {
    if (n < MAX_FIELDS)
      f[n] = p;
    n++;
    p = strchr(p, ',');
    if (p == NULL)
      break;
    *p = '\0';
  }
  return n;
}

static int number(double *out, const char *text) {
  char *end;
  errno = 0;
  *out = strtod(text, &end);
  return *text != '\0' && *end == '\0' && errno != ERANGE && isfinite(*out);
}

/* Index of a column by name, -1 when absent. */
static int column(char **f, int n, const char *name) {
  for (int i = 0; i < n && i < MAX_FIELDS; i++)
    if (strcmp(f[i], name) == 0)
      return i;
  return -1;
}

int trace_read(trace_data *out, const char *path) {
  memset(out, 0, sizeof *out);
  FILE *in;
  dufm_err err;
  if (dufm_input_open(&in, NULL, path, TRACE_MAX_BYTES, "a trace", &err) != DUFM_OK)
    return cli_fail_err(&err, NULL);
  char *line = NULL, *f[MAX_FIELDS];
  size_t cap = 0;
  long lineno = 0;
  int meta_lines = 0, rc = 0, nf = 0, c_run = -1, c_seed = -1, c_iter = -1, c_loss = -1;
  while (rc == 0 && getline(&line, &cap, in) >= 0) {
    lineno++;
    if (lineno == 1 && meta_lines == 0 &&
        line[0] == '#') { /* the parameters: "# {meta.json object}" */
      char name[4200];
      snprintf(name, sizeof name, "%s: line 1", path);
      if (dufm_meta_parse(&out->meta, line + 1, strlen(line + 1), name, &err) != DUFM_OK)
        rc = cli_fail_err(&err, NULL);
      else
        out->has_meta = 1;
      lineno = 0, meta_lines = 1;
      continue;
    }
    if (lineno == 1) {
      nf = split(line, f);
      c_run = column(f, nf, "run"), c_seed = column(f, nf, "seed");
      c_iter = column(f, nf, "iter"), c_loss = column(f, nf, "loss");
      if (nf > MAX_FIELDS || c_run < 0 || c_iter < 0 || c_loss < 0)
        rc = cli_fail("%s: line %d: the header must name the columns run, iter and loss (as "
                      "run,seed,iter,loss,fit,reg,grad_norm)",
                      path, 1 + meta_lines);
      continue;
    }
    if (line[strspn(line, " \t\r\n")] == '\0')
      continue; /* blank lines (a trailing newline too) */
    int n = split(line, f);
    double run, iter, loss;
    if (n != nf)
      rc = cli_fail("%s: line %ld: %d fields, but the header has %d", path, lineno + meta_lines, n,
                    nf);
    else if (!number(&run, f[c_run]) || run != floor(run) || fabs(run) > 1e9)
      rc = cli_fail("%s: line %ld: run '%s' is not a whole number", path, lineno + meta_lines,
                    f[c_run]);
    else if (!number(&iter, f[c_iter]))
      rc = cli_fail("%s: line %ld: iter '%s' is not a finite number", path, lineno + meta_lines,
                    f[c_iter]);
    else if (!number(&loss, f[c_loss]) || loss <= 0)
      rc = cli_fail("%s: line %ld: loss '%s' is not a positive finite number (the axis is "
                    "logarithmic)",
                    path, lineno + meta_lines, f[c_loss]);
    else if (trace_add(out, (long)run, c_seed >= 0 ? f[c_seed] : "", iter, loss) != 0)
      rc = cli_fail("out of memory");
  }
  if (rc == 0 && ferror(in))
    rc = cli_fail("%s: cannot read the trace: %s", path, strerror(errno));
  else if (rc == 0 && lineno == 0)
    rc = cli_fail("%s: empty file (want a header run,seed,iter,loss,... and data lines)", path);
  else if (rc == 0 && out->nruns == 0)
    rc = cli_fail("%s: no data lines after the header", path);
  free(line);
  fclose(in);
  if (rc != 0)
    trace_clear(out);
  return rc;
}
