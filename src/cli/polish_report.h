/* Reporting a polish result (dufm polish, dufm search). */
#ifndef DUFM_CLI_POLISH_REPORT_H
#define DUFM_CLI_POLISH_REPORT_H

#include <stdio.h>

#include "dufm/model.h"
#include "dufm/polish.h"
#include "json.h"

/* The report's fields into an open JSON object; with the pattern as one
 * string of 0/1 per row of each P_l when with_pattern is set. */
void polish_report_json(json_writer *w, const dufm_polish_report *r, const dufm_config *x,
                        int with_pattern);

/* A few indented lines. */
void polish_report_text(FILE *out, const dufm_polish_report *r);

#endif
