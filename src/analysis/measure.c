/* The public measurements of dufm/analysis.h: checked arguments, then the
 * module's own kernels (linalg.c), the ones dufm_analyze uses. */
#include <math.h>

#include "analysis/analysis_internal.h"
#include "dufm/analysis.h"

dufm_status dufm_class_means(dufm_mat *out, const dufm_mat *x, int K, dufm_err *err) {
  *out = (dufm_mat){0};
  if (K < 1 || x->cols % K != 0)
    return dufm_err_set(err, DUFM_EINVAL, "class means: K = %d does not divide %d columns", K,
                        x->cols);
  return dufm_i_class_means(out, x, K, err);
}

dufm_status dufm_singular_values(double *s, const dufm_mat *m, dufm_err *err) {
  if (m->rows < 1 || m->cols < 1 || m->data == NULL)
    return dufm_err_set(err, DUFM_EINVAL, "singular values: the matrix is empty");
  return dufm_i_singular_values(s, m, err);
}

int dufm_sv_rank(const double *s, int count, double tol) { return dufm_i_rank(s, count, tol); }

int dufm_loss_below(double loss, double closed_lower) {
  return loss < closed_lower - DUFM_BELOW_RTOL * fabs(closed_lower);
}
