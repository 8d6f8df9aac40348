/* Writing float64 .npy files atomically, byte for byte as numpy.save does. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dufm/atomic.h"
#include "dufm/npy.h"
#include "io/npy_internal.h"

/* NumPy leaves room in the header for the growing axis to reach this many
 * digits and aligns the data to this many bytes (numpy/lib/format.py). */
#define GROWTH_AXIS_MAX_DIGITS 21
#define ARRAY_ALIGN 64

/* The whole prefix (magic, version, length, dict, padding, newline) of a C
 * order '<f8' array in version 1.0; returns its length (under 256). */
static size_t npy_prefix(unsigned char *buf, int rows, int cols) {
  char *dict = (char *)buf + 10;
  int n = snprintf(dict, 160, "{'descr': '<f8', 'fortran_order': False, 'shape': (%d, %d), }", rows,
                   cols);
  char digits[16];
  n += GROWTH_AXIS_MAX_DIGITS - snprintf(digits, sizeof digits, "%d", rows);
  size_t hlen = (size_t)n + 1;
  size_t pad = ARRAY_ALIGN - (10 + hlen) % ARRAY_ALIGN;
  memset(dict + strlen(dict), ' ', (size_t)n - strlen(dict) + pad);
  dict[n + pad] = '\n';
  memcpy(buf, "\x93NUMPY\x01\x00", 8);
  buf[8] = (unsigned char)((hlen + pad) & 0xff);
  buf[9] = (unsigned char)((hlen + pad) >> 8);
  return 10 + hlen + pad;
}

static dufm_status write_all(FILE *f, const dufm_mat *m, const char *path, dufm_err *err) {
  unsigned char buf[8192];
  size_t len = npy_prefix(buf, m->rows, m->cols);
  if (fwrite(buf, 1, len, f) != len)
    return dufm_err_set(err, DUFM_EIO, "%s: write failed: %s", path, strerror(errno));
  size_t total = (size_t)m->rows * (size_t)m->cols, per = sizeof buf / 8;
  for (size_t done = 0; done < total; done += per) {
    size_t n = total - done < per ? total - done : per;
    for (size_t k = 0; k < n; k++) {
      uint64_t u;
      memcpy(&u, &m->data[done + k], sizeof u);
      for (int b = 0; b < 8; b++)
        buf[8 * k + b] = (unsigned char)(u >> (8 * b));
    }
    if (fwrite(buf, 8, n, f) != n)
      return dufm_err_set(err, DUFM_EIO, "%s: write failed: %s", path, strerror(errno));
  }
  return DUFM_OK;
}

dufm_status dufm_npy_write(const char *path, const dufm_mat *m, dufm_err *err) {
  if (m == NULL || m->data == NULL || m->rows < 1 || m->cols < 1)
    return dufm_err_set(err, DUFM_EINVAL, "%s: cannot write an empty matrix", path);
  for (int i = 0; i < m->rows; i++)
    for (int j = 0; j < m->cols; j++)
      if (!isfinite(DUFM_MAT_AT(m, i, j)))
        return dufm_err_set(err, DUFM_EINVAL,
                            "%s: entry (%d, %d) is not finite: dufm_npy_read would reject the file",
                            path, i, j);
  dufm_atomic_file af;
  dufm_status st = dufm_atomic_file_open(&af, path, err);
  if (st != DUFM_OK)
    return st;
  if ((st = write_all(af.f, m, path, err)) != DUFM_OK) {
    dufm_atomic_file_abort(&af);
    return st;
  }
  return dufm_atomic_file_commit(&af, err);
}
