/* Atlas entries: entry.json + config/, the resume rule and the merge. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "atlas/atlas_internal.h"
#include "dufm/npy.h"

void dufm_atlas_entry_clear(dufm_atlas_entry *e) {
  if (e == NULL)
    return;
  free(e->runs);
  free(e->search_json);
  free(e->pattern_json);
  free(e->certificate);
  free(e->certificate_text);
  dufm_config_clear(&e->config);
  memset(e, 0, sizeof *e);
}

int dufm_i_atlas_below(double loss, double dnc_lower) {
  return loss < dnc_lower - 1e-12 * fabs(dnc_lower);
}

dufm_atlas_action dufm_atlas_resume_action(const dufm_atlas_entry *old, long budget,
                                           uint64_t seed) {
  if (old == NULL)
    return DUFM_ATLAS_SEARCH;
  for (int i = 0; i < old->nruns; i++)
    if (old->runs[i].seed == seed && old->runs[i].budget >= budget)
      return DUFM_ATLAS_SKIP;
  return DUFM_ATLAS_SEARCH_MERGE;
}

static char *dup_or_null(const char *s, int *fail) {
  if (s == NULL)
    return NULL;
  char *d = strdup(s);
  if (d == NULL)
    *fail = 1;
  return d;
}

dufm_status dufm_atlas_entry_merge(dufm_atlas_entry *fresh, const dufm_atlas_entry *old,
                                   dufm_err *err) {
  dufm_atlas_run *runs = malloc((size_t)(old->nruns + fresh->nruns) * sizeof *runs);
  if (runs == NULL)
    return dufm_err_set(err, DUFM_ENOMEM, "out of memory merging atlas entries");
  memcpy(runs, old->runs, (size_t)old->nruns * sizeof *runs);
  memcpy(runs + old->nruns, fresh->runs, (size_t)fresh->nruns * sizeof *runs);
  if (!(fresh->best_loss < old->best_loss)) {
    /* Old stays: its configuration and what describes it. */
    dufm_config c;
    dufm_status st = dufm_config_copy(&c, &old->config, err);
    int fail = 0;
    char *sj = dup_or_null(old->search_json, &fail), *pj = dup_or_null(old->pattern_json, &fail),
         *ce = dup_or_null(old->certificate, &fail);
    if (st != DUFM_OK || fail) {
      if (st == DUFM_OK)
        dufm_config_clear(&c);
      free(sj);
      free(pj);
      free(ce);
      free(runs);
      return dufm_err_set(err, DUFM_ENOMEM, "out of memory merging atlas entries");
    }
    dufm_config_clear(&fresh->config);
    fresh->config = c;
    free(fresh->search_json);
    free(fresh->pattern_json);
    free(fresh->certificate);
    fresh->search_json = sj;
    fresh->pattern_json = pj;
    fresh->certificate = ce;
    fresh->found_budget = old->found_budget;
    fresh->found_seed = old->found_seed;
    fresh->best_loss = old->best_loss;
    fresh->dnc_loss = old->dnc_loss;
    fresh->ratio_to_dnc = old->ratio_to_dnc;
    fresh->below_dnc = old->below_dnc;
  }
  free(fresh->runs);
  fresh->runs = runs;
  fresh->nruns += old->nruns;
  return DUFM_OK;
}

/* ---- writing entry.json */

static void write_json(FILE *f, const dufm_atlas_entry *e) {
  fprintf(f, "{\n  \"format\": \"%s\",\n", DUFM_ATLAS_FORMAT);
  fprintf(f, "  \"L\": %d,\n  \"K\": %d,\n  \"n\": %d,\n  \"lambda\": ", e->L, e->K, e->n);
  dufm_i_aj_string(f, e->lambda);
  fprintf(f, ",\n  \"budget\": %ld,\n  \"seed\": %llu,\n  \"best_loss\": ", e->budget,
          (unsigned long long)e->seed);
  dufm_i_aj_double(f, e->best_loss);
  fputs(",\n  \"dnc_loss\": ", f);
  dufm_i_aj_double(f, e->dnc_loss);
  fputs(",\n  \"ratio_to_dnc\": ", f);
  dufm_i_aj_double(f, e->ratio_to_dnc);
  fprintf(f, ",\n  \"below_dnc\": %s,\n  \"closed_form_best\": ", e->below_dnc ? "true" : "false");
  if (e->closed_form_name[0] == '\0') {
    fputs("null", f);
  } else {
    fputs("{\"name\": ", f);
    dufm_i_aj_string(f, e->closed_form_name);
    fputs(", \"loss\": ", f);
    dufm_i_aj_double(f, e->closed_form_loss);
    fputs("}", f);
  }
  fprintf(f, ",\n  \"pattern\": %s,\n  \"certificate\": ",
          e->pattern_json != NULL ? e->pattern_json : "null");
  if (e->certificate != NULL)
    dufm_i_aj_string(f, e->certificate);
  else
    fputs("null", f);
  fprintf(f, ",\n  \"config\": \"config\",\n  \"found_with\": {\"budget\": %ld, \"seed\": %llu},\n",
          e->found_budget, (unsigned long long)e->found_seed);
  fputs("  \"runs\": [", f);
  for (int i = 0; i < e->nruns; i++) {
    fprintf(f, "%s{\"budget\": %ld, \"seed\": %llu, \"best_loss\": ", i ? ", " : "",
            e->runs[i].budget, (unsigned long long)e->runs[i].seed);
    dufm_i_aj_double(f, e->runs[i].best_loss);
    fputs("}", f);
  }
  fprintf(f, "],\n  \"search\": %s,\n  \"seconds\": ",
          e->search_json != NULL ? e->search_json : "null");
  dufm_i_aj_double(f, e->seconds);
  fputs("\n}\n", f);
}

