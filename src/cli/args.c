#include "args.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const cli_opt *find_opt(const cli_opt *opts, const char *name, size_t len) {
  for (const cli_opt *o = opts; o->name != NULL; o++)
    if (strlen(o->name) == len && strncmp(o->name, name, len) == 0)
      return o;
  return NULL;
}

int cli_parse(int argc, char **argv, int first, const char *cmd, const cli_opt *opts,
              const char **pos, int max_pos) {
  int npos = 0;
  for (int i = first; i < argc; i++) {
    const char *a = argv[i];
    if (strncmp(a, "--", 2) != 0 || a[2] == '\0') {
      if (a[0] == '-' && a[1] != '\0' && !(a[1] >= '0' && a[1] <= '9')) {
        cli_fail("%s: unknown flag for 'dufm %s' (flags start with --)", a, cmd);
        return -1;
      }
      if (npos >= max_pos) {
        cli_fail("'%s': 'dufm %s' takes %d positional argument%s", a, cmd, max_pos,
                 max_pos == 1 ? "" : "s");
        return -1;
      }
      pos[npos++] = a;
      continue;
    }
    const char *name = a + 2;
    const char *eq = strchr(name, '=');
    size_t len = eq ? (size_t)(eq - name) : strlen(name);
    const cli_opt *o = find_opt(opts, name, len);
    if (o == NULL) {
      cli_fail("--%.*s: unknown flag for 'dufm %s' (see 'dufm help %s')", (int)len, name, cmd, cmd);
      return -1;
    }
    if (*o->value != NULL) {
      cli_fail("--%s: given more than once", o->name);
      return -1;
    }
    if (o->kind == OPT_SWITCH) {
      if (eq != NULL) {
        cli_fail("--%s: takes no value", o->name);
        return -1;
      }
      *o->value = "1";
    } else if (eq != NULL) {
      *o->value = eq + 1;
    } else {
      if (i + 1 >= argc) {
        cli_fail("--%s: needs a value", o->name);
        return -1;
      }
      *o->value = argv[++i];
    }
  }
  return npos;
}

int cli_double(double *out, const char *text, const char *flag, double lo, int lo_open, double hi,
               const char *rule) {
  char *end = NULL;
  errno = 0;
  double v = strtod(text, &end);
  if (*text == '\0' || *end != '\0' || isnan(v))
    return cli_fail("--%s: is not a finite number: '%s'", flag, text), -1;
  if (errno == ERANGE && v == 0)
    return cli_fail("--%s: underflows to 0 (smallest about 4.9e-324): %s", flag, text), -1;
  if (isinf(v))
    return cli_fail("--%s: overflows a double (largest about 1.8e308): %s", flag, text), -1;
  if ((lo_open ? v <= lo : v < lo) || !(v < hi))
    return cli_fail("--%s: %s must be %s", flag, text, rule), -1;
  *out = v;
  return 0;
}

int cli_int(long *out, const char *text, const char *flag, long lo, long hi) {
  const char *p = text;
  if (*p == '+')
    p++;
  int ok = *p != '\0';
  for (const char *q = p; *q; q++)
    if (*q < '0' || *q > '9')
      ok = 0;
  errno = 0;
  long v = ok ? strtol(p, NULL, 10) : 0;
  if (!ok || errno == ERANGE || v < lo || v > hi) {
    if (!ok)
      cli_fail("--%s: '%s' is not a whole number", flag, text);
    else
      cli_fail("--%s: %s is outside %ld..%ld", flag, text, lo, hi);
    return -1;
  }
  *out = v;
  return 0;
}

static int set_lambda(dufm_params *p, int which, const char *text, const char *flag) {
  dufm_err err;
  if (dufm_params_set_lambda(p, which, text, &err) != DUFM_OK) {
    cli_fail("--%s: %s: '%s'", flag, err.msg, text);
    return -1;
  }
  return 0;
}

static int set_lambda_w(dufm_params *p, const char *list) {
  int count = 1;
  for (const char *c = list; *c; c++)
    count += *c == ',';
  if (count != 1 && count != p->L) {
    cli_fail("--lambda-w: gave %d values; give one value or exactly L = %d comma-separated", count,
             p->L);
    return -1;
  }
  if (count == 1) {
    for (int l = 0; l < p->L; l++)
      if (set_lambda(p, l, list, "lambda-w") != 0)
        return -1;
    return 0;
  }
  char *copy = strdup(list);
  if (copy == NULL)
    return cli_fail("out of memory"), -1;
  int rc = 0;
  char *item = copy;
  for (int l = 0; l < p->L && rc == 0; l++) {
    char *comma = strchr(item, ',');
    if (comma != NULL)
      *comma = '\0';
    rc = set_lambda(p, l, item, "lambda-w");
    item = comma ? comma + 1 : item;
  }
  free(copy);
  return rc;
}

int cli_params(dufm_params *p, const cli_common *c) {
  long L = 4, K = 10, n = 1;
  if (c->L && cli_int(&L, c->L, "L", 1, DUFM_MAX_L) != 0)
    return -1;
  if (c->K && cli_int(&K, c->K, "K", 2, DUFM_MAX_K) != 0)
    return -1;
  if (c->n && cli_int(&n, c->n, "n", 1, DUFM_MAX_N) != 0)
    return -1;
  dufm_err err;
  if (dufm_params_init(p, (int)L, (int)K, (int)n, &err) != DUFM_OK)
    return cli_fail("%s", err.msg), -1;
  const char *all = c->lambda ? c->lambda : "0.004";
  if (set_lambda(p, DUFM_LAMBDA_ALL, all, c->lambda ? "lambda" : "lambda (default)") != 0 ||
      (c->lambda_h && set_lambda(p, DUFM_LAMBDA_H, c->lambda_h, "lambda-h") != 0) ||
      (c->lambda_w && set_lambda_w(p, c->lambda_w) != 0)) {
    dufm_params_clear(p);
    return -1;
  }
  return 0;
}
