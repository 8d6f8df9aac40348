/* Figures of dufm plot and dufm paper, drawn with PLplot from typed data
 * (dufm_params, configurations, arrays): the command line is parsed in
 * src/cli, never here. Part of the executable only: the library never depends
 * on PLplot.
 *
 * Every kind computes all its data first (where every input error shows up),
 * then draws into a temporary file next to --out and renames it into place, so
 * a failure never leaves a file behind. Functions returning int return a CLI
 * exit status (0, 1 or 2) after printing any error as one stderr line. */
#ifndef DUFM_PLOT_H
#define DUFM_PLOT_H

#include "dufm/atomic.h"
#include "dufm/matrix.h"
#include "dufm/meta.h"
#include "dufm/model.h"
#include "dufm/params.h"
#include "out/json.h"
#include "out/out.h"

typedef enum { PLOT_SVG, PLOT_PNG } plot_format;

/* Where a figure goes and how to report it. */
typedef struct {
  const char *out;
  plot_format format;
  int json;               /* print the JSON summary instead of one line of text */
  int quiet;              /* print nothing on success (callers that report themselves; json = 0) */
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

/* Builds the class means of every layer of cfg (a forward pass at p; form
 * says whether cfg holds samples or class means); name is the structure or
 * folder shown in titles. Returns 0 or an exit status after printing. */
int plot_layers_load(plot_layers *out, const dufm_config *cfg, const dufm_params *p, dufm_form form,
                     const char *name);
void plot_layers_clear(plot_layers *pl);

/* Relative singular-value threshold for the ranks the figures report (the
 * default rank_tol of dufm/analysis.h). */
#define PLOT_RANK_TOL 1e-6

/* ---- optimizer traces: per run, the logged (iter, loss) points (src/cli
 * reads them from a trace CSV; dufm paper takes them from its runs). */
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

/* Appends (iter, loss) to the run numbered run (a new run at the end when
 * there is none; seed is its text). 0, or -1 when out of memory. */
int trace_add(trace_data *t, long run, const char *seed, double iter, double loss);
void trace_clear(trace_data *t);

/* ---- the kinds */
int plot_gram(const plot_target *t, const plot_layers *pl);
int plot_spectrum(const plot_target *t, const plot_layers *pl);

/* Loss curves of td against the closed-form levels at p (DNC, the paper's
 * construction, the best candidate, the lower bound). Options: the name shown
 * in the title, the gap scale, and a fixed y range in loss units (a zoom:
 * curves and levels outside it are clipped, levels outside it leave the
 * legend). */
typedef struct {
  const char *name;  /* shown in the title */
  int gap;           /* plot loss minus the lower bound */
  double ymin, ymax; /* ymin >= ymax: from the data and the levels */
} plot_trace_opts;
int plot_trace(const plot_target *t, const trace_data *td, const dufm_params *p,
               const plot_trace_opts *o);

/* ---- plot ratio: per depth Ls[a], the ratios to DNC at rs[0..nr-1] (NaN
 * where the paper's construction does not apply), from dufm_sweep_point_eval. */
typedef struct {
  double *srg, *best;
  char **best_name; /* may be NULL (only the JSON summary of plot ratio uses it) */
} plot_ratio_curve;

/* Draws the figure into t->out with the given subtitle; prints nothing on
 * success. Returns 0 or an exit status after printing. */
int plot_ratio_figure(const plot_target *t, const plot_ratio_curve *cv, const long *Ls, int nL,
                      const long *rs, int nr, const char *subtitle);
/* plot_ratio_figure, then the report (JSON: lambda is the "lambda" field). */
int plot_ratio(const plot_target *t, const plot_ratio_curve *cv, const long *Ls, int nL,
               const long *rs, int nr, const char *subtitle, const char *lambda);

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
