/* The atlas entry or an inline search as compare's search candidate. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "args.h"
#include "compare_atlas.h"
#include "config_out.h"
#include "dufm/atlas.h"
#include "dufm/certificate.h"
#include "dufm/pattern.h"
#include "dufm/search.h"

#ifndef DUFM_ATLAS_DEFAULT
#define DUFM_ATLAS_DEFAULT "data/atlas"
#endif

static int is_folder(const char *path) {
  struct stat sb;
  return stat(path, &sb) == 0 && S_ISDIR(sb.st_mode);
}

int compare_atlas_root(const char **root, const char *atlas, const char *no_atlas) {
  *root = NULL;
  if (no_atlas != NULL) {
    if (atlas != NULL)
      return cli_fail("--no-atlas: give either --atlas DIR or --no-atlas, not both");
    return 0;
  }
  if (atlas != NULL) {
    if (!is_folder(atlas))
      return cli_fail("--atlas: '%s' must be an existing folder", atlas);
    *root = atlas;
    return 0;
  }
  const char *env = getenv("DUFM_ATLAS");
  if (env != NULL && env[0] != '\0') {
    if (!is_folder(env))
      return cli_fail("DUFM_ATLAS: '%s' must be an existing folder", env);
    *root = env;
    return 0;
  }
  *root = DUFM_ATLAS_DEFAULT;
  return 0;
}

int compare_atlas_add(dufm_comparison *cmp, const char *root, const dufm_params *p, int *found) {
  *found = 0;
  if (root == NULL) {
    dufm_comparison_set_search_note(cmp, "atlas not consulted, no search");
    return 0;
  }
  dufm_err err;
  if (dufm_atlas_compare_add(cmp, root, p, found, &err) != DUFM_OK) {
    cli_fail("--atlas: %s (--no-atlas skips the atlas)", err.msg);
    return -1;
  }
  return 0;
}

int compare_inline_search(dufm_comparison *cmp, const dufm_params *p, double seconds, long budget,
                          const char *cert_path) {
  dufm_search_opts o;
  dufm_search_opts_default(&o);
  o.budget = budget;
  long cores = sysconf(_SC_NPROCESSORS_ONLN);
  o.threads = cores > 0 && cores < 1024 ? (int)cores : 1;
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  o.deadline = (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec + seconds;
  cert_out co = {0};
  if (cert_out_open(&co, cert_path, "search-cert") != 0)
    return -1;
  fprintf(stderr, "dufm compare: no atlas entry; searching for at most %g s\n", seconds);
  dufm_search_outcome r = {0};
  dufm_pattern pat = {0};
  dufm_cert cert = {0};
  dufm_err err;
  char note[DUFM_ERR_MSG_MAX] = "";
  int rc = -1, verified = 0;
  dufm_loss f;
  if (dufm_search(&r, p, &o, NULL, 0, &err) != DUFM_OK ||
      dufm_eval(&f, NULL, &r.best, p, DUFM_FORM_SAMPLES, &err) != DUFM_OK) {
    cli_fail_err(&err, "compare --search");
    goto cleanup;
  }
  dufm_pattern_opts po;
  dufm_pattern_opts_default(&po);
  if (dufm_pattern_extract(&pat, &r.best, p, &po, &err) != DUFM_OK) {
    cli_fail_err(&err, "compare --search");
    goto cleanup;
  }
  /* Certification only pays when the float loss is below DNC's rigorous
   * lower end; the exact checker decides. */
  double lower = cmp->cand[cmp->dnc_index].eval.lower;
  if (f.loss < lower - 1e-12 * fabs(lower)) {
    dufm_status st = dufm_cert_from_config(&cert, NULL, &r.best, p, "compare_search", NULL, &err);
    if (st == DUFM_OK) {
      verified = 1;
    } else if (st == DUFM_ENOTAPPLICABLE || st == DUFM_EINVAL) {
      snprintf(note, sizeof note, "%s", err.msg);
    } else {
      cli_fail_err(&err, "compare --search");
      goto cleanup;
    }
  } else {
    snprintf(note, sizeof note, "its loss is not below DNC's lower bound");
  }
  if (verified ? cert_out_commit(&co, &cert) != 0 : (cert_out_abort(&co), 0))
    goto cleanup;
  dufm_search_found found = {.loss = f.loss,
                             .source = "inline search",
                             .certificate = verified ? cert_path : NULL,
                             .certificate_verified = verified,
                             .note = note[0] != '\0' ? note : NULL,
                             .pattern = pat.signature,
                             .budget = o.budget,
                             .seed = o.seed,
                             .time_limit = seconds};
  if (dufm_comparison_add_search(cmp, &found, &err) != DUFM_OK) {
    cli_fail_err(&err, "compare --search");
    goto cleanup;
  }
  rc = 0;
cleanup:
  cert_out_abort(&co);
  dufm_cert_clear(&cert);
  dufm_pattern_clear(&pat);
  dufm_search_outcome_clear(&r);
  return rc;
}

static void kv_string_or_null(json_writer *w, const char *key, const char *s) {
  if (s != NULL) {
    json_kv_string(w, key, s);
  } else {
    json_key(w, key);
    json_null(w);
  }
}

void compare_search_json(json_writer *w, const dufm_search_candidate *s) {
  json_kv_string(w, "name", s->source);
  json_kv_string(w, "origin", dufm_origin_name(DUFM_ORIGIN_SEARCH));
  json_kv_bool(w, "applicable", 1);
  json_kv_double(w, "loss", s->loss);
  json_kv_double(w, "ratio_to_dnc", s->ratio_to_dnc);
  json_kv_string(w, "vs_dnc", dufm_cmp_name(s->vs_dnc));
  /* Fields of a closed-form candidate that a configuration does not have. */
  json_key(w, "ridge_loss");
  json_null(w);
  json_key(w, "ranks");
  json_null(w);
  kv_string_or_null(w, "certificate", s->certificate);
  json_kv_bool(w, "certificate_verified", s->certificate_verified);
  kv_string_or_null(w, "certificate_note", s->note);
  kv_string_or_null(w, "pattern", s->pattern);
  json_kv_int(w, "budget", s->budget);
  json_kv_int(w, "seed", (long long)s->seed);
  json_key(w, "time_limit");
  if (s->time_limit > 0)
    json_double(w, s->time_limit);
  else
    json_null(w);
}
