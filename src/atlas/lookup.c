/* The atlas entry at given parameters, validated, with its certificate
 * checked exactly: what dufm compare and dufm table add to the closed forms. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "atlas/atlas_internal.h"
#include "dufm/certificate.h"
#include "dufm/rational.h"

void dufm_atlas_match_clear(dufm_atlas_match *m) {
  if (m == NULL)
    return;
  free(m->dir);
  free(m->pattern);
  free(m->certificate_path);
  dufm_atlas_entry_clear(&m->entry);
  memset(m, 0, sizeof *m);
}

/* Every lambda of p equal: the one rational, else NULL. */
static const __mpq_struct *common_lambda(const dufm_params *p) {
  for (int l = 0; l < p->L; l++)
    if (!mpq_equal(p->lam_h, p->lam_w[l]))
      return NULL;
  return p->lam_h;
}

static int params_equal(const dufm_params *a, const dufm_params *b) {
  if (a->L != b->L || a->K != b->K || a->n != b->n || !mpq_equal(a->lam_h, b->lam_h))
    return 0;
  for (int l = 0; l < a->L; l++)
    if (!mpq_equal(a->lam_w[l], b->lam_w[l]))
      return 0;
  return 1;
}

/* The signature string of the entry's pattern JSON, or NULL. */
static char *signature(const char *pattern_json) {
  if (pattern_json == NULL)
    return NULL;
  dufm_i_aj root;
  char msg[128];
  if (dufm_i_aj_parse(&root, pattern_json, strlen(pattern_json), msg, sizeof msg) != 0)
    return NULL;
  const dufm_i_aj *v = dufm_i_aj_get(&root, "signature");
  char *out = v != NULL && v->type == AJ_STRING ? strdup(v->str) : NULL;
  dufm_i_aj_free(&root);
  return out;
}

/* Loads and checks the certificate; fills verified or note. */
static dufm_status check_certificate(dufm_atlas_match *m, const dufm_params *p, dufm_err *err) {
  const char *name = m->entry.certificate;
  if (strchr(name, '/') != NULL || strcmp(name, "..") == 0 || name[0] == '\0') {
    snprintf(m->note, sizeof m->note, "certificate '%s' is not a file name inside the entry", name);
    return DUFM_OK;
  }
  size_t len = strlen(m->dir) + strlen(name) + 2;
  if ((m->certificate_path = malloc(len)) == NULL)
    return dufm_err_set(err, DUFM_ENOMEM, "out of memory for a certificate path");
  snprintf(m->certificate_path, len, "%s/%s", m->dir, name);
  dufm_cert c = {0};
  dufm_cert_report r = {0};
  dufm_err e;
  dufm_status st = dufm_cert_load(&c, m->certificate_path, &e);
  if (st == DUFM_OK)
    st = dufm_cert_check(&r, &c, &e);
  if (st == DUFM_ENOMEM) {
    dufm_err_set(err, st, "%s", e.msg);
  } else if (st != DUFM_OK) {
    snprintf(m->note, sizeof m->note, "certificate refused: %s", e.msg);
    st = DUFM_OK;
  } else if (r.result != DUFM_CERT_VALID) {
    snprintf(m->note, sizeof m->note, "certificate %s refused by the checker: %s: %s",
             m->certificate_path, dufm_cert_result_name(r.result), r.detail);
  } else if (!params_equal(&c.p, p)) {
    snprintf(m->note, sizeof m->note,
             "certificate %s refused: its parameters (L, K, n, lambdas) differ from the query's",
             m->certificate_path);
  } else {
    m->certificate_verified = 1;
  }
  dufm_cert_report_clear(&r);
  dufm_cert_clear(&c);
  return st;
}

dufm_status dufm_atlas_lookup(dufm_atlas_match *out, const char *root, const dufm_params *p,
                              dufm_err *err) {
  memset(out, 0, sizeof *out);
  if (root == NULL || p == NULL)
    return dufm_err_set(err, DUFM_EINVAL, "atlas lookup: root and parameters are required");
  const __mpq_struct *lam = common_lambda(p);
  if (lam == NULL || mpq_sgn(lam) <= 0)
    return DUFM_OK; /* atlas entries have every lambda equal and > 0 */
  char *text = dufm_q_to_string(lam);
  if (text == NULL)
    return dufm_err_set(err, DUFM_ENOMEM, "out of memory for lambda's text");
  dufm_atlas_spec s;
  dufm_err ignored;
  dufm_status st = dufm_atlas_spec_init(&s, p->L, p->L, p->K, p->K, p->n, text, 10000, 0, &ignored);
  free(text);
  if (st != DUFM_OK) { /* outside every atlas grid */
    dufm_atlas_spec_clear(&s);
    return DUFM_OK;
  }
  st = DUFM_OK;
  if ((out->dir = dufm_atlas_setting_dir(&s, root, p->L, p->K)) == NULL)
    st = dufm_err_set(err, DUFM_ENOMEM, "out of memory for an atlas path");
  struct stat sb;
  if (st == DUFM_OK && stat(out->dir, &sb) != 0) {
    if (errno != ENOENT && errno != ENOTDIR)
      st = dufm_err_set(err, DUFM_EIO, "atlas entry %s: %s", out->dir, strerror(errno));
    dufm_atlas_spec_clear(&s);
    if (st == DUFM_OK) {
      free(out->dir);
      out->dir = NULL;
    }
    return st;
  }
  if (st == DUFM_OK)
    st = dufm_atlas_entry_read(&out->entry, out->dir, err);
  if (st == DUFM_OK)
    st = dufm_atlas_entry_validate(&out->entry, &s, p->L, p->K, err);
  if (st == DUFM_OK) {
    /* The recorded lambda, parsed, is exactly p's (validate compared texts). */
    mpq_t q;
    mpq_init(q);
    if (dufm_q_parse(q, out->entry.lambda, &ignored) != DUFM_OK || !mpq_equal(q, lam))
      st = dufm_err_set(err, DUFM_EFORMAT, "lambda %s is not the query's", out->entry.lambda);
    mpq_clear(q);
  }
  dufm_atlas_spec_clear(&s);
  if (st != DUFM_OK) {
    if (st != DUFM_ENOMEM)
      dufm_err_prefix(err, "atlas entry %s", out->dir);
    return st;
  }
  out->found = 1;
  out->pattern = signature(out->entry.pattern_json);
  if (out->entry.certificate != NULL)
    st = check_certificate(out, p, err);
  return st;
}

dufm_status dufm_atlas_compare_add(dufm_comparison *cmp, const char *root, const dufm_params *p,
                                   int *found, dufm_err *err) {
  dufm_atlas_match m;
  dufm_status st = dufm_atlas_lookup(&m, root, p, err);
  if (found != NULL)
    *found = st == DUFM_OK && m.found;
  if (st == DUFM_OK && m.found) {
    dufm_search_found f = {.loss = m.entry.best_loss,
                           .source = "atlas entry",
                           .certificate = m.certificate_path,
                           .certificate_verified = m.certificate_verified,
                           .note = m.note[0] != '\0' ? m.note : NULL,
                           .pattern = m.pattern,
                           .budget = m.entry.found_budget,
                           .seed = m.entry.found_seed};
    st = dufm_comparison_add_search(cmp, &f, err);
  }
  dufm_atlas_match_clear(&m);
  return st;
}
