/* Figures of the dufm CLI (dufm plot), drawn with PLplot. Part of the CLI
 * executable only: the library never depends on PLplot.
 *
 * Every kind computes all its data first (where every input error shows up),
 * then draws into a temporary file next to --out and renames it into place, so
 * a failure never leaves a file behind. Functions returning int return a CLI
 * exit status (0, 1 or 2) after printing any error as one stderr line. */
#ifndef DUFM_PLOT_H
#define DUFM_PLOT_H

#include "cli/args.h"
#include "cli/json.h"
#include "dufm/atomic.h"
#include "dufm/matrix.h"
#include "dufm/meta.h"

typedef enum { PLOT_SVG, PLOT_PNG } plot_format;

/* Where a figure goes and how to report it. */
typedef struct {
  const char *out;
  plot_format format;
  int json;  /* print the JSON summary instead of one line of text */
  int quiet; /* print nothing on success (callers that report themselves; json = 0) */
  dufm_atomic_file *file; /* opened by plot_target_init; NULL: the page opens its own */
} plot_target;

/* Checks --out (given, extension .svg or .png) and creates its temporary (fail
 * fast: before any computation); returns 0 or -1 after printing. One per
 * process; plot_target_abort removes the temporary unless committed. */
int plot_target_init(plot_target *t, const char *out, int json);
void plot_target_abort(void);
const char *plot_format_name(plot_format f);

/* ---- page life cycle (plot_file.c) */
typedef struct {
  const plot_target *t;
  dufm_atomic_file *file; /* t->file or &own: PLplot writes file->tmp */
  dufm_atomic_file own;
} plot_page;

/* Creates the temporary next to t->out and starts PLplot on it with a page of
 * width x height (pixels for PNG, points for SVG), white background and the
 * palette below. Returns 0 or an exit status after printing (nothing left). */
int plot_page_open(plot_page *pg, const plot_target *t, int width, int height);

/* Ends PLplot, checks the file and renames it to t->out; on failure the
 * temporary is removed. Returns 0 or an exit status after printing. */
int plot_page_close(plot_page *pg);

/* Starts the JSON summary {"kind", "out", "format", ... (left open) or prints
 * the one-line text report; plot_report_end closes the JSON object. */
void plot_report_begin(json_writer *w, const plot_target *t, const char *kind, const char *what);
void plot_report_end(json_writer *w, const plot_target *t);

/* ---- drawing helpers (plot_draw.c). cmap0: 0 background, 1 black (axes and
 * text), 2 grey (reference lines), PLOT_COLOR(i) the i-th curve colour. */
#define PLOT_BLACK 1
#define PLOT_GREY 2
#define PLOT_NCOLORS 10
#define PLOT_COLOR(i) (3 + (i) % PLOT_NCOLORS)
void plot_palette(void);

/* Line styles (PLplot's pllsty numbers): solid, short dashes, long dashes. */
enum { PLOT_SOLID = 1, PLOT_DOTTED = 2, PLOT_DASHED = 3 };
void plot_style(int color, int style, double width);

/* A horizontal line across the current window at y (world coordinates). */
void plot_hline(double xmin, double xmax, double y, int color, int style);

/* One legend entry: a line (and optionally a symbol) with its text. */
typedef struct {
  char text[96];
  int color, style;
  const char *symbol; /* NULL for none */
} plot_legend_entry;

/* The legend outside the current viewport, right of it, vertically centred;
 * text_scale shrinks further when there are many entries. */
void plot_legend(const plot_legend_entry *e, int n, double text_scale);

/* The heat map of a k x k row-major matrix with entry (a, b) drawn at column b,
 * row a from the top, in world coordinates [0, k] x [0, k], cmap1 over
 * [vmin, vmax]. */
void plot_heatmap(const double *m, int k, double vmin, double vmax);

/* A vertical colour bar of cmap1 over [vmin, vmax] in the given viewport. */
void plot_colorbar(double x0, double x1, double y0, double y1, double vmin, double vmax,
                   const char *label);

/* Ticks and labels of a logarithmic y axis whose world coordinate is log10(y),
 * over the window [x0, x1] x [ylo, yhi] (draw the frame with plbox "bc"). */
void plot_log_yaxis(double x0, double x1, double ylo, double yhi);

/* name, or "..." and its last max - 3 characters when longer than max (long
 * folder paths would overflow a title). */
void plot_short_name(char *buf, size_t size, const char *name, size_t max);

/* ---- class means of a configuration (plot_layers.c) */
typedef struct {
  int L, K, n;
  char name[256]; /* structure name or folder */
  dufm_mat *post; /* L: class means of H_l (l = 1..L) in post[l - 1] */
  dufm_mat *pre;  /* L: class means of P_l in pre[l - 1], l = 2..L (pre[0] empty) */
} plot_layers;

