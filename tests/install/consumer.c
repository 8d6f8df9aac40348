/* Built by tests/install_check.sh against the installed library with the flags
 * of `pkg-config --cflags --libs dufm` alone: the DNC loss at the paper's
 * headline setting (L = 4, K = 10, n = 1, lambda = 0.004), its enclosure, and
 * the candidate menu's verdict. */
#include <stdio.h>
#include <string.h>

#include <dufm/compare.h>
#include <dufm/dnc.h>
#include <dufm/version.h>

int main(void) {
  if (strcmp(dufm_version(), DUFM_VERSION_STRING) != 0) {
    fprintf(stderr, "header %s, library %s\n", DUFM_VERSION_STRING, dufm_version());
    return 1;
  }
  dufm_params p;
  dufm_err err;
  dufm_err_clear(&err);
  if (dufm_params_init(&p, 4, 10, 1, &err) != DUFM_OK ||
      dufm_params_set_lambda(&p, DUFM_LAMBDA_ALL, "0.004", &err) != DUFM_OK) {
    fprintf(stderr, "%s\n", err.msg);
    return 1;
  }
  dufm_gl g;
  dufm_comparison c;
  int rc = 1;
  if (dufm_dnc_eval(&g, &p, &err) == DUFM_OK && dufm_compare(&c, &p, NULL, &err) == DUFM_OK) {
    printf("%s %.17g %.17g %.17g %s\n", dufm_version(), g.lower, g.value, g.upper,
           dufm_verdict_name(c.verdict));
    rc = 0;
  } else {
    fprintf(stderr, "%s\n", err.msg);
  }
  dufm_comparison_clear(&c);
  dufm_params_clear(&p);
  return rc;
}
