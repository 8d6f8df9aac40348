/* sets:/pattern: structures in dufm structure and dufm certify (cmd_sets.c). */
#ifndef DUFM_CLI_SETS_H
#define DUFM_CLI_SETS_H

#include "dufm/params.h"
#include "dufm/structure.h"

/* dufm structure for a sets/pattern structure (takes s): exit 0, or 2 with
 * one line on stderr when it cannot be built at p. */
int structure_sets(const dufm_params *p, dufm_structure *s, const char *spec, int json);

/* dufm certify --structure for a sets/pattern structure (takes s): exit 0
 * written, 1 not below DNC (nothing written), 2 bad input. */
int certify_sets(const dufm_params *p, dufm_structure *s, const char *spec, const char *out,
                 int json);

#endif
