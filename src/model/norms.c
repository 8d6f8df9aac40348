/* Sums of squares in the evaluator's fixed order, alone or fused into the
 * optimizer's update pass, so the two agree bitwise. */
#include <string.h>

#include "model/model_internal.h"

/* Sum of squares of x[b..end) with eight independent partial sums, so the loop
 * is not latency bound. GCC vectorizes the portable loop across i with
 * in-order reductions (shuffles and scalar adds), so GCC-compatible compilers
 * get the same eight sums written as four two-lane vectors: lane k of the
 * vectors is acc[k] of the portable loop, operation for operation (no
 * contraction in ISO C mode), so the bits do not depend on the branch. */
#if defined(__GNUC__)
typedef double v2 __attribute__((vector_size(16)));
static double block_sum_sq(const double *x, size_t b, size_t end) {
  v2 acc[4] = {{0.0, 0.0}, {0.0, 0.0}, {0.0, 0.0}, {0.0, 0.0}};
  size_t i = b;
  for (; i + 8 <= end; i += 8)
    for (size_t k = 0; k < 4; k++) {
      v2 v;
      memcpy(&v, x + i + 2 * k, sizeof v);
      acc[k] += v * v;
    }
  for (; i < end; i++)
    acc[0][0] += x[i] * x[i];
  return ((acc[0][0] + acc[0][1]) + (acc[1][0] + acc[1][1])) +
         ((acc[2][0] + acc[2][1]) + (acc[3][0] + acc[3][1]));
}
#else
static double block_sum_sq(const double *x, size_t b, size_t end) {
  double acc[8] = {0.0};
  size_t i = b;
  for (; i + 8 <= end; i += 8)
    for (size_t k = 0; k < 8; k++)
      acc[k] += x[i + k] * x[i + k];
  for (; i < end; i++)
    acc[0] += x[i] * x[i];
  return ((acc[0] + acc[1]) + (acc[2] + acc[3])) + ((acc[4] + acc[5]) + (acc[6] + acc[7]));
}
#endif

/* Blocks of 512 (a Kahan loop over the weights cost more than the dgemm calls),
 * block sums added with compensation, so the error stays near 64 eps whatever
 * the size. With g set, each block is first updated, x <- x - lr g if step is
 * set and then g <- lam x, in its own loop (GCC vectorizes it badly when fused
 * with the sums), and summed while it is still in L1. */
static double pass(double *x, double *g, int step, double lr, double lam, size_t count) {
  double sum = 0.0, comp = 0.0;
  for (size_t b = 0; b < count; b += 512) {
    size_t end = count - b < 512 ? count : b + 512;
    if (g != NULL && step)
      for (size_t i = b; i < end; i++) {
        x[i] -= lr * g[i];
        g[i] = lam * x[i];
      }
    else if (g != NULL)
      for (size_t i = b; i < end; i++)
        g[i] = lam * x[i];
    double y = block_sum_sq(x, b, end) - comp, t = sum + y;
    comp = (t - sum) - y;
    sum = t;
  }
  return sum;
}

double dufm_i_sum_sq(const double *x, size_t count) {
  /* pass writes x only when step is set. */
  return pass((double *)x, NULL, 0, 0.0, 0.0, count);
}

double dufm_i_seed_sum_sq(double *g, const double *x, double lam, size_t count) {
  return pass((double *)x, g, 0, 0.0, lam, count);
}

double dufm_i_step_seed_sum_sq(double *x, double *g, double lr, double lam, size_t count) {
  return pass(x, g, 1, lr, lam, count);
}