/* entry.json into path; DUFM_EIO naming the file on failure. */
static dufm_status write_file(const char *path, const dufm_atlas_entry *e, dufm_err *err) {
  FILE *f = fopen(path, "w");
  if (f == NULL)
    return dufm_err_set(err, DUFM_EIO, "%s: cannot create: %s", path, strerror(errno));
  write_json(f, e);
  int bad = ferror(f);
  bad |= fclose(f) != 0;
  return bad ? dufm_err_set(err, DUFM_EIO, "%s: write failed", path) : DUFM_OK;
}

dufm_status dufm_i_atlas_write_contents(const char *tmp, const dufm_atlas_entry *e, dufm_err *err);
dufm_status dufm_i_atlas_write_contents(const char *tmp, const dufm_atlas_entry *e, dufm_err *err) {
  size_t len = strlen(tmp) + sizeof "/certificate.cert";
  char *path = malloc(len);
  if (path == NULL)
    return dufm_err_set(err, DUFM_ENOMEM, "%s: out of memory", tmp);
  snprintf(path, len, "%s/entry.json", tmp);
  dufm_status st = write_file(path, e, err);
  snprintf(path, len, "%s/config", tmp);
  if (st == DUFM_OK)
    st = dufm_i_atlas_save_config(path, e, err);
  if (st == DUFM_OK && e->certificate_text != NULL) {
    snprintf(path, len, "%s/certificate.cert", tmp);
    FILE *f = fopen(path, "wx");
    if (f == NULL || fputs(e->certificate_text, f) == EOF || fflush(f) != 0 ||
        fsync(fileno(f)) != 0)
      st = dufm_err_set(err, DUFM_EIO, "%s: cannot write: %s", path, strerror(errno));
    if (f != NULL && fclose(f) != 0 && st == DUFM_OK)
      st = dufm_err_set(err, DUFM_EIO, "%s: cannot write: %s", path, strerror(errno));
  }
  free(path);
  return st;
}

dufm_status dufm_atlas_entry_write(const char *dir, const dufm_atlas_entry *e, dufm_err *err) {
  if (e->config.d == NULL || e->L != e->config.L || e->K != e->config.K)
    return dufm_err_set(err, DUFM_EINVAL, "%s: the entry's configuration does not match L, K", dir);
  if (e->certificate != NULL && e->certificate_text == NULL)
    return dufm_err_set(err, DUFM_EINVAL,
                        "%s: the entry names a certificate but has none to write "
                        "(dufm_atlas_entry_annotate first)",
                        dir);
  return dufm_i_atlas_publish(dir, e, err);
}

/* ---- reading */

static int get_long(long long *out, const dufm_i_aj *v) {
  if (v == NULL || v->type != AJ_NUMBER || memchr(v->start, '.', v->len) != NULL ||
      memchr(v->start, 'e', v->len) != NULL || memchr(v->start, 'E', v->len) != NULL)
    return -1;
  char buf[32];
  if (v->len >= sizeof buf)
    return -1;
  memcpy(buf, v->start, v->len);
  buf[v->len] = '\0';
  errno = 0;
  *out = strtoll(buf, NULL, 10);
  return errno == 0 ? 0 : -1;
}

static int get_double(double *out, const dufm_i_aj *v) {
  if (v == NULL || v->type != AJ_NUMBER)
    return -1;
  char buf[64];
  if (v->len >= sizeof buf)
    return -1;
  memcpy(buf, v->start, v->len);
  buf[v->len] = '\0';
  *out = strtod(buf, NULL);
  return isfinite(*out) ? 0 : -1;
}

static char *span(const dufm_i_aj *v) {
  char *s = malloc(v->len + 1);
  if (s != NULL) {
    memcpy(s, v->start, v->len);
    s[v->len] = '\0';
  }
  return s;
}

