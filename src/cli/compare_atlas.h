/* The atlas and the inline search behind dufm compare and dufm table:
 * --atlas DIR, --no-atlas, --search SECONDS (compare_atlas.c). */
#ifndef DUFM_CLI_COMPARE_ATLAS_H
#define DUFM_CLI_COMPARE_ATLAS_H

#include "dufm/compare.h"
#include "dufm/params.h"
#include "out/json.h"

/* The atlas root: NULL with --no-atlas; --atlas DIR (must be a folder);
 * else $DUFM_ATLAS when set and not empty (must be a folder); else the
 * source tree's data/atlas (compile-time DUFM_ATLAS_DEFAULT; may be
 * missing: then no entry matches). 0, or -1 after one line naming the flag. */
int compare_atlas_root(const char **root, const char *atlas, const char *no_atlas);

/* Adds the atlas entry at p to cmp (root NULL: notes that the atlas was not
 * consulted). *found tells whether one matched. 0 or -1 after one line. */
int compare_atlas_add(dufm_comparison *cmp, const char *root, const dufm_params *p, int *found);

/* dufm_search at p for at most `seconds` (budget evaluations, seed 0), its
 * best certified (dufm_cert_from_config) and added to cmp; the certificate
 * written to cert_path when given and valid. 0, or -1 after one line. */
int compare_inline_search(dufm_comparison *cmp, const dufm_params *p, double seconds, long budget,
                          const char *cert_path);

/* The search candidate as a candidate object of compare's JSON. */
void compare_search_json(json_writer *w, const dufm_search_candidate *s);

#endif
