/* What an atlas entry says beyond its loss: the activation pattern of its
 * configuration and, below DNC, the certificate that makes the claim exact.
 * Both are recomputed from the configuration whenever an entry is written, so
 * an entry kept from an older run carries them too. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "atlas/atlas_internal.h"
#include "dufm/certificate.h"
#include "dufm/meta.h"
#include "dufm/pattern.h"

static dufm_status entry_params(dufm_params *p, const dufm_atlas_entry *e, dufm_err *err) {
  dufm_status st = dufm_params_init(p, e->L, e->K, e->n, err);
  if (st == DUFM_OK)
    st = dufm_params_set_lambda(p, DUFM_LAMBDA_ALL, e->lambda, err);
  return st;
}

/* {"signature": ..., "hash": ..., "readable": ["layer 2: ...", ...]} */
static char *pattern_json(const dufm_pattern *pt) {
  char *buf = NULL;
  size_t len = 0;
  FILE *f = open_memstream(&buf, &len);
  if (f == NULL)
    return NULL;
  fputs("{\"signature\": ", f);
  dufm_i_aj_string(f, pt->signature);
  fputs(", \"hash\": ", f);
  dufm_i_aj_string(f, pt->hash_hex);
  fputs(", \"readable\": [", f);
  for (int i = 0; i < pt->nlayers; i++) {
    char line[64];
    snprintf(line, sizeof line, "layer %d: ", pt->layers[i].layer);
    size_t n = strlen(line) + strlen(pt->layers[i].text) + 1;
    char *full = malloc(n);
    if (full != NULL) {
      snprintf(full, n, "%s%s", line, pt->layers[i].text);
      fputs(i ? ", " : "", f);
      dufm_i_aj_string(f, full);
      free(full);
    }
  }
  fputs("]}", f);
  if (fclose(f) != 0) {
    free(buf);
    return NULL;
  }
  return buf;
}

static char *cert_text(const dufm_cert *c, dufm_err *err) {
  char *buf = NULL;
  size_t len = 0;
  FILE *f = open_memstream(&buf, &len);
  if (f == NULL)
    return NULL;
  dufm_status st = dufm_cert_write(f, c, err);
  if (fclose(f) != 0 || st != DUFM_OK) {
    free(buf);
    return NULL;
  }
  return buf;
}

dufm_status dufm_atlas_entry_annotate(dufm_atlas_entry *e, dufm_err *err) {
  dufm_params p = {0};
  dufm_pattern pt = {0};
  dufm_cert cert = {0};
  dufm_status st = entry_params(&p, e, err);
  if (st != DUFM_OK)
    goto cleanup;
  dufm_pattern_opts po;
  dufm_pattern_opts_default(&po);
  if ((st = dufm_pattern_extract(&pt, &e->config, &p, &po, err)) != DUFM_OK)
    goto cleanup;
  free(e->pattern_json);
  if ((e->pattern_json = pattern_json(&pt)) == NULL) {
    st = dufm_err_set(err, DUFM_ENOMEM, "out of memory for an atlas pattern");
    goto cleanup;
  }
  free(e->certificate);
  free(e->certificate_text);
  e->certificate = e->certificate_text = NULL;
  if (!e->below_dnc)
    goto cleanup;
  char label[64];
  snprintf(label, sizeof label, "atlas_L%d_K%d", e->L, e->K);
  st = dufm_cert_from_config(&cert, NULL, &e->config, &p, label, NULL, err);
  if (st == DUFM_ENOTAPPLICABLE) { /* below in floating point only: no claim */
    st = DUFM_OK;
    goto cleanup;
  }
  if (st != DUFM_OK)
    goto cleanup;
  if ((e->certificate_text = cert_text(&cert, err)) == NULL ||
      (e->certificate = strdup("certificate.cert")) == NULL)
    st = dufm_err_set(err, DUFM_ENOMEM, "out of memory for an atlas certificate");
cleanup:
  dufm_cert_clear(&cert);
  dufm_pattern_clear(&pt);
  dufm_params_clear(&p);
  return st;
}

dufm_status dufm_i_atlas_save_config(const char *dir, const dufm_atlas_entry *e, dufm_err *err) {
  dufm_params p = {0};
  dufm_meta m;
  int have_meta = 0;
  char source[160];
  snprintf(source, sizeof source, "atlas search, budget %ld, seed %llu", e->found_budget,
           (unsigned long long)e->found_seed);
  dufm_status st = entry_params(&p, e, err);
  if (st == DUFM_OK && (st = dufm_meta_init(&m, &p, e->config.d, DUFM_FORM_SAMPLES, "atlas", source,
                                            err)) == DUFM_OK)
    have_meta = 1;
  if (st == DUFM_OK)
    st = dufm_config_save_meta(dir, &e->config, &m, err);
  if (have_meta)
    dufm_meta_clear(&m);
  dufm_params_clear(&p);
  return st;
}