static dufm_status read_text(char **out, size_t *len, const char *path, dufm_err *err) {
  FILE *f = fopen(path, "rb");
  if (f == NULL)
    return dufm_err_set(err, DUFM_EIO, "%s: cannot open: %s", path, strerror(errno));
  size_t cap = 4096, n = 0;
  char *buf = malloc(cap);
  while (buf != NULL) {
    if (n == cap) {
      char *b = cap < ((size_t)64 << 20) ? realloc(buf, cap * 2) : NULL;
      if (b == NULL) {
        free(buf);
        buf = NULL;
        break;
      }
      buf = b;
      cap *= 2;
    }
    size_t got = fread(buf + n, 1, cap - n, f);
    n += got;
    if (got == 0)
      break;
  }
  int bad = ferror(f);
  fclose(f);
  if (buf == NULL || bad) {
    free(buf);
    return dufm_err_set(err, bad ? DUFM_EIO : DUFM_ENOMEM, "%s: cannot read", path);
  }
  *out = buf;
  *len = n;
  return DUFM_OK;
}

static dufm_status fields(dufm_atlas_entry *e, const dufm_i_aj *root, const char *path,
                          dufm_err *err) {
#define BAD(field)                                                                                 \
  dufm_err_set(err, DUFM_EFORMAT, "%s: field '%s' is missing or malformed", path, field)
  const dufm_i_aj *v = dufm_i_aj_get(root, "format");
  if (v == NULL || v->type != AJ_STRING || strcmp(v->str, DUFM_ATLAS_FORMAT) != 0)
    return BAD("format");
  long long x;
  const char *ints[] = {"L", "K", "n", "budget", "seed"};
  for (int i = 0; i < 5; i++) {
    if (get_long(&x, dufm_i_aj_get(root, ints[i])) != 0 || x < 0)
      return BAD(ints[i]);
    if (i == 0)
      e->L = (int)x;
    else if (i == 1)
      e->K = (int)x;
    else if (i == 2)
      e->n = (int)x;
    else if (i == 3)
      e->budget = (long)x;
    else
      e->seed = (uint64_t)x;
  }
  v = dufm_i_aj_get(root, "lambda");
  if (v == NULL || v->type != AJ_STRING || strlen(v->str) >= sizeof e->lambda)
    return BAD("lambda");
  strcpy(e->lambda, v->str);
  if (get_double(&e->best_loss, dufm_i_aj_get(root, "best_loss")) != 0)
    return BAD("best_loss");
  if (get_double(&e->dnc_loss, dufm_i_aj_get(root, "dnc_loss")) != 0)
    return BAD("dnc_loss");
  if (get_double(&e->ratio_to_dnc, dufm_i_aj_get(root, "ratio_to_dnc")) != 0)
    return BAD("ratio_to_dnc");
  v = dufm_i_aj_get(root, "below_dnc");
  if (v == NULL || v->type != AJ_BOOL)
    return BAD("below_dnc");
  e->below_dnc = v->start[0] == 't';
  v = dufm_i_aj_get(root, "closed_form_best");
  if (v == NULL || (v->type != AJ_NULL && v->type != AJ_OBJECT))
    return BAD("closed_form_best");
  if (v->type == AJ_OBJECT) {
    const dufm_i_aj *nm = dufm_i_aj_get(v, "name");
    if (nm == NULL || nm->type != AJ_STRING || strlen(nm->str) >= sizeof e->closed_form_name ||
        nm->str[0] == '\0' || get_double(&e->closed_form_loss, dufm_i_aj_get(v, "loss")) != 0)
      return BAD("closed_form_best");
    strcpy(e->closed_form_name, nm->str);
  }
  v = dufm_i_aj_get(root, "pattern");
  if (v == NULL || (v->type != AJ_NULL && v->type != AJ_OBJECT))
    return BAD("pattern");
  if (v->type == AJ_OBJECT && (e->pattern_json = span(v)) == NULL)
    return dufm_err_set(err, DUFM_ENOMEM, "%s: out of memory", path);
  v = dufm_i_aj_get(root, "certificate");
  if (v == NULL || (v->type != AJ_NULL && v->type != AJ_STRING))
    return BAD("certificate");
  if (v->type == AJ_STRING && (e->certificate = strdup(v->str)) == NULL)
    return dufm_err_set(err, DUFM_ENOMEM, "%s: out of memory", path);
  v = dufm_i_aj_get(root, "config");
  if (v == NULL || v->type != AJ_STRING || strcmp(v->str, "config") != 0)
    return BAD("config");
  v = dufm_i_aj_get(root, "found_with");
  if (v == NULL || get_long(&x, dufm_i_aj_get(v, "budget")) != 0 || x < 0)
    return BAD("found_with");
  e->found_budget = (long)x;
  if (get_long(&x, dufm_i_aj_get(v, "seed")) != 0 || x < 0)
    return BAD("found_with");
  e->found_seed = (uint64_t)x;
  v = dufm_i_aj_get(root, "runs");
  if (v == NULL || v->type != AJ_ARRAY || v->nkids < 1)
    return BAD("runs");
  if ((e->runs = calloc((size_t)v->nkids, sizeof *e->runs)) == NULL)
    return dufm_err_set(err, DUFM_ENOMEM, "%s: out of memory", path);
  for (int i = 0; i < v->nkids; i++) {
    dufm_atlas_run *r = &e->runs[i];
    long long b, s;
    if (get_long(&b, dufm_i_aj_get(&v->kids[i], "budget")) != 0 || b < 0 ||
        get_long(&s, dufm_i_aj_get(&v->kids[i], "seed")) != 0 || s < 0 ||
        get_double(&r->best_loss, dufm_i_aj_get(&v->kids[i], "best_loss")) != 0)
      return BAD("runs");
    r->budget = (long)b;
    r->seed = (uint64_t)s;
    e->nruns++;
  }
  v = dufm_i_aj_get(root, "search");
  if (v == NULL || v->type != AJ_OBJECT)
    return BAD("search");
  if ((e->search_json = span(v)) == NULL)
    return dufm_err_set(err, DUFM_ENOMEM, "%s: out of memory", path);
  v = dufm_i_aj_get(root, "seconds");
  if (v == NULL || get_double(&e->seconds, v) != 0 || e->seconds < 0)
    return BAD("seconds");
  return DUFM_OK;
#undef BAD
}

