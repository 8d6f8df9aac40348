/* libFuzzer harness for dufm_structure_parse. Inputs are capped at MAX_LEN bytes
 * and clique specs with more than MAX_CLIQUE_R vertices are skipped: an
 * unweighted clique spec runs the weight optimizer inside the parser, and a
 * large R (clique:4000:2..4000) is legitimately slow, not a bug. Both bounds
 * can be changed with the environment variables DUFM_FUZZ_MAX_LEN and
 * DUFM_FUZZ_MAX_CLIQUE_R. Build and run: tests/fuzz/run.sh. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dufm/structure.h"

static size_t max_len = 200;
static long max_clique_r = 40;

int LLVMFuzzerInitialize(int *argc, char ***argv) {
  (void)argc;
  (void)argv;
  const char *s = getenv("DUFM_FUZZ_MAX_LEN");
  if (s)
    max_len = strtoul(s, NULL, 10);
  s = getenv("DUFM_FUZZ_MAX_CLIQUE_R");
  if (s)
    max_clique_r = strtol(s, NULL, 10);
  return 0;
}

/* Nonzero when some "clique:" in spec is followed by a vertex count above the
 * limit (leading zeros and long digit runs count as large). */
static int clique_too_large(const char *spec) {
  for (const char *p = strstr(spec, "clique:"); p; p = strstr(p + 1, "clique:")) {
    const char *d = p + strlen("clique:");
    long r = 0;
    for (; *d >= '0' && *d <= '9'; d++) {
      r = r * 10 + (*d - '0');
      if (r > max_clique_r)
        return 1;
    }
  }
  return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size > max_len)
    return 0;
  char *spec = malloc(size + 1);
  if (!spec)
    return 0;
  memcpy(spec, data, size);
  spec[size] = '\0';
  if (!clique_too_large(spec)) {
    dufm_structure *s = NULL;
    dufm_err err;
    memset(&err, 0, sizeof err);
    if (dufm_structure_parse(&s, spec, &err) == DUFM_OK) {
      /* A canonical name must parse back to a structure with the same name. */
      dufm_structure *t = NULL;
      if (dufm_structure_parse(&t, dufm_structure_name(s), &err) != DUFM_OK)
        abort();
      if (strcmp(dufm_structure_name(s), dufm_structure_name(t)) != 0)
        abort();
      dufm_structure_free(t);
    } else if (s != NULL) {
      abort(); /* contract: *out is NULL on failure */
    }
    dufm_structure_free(s);
  }
  free(spec);
  return 0;
}
