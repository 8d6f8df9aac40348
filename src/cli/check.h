/* dufm check: the result shared by the command (cmd_check.c) and its text and
 * JSON reports (report_check.c). */
#ifndef DUFM_CLI_CHECK_H
#define DUFM_CLI_CHECK_H

#include "dufm/analysis.h"
#include "dufm/model.h"
#include "dufm/params.h"
#include "dufm/pattern.h"

#define CHECK_MAX_EXPECT 3

typedef struct {
  const char *kind; /* "below", "class" or "stationary" (the flag is --expect-KIND) */
  char target[160]; /* dnc, a canonical structure name, a number or a class name */
  int held;
  char detail[320]; /* one line: the numbers that decided */
} check_expectation;

typedef struct {
  const char *dir;
  const dufm_params *p;
  const dufm_config *cfg;
  const dufm_analysis *an;
  const dufm_pattern *pattern;
  double dnc_loss;
  const char *best_name; /* best candidate of dufm_compare at these parameters */
  double best_loss;
  int nexp;
  check_expectation exp[CHECK_MAX_EXPECT];
  int ok; /* every expectation held */
} check_result;

void check_print_text(const check_result *r);
void check_print_json(const check_result *r);

#endif