dufm_status dufm_atlas_entry_read(dufm_atlas_entry *e, const char *dir, dufm_err *err) {
  memset(e, 0, sizeof *e);
  size_t plen = strlen(dir) + 16;
  char *path = malloc(plen), *text = NULL;
  if (path == NULL)
    return dufm_err_set(err, DUFM_ENOMEM, "%s: out of memory", dir);
  snprintf(path, plen, "%s/entry.json", dir);
  size_t len = 0;
  dufm_i_aj root;
  memset(&root, 0, sizeof root);
  dufm_status st = read_text(&text, &len, path, err);
  if (st == DUFM_OK) {
    char msg[200];
    if (dufm_i_aj_parse(&root, text, len, msg, sizeof msg) != 0)
      st = dufm_err_set(err, DUFM_EFORMAT, "%s: not valid JSON: %s", path, msg);
    else if (root.type != AJ_OBJECT)
      st = dufm_err_set(err, DUFM_EFORMAT, "%s: not a JSON object", path);
    else
      st = fields(e, &root, path, err);
  }
  if (st == DUFM_OK) {
    snprintf(path, plen, "%s/config", dir);
    int n = 0;
    st = dufm_config_load(&e->config, &n, path, err);
    if (st == DUFM_OK && n != e->n)
      st = dufm_err_set(err, DUFM_EFORMAT, "%s: has n = %d, entry.json says n = %d", path, n, e->n);
  }
  dufm_i_aj_free(&root);
  free(text);
  free(path);
  return st;
}

dufm_status dufm_atlas_entry_validate(const dufm_atlas_entry *e, const dufm_atlas_spec *s, int L,
                                      int K, dufm_err *err) {
  if (e->L != L || e->K != K || e->n != s->n)
    return dufm_err_set(err, DUFM_EFORMAT,
                        "entry L%d_K%d: records L = %d, K = %d, n = %d; the atlas needs n = %d", L,
                        K, e->L, e->K, e->n, s->n);
  if (strcmp(e->lambda, s->lambda_text) != 0)
    return dufm_err_set(err, DUFM_EFORMAT, "entry L%d_K%d: lambda %s, the atlas has %s", L, K,
                        e->lambda, s->lambda_text);
  dufm_params p;
  dufm_status st = dufm_atlas_params(&p, s, L, K, err);
  if (st != DUFM_OK)
    return st;
  dufm_loss f;
  st = dufm_config_check(&e->config, &p, DUFM_FORM_SAMPLES, err);
  if (st == DUFM_OK)
    st = dufm_eval(&f, NULL, &e->config, &p, DUFM_FORM_SAMPLES, err);
  if (st != DUFM_OK) {
    dufm_err_prefix(err, "entry L%d_K%d: config", L, K);
    st = DUFM_EFORMAT;
    if (err != NULL)
      err->status = st;
  } else if (!(fabs(f.loss - e->best_loss) <= DUFM_ATLAS_LOSS_TOL)) {
    st = dufm_err_set(err, DUFM_EFORMAT,
                      "entry L%d_K%d: the configuration's loss %.17g differs from best_loss %.17g",
                      L, K, f.loss, e->best_loss);
  }
  dufm_params_clear(&p);
  return st;
}
