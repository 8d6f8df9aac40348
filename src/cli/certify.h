/* dufm certify: the --config path (cmd_certify_config.c) and the JSON summary
 * shared with --structure and check-cert (cmd_certify.c). */
#ifndef DUFM_CLI_CERTIFY_H
#define DUFM_CLI_CERTIFY_H

#include "args.h"
#include "dufm/certificate.h"
#include "out/json.h"

/* structure, parameters, loss, bound, s_lo and regime of c as checked in r. */
void certify_summary_json(json_writer *w, const dufm_cert *c, const dufm_cert_report *r);

/* dufm certify --config DIR --out FILE [--collapse-tol X]: exit 0 written, 1
 * not below DNC (nothing written), 2 bad input. */
int certify_config(const cli_common *c, const char *dir, const char *out, const char *collapse_tol);

#endif
