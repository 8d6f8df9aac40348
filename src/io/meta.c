/* meta.json: writing, reading its fixed schema (the syntax by io/json.c), and the checks
 * against a configuration (dufm/meta.h). */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "dufm/meta.h"
#include "dufm/npy.h"
#include "dufm/rational.h"
#include "io/json_internal.h"

#define FORMAT_TAG "dufm-meta 1"
#define PLAIN_DIGITS 30

void dufm_meta_clear(dufm_meta *m) {
  if (m == NULL)
    return;
  for (int l = 0; m->lambda_w != NULL && l < m->L; l++)
    free(m->lambda_w[l]);
  free(m->lambda_w);
  free(m->lambda_h);
  free(m->widths);
  free(m->command);
  free(m->source);
  free(m->version);
  memset(m, 0, sizeof *m);
}

/* ---- exact text of a lambda */

static unsigned long remove_factor(mpz_t x, unsigned long f) {
  unsigned long count = 0;
  while (mpz_divisible_ui_p(x, f) && mpz_sgn(x) != 0) {
    mpz_divexact_ui(x, x, f);
    count++;
  }
  return count;
}

char *dufm_meta_lambda_text(const mpq_t q) {
  mpz_t rest, N;
  mpz_init_set(rest, mpq_denref(q));
  mpz_init(N);
  unsigned long a = remove_factor(rest, 2), b = remove_factor(rest, 5);
  char *out = NULL;
  if (mpz_cmp_ui(rest, 1) != 0) { /* not a terminating decimal */
    out = mpq_get_str(NULL, 10, q);
    goto done;
  }
  /* q = N / 10^k exactly. */
  unsigned long k = a > b ? a : b;
  mpz_ui_pow_ui(rest, 10, k);
  mpz_mul(N, mpq_numref(q), rest);
  mpz_divexact(N, N, mpq_denref(q));
  long t = 0; /* trailing zeros of N */
  if (mpz_sgn(N) != 0)
    t = (long)remove_factor(N, 10);
  char *digits = mpz_get_str(NULL, 10, N);
  if (digits == NULL)
    goto done;
  long e = t - (long)k; /* q = digits * 10^e */
  size_t nd = strlen(digits);
  if (mpz_sgn(N) == 0) {
    out = strdup("0");
  } else if (e >= 0 && e <= PLAIN_DIGITS) {
    out = malloc(nd + (size_t)e + 1);
    if (out != NULL) {
      memcpy(out, digits, nd);
      memset(out + nd, '0', (size_t)e);
      out[nd + (size_t)e] = '\0';
    }
  } else if (e < 0 && -e <= PLAIN_DIGITS) {
    size_t frac = (size_t)-e, ip = nd > frac ? nd - frac : 0, lead = nd > frac ? 0 : frac - nd;
    out = malloc(nd + lead + 3);
    if (out != NULL) {
      char *o = out;
      if (ip == 0)
        *o++ = '0';
      memcpy(o, digits, ip);
      o += ip;
      *o++ = '.';
      memset(o, '0', lead);
      o += lead;
      memcpy(o, digits + ip, nd - ip);
      o[nd - ip] = '\0';
    }
  } else {
    out = malloc(nd + 32);
    if (out != NULL)
      snprintf(out, nd + 32, "%se%ld", digits, e);
  }
  /* GMP's default allocator is malloc. */
  free(digits);
done:
  mpz_clears(rest, N, NULL);
  return out;
}

/* ---- building */

