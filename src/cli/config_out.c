/* Configuration folders and certificates written at the end of a command,
 * through temporaries created at its start. */
#include "config_out.h"

#include <stddef.h>

#include "args.h"
#include "dufm/meta.h"

int config_out_open(config_out *o, const char *path, const char *flag) {
  dufm_err err;
  o->path = path;
  o->flag = flag;
  o->open = 0;
  o->dir = (dufm_atomic_dir){.slot = -1};
  if (path == NULL)
    return 0;
  if (dufm_atomic_dir_begin(&o->dir, path, &err) != DUFM_OK)
    return cli_fail("--%s: %s", flag, err.msg), -1;
  o->open = 1;
  return 0;
}

int config_out_commit(config_out *o, const dufm_config *x, const dufm_params *p,
                      const char *command, const char *source) {
  if (!o->open)
    return 0;
  dufm_err err;
  dufm_meta m;
  int rc = 0;
  if (dufm_meta_init(&m, p, x->d, DUFM_FORM_SAMPLES, command, source, &err) != DUFM_OK)
    return config_out_abort(o), cli_fail("--%s: %s", o->flag, err.msg), -1;
  if (dufm_config_save_into(&o->dir, x, &m, &err) != DUFM_OK ||
      dufm_atomic_dir_commit(&o->dir, &err) != DUFM_OK)
    rc = (cli_fail("--%s: %s", o->flag, err.msg), -1);
  dufm_meta_clear(&m);
  config_out_abort(o);
  return rc;
}

void config_out_abort(config_out *o) {
  if (o->open)
    dufm_atomic_dir_abort(&o->dir);
  o->open = 0;
}

int cert_out_open(cert_out *o, const char *path, const char *flag) {
  dufm_err err;
  o->path = path;
  o->flag = flag;
  o->open = 0;
  o->file = (dufm_atomic_file){.slot = -1};
  if (path == NULL)
    return 0;
  if (dufm_atomic_file_open(&o->file, path, &err) != DUFM_OK)
    return cli_fail("--%s: %s", flag, err.msg), -1;
  o->open = 1;
  return 0;
}

int cert_out_commit(cert_out *o, const dufm_cert *c) {
  if (!o->open)
    return 0;
  dufm_err err;
  int rc = 0;
  if (dufm_cert_write(o->file.f, c, &err) != DUFM_OK ||
      dufm_atomic_file_commit(&o->file, &err) != DUFM_OK)
    rc = (cli_fail("--%s: %s", o->flag, err.msg), -1);
  cert_out_abort(o);
  return rc;
}

void cert_out_abort(cert_out *o) {
  if (o->open)
    dufm_atomic_file_abort(&o->file);
  o->open = 0;
}
