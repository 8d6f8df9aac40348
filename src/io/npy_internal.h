/* Internal helpers of the I/O module (not installed). */
#ifndef DUFM_NPY_INTERNAL_H
#define DUFM_NPY_INTERNAL_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "dufm/error.h"

/* Our headers are under 200 bytes; NumPy itself refuses headers over 10000
 * bytes by default. The cap keeps a garbage length field from costing memory. */
#define DUFM_I_NPY_MAX_HEADER 65536

/* The parsed dictionary of an .npy header. Shape entries saturate at
 * DUFM_I_NPY_DIM_SAT so that huge numbers can still be reported. */
#define DUFM_I_NPY_DIM_SAT ((int64_t)1 << 62)
typedef struct {
  int big_endian; /* after resolving '=' to the host order */
  int item_size;  /* 4 or 8 */
  int fortran;
  int ndim;
  int64_t shape[2]; /* the first two entries */
} dufm_i_npy_header;

/* Parses the Python dict literal text[0..len) ({'descr': ..., 'fortran_order':
 * ..., 'shape': (...)}, keys in any order, trailing padding) and checks the
 * dtype. Messages start with path. Only DUFM_EFORMAT can be returned. */
dufm_status dufm_i_npy_parse_header(dufm_i_npy_header *h, const char *text, size_t len,
                                    const char *path, dufm_err *err);

/* Nonzero on a big-endian host. */
int dufm_i_host_big_endian(void);

/* Newly malloc'ed "dir/name" and "dir/W<l>.npy"; NULL when out of memory. */
char *dufm_i_path_join(const char *dir, const char *name);
char *dufm_i_layer_path(const char *dir, int l);

/* The indices k > above of the layer files "W<k>.npy" in dir (canonical
 * decimal, no leading zero, at most 9 digits), sorted ascending:
 * *count of them in *out (malloc'ed, NULL when none). */
dufm_status dufm_i_layers_above(int **out, size_t *count, const char *dir, int above,
                                dufm_err *err);

/* What a file of this mode is, for messages: "a regular file", "a folder", "a
 * symbolic link", "a FIFO", "a device", "a socket" or "not a regular file". */
const char *dufm_i_file_kind(mode_t m);

#endif
