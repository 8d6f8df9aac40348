/* dufm plot's inputs, read and checked here so that src/plot gets typed data:
 * a structure spec or a configuration folder for gram and spectrum, a trace
 * CSV and its parameters for trace. Each returns 0 or an exit status after
 * printing one line. */
#ifndef DUFM_CLI_PLOT_LOAD_H
#define DUFM_CLI_PLOT_LOAD_H

#include "args.h"
#include "plot/plot.h"

/* The class means of every layer of --structure SPEC (K from the spec, a given
 * --K must agree; unscaled: before the optimal rescaling) or of the folder DIR
 * (parameters from its meta.json or the flags). */
int plot_load_layers(plot_layers *out, const char *spec, const char *dir, int unscaled,
                     const cli_common *c);

/* Traces are text; a larger file is not one (a run of 10^6 logged steps of 100
 * seeds stays far below). */
#define TRACE_MAX_BYTES (1ull << 30)

/* Reads a CSV with a header naming at least the columns run, iter and loss
 * (dufm optimize --trace writes an optional "# {meta.json}" line, then
 * run,seed,iter,loss,fit,reg,grad_norm), one line per logged step. Errors
 * name the file and line. */
int trace_read(trace_data *out, const char *path);

/* The parameters of a trace: its own "# {...}" line decides and the flags must
 * agree; without it the flags must give L, K, n and the lambdas. */
int trace_params(dufm_params *p, const trace_data *td, const cli_common *c, const char *csv);

#endif