dufm_status dufm_meta_init(dufm_meta *m, const dufm_params *p, const int *widths, dufm_form form,
                           const char *command, const char *source, dufm_err *err) {
  memset(m, 0, sizeof *m);
  m->L = p->L;
  m->K = p->K;
  m->n = p->n;
  m->lambda_w = calloc((size_t)p->L, sizeof *m->lambda_w);
  m->lambda_h = dufm_meta_lambda_text(p->lam_h);
  int ok = m->lambda_w != NULL && m->lambda_h != NULL;
  for (int l = 0; ok && l < p->L; l++)
    ok = (m->lambda_w[l] = dufm_meta_lambda_text(p->lam_w[l])) != NULL;
  if (ok && widths != NULL) {
    ok = (m->widths = malloc((size_t)(p->L + 1) * sizeof *m->widths)) != NULL;
    if (ok)
      memcpy(m->widths, widths, (size_t)(p->L + 1) * sizeof *m->widths);
    m->has_form = 1;
    m->form = form;
  }
  ok = ok && (m->command = strdup(command != NULL ? command : "")) != NULL;
  ok = ok && (m->source = strdup(source != NULL ? source : "")) != NULL;
  ok = ok && (m->version = strdup(DUFM_VERSION_STRING)) != NULL;
  if (!ok) {
    dufm_meta_clear(m);
    return dufm_err_set(err, DUFM_ENOMEM, "out of memory building meta.json");
  }
  return DUFM_OK;
}

dufm_status dufm_meta_params(dufm_params *p, const dufm_meta *m, dufm_err *err) {
  dufm_status st = dufm_params_init(p, m->L, m->K, m->n, err);
  if (st != DUFM_OK)
    return st;
  if ((st = dufm_params_set_lambda(p, DUFM_LAMBDA_H, m->lambda_h, err)) != DUFM_OK) {
    dufm_err_prefix(err, "lambda_h '%.40s'", m->lambda_h);
  } else {
    for (int l = 0; l < m->L && st == DUFM_OK; l++)
      if ((st = dufm_params_set_lambda(p, l, m->lambda_w[l], err)) != DUFM_OK)
        dufm_err_prefix(err, "lambda_w[%d] '%.40s'", l, m->lambda_w[l]);
  }
  if (st != DUFM_OK)
    dufm_params_clear(p);
  return st;
}

/* ---- writing */

dufm_status dufm_meta_write(FILE *f, const dufm_meta *m, dufm_err *err) {
  fprintf(f, "{\"format\": \"%s\", \"L\": %d, \"K\": %d, \"n\": %d, \"lambda_h\": ", FORMAT_TAG,
          m->L, m->K, m->n);
  dufm_i_aj_string(f, m->lambda_h);
  fputs(", \"lambda_w\": [", f);
  for (int l = 0; l < m->L; l++) {
    fputs(l > 0 ? ", " : "", f);
    dufm_i_aj_string(f, m->lambda_w[l]);
  }
  fputc(']', f);
  if (m->widths != NULL) {
    fputs(", \"widths\": [", f);
    for (int l = 0; l <= m->L; l++)
      fprintf(f, "%s%d", l > 0 ? ", " : "", m->widths[l]);
    fprintf(f, "], \"form\": \"%s\"", m->form == DUFM_FORM_CLASS_MEANS ? "means" : "samples");
  }
  fputs(", \"command\": ", f);
  dufm_i_aj_string(f, m->command != NULL ? m->command : "");
  fputs(", \"source\": ", f);
  dufm_i_aj_string(f, m->source != NULL ? m->source : "");
  fputs(", \"version\": ", f);
  dufm_i_aj_string(f, m->version != NULL ? m->version : DUFM_VERSION_STRING);
  fputs("}\n", f);
  if (ferror(f))
    return dufm_err_set(err, DUFM_EIO, "meta.json: write error: %s", strerror(errno));
  return DUFM_OK;
}

dufm_status dufm_meta_save(const dufm_atomic_dir *ad, const dufm_meta *m, dufm_err *err) {
  char *path = dufm_atomic_dir_path(ad, DUFM_META_FILE);
  if (path == NULL)
    return dufm_err_set(err, DUFM_ENOMEM, "%s: out of memory", ad->path);
  dufm_atomic_file af;
  dufm_status st = dufm_atomic_file_open(&af, path, err);
  if (st == DUFM_OK && (st = dufm_meta_write(af.f, m, err)) != DUFM_OK)
    dufm_atomic_file_abort(&af);
  else if (st == DUFM_OK)
    st = dufm_atomic_file_commit(&af, err);
  if (st != DUFM_OK && err != NULL) {
    char why[DUFM_ERR_MSG_MAX];
    const char *colon = strstr(err->msg, ": ");
    snprintf(why, sizeof why, "%s", colon != NULL ? colon + 2 : err->msg);
    dufm_err_set(err, st, "%s/%s: %s", ad->path, DUFM_META_FILE, why);
  }
  free(path);
  return st;
}

