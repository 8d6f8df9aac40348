/* dufm/npy.h: NumPy .npy files and configuration folders. */
#ifndef DUFM_NPY_H
#define DUFM_NPY_H

#include "dufm/error.h"
#include "dufm/matrix.h"
#include "dufm/model.h"

/* Reads a 2-D array of float64 or float32 (little or big endian), C or Fortran
 * order, format version 1, 2 or 3, into a row-major double matrix. Rejects
 * other dtypes, other dimensions, empty arrays, truncated data, headers that
 * disagree with the file size, and NaN or Inf entries (DUFM_EFORMAT, message
 * names the file and the rule). */
dufm_status dufm_npy_read(dufm_mat *out, const char *path, dufm_err *err);

/* Writes m as float64 little-endian C order (version 1) atomically: a temporary
 * file in the same folder, then rename. */
dufm_status dufm_npy_write(const char *path, const dufm_mat *m, dufm_err *err);

/* Loads a configuration folder: H1.npy, W1.npy, ..., WL.npy (L = number of
 * consecutive W files). K = rows of WL; shapes must chain (W1 cols = H1 rows, ...);
 * the columns of H1 must be a positive multiple of K, n = cols / K is written to
 * *n_out. */
dufm_status dufm_config_load(dufm_config *out, int *n_out, const char *dir, dufm_err *err);

/* Writes a configuration folder; creates dir if missing. Files are written to
 * temporaries and renamed, stale W files beyond L are removed last. */
dufm_status dufm_config_save(const char *dir, const dufm_config *c, dufm_err *err);

#endif
