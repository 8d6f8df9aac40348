/* The figure file: format from the extension, a temporary next to --out that
 * PLplot writes, checks, and the rename into place. */
#include <errno.h>
#include <fcntl.h>
#include <plplot.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "plot.h"

const char *plot_format_name(plot_format f) { return f == PLOT_PNG ? "png" : "svg"; }

int plot_target_init(plot_target *t, const char *out, int json) {
  if (out == NULL || *out == '\0')
    return cli_fail("--out: missing (the figure file, FILE.svg or FILE.png)"), -1;
  const char *dot = strrchr(out, '.');
  const char *slash = strrchr(out, '/');
  if (dot == NULL || (slash != NULL && dot < slash) || dot[1] == '\0')
    return cli_fail("--out: '%s' has no extension; use .svg or .png", out), -1;
  if (strcasecmp(dot, ".svg") == 0)
    t->format = PLOT_SVG;
  else if (strcasecmp(dot, ".png") == 0)
    t->format = PLOT_PNG;
  else
    return cli_fail("--out: '%s': unknown extension '%s'; use .svg or .png", out, dot), -1;
  t->out = out;
  t->json = json;
  t->quiet = 0;
  return 0;
}

/* PLplot reports fatal errors through plexit, which would print several lines
 * and exit; this handler prints our one line, removes the temporary, and exits
 * itself. Non-fatal aborts only mark the figure as failed. */
static const char *current_tmp;
static int plplot_aborted;

static int on_plexit(const char *msg) {
  fprintf(stderr, "dufm: plot: PLplot failed: %s\n", msg);
  if (current_tmp != NULL)
    unlink(current_tmp);
  exit(1);
}

static void on_plabort(const char *msg) {
  if (!plplot_aborted)
    fprintf(stderr, "dufm: plot: PLplot failed: %s\n", msg);
  plplot_aborted = 1;
}

/* Whether PLplot has a device of this name (a missing driver would make
 * plinit prompt for another one on stdin). */
static int have_device(const char *name) {
  enum { MAX_DEV = 128 };
  const char *menu[MAX_DEV], *names[MAX_DEV];
  const char **pm = menu, **pn = names;
  int n = MAX_DEV;
  plgDevs(&pm, &pn, &n);
  for (int i = 0; i < n; i++)
    if (strcmp(pn[i], name) == 0)
      return 1;
  return 0;
}

int plot_page_open(plot_page *pg, const plot_target *t, int width, int height) {
  const char *dev = t->format == PLOT_PNG ? "pngcairo" : "svg";
  pg->t = t;
  pg->tmp = NULL;
  if (!have_device(dev))
    return cli_fail("--out: %s needs PLplot's %s driver (Debian package %s)", t->out, dev,
                    t->format == PLOT_PNG ? "plplot-driver-cairo" : "libplplot17");
  size_t len = strlen(t->out) + 16;
  pg->tmp = malloc(len);
  if (pg->tmp == NULL)
    return cli_fail("out of memory"), 1;
  snprintf(pg->tmp, len, "%s.tmpXXXXXX", t->out);
  int fd = mkstemp(pg->tmp);
  if (fd < 0) {
    int e = errno;
    free(pg->tmp);
    pg->tmp = NULL;
    return cli_fail("--out: %s: cannot create a file in its folder: %s", t->out, strerror(e));
  }
  /* mkstemp makes the file 0600; a figure gets the usual 0666 minus the umask. */
  mode_t mask = umask(0);
  umask(mask);
  (void)fchmod(fd, 0666 & ~mask); /* on failure the figure is only less readable */
  close(fd);
  current_tmp = pg->tmp;
  plplot_aborted = 0;
  plsexit(on_plexit);
  plsabort(on_plabort);
  plsdev(dev);
  plsfnam(pg->tmp);
  plspage(0, 0, width, height, 0, 0);
  plot_palette();
  plinit();
  return 0;
}

/* The first bytes of the finished file must be those of its format. */
static int looks_right(const char *path, plot_format f) {
  char head[512] = {0};
  FILE *in = fopen(path, "rb");
  if (in == NULL)
    return 0;
  size_t got = fread(head, 1, sizeof head - 1, in);
  int ok = fsync(fileno(in)) == 0 || errno == EINVAL;
  fclose(in);
  if (f == PLOT_PNG)
    return ok && got >= 8 && memcmp(head, "\x89PNG\r\n\x1a\n", 8) == 0;
  return ok && strstr(head, "<svg") != NULL;
}

int plot_page_close(plot_page *pg) {
  plend();
  int rc = 0;
  if (plplot_aborted) {
    rc = 1;
  } else if (!looks_right(pg->tmp, pg->t->format)) {
    rc = cli_fail("--out: %s: PLplot did not write a complete %s file", pg->t->out,
                  plot_format_name(pg->t->format));
  } else if (rename(pg->tmp, pg->t->out) != 0) {
    rc = cli_fail("--out: %s: cannot rename the finished figure into place: %s", pg->t->out,
                  strerror(errno));
  }
  if (rc != 0)
    unlink(pg->tmp);
  current_tmp = NULL;
  free(pg->tmp);
  pg->tmp = NULL;
  return rc;
}

void plot_report_begin(json_writer *w, const plot_target *t, const char *kind, const char *what) {
  if (t->quiet)
    return;
  if (!t->json) {
    printf("wrote %s (%s, %s)\n", t->out, plot_format_name(t->format), what);
    return;
  }
  json_init(w, stdout);
  json_begin_object(w);
  json_kv_string(w, "kind", kind);
  json_kv_string(w, "out", t->out);
  json_kv_string(w, "format", plot_format_name(t->format));
}

void plot_report_end(json_writer *w, const plot_target *t) {
  if (t->quiet || !t->json)
    return;
  json_end_object(w);
  json_finish(w);
}
