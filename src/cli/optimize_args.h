/* dufm optimize: flag parsing helpers (optimize_args.c). Each returns 0, or -1
 * after printing one line naming the flag. */
#ifndef DUFM_CLI_OPTIMIZE_ARGS_H
#define DUFM_CLI_OPTIMIZE_ARGS_H

#include "args.h"
#include "optimize.h"

/* Finite double, >= lo (or > lo when lo_open). */
int opt_double(double *out, const char *text, const char *flag, double lo, int lo_open);

/* --seeds S (0..S-1, default 1 seed) or --seed-list a,b,c into j->seeds. */
int opt_seeds(optimize_job *j, const char *seeds, const char *list);

/* --init: a folder (if it exists) or a structure spec; builds j->p from the
 * common flags (sizes from the folder or the spec's K) and j->start. Without
 * --init only j->p. */
int opt_init(optimize_job *j, cli_common *c, const char *init);

/* --width: one value or L values (default 30, widened to fit j->start). */
int opt_widths(optimize_job *j, const char *text);

#endif
