/* libFuzzer harness for dufm_npy_read: the input is written to a temporary file
 * (the reader takes a path) and read back. Build and run: tests/fuzz/run.sh. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dufm/npy.h"

static char path[64];

static void remove_path(void) { unlink(path); }

int LLVMFuzzerInitialize(int *argc, char ***argv) {
  (void)argc;
  (void)argv;
  snprintf(path, sizeof path, "/tmp/dufm-fuzz-npy-XXXXXX");
  int fd = mkstemp(path);
  if (fd < 0) {
    perror("mkstemp");
    abort();
  }
  close(fd);
  atexit(remove_path);
  return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  FILE *f = fopen(path, "wb");
  if (!f)
    abort();
  if (size > 0 && fwrite(data, 1, size, f) != size)
    abort();
  if (fclose(f) != 0)
    abort();

  dufm_mat m;
  dufm_err err;
  memset(&err, 0, sizeof err);
  dufm_status st = dufm_npy_read(&m, path, &err);
  if (st == DUFM_OK)
    dufm_mat_clear(&m);
  else if (strncmp(err.msg, path, strlen(path)) != 0)
    abort(); /* contract: every message starts with "path: " */
  return 0;
}