/* ---- reading: one object (io/json.c checks the syntax) whose values are
 * integers, strings, or arrays of them; unknown keys are ignored. */

static dufm_status get_int(int *out, const dufm_i_aj *v, long lo, long hi, const char *key,
                           const char *name, dufm_err *err) {
  const char *p = v->start, *end = v->start + v->len;
  int neg = p < end && *p == '-', digits = 0;
  long x = 0;
  for (p += neg; p < end && isdigit((unsigned char)*p) && digits < 12; p++, digits++)
    x = x * 10 + (*p - '0');
  if (v->type != AJ_NUMBER || digits == 0 || p != end)
    return dufm_err_set(err, DUFM_EFORMAT, "%s: \"%s\" must be a whole number", name, key);
  x = neg ? -x : x;
  if (x < lo || x > hi)
    return dufm_err_set(err, DUFM_EFORMAT, "%s: \"%s\" is %ld, outside %ld..%ld", name, key, x, lo,
                        hi);
  *out = (int)x;
  return DUFM_OK;
}

static dufm_status get_string(char **out, const dufm_i_aj *v, const char *key, const char *name,
                              dufm_err *err) {
  if (v->type != AJ_STRING)
    return dufm_err_set(err, DUFM_EFORMAT, "%s: \"%s\" must be a string", name, key);
  if ((*out = strdup(v->str)) == NULL)
    return dufm_err_set(err, DUFM_ENOMEM, "%s: out of memory", name);
  return DUFM_OK;
}

/* [a, b, ...] of strings (ints == NULL) or of integers >= 1; *count counts
 * the entries stored, for the caller to free. */
static dufm_status get_array(char ***strs, int **ints, int *count, const dufm_i_aj *v,
                             const char *key, const char *name, dufm_err *err) {
  *count = 0;
  if (v->type != AJ_ARRAY)
    return dufm_err_set(err, DUFM_EFORMAT, "%s: \"%s\" must be an array", name, key);
  if (v->nkids > DUFM_MAX_L + 1)
    return dufm_err_set(err, DUFM_EFORMAT, "%s: \"%s\" has more than %d entries", name, key,
                        DUFM_MAX_L + 1);
  size_t n = v->nkids > 0 ? (size_t)v->nkids : 1;
  if (ints != NULL ? (*ints = calloc(n, sizeof **ints)) == NULL
                   : (*strs = calloc(n, sizeof **strs)) == NULL)
    return dufm_err_set(err, DUFM_ENOMEM, "%s: out of memory", name);
  for (int i = 0; i < v->nkids; i++) {
    dufm_status st = ints != NULL ? get_int(&(*ints)[i], &v->kids[i], 1, 1L << 30, key, name, err)
                                  : get_string(&(*strs)[i], &v->kids[i], key, name, err);
    if (st != DUFM_OK)
      return st;
    (*count)++;
  }
  return DUFM_OK;
}

enum { K_FORMAT, K_L, K_K, K_N, K_LH, K_LW, K_WIDTHS, K_FORM, K_COMMAND, K_SOURCE, K_VERSION, NK };
static const char *const keys[NK] = {"format", "L",    "K",       "n",      "lambda_h", "lambda_w",
                                     "widths", "form", "command", "source", "version"};