/* Where the configuration comes from: a structure spec or a folder. */
typedef struct {
  const char *spec;
  const char *dir;
  int unscaled; /* structures: dufm_structure_build instead of materialize */
  cli_common c;
} plot_source;

/* Builds the class means of every layer (forward pass). Returns 0 or an exit
 * status after printing. */
int plot_layers_load(plot_layers *out, const plot_source *src);
void plot_layers_clear(plot_layers *pl);

/* Singular values of m (descending, min(rows, cols) of them) into sv (caller
 * allocated). Returns 0 or -1 (LAPACK failure). */
int plot_singular_values(double *sv, const dufm_mat *m);

/* Relative singular-value threshold for the ranks the figures report (the
 * default rank_tol of dufm/analysis.h). */
#define PLOT_RANK_TOL 1e-6

/* ---- optimizer traces (plot_trace_csv.c): CSV with a header naming at least
 * the columns run, iter and loss (dufm optimize --trace writes
 * run,seed,iter,loss,fit,reg,grad_norm), one line per logged step. */
typedef struct {
  long run;
  char seed[32]; /* as written ("" without a seed column) */
  int n, cap;
  double *iter, *loss;
} trace_run;

typedef struct {
  int nruns;
  trace_run *runs; /* in order of first appearance */
  int has_meta;    /* a first line "# {...}" gave the parameters (dufm/meta.h) */
  dufm_meta meta;
} trace_data;

/* Traces are text; a larger file is not one (a run of 10^6 logged steps of 100
 * seeds stays far below). */
#define TRACE_MAX_BYTES (1ull << 30)

/* Reads the file; errors name the file and line. Returns 0 or an exit status
 * after printing. */
int trace_read(trace_data *out, const char *path);
void trace_clear(trace_data *t);

/* ---- the kinds */
int plot_ratio(const plot_target *t, const long *Ls, int nL, const long *rs, int nr,
               const cli_common *c, int blocks, int cliques);
int plot_gram(const plot_target *t, const plot_source *src);
int plot_spectrum(const plot_target *t, const plot_source *src);
int plot_trace(const plot_target *t, const char *csv, const cli_common *c, int gap);
/* plot_trace with options: the name shown in the title instead of the file's
 * path, and a fixed y range in loss units (a zoom: curves and levels outside it
 * are clipped, levels outside it leave the legend). */
typedef struct {
  const char *name;  /* NULL: the file */
  int gap;           /* plot loss minus the lower bound */
  double ymin, ymax; /* ymin >= ymax: from the data and the levels */
} plot_trace_opts;
int plot_trace_with(const plot_target *t, const char *csv, const cli_common *c,
                    const plot_trace_opts *o);

/* ---- plot ratio from curves computed elsewhere: per depth Ls[a], the ratios
 * to DNC at rs[0..nr-1] (NaN where the paper's construction does not apply). */
typedef struct {
  double *srg, *best;
  char **best_name; /* may be NULL (only the JSON summary of plot ratio uses it) */
} plot_ratio_curve;

/* Draws the figure of plot ratio (subtitle: the lambdas of c) into t->out;
 * prints nothing on success. Returns 0 or an exit status after printing. */
int plot_ratio_figure(const plot_target *t, const plot_ratio_curve *cv, const long *Ls, int nL,
                      const long *rs, int nr, const cli_common *c);

/* ---- a generic line figure (plot_lines.c): series of y over shared x values */
typedef struct {
  const char *label;
  const double *y;    /* nx values; NaN: no point there */
  int color, style;   /* PLOT_COLOR(i) or PLOT_GREY/BLACK; PLOT_SOLID, ... */
  const char *symbol; /* marker at every point, NULL for none */
} plot_series;

typedef struct {
  const char *title, *subtitle, *xlabel, *ylabel;
  int xlog;          /* log10 x axis (every x > 0) */
  double ymin, ymax; /* y range; ymin >= ymax: from the data */
  double href;       /* grey dotted horizontal reference line; NaN: none */
  const char *href_label;
} plot_axes;

/* Draws the series into t->out (nothing printed on success). Returns 0 or an
 * exit status after printing. */
int plot_lines(const plot_target *t, const plot_axes *ax, const double *x, int nx,
               const plot_series *s, int ns);

/* Stacked bars (plot_bars.c): at category i (label cats[i]) the positive
 * values s[k].y[i] stacked from 0 in series order, coloured s[k].color; the
 * legend shows colour boxes. Uses title, subtitle, xlabel, ylabel and the y
 * range of ax. 0 or an exit status after printing. */
int plot_bars(const plot_target *t, const plot_axes *ax, const char *const *cats, int nx,
              const plot_series *s, int ns);

#endif
