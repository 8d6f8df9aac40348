/* Text and JSON of activation patterns (dufm/pattern.h), shared by dufm check
 * and dufm optimize. */
#ifndef DUFM_CLI_REPORT_PATTERN_H
#define DUFM_CLI_REPORT_PATTERN_H

#include <stdio.h>

#include "dufm/pattern.h"
#include "out/json.h"

/* "  TITLE (threshold; hash)" then one "    layer l: TEXT" line per layer. */
void report_pattern_text(FILE *f, const char *title, const dufm_pattern *pt);

/* The value {rel_tol, signature, shape, hash, layers: [{layer, rows, dead,
 * text, types: [{classes, count}], neuron_types}]} (after a key). */
void report_pattern_json(json_writer *w, const dufm_pattern *pt);

#endif
