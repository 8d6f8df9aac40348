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

#include "dufm/atomic.h"
#include "plot.h"

/* The figure of 'dufm plot' (one per process). */
static dufm_atomic_file figure_file = {.slot = -1};

const char *plot_format_name(plot_format f) { return f == PLOT_PNG ? "png" : "svg"; }

int plot_target_init(plot_target *t, const char *out, int json) {
  if (out == NULL || *out == '\0')
    return out_fail("--out: missing (the figure file, FILE.svg or FILE.png)"), -1;
  const char *dot = strrchr(out, '.');
  const char *slash = strrchr(out, '/');
  if (dot == NULL || (slash != NULL && dot < slash) || dot[1] == '\0')
    return out_fail("--out: '%s' has no extension; use .svg or .png", out), -1;
  if (strcasecmp(dot, ".svg") == 0)
    t->format = PLOT_SVG;
  else if (strcasecmp(dot, ".png") == 0)
    t->format = PLOT_PNG;
  else
    return out_fail("--out: '%s': unknown extension '%s'; use .svg or .png", out, dot), -1;
  t->out = out;
  t->json = json;
  t->quiet = 0;
  t->file = NULL;
  /* The file now, before the computation: a refused target fails at once. */
  dufm_err err;
  if (dufm_atomic_file_open(&figure_file, out, &err) != DUFM_OK)
    return out_fail("--out: %s", err.msg), -1;
  t->file = &figure_file;
  return 0;
}

void plot_target_abort(void) { dufm_atomic_file_abort(&figure_file); }

/* PLplot reports fatal errors through plexit, which would print several lines
 * and exit; this handler prints our one line, removes the temporary, and exits
 * itself. Non-fatal aborts only mark the figure as failed. */
static dufm_atomic_file *current;
static int plplot_aborted;

static int on_plexit(const char *msg) {
  fprintf(stderr, "dufm: plot: PLplot failed: %s\n", msg);
  dufm_atomic_file_abort(current);
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
  pg->file = t->file != NULL ? t->file : &pg->own;
  if (!have_device(dev))
    return out_fail("--out: %s needs PLplot's %s driver (Debian package %s)", t->out, dev,
                    t->format == PLOT_PNG ? "plplot-driver-cairo" : "libplplot17");
  dufm_err err;
  if (t->file == NULL && dufm_atomic_file_open(&pg->own, t->out, &err) != DUFM_OK)
    return out_fail("--out: %s", err.msg);
  /* PLplot opens the temporary by name itself. */
  if (pg->file->f != NULL)
    fclose(pg->file->f);
  pg->file->f = NULL;
  current = pg->file;
  plplot_aborted = 0;
  plsexit(on_plexit);
  plsabort(on_plabort);
  plsdev(dev);
  plsfnam(pg->file->tmp);
  plspage(0, 0, width, height, 0, 0);
  plot_palette();
  plinit();
  return 0;
}

/* PLplot does not report failed writes (a full disk): the file must start and
 * end as its format does. */
static int looks_complete(const char *path, plot_format f) {
  char head[512] = {0}, tail[64] = {0};
  FILE *in = fopen(path, "rb");
  if (in == NULL)
    return 0;
  size_t got = fread(head, 1, sizeof head - 1, in);
  long size = fseek(in, 0, SEEK_END) == 0 ? ftell(in) : -1;
  long from = size > (long)sizeof tail - 1 ? size - (long)sizeof tail + 1 : 0;
  size_t got_tail =
      size >= 0 && fseek(in, from, SEEK_SET) == 0 ? fread(tail, 1, sizeof tail - 1, in) : 0;
  fclose(in);
  if (f == PLOT_PNG) {
    static const unsigned char iend[12] = {0, 0, 0, 0, 'I', 'E', 'N', 'D', 0xae, 0x42, 0x60, 0x82};
    return got >= 8 && memcmp(head, "\x89PNG\r\n\x1a\n", 8) == 0 && got_tail >= 12 &&
           memcmp(tail + got_tail - 12, iend, 12) == 0;
  }
  while (got_tail > 0 && (tail[got_tail - 1] == '\n' || tail[got_tail - 1] == ' '))
    tail[--got_tail] = '\0';
  return strstr(head, "<svg") != NULL && got_tail >= 6 &&
         strcmp(tail + got_tail - 6, "</svg>") == 0;
}

int plot_page_close(plot_page *pg) {
  plend();
  int rc = 0;
  dufm_err err;
  if (plplot_aborted) {
    rc = 1;
  } else if (!looks_complete(pg->file->tmp, pg->t->format)) {
    rc = out_fail("--out: %s: PLplot did not write a complete %s file (disk full?); nothing "
                  "written",
                  pg->t->out, plot_format_name(pg->t->format));
  } else if (dufm_atomic_file_commit(pg->file, &err) != DUFM_OK) {
    rc = out_fail("--out: %s", err.msg);
  }
  dufm_atomic_file_abort(pg->file); /* a no-op after the commit */
  current = NULL;
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
