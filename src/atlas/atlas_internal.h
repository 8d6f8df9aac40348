/* Internals of the atlas module. */
#ifndef DUFM_ATLAS_INTERNAL_H
#define DUFM_ATLAS_INTERNAL_H

#include <stddef.h>
#include <stdio.h>

#include "dufm/atlas.h"
#include "io/json_internal.h"

/* The one place that writes an entry folder to disk: contents into a fresh
 * temporary sibling of dir, then moved into place (see entry_io.c). */
dufm_status dufm_i_atlas_publish(const char *dir, const dufm_atlas_entry *e, dufm_err *err);

/* Removes a folder tree written by the atlas (entry.json, config/). */
void dufm_i_atlas_remove_tree(const char *dir);

/* Below DNC's rigorous lower end by more than the evaluation's rounding. */
int dufm_i_atlas_below(double loss, double dnc_lower);

/* DIR (missing) gets the entry's configuration and a meta.json (command
 * "atlas"), so that dufm eval/check read the folder without flags. */
dufm_status dufm_i_atlas_save_config(const char *dir, const dufm_atlas_entry *e, dufm_err *err);

#endif
