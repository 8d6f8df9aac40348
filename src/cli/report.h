/* Shared pieces of the CLI's human-readable and JSON reports. */
#ifndef DUFM_CLI_REPORT_H
#define DUFM_CLI_REPORT_H

#include <gmp.h>
#include <stdio.h>

#include "dufm/compare.h"
#include "dufm/gl.h"
#include "dufm/params.h"
#include "out/json.h"

#define report_regime_name dufm_regime_name /* dufm/gl.h */

/* "L", "K", "n", "lambda_h", "lambda_w" (exact strings) into an open object. */
void report_params_json(json_writer *w, const dufm_params *p);

/* One line "L = 4, K = 10, n = 1, lambda_H = 1/250, lambda_W = 1/250 (all)". */
void report_params_text(FILE *out, const dufm_params *p);

/* Writes an exact rational as "P/Q" to out (or via the JSON writer). */
void report_q_text(FILE *out, const mpq_t q);
void json_kv_rational(json_writer *w, const char *key, const mpq_t q);

/* Ranks as {"hidden": [...], "preact": [...], "output": k}. */
void report_ranks_json(json_writer *w, const dufm_structure_eval *e);

/* "10,10,10,10 | 10,10,10": ranks of H_1..H_L, then of P_2..P_L. */
void report_ranks_text(char *buf, size_t size, const dufm_structure_eval *e);

/* The fields of one candidate (name, loss, ratio_to_dnc, vs_dnc, ridge_loss,
 * ranks, ...) into an open JSON object. */
void report_candidate_json(json_writer *w, const dufm_candidate *c);

#endif
