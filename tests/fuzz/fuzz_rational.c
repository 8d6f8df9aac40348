/* libFuzzer harness for dufm_q_parse (NUL-terminated copy of the input). A
 * parsed value must print and parse back to the same rational. Build and run:
 * tests/fuzz/run.sh. */
#include <gmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dufm/rational.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  char *text = malloc(size + 1);
  if (!text)
    return 0;
  memcpy(text, data, size);
  text[size] = '\0';
  mpq_t q, back;
  mpq_init(q);
  mpq_init(back);
  dufm_err err;
  memset(&err, 0, sizeof err);
  if (dufm_q_parse(q, text, &err) == DUFM_OK) {
    if (mpz_sgn(mpq_denref(q)) <= 0)
      abort();
    char *s = mpq_get_str(NULL, 10, q);
    if (dufm_q_parse(back, s, &err) != DUFM_OK || !mpq_equal(q, back))
      abort();
    void (*freefunc)(void *, size_t);
    mp_get_memory_functions(NULL, NULL, &freefunc);
    freefunc(s, strlen(s) + 1);
  }
  mpq_clear(q);
  mpq_clear(back);
  free(text);
  return 0;
}
