/* libFuzzer harness for the certificate parser and, when parsing succeeds, the
 * exact checker. Build and run: tests/fuzz/run.sh. */
#include <stdint.h>
#include <string.h>

#include "dufm/certificate.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  dufm_cert c;
  dufm_err err;
  memset(&err, 0, sizeof err);
  if (dufm_cert_parse(&c, (const char *)data, size, "fuzz", &err) != DUFM_OK)
    return 0;
  dufm_cert_report r;
  memset(&r, 0, sizeof r);
  dufm_cert_check(&r, &c, &err);
  dufm_cert_report_clear(&r);
  dufm_cert_clear(&c);
  return 0;
}