static dufm_status parse_object(dufm_meta *m, const dufm_i_aj *root, const char *name, int *nlw,
                                int *nwidths, dufm_err *err) {
  if (root->type != AJ_OBJECT)
    return dufm_err_set(err, DUFM_EFORMAT, "%s: expected a JSON object", name);
  if (root->nkids == 0)
    return dufm_err_set(err, DUFM_EFORMAT, "%s: empty object", name);
  char *format = NULL, *form = NULL;
  dufm_status st = DUFM_OK;
  for (int k = 0; k < NK && st == DUFM_OK; k++) {
    const dufm_i_aj *v = dufm_i_aj_get(root, keys[k]);
    if (v == NULL) {
      if (k <= K_LW) /* format .. lambda_w are required */
        st = dufm_err_set(err, DUFM_EFORMAT, "%s: \"%s\" is missing", name, keys[k]);
      continue;
    }
    switch (k) {
    case K_FORMAT:
      st = get_string(&format, v, keys[k], name, err);
      break;
    case K_L:
      st = get_int(&m->L, v, 1, DUFM_MAX_L, "L", name, err);
      break;
    case K_K:
      st = get_int(&m->K, v, 2, DUFM_MAX_K, "K", name, err);
      break;
    case K_N:
      st = get_int(&m->n, v, 1, DUFM_MAX_N, "n", name, err);
      break;
    case K_LH:
      st = get_string(&m->lambda_h, v, keys[k], name, err);
      break;
    case K_LW:
      st = get_array(&m->lambda_w, NULL, nlw, v, keys[k], name, err);
      break;
    case K_WIDTHS:
      st = get_array(NULL, &m->widths, nwidths, v, keys[k], name, err);
      break;
    case K_FORM:
      st = get_string(&form, v, keys[k], name, err);
      break;
    case K_COMMAND:
      st = get_string(&m->command, v, keys[k], name, err);
      break;
    case K_SOURCE:
      st = get_string(&m->source, v, keys[k], name, err);
      break;
    default:
      st = get_string(&m->version, v, keys[k], name, err);
    }
  }
  if (st == DUFM_OK && strcmp(format, FORMAT_TAG) != 0)
    st = dufm_err_set(err, DUFM_EFORMAT, "%s: \"format\" is \"%.40s\", expected \"%s\"", name,
                      format, FORMAT_TAG);
  if (st == DUFM_OK && form != NULL) {
    m->has_form = 1;
    if (strcmp(form, "means") == 0)
      m->form = DUFM_FORM_CLASS_MEANS;
    else if (strcmp(form, "samples") == 0)
      m->form = DUFM_FORM_SAMPLES;
    else
      st = dufm_err_set(err, DUFM_EFORMAT,
                        "%s: \"form\" is \"%.40s\"; it must be \"samples\" or \"means\"", name,
                        form);
  }
  free(format);
  free(form);
  return st;
}

dufm_status dufm_meta_parse(dufm_meta *m, const char *text, size_t len, const char *name,
                            dufm_err *err) {
  memset(m, 0, sizeof *m);
  int nlw = 0, nwidths = 0;
  dufm_i_aj root;
  char msg[256];
  dufm_status st = DUFM_OK;
  if (dufm_i_aj_parse(&root, text, len, msg, sizeof msg) != 0)
    st = dufm_err_set(err, strstr(msg, "out of memory") ? DUFM_ENOMEM : DUFM_EFORMAT, "%s: %s",
                      name, msg);
  else
    st = parse_object(m, &root, name, &nlw, &nwidths, err);
  dufm_i_aj_free(&root);
  int stored_lw = nlw; /* free what was allocated whatever L says */
  if (st == DUFM_OK && nlw != m->L)
    st = dufm_err_set(err, DUFM_EFORMAT, "%s: \"lambda_w\" has %d values but L = %d", name, nlw,
                      m->L);
  if (st == DUFM_OK && m->widths != NULL && (nwidths != m->L + 1 || m->widths[m->L] != m->K))
    st = dufm_err_set(err, DUFM_EFORMAT,
                      "%s: \"widths\" must list d_0..d_L (L + 1 = %d values) ending with K = %d",
                      name, m->L + 1, m->K);
  if (st == DUFM_OK && m->widths != NULL && !m->has_form)
    st = dufm_err_set(err, DUFM_EFORMAT, "%s: \"widths\" without \"form\"", name);
  if (st == DUFM_OK) {
    dufm_params p;
    if ((st = dufm_meta_params(&p, m, err)) == DUFM_OK) {
      dufm_params_clear(&p);
    } else if (st != DUFM_ENOMEM) { /* a bad value in the file */
      dufm_err_prefix(err, "%s", name);
      if (err != NULL)
        err->status = DUFM_EFORMAT;
      st = DUFM_EFORMAT;
    }
  }
  if (st != DUFM_OK) {
    for (int l = 0; m->lambda_w != NULL && l < stored_lw; l++)
      free(m->lambda_w[l]);
    free(m->lambda_w);
    m->lambda_w = NULL;
    dufm_meta_clear(m);
  }
  return st;
}

