/* Inputs shared by several subcommands: integer lists, a configuration
 * folder's sizes against the flags, and a structure spec with its K. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "args.h"
#include "dufm/sets.h"
#include "dufm/structure.h"

#define CLI_MAX_LIST 100000

int cli_int_list(long **out, int *count, const char *text, const char *flag, long lo, long hi) {
  long *v = NULL;
  int n = 0, cap = 0, rc = 0;
  char *copy = strdup(text);
  if (copy == NULL)
    return cli_fail("out of memory"), -1;
  for (char *rest = copy, *item; rc == 0 && (item = strsep(&rest, ",")) != NULL;) {
    long a, b;
    char *dots = strstr(item, "..");
    if (dots != NULL)
      *dots = '\0';
    if (cli_int(&a, item, flag, lo, hi) != 0 ||
        (dots != NULL && cli_int(&b, dots + 2, flag, lo, hi) != 0)) {
      rc = -1;
      break;
    }
    if (dots == NULL)
      b = a;
    if (b < a || (n > 0 && a <= v[n - 1]) || n + (b - a + 1) > CLI_MAX_LIST) {
      rc = cli_fail("--%s: '%s' must be increasing, with at most %d values", flag, text,
                    CLI_MAX_LIST);
      break;
    }
    if (n + (b - a + 1) > cap) {
      cap = n + (int)(b - a + 1) + 16;
      long *nv = realloc(v, (size_t)cap * sizeof *nv);
      if (nv == NULL) {
        rc = cli_fail("out of memory");
        break;
      }
      v = nv;
    }
    for (long x = a; x <= b; x++)
      v[n++] = x;
  }
  free(copy);
  if (rc != 0) {
    free(v);
    return -1;
  }
  *out = v;
  *count = n;
  return 0;
}

const char *cli_echo(char *buf, size_t size, const char *what, size_t max) {
  size_t o = 0, i = 0, len = strlen(what);
  if (max + 1 > size)
    max = size - 1;
  for (; i < len && o + 4 < max; i++) {
    unsigned char c = (unsigned char)what[i];
    if (c == '\n')
      o += (size_t)snprintf(buf + o, size - o, "\\n");
    else if (c == '\t')
      o += (size_t)snprintf(buf + o, size - o, "\\t");
    else if (c < 0x20 || c == 0x7f)
      o += (size_t)snprintf(buf + o, size - o, "\\x%02x", c);
    else
      buf[o++] = (char)c;
  }
  if (i < len && o + 3 < size) {
    memcpy(buf + o, "...", 3);
    o += 3;
  }
  buf[o < size ? o : size - 1] = '\0';
  return buf;
}

int cli_size_agrees(const char *text, const char *flag, long actual, const char *where) {
  long v;
  if (text == NULL)
    return 0;
  if (cli_int(&v, text, flag, 1, 1L << 30) != 0)
    return -1;
  if (v != actual) {
    char e[64];
    cli_fail("--%s: differs from %s = %ld in %s: %s", flag, flag, actual, where,
             cli_echo(e, sizeof e, text, 40));
    return -1;
  }
  return 0;
}

int cli_folder_params(dufm_params *p, const cli_common *c, int L, int K, int n) {
  const char *where = "the configuration folder";
  if (cli_size_agrees(c->L, "L", L, where) || cli_size_agrees(c->K, "K", K, where) ||
      cli_size_agrees(c->n, "n", n, where))
    return -1;
  cli_common sized = *c;
  char Ls[16], Ks[16], ns[16];
  snprintf(Ls, sizeof Ls, "%d", L);
  snprintf(Ks, sizeof Ks, "%d", K);
  snprintf(ns, sizeof ns, "%d", n);
  sized.L = Ls;
  sized.K = Ks;
  sized.n = ns;
  return cli_params(p, &sized);
}

int cli_structure_L(cli_common *c, const dufm_structure *s, const char *spec, char *buf,
                    size_t size) {
  int L = dufm_sets_fixed_L(s);
  long given;
  if (L == 0)
    return 0;
  if (c->L != NULL && cli_int(&given, c->L, "L", 1, DUFM_MAX_L) != 0)
    return -1;
  if (c->L != NULL && given != L)
    return cli_fail("--L: %ld, but %s describes L = %d (its 'L' line)", given, spec, L), -1;
  snprintf(buf, size, "%d", L);
  c->L = buf;
  return 0;
}

int cli_structure_params(dufm_structure **s, dufm_params *p, const cli_common *c,
                         const char *spec) {
  dufm_err err;
  *s = NULL;
  if (spec == NULL)
    return cli_fail("--structure: missing (e.g. --structure srg:5)"), -1;
  /* optimized now: the final name, and an optimizer failure reported as input */
  if (dufm_structure_parse(s, spec, &err) != DUFM_OK ||
      dufm_structure_optimize(*s, &err) != DUFM_OK) {
    dufm_structure_free(*s);
    *s = NULL;
    return cli_fail("--structure: '%s': %s", spec, err.msg), -1;
  }
  cli_common sized = *c;
  int K = dufm_structure_K(*s);
  char Ks[24], Ls[24];
  if (cli_structure_L(&sized, *s, spec, Ls, sizeof Ls) != 0)
    goto fail;
  long given;
  if (K > 0 && c->K != NULL && cli_int(&given, c->K, "K", 2, DUFM_MAX_K) != 0)
    goto fail;
  if (K > 0 && c->K != NULL && given != K) {
    cli_fail("--K: %ld, but --structure %s has K = %d classes", given, spec, K);
    goto fail;
  }
  if (K == 1) {
    cli_fail("--structure: '%s' has K = 1; a problem needs K >= 2", spec);
    goto fail;
  }
  if (K > 0) {
    snprintf(Ks, sizeof Ks, "%d", K);
    sized.K = Ks;
  }
  if (cli_params(p, &sized) == 0)
    return 0;
fail:
  dufm_structure_free(*s);
  *s = NULL;
  return -1;
}

int cli_fail_structure(const char *spec, const dufm_err *err) {
  /* Library messages about a structure often start with its name already. */
  size_t len = strlen(spec);
  if (strncmp(err->msg, spec, len) == 0 && err->msg[len] == ':')
    return cli_fail("--structure: %s", err->msg);
  return cli_fail("--structure: %s: %s", spec, err->msg);
}
