/* Reading 2-D float64/float32 .npy files (format versions 1.0, 2.0, 3.0).
 *
 * The file is treated as hostile: every length is checked against the file
 * size before it is used, so garbage gives a one-line DUFM_EFORMAT message. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "dufm/atomic.h"
#include "dufm/npy.h"
#include "io/npy_internal.h"

static dufm_status read_exact(void *buf, size_t size, FILE *f, const char *path, dufm_err *err) {
  if (fread(buf, 1, size, f) == size)
    return DUFM_OK;
  if (ferror(f))
    return dufm_err_set(err, DUFM_EIO, "%s: read failed: %s", path, strerror(errno));
  /* The size was checked with fstat, so only a concurrent writer gets here. */
  return dufm_err_set(err, DUFM_EIO, "%s: file shrank while being read", path);
}

static double decode(const unsigned char *b, int item_size, int big_endian) {
  uint64_t u = 0;
  for (int k = 0; k < item_size; k++)
    u = (u << 8) | b[big_endian ? k : item_size - 1 - k];
  if (item_size == 8) {
    double d;
    memcpy(&d, &u, sizeof d);
    return d;
  }
  uint32_t u32 = (uint32_t)u;
  float f;
  memcpy(&f, &u32, sizeof f);
  return (double)f;
}

/* Fills m from the data block, transposing Fortran order on the fly. */
static dufm_status read_data(dufm_mat *m, FILE *f, const dufm_i_npy_header *h, const char *path,
                             dufm_err *err) {
  unsigned char buf[8192];
  size_t total = (size_t)m->rows * (size_t)m->cols, done = 0, per = sizeof buf / h->item_size;
  size_t i = 0, j = 0;
  while (done < total) {
    size_t n = total - done < per ? total - done : per;
    dufm_status st = read_exact(buf, n * (size_t)h->item_size, f, path, err);
    if (st != DUFM_OK)
      return st;
    for (size_t k = 0; k < n; k++) {
      m->data[i * (size_t)m->cols + j] =
          decode(buf + k * h->item_size, h->item_size, h->big_endian);
      if (h->fortran) {
        if (++i == (size_t)m->rows)
          i = 0, j++;
      } else if (++j == (size_t)m->cols) {
        j = 0, i++;
      }
    }
    done += n;
  }
  return DUFM_OK;
}

static dufm_status check_finite(const dufm_mat *m, const char *path, dufm_err *err) {
  for (int i = 0; i < m->rows; i++)
    for (int j = 0; j < m->cols; j++) {
      double v = DUFM_MAT_AT(m, i, j);
      if (!isfinite(v))
        return dufm_err_set(err, DUFM_EFORMAT, "%s: entry (%d, %d) is %s: entries must be finite",
                            path, i, j,
                            isnan(v) ? "NaN"
                            : v > 0  ? "+Inf"
                                     : "-Inf");
    }
  return DUFM_OK;
}

/* Magic string, version and header length; on success *hlen is at most the
 * number of bytes left in the file. */
static dufm_status read_prefix(size_t *hlen, uint64_t *used, FILE *f, uint64_t size,
                               const char *path, dufm_err *err) {
  unsigned char pre[12];
  if (size < 10)
    return dufm_err_set(err, DUFM_EFORMAT, "%s: too short for an .npy file (%llu bytes)", path,
                        (unsigned long long)size);
  dufm_status st = read_exact(pre, 10, f, path, err);
  if (st != DUFM_OK)
    return st;
  if (memcmp(pre, "\x93NUMPY", 6) != 0)
    return dufm_err_set(err, DUFM_EFORMAT,
                        "%s: not an .npy file (it does not start with \\x93NUMPY)", path);
  if (pre[6] < 1 || pre[6] > 3 || pre[7] != 0)
    return dufm_err_set(err, DUFM_EFORMAT,
                        "%s: .npy format version %u.%u is not supported (1.0, 2.0, 3.0 are)", path,
                        pre[6], pre[7]);
  *used = pre[6] == 1 ? 10 : 12;
  if (size < *used)
    return dufm_err_set(err, DUFM_EFORMAT, "%s: too short for an .npy file (%llu bytes)", path,
                        (unsigned long long)size);
  if (pre[6] > 1 && (st = read_exact(pre + 10, 2, f, path, err)) != DUFM_OK)
    return st;
  uint64_t len = pre[8] | (uint64_t)pre[9] << 8;
  if (pre[6] > 1)
    len |= (uint64_t)pre[10] << 16 | (uint64_t)pre[11] << 24;
  if (len > size - *used)
    return dufm_err_set(err, DUFM_EFORMAT,
                        "%s: header length %llu runs past the end of the file (%llu bytes)", path,
                        (unsigned long long)len, (unsigned long long)size);
  if (len > DUFM_I_NPY_MAX_HEADER)
    return dufm_err_set(err, DUFM_EFORMAT, "%s: header length %llu exceeds the limit %d", path,
                        (unsigned long long)len, DUFM_I_NPY_MAX_HEADER);
  *hlen = (size_t)len;
  *used += len;
  return DUFM_OK;
}

dufm_status dufm_npy_read(dufm_mat *out, const char *path, dufm_err *err) {
  dufm_status st = DUFM_OK;
  char *header = NULL;
  size_t hlen = 0;
  uint64_t used = 0;
  dufm_i_npy_header h;
  out->rows = out->cols = 0;
  out->data = NULL;
  FILE *f = NULL;
  uint64_t size = 0;
  /* Regular files only: a FIFO or a device is refused at once, never waited on. */
  if ((st = dufm_input_open(&f, &size, path, DUFM_NPY_MAX_BYTES, "an .npy file", err)) != DUFM_OK)
    return st;
  if ((st = read_prefix(&hlen, &used, f, size, path, err)) != DUFM_OK)
    goto cleanup;
  if ((header = malloc(hlen + 1)) == NULL) {
    st = dufm_err_set(err, DUFM_ENOMEM, "%s: out of memory for the header", path);
    goto cleanup;
  }
  if ((st = read_exact(header, hlen, f, path, err)) != DUFM_OK ||
      (st = dufm_i_npy_parse_header(&h, header, hlen, path, err)) != DUFM_OK)
    goto cleanup;
  /* Both sizes are at most INT_MAX (checked by the parser): the count fits. */
  uint64_t count = (uint64_t)h.shape[0] * (uint64_t)h.shape[1];
  if (count > SIZE_MAX / sizeof(double)) {
    st = dufm_err_set(err, DUFM_EFORMAT, "%s: shape (%lld, %lld) is too large", path,
                      (long long)h.shape[0], (long long)h.shape[1]);
    goto cleanup;
  }
  if (count * (uint64_t)h.item_size != size - used) {
    st = dufm_err_set(err, DUFM_EFORMAT,
                      "%s: shape (%lld, %lld) of %d-byte entries needs %llu data bytes but %llu "
                      "follow the header",
                      path, (long long)h.shape[0], (long long)h.shape[1], h.item_size,
                      (unsigned long long)(count * (uint64_t)h.item_size),
                      (unsigned long long)(size - used));
    goto cleanup;
  }
  if ((st = dufm_mat_init(out, (int)h.shape[0], (int)h.shape[1], err)) != DUFM_OK) {
    dufm_err_prefix(err, "%s", path);
    goto cleanup;
  }
  if ((st = read_data(out, f, &h, path, err)) == DUFM_OK)
    st = check_finite(out, path, err);
cleanup:
  free(header);
  fclose(f);
  if (st != DUFM_OK)
    dufm_mat_clear(out);
  return st;
}
