/* Parameters that a file records (meta.json of a folder, the header of a
 * trace) against the flags: the file decides, a flag that disagrees is exit 2
 * naming both values, and a file without them needs the flags (never a silent
 * default). */
#ifndef DUFM_CLI_META_ARGS_H
#define DUFM_CLI_META_ARGS_H

#include "args.h"
#include "dufm/meta.h"

/* 0 when every given flag of c (--L, --K, --n, --lambda, --lambda-h,
 * --lambda-w) equals the value in p (from the file named where); else prints
 * "--FLAG: differs from ... in WHERE: VALUE" and returns -1. */
int cli_meta_agree(const dufm_params *p, const cli_common *c, const char *where);

/* 0 when c gives the regularization (--lambda, or both --lambda-h and
 * --lambda-w); else prints that where has no record of it and returns -1. */
int cli_need_lambda(const cli_common *c, const char *where);

/* Params and form for a loaded configuration folder: from DIR/meta.json when
 * present (checked against the shapes and the flags), else sizes from the
 * shapes and lambdas from the flags, which are then required. *found tells
 * which (may be NULL). 0, or an exit status after printing. */
int cli_folder_meta_params(dufm_params *p, dufm_form *form, int *found, const cli_common *c,
                           const char *dir, const dufm_config *cfg, int n);

#endif