dufm_status dufm_meta_load(dufm_meta *m, int *found, const char *dir, dufm_err *err) {
  memset(m, 0, sizeof *m);
  *found = 0;
  size_t len = strlen(dir) + sizeof DUFM_META_FILE + 1;
  char *path = malloc(len);
  if (path == NULL)
    return dufm_err_set(err, DUFM_ENOMEM, "%s: out of memory", dir);
  snprintf(path, len, "%s/%s", dir, DUFM_META_FILE);
  char *text = NULL;
  size_t n = 0;
  dufm_status st = DUFM_OK;
  struct stat sb;
  if (lstat(path, &sb) != 0 && errno == ENOENT)
    goto done; /* no meta.json: a folder written by someone else */
  if ((st = dufm_input_read(&text, &n, path, DUFM_META_MAX_BYTES, "meta.json", err)) == DUFM_OK &&
      (st = dufm_meta_parse(m, text, n, path, err)) == DUFM_OK)
    *found = 1;
done:
  free(text);
  free(path);
  return st;
}

dufm_status dufm_meta_check_config(const dufm_meta *m, const dufm_config *c, const char *dir,
                                   dufm_err *err) {
  const char *file = DUFM_META_FILE;
  if (m->L != c->L)
    return dufm_err_set(err, DUFM_EFORMAT, "%s/%s: L = %d, but the folder has %d layers", dir, file,
                        m->L, c->L);
  if (m->K != c->K)
    return dufm_err_set(err, DUFM_EFORMAT, "%s/%s: K = %d, but W%d.npy has %d rows", dir, file,
                        m->K, c->L, c->K);
  for (int l = 0; m->widths != NULL && l <= c->L; l++)
    if (m->widths[l] != c->d[l])
      return dufm_err_set(err, DUFM_EFORMAT, "%s/%s: widths[%d] = %d, but the files have d_%d = %d",
                          dir, file, l, m->widths[l], l, c->d[l]);
  long want = m->has_form && m->form == DUFM_FORM_CLASS_MEANS ? (long)m->K : (long)m->K * m->n;
  if (c->cols != want)
    return dufm_err_set(err, DUFM_EFORMAT,
                        "%s/%s: form %s with K = %d, n = %d needs %ld columns, but H1.npy has %d",
                        dir, file,
                        m->has_form && m->form == DUFM_FORM_CLASS_MEANS ? "means" : "samples", m->K,
                        m->n, want, c->cols);
  return DUFM_OK;
}

dufm_status dufm_i_config_write_files(const dufm_atomic_dir *ad, const dufm_config *c,
                                      dufm_err *err);
dufm_status dufm_i_config_check(const dufm_config *c, const char *dir, dufm_err *err);

dufm_status dufm_config_save_into(const dufm_atomic_dir *ad, const dufm_config *c,
                                  const dufm_meta *m, dufm_err *err) {
  dufm_status st = dufm_i_config_check(c, ad->path, err);
  if (st != DUFM_OK)
    return st;
  if (m != NULL && (st = dufm_meta_check_config(m, c, ad->path, err)) != DUFM_OK) {
    if (err != NULL)
      err->status = DUFM_EINVAL; /* the caller's meta, not a file, is wrong */
    return DUFM_EINVAL;
  }
  if ((st = dufm_i_config_write_files(ad, c, err)) != DUFM_OK)
    return st;
  return m != NULL ? dufm_meta_save(ad, m, err) : DUFM_OK;
}

dufm_status dufm_config_save_meta(const char *dir, const dufm_config *c, const dufm_meta *m,
                                  dufm_err *err) {
  dufm_status st = dufm_i_config_check(c, dir, err);
  if (st != DUFM_OK)
    return st;
  dufm_atomic_dir ad;
  if ((st = dufm_atomic_dir_begin(&ad, dir, err)) != DUFM_OK)
    return st;
  if ((st = dufm_config_save_into(&ad, c, m, err)) != DUFM_OK) {
    dufm_atomic_dir_abort(&ad);
    return st;
  }
  return dufm_atomic_dir_commit(&ad, err);
}
