/* dufm/matrix.h: a dense row-major double matrix, the storage of every layer. */
#ifndef DUFM_MATRIX_H
#define DUFM_MATRIX_H

#include "dufm/error.h"
#include "dufm/export.h"

DUFM_BEGIN_DECLS

typedef struct {
  int rows, cols;
  double *data; /* rows * cols entries, row-major; NULL when empty */
} dufm_mat;

#define DUFM_MAT_AT(m, i, j) ((m)->data[(size_t)(i) * (size_t)(m)->cols + (size_t)(j)])

/* Allocates a zero rows x cols matrix (rows, cols >= 1). m uninitialized; clear
 * it afterwards whatever the status. */
dufm_status dufm_mat_init(dufm_mat *m, int rows, int cols, dufm_err *err);

/* Frees everything m owns and zero-fills it; a no-op on NULL and on a zero-filled
 * or cleared record. */
void dufm_mat_clear(dufm_mat *m);

/* dst becomes a fresh copy of src. dst uninitialized; clear it afterwards
 * whatever the status. */
dufm_status dufm_mat_copy(dufm_mat *dst, const dufm_mat *src, dufm_err *err);

/* Squared Frobenius norm, summed with compensation. */
double dufm_mat_frob2(const dufm_mat *m);

DUFM_END_DECLS

#endif
