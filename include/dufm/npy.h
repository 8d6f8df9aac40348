/* dufm/npy.h: NumPy .npy files and configuration folders. */
#ifndef DUFM_NPY_H
#define DUFM_NPY_H

#include "dufm/error.h"
#include "dufm/export.h"
#include "dufm/matrix.h"
#include "dufm/model.h"

DUFM_BEGIN_DECLS

/* Reads a 2-D array of float64 or float32 (little or big endian), C or Fortran
 * order, format version 1, 2 or 3, into a row-major double matrix. Rejects
 * other dtypes, other dimensions, empty arrays, truncated data, headers that
 * disagree with the file size, and NaN or Inf entries (DUFM_EFORMAT, message
 * names the file and the rule; for NaN/Inf the first bad (row, column) in
 * row-major order). DUFM_EIO when the file cannot be opened or read or is not a
 * regular file. Every message is one line starting with "path: ". out
 * uninitialized; clear it afterwards whatever the status. */
dufm_status dufm_npy_read(dufm_mat *out, const char *path, dufm_err *err);

/* Largest .npy file dufm_npy_read opens (bytes): 2^31 float64 entries. */
#define DUFM_NPY_MAX_BYTES (16ull << 30)

/* Writes m as float64 little-endian C order (version 1, the same bytes as
 * numpy.save) atomically: a temporary file in the same folder (path.tmpXXXXXX,
 * mode 0666 minus the umask), fsync, then rename; on failure the temporary is
 * removed and an existing file at path is untouched. DUFM_EINVAL for an empty
 * matrix or a non-finite entry (the reader would reject the file), DUFM_EIO
 * for any file system failure. */
dufm_status dufm_npy_write(const char *path, const dufm_mat *m, dufm_err *err);

/* Loads a configuration folder: H1.npy, W1.npy, ..., WL.npy (L = number of
 * consecutive W files). K = rows of WL; shapes must chain (W1 cols = H1 rows, ...);
 * the columns of H1 must be a positive multiple of K, n = cols / K is written to
 * *n_out (may be NULL). Rejected with DUFM_EFORMAT, naming the file and the
 * shapes: no W1.npy, a later W file after a missing one (W4.npy without
 * W3.npy), shapes that do not chain, K < 2, columns not a multiple of K; file
 * errors as dufm_npy_read (a missing H1.npy is DUFM_EIO). out uninitialized;
 * clear it afterwards whatever the status. */
dufm_status dufm_config_load(dufm_config *out, int *n_out, const char *dir, dufm_err *err);

/* Writes a configuration folder as a whole (dufm/atomic.h): dir must be
 * missing (its parent existing) or an empty folder; the files are built in a
 * temporary folder next to it, which is renamed to dir when complete, so a
 * failure or an interrupt leaves nothing and an existing folder is never
 * written into. DUFM_EINVAL when c is inconsistent or dir is refused,
 * DUFM_EIO on a file system failure (the message names the folder or file).
 * dufm_config_save_meta (dufm/meta.h) adds a meta.json. */
dufm_status dufm_config_save(const char *dir, const dufm_config *c, dufm_err *err);

/* The same as dufm_config_save (kept for existing callers). */
dufm_status dufm_config_save_atomic(const char *dir, const dufm_config *c, dufm_err *err);

DUFM_END_DECLS

#endif
