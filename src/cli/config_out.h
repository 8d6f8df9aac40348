/* Output files of a command that are opened before its computation (fail
 * fast, dufm/atomic.h) and committed at its end: a configuration folder with
 * its meta.json, or a certificate file. */
#ifndef DUFM_CLI_CONFIG_OUT_H
#define DUFM_CLI_CONFIG_OUT_H

#include "dufm/atomic.h"
#include "dufm/certificate.h"
#include "dufm/model.h"
#include "dufm/params.h"

typedef struct {
  const char *path; /* NULL: nothing to write */
  const char *flag; /* for messages, e.g. "save" */
  dufm_atomic_dir dir;
  int open;
} config_out;

typedef struct {
  const char *path;
  const char *flag;
  dufm_atomic_file file;
  int open;
} cert_out;

/* Creates the temporary folder next to path (path NULL: no-op). 0, or -1
 * after one "--FLAG: ..." line. */
int config_out_open(config_out *o, const char *path, const char *flag);
/* Writes x (per-sample form at p) and meta.json (command, source) into the
 * temporary and renames it into place. 0, or -1 after one line; the
 * temporary is removed either way. No-op when nothing was opened. */
int config_out_commit(config_out *o, const dufm_config *x, const dufm_params *p,
                      const char *command, const char *source);
void config_out_abort(config_out *o);

int cert_out_open(cert_out *o, const char *path, const char *flag);
int cert_out_commit(cert_out *o, const dufm_cert *c);
void cert_out_abort(cert_out *o);

#endif
