/* The version of the linked library. */
#include "dufm/version.h"

const char *dufm_version(void) { return DUFM_VERSION_STRING; }
