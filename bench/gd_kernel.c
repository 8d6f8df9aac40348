/* Prototype: how fast can one gradient-descent step of the L-DUFM loss be?
 * Not part of the library; a measurement for the optimizer benchmark
 * (docs/bench.md). Build against a release build of libdufm:
 *
 *   cc -std=c11 -O3 -D_POSIX_C_SOURCE=200809L -Iinclude -Isrc bench/gd_kernel.c \
 *      -Lbuild-bench -Wl,-rpath,$PWD/build-bench -ldufm -lopenblas -lm -o build-bench/gd_kernel
 *   build-bench/gd_kernel DIR LR ITERS [REPS] [LAMBDA] [SMALL]
 *
 * Times, from the configuration folder DIR (a --init folder), ITERS steps of
 *   lib    dufm_optim_iterate: the library as `dufm optimize --method gd` runs it,
 *   fused  the same 3L cblas_dgemm calls, with the elementwise work cut to
 *          what is needed and vectorizable: ReLU applied in place (no
 *          separate pre-activation buffer), the backward ReLU mask as a
 *          branch-free select (the library's `if (!(h > 0)) g = 0` loop is
 *          a mispredicted branch per entry), the residual and the fit in
 *          one pass, the regularization sums |H1|^2, |W_l|^2 taken in the
 *          update pass x -= lr g (no sum_sq over all of x per step), |g|^2
 *          taken from the gradient blocks while they are in cache (no
 *          separate dot over all of g),
 *   own    as fused, with a portable register-blocked kernel (4 x 4 tiles,
 *          GCC vector extensions) instead of dgemm for every product,
 *   auto   as fused, own kernel for products of at most SMALL (default
 *          64^3) multiply-adds, dgemm above,
 * and prints us/iter (median, min, max of REPS; CPU time of the calling
 * thread unless GD_KERNEL_WALL=1) and the final loss of each, with its
 * relative difference from lib. Every variant makes the same stopping tests
 * as the library (finite loss, divergence factor, |g| <= tol, here 0).
 * GD_KERNEL_ONLY=name runs one variant (for perf); GD_KERNEL_BLAS_THREADS=T
 * lets OpenBLAS use T threads (dufm optimize always uses 1). */
#include <cblas.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dufm/npy.h"
#include "dufm/optim.h"

void openblas_set_num_threads(int num_threads);

/* Thread CPU time by default: on a loaded machine, time spent preempted is
 * not counted (cache and memory-bandwidth interference still is). Wall time
 * with GD_KERNEL_WALL=1 (needed with GD_KERNEL_BLAS_THREADS > 1, where the
 * calling thread's CPU time misses the BLAS workers). */
static clockid_t clock_id = CLOCK_THREAD_CPUTIME_ID;
static double now(void) {
  struct timespec ts;
  clock_gettime(clock_id, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* ---- hand-written row-major kernels (restrict: no aliasing)
 *
 * One register-blocked microkernel, C (m x n) = A (m x k) B (k x n) with
 * leading dimensions, written with GCC vector extensions so that it is
 * portable C (two-double vectors: SSE2 on x86-64 baseline, wider code when
 * compiled with -march=x86-64-v3). Tiles of 4 rows x 4 columns keep their
 * 8 accumulators in registers over the whole k loop; edge columns and rows
 * use scalar accumulators. The three products of a step are mapped onto it
 * by transposing the small operand that needs it (the transposes are O(size
 * of one operand), the products O(m n k)). */
typedef double v2 __attribute__((vector_size(16)));

static inline v2 ld2(const double *p) {
  v2 v;
  memcpy(&v, p, sizeof v);
  return v;
}
static inline void st2(double *p, v2 v) { memcpy(p, &v, sizeof v); }

/* add = 0: C = A B; add = 1: C += A B. */
static void mk_nn(int m, int n, int k, const double *restrict a, int lda, const double *restrict b,
                  int ldb, double *restrict c, int ldc, int add) {
  int i = 0;
  for (; i + 4 <= m; i += 4) {
    const double *a0 = a + (size_t)i * lda, *a1 = a0 + lda, *a2 = a1 + lda, *a3 = a2 + lda;
    double *c0 = c + (size_t)i * ldc, *c1 = c0 + ldc, *c2 = c1 + ldc, *c3 = c2 + ldc;
    int j = 0;
    for (; j + 4 <= n; j += 4) {
      v2 s00 = {0, 0}, s01 = s00, s10 = s00, s11 = s00, s20 = s00, s21 = s00, s30 = s00, s31 = s00;
      const double *bp = b + j;
      for (int p = 0; p < k; p++, bp += ldb) {
        const v2 b0 = ld2(bp), b1 = ld2(bp + 2);
        const v2 x0 = {a0[p], a0[p]}, x1 = {a1[p], a1[p]}, x2 = {a2[p], a2[p]}, x3 = {a3[p], a3[p]};
        s00 += x0 * b0;
        s01 += x0 * b1;
        s10 += x1 * b0;
        s11 += x1 * b1;
        s20 += x2 * b0;
        s21 += x2 * b1;
        s30 += x3 * b0;
        s31 += x3 * b1;
      }
      if (add) {
        s00 += ld2(c0 + j), s01 += ld2(c0 + j + 2), s10 += ld2(c1 + j), s11 += ld2(c1 + j + 2);
        s20 += ld2(c2 + j), s21 += ld2(c2 + j + 2), s30 += ld2(c3 + j), s31 += ld2(c3 + j + 2);
      }
      st2(c0 + j, s00), st2(c0 + j + 2, s01), st2(c1 + j, s10), st2(c1 + j + 2, s11);
      st2(c2 + j, s20), st2(c2 + j + 2, s21), st2(c3 + j, s30), st2(c3 + j + 2, s31);
    }
    for (; j + 2 <= n; j += 2) { /* a 4 x 2 tile */
      v2 s0 = {0, 0}, s1 = s0, s2 = s0, s3 = s0;
      const double *bp = b + j;
      for (int p = 0; p < k; p++, bp += ldb) {
        const v2 b0 = ld2(bp);
        s0 += (v2){a0[p], a0[p]} * b0;
        s1 += (v2){a1[p], a1[p]} * b0;
        s2 += (v2){a2[p], a2[p]} * b0;
        s3 += (v2){a3[p], a3[p]} * b0;
      }
      if (add)
        s0 += ld2(c0 + j), s1 += ld2(c1 + j), s2 += ld2(c2 + j), s3 += ld2(c3 + j);
      st2(c0 + j, s0), st2(c1 + j, s1), st2(c2 + j, s2), st2(c3 + j, s3);
    }
    for (; j < n; j++) {
      double t0 = 0, t1 = 0, t2 = 0, t3 = 0;
      for (int p = 0; p < k; p++) {
        const double v = b[(size_t)p * ldb + j];
        t0 += a0[p] * v, t1 += a1[p] * v, t2 += a2[p] * v, t3 += a3[p] * v;
      }
      c0[j] = add ? c0[j] + t0 : t0, c1[j] = add ? c1[j] + t1 : t1;
      c2[j] = add ? c2[j] + t2 : t2, c3[j] = add ? c3[j] + t3 : t3;
    }
  }
  for (; i < m; i++) {
    const double *ai = a + (size_t)i * lda;
    double *ci = c + (size_t)i * ldc;
    int j = 0;
    for (; j + 4 <= n; j += 4) {
      v2 s0 = {0, 0}, s1 = s0;
      for (int p = 0; p < k; p++) {
        const v2 x = {ai[p], ai[p]};
        s0 += x * ld2(b + (size_t)p * ldb + j);
        s1 += x * ld2(b + (size_t)p * ldb + j + 2);
      }
      if (add)
        s0 += ld2(ci + j), s1 += ld2(ci + j + 2);
      st2(ci + j, s0), st2(ci + j + 2, s1);
    }
    for (; j < n; j++) {
      double t = 0;
      for (int p = 0; p < k; p++)
        t += ai[p] * b[(size_t)p * ldb + j];
      ci[j] = add ? ci[j] + t : t;
    }
  }
}

/* dst (cols x rows) = src (rows x cols) transposed. */
static void transpose(int rows, int cols, const double *restrict src, double *restrict dst) {
  for (int i = 0; i < rows; i++)
    for (int j = 0; j < cols; j++)
      dst[(size_t)j * rows + i] = src[(size_t)i * cols + j];
}

/* C (m x n) = A (m x k) B (k x n), clamped at 0 when relu. */
static void own_nn(int m, int n, int k, const double *restrict a, const double *restrict b,
                   double *restrict c, int relu) {
  mk_nn(m, n, k, a, k, b, n, c, n, 0);
  if (relu)
    for (size_t i = 0; i < (size_t)m * n; i++)
      c[i] = c[i] > 0.0 ? c[i] : 0.0;
}

/* G (m x k) = lam W + A (m x n) B^T (B: k x n, transposed into bt first).
 * Returns sum G^2. */
static double own_nt(int m, int k, int n, double lam, const double *restrict w,
                     const double *restrict a, const double *restrict b, double *restrict g,
                     double *restrict bt) {
  transpose(k, n, b, bt);
  const size_t cnt = (size_t)m * k;
  for (size_t i = 0; i < cnt; i++)
    g[i] = lam * w[i];
  mk_nn(m, k, n, a, n, bt, k, g, k, 1);
  double acc[4] = {0};
  size_t i = 0;
  for (; i + 4 <= cnt; i += 4)
    for (int t = 0; t < 4; t++)
      acc[t] += g[i + t] * g[i + t];
  for (; i < cnt; i++)
    acc[0] += g[i] * g[i];
  return (acc[0] + acc[1]) + (acc[2] + acc[3]);
}

/* C (k x n) = A^T B (A: m x k, transposed into at first; B: m x n); then
 * C masked where mask <= 0 (branch free), or, with mask NULL, C += lam X and
 * the return value is sum C^2. */
static double own_tn(int m, int k, int n, const double *restrict a, const double *restrict b,
                     double *restrict c, const double *restrict mask, double lam,
                     const double *restrict x, double *restrict at) {
  transpose(m, k, a, at);
  const size_t cnt = (size_t)k * n;
  if (mask != NULL) {
    mk_nn(k, n, m, at, m, b, n, c, n, 0);
    for (size_t i = 0; i < cnt; i++)
      c[i] = mask[i] > 0.0 ? c[i] : 0.0;
    return 0.0;
  }
  for (size_t i = 0; i < cnt; i++)
    c[i] = lam * x[i];
  mk_nn(k, n, m, at, m, b, n, c, n, 1);
  double acc[4] = {0};
  size_t i = 0;
  for (; i + 4 <= cnt; i += 4)
    for (int t = 0; t < 4; t++)
      acc[t] += c[i + t] * c[i + t];
  for (; i < cnt; i++)
    acc[0] += c[i] * c[i];
  return (acc[0] + acc[1]) + (acc[2] + acc[3]);
}

/* ---- the fused step */

enum { USE_BLAS, USE_OWN, USE_AUTO };

typedef struct {
  int L, K, n, cols, kernel;
  long small; /* USE_AUTO: own kernels up to this many multiply-adds */
  int d[64];
  size_t np;
  double *x, *g, *H, *W[64], *gH, *gW[64]; /* views into x, g */
  double *act[64], *out, *b0, *b1, *bt, *at;
  double lam_h, lam_w[64], lr, s;
  double loss, fit, reg, gnorm2, ss[65]; /* ss[0]: |H|^2, ss[1+l]: |W_l|^2 */
} proto;

static int own(const proto *q, int m, int n, int k) {
  return q->kernel == USE_OWN || (q->kernel == USE_AUTO && (long)m * n * k <= q->small);
}

static double sumsq(const double *x, size_t count) {
  double acc[4] = {0};
  size_t i = 0;
  for (; i + 4 <= count; i += 4)
    for (int t = 0; t < 4; t++)
      acc[t] += x[i + t] * x[i + t];
  for (; i < count; i++)
    acc[0] += x[i] * x[i];
  return (acc[0] + acc[1]) + (acc[2] + acc[3]);
}

/* Loss and gradient at x; the regularization sums ss[] are already current. */
static void eval(proto *q) {
  const int L = q->L, cols = q->cols;
  const double *h = q->H;
  for (int k = 1; k <= L; k++) {
    const int m = q->d[k], kk = q->d[k - 1];
    double *dst = k < L ? q->act[k] : q->out;
    if (own(q, m, cols, kk)) {
      own_nn(m, cols, kk, q->W[k - 1], h, dst, k < L);
    } else {
      cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, m, cols, kk, 1.0, q->W[k - 1], kk, h,
                  cols, 0.0, dst, cols);
      if (k < L)
        for (size_t i = 0; i < (size_t)m * cols; i++)
          dst[i] = dst[i] > 0.0 ? dst[i] : 0.0;
    }
    h = dst;
  }
  /* cur = s (O - Y), fit from the same pass */
  double fit2 = 0.0, *cur = q->b0, *nxt = q->b1;
  for (int i = 0; i < q->K; i++)
    for (int j = 0; j < cols; j++) {
      double r = q->out[(size_t)i * cols + j] - (j / q->n == i ? 1.0 : 0.0);
      fit2 += r * r;
      cur[(size_t)i * cols + j] = q->s * r;
    }
  q->fit = 0.5 * q->s * fit2;
  double reg2 = q->lam_h * q->ss[0];
  for (int l = 0; l < L; l++)
    reg2 += q->lam_w[l] * q->ss[1 + l];
  q->reg = 0.5 * reg2;
  q->loss = q->fit + q->reg;
  double gn2 = 0.0;
  for (int k = L - 1; k >= 0; k--) {
    const double *hk = k == 0 ? q->H : q->act[k];
    const int rows = q->d[k + 1], inner = q->d[k];
    if (own(q, rows, inner, cols)) {
      gn2 += own_nt(rows, inner, cols, q->lam_w[k], q->W[k], cur, hk, q->gW[k], q->bt);
    } else {
      size_t cnt = (size_t)rows * inner;
      for (size_t i = 0; i < cnt; i++)
        q->gW[k][i] = q->lam_w[k] * q->W[k][i];
      cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, rows, inner, cols, 1.0, cur, cols, hk,
                  cols, 1.0, q->gW[k], inner);
      gn2 += sumsq(q->gW[k], cnt);
    }
    double *dst = k == 0 ? q->gH : nxt;
    if (own(q, inner, cols, rows)) {
      gn2 +=
          own_tn(rows, inner, cols, q->W[k], cur, dst, k == 0 ? NULL : hk, q->lam_h, q->H, q->at);
    } else {
      size_t cnt = (size_t)inner * cols;
      if (k == 0)
        for (size_t i = 0; i < cnt; i++)
          dst[i] = q->lam_h * q->H[i];
      cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, inner, cols, rows, 1.0, q->W[k], inner,
                  cur, cols, k == 0 ? 1.0 : 0.0, dst, cols);
      if (k == 0)
        gn2 += sumsq(dst, cnt);
      else
        for (size_t i = 0; i < cnt; i++)
          dst[i] = hk[i] > 0.0 ? dst[i] : 0.0;
    }
    double *sw = cur;
    cur = nxt;
    nxt = sw;
  }
  q->gnorm2 = gn2;
}

/* x <- x - lr g, block by block, with the new blocks' sums of squares. */
static void update(proto *q) {
  double *x = q->x;
  const double *g = q->g;
  size_t off = 0;
  for (int b = 0; b <= q->L; b++) {
    size_t cnt = b == 0 ? (size_t)q->d[0] * q->cols : (size_t)q->d[b] * q->d[b - 1];
    v2 acc0 = {0, 0}, acc1 = acc0;
    const v2 lr = {q->lr, q->lr};
    size_t i = off, end = off + cnt;
    for (; i + 4 <= end; i += 4) {
      v2 v0 = ld2(x + i) - lr * ld2(g + i), v1 = ld2(x + i + 2) - lr * ld2(g + i + 2);
      st2(x + i, v0), st2(x + i + 2, v1);
      acc0 += v0 * v0, acc1 += v1 * v1;
    }
    double tail = 0.0;
    for (; i < end; i++) {
      double v = x[i] - q->lr * g[i];
      x[i] = v;
      tail += v * v;
    }
    acc0 += acc1;
    q->ss[b] = (acc0[0] + acc0[1]) + tail;
    off = end;
  }
}

static void proto_init(proto *q, const dufm_config *c, int n, double lam, double lr, int kernel,
                       long small) {
  memset(q, 0, sizeof *q);
  q->L = c->L;
  q->K = c->K;
  q->n = n;
  q->cols = c->cols;
  q->kernel = kernel;
  q->small = small;
  q->lr = lr;
  q->s = 1.0 / c->cols;
  q->lam_h = lam;
  int maxw = 0;
  q->np = (size_t)c->d[0] * c->cols;
  for (int l = 0; l <= c->L; l++) {
    q->d[l] = c->d[l];
    maxw = c->d[l] > maxw ? c->d[l] : maxw;
  }
  for (int l = 0; l < c->L; l++) {
    q->lam_w[l] = lam;
    q->np += (size_t)c->d[l + 1] * c->d[l];
  }
  q->x = malloc(2 * q->np * sizeof(double));
  q->g = q->x + q->np;
  double *xv = q->x, *gv = q->g;
  q->H = xv;
  q->gH = gv;
  memcpy(xv, c->H1.data, (size_t)c->d[0] * c->cols * sizeof(double));
  xv += (size_t)c->d[0] * c->cols;
  gv += (size_t)c->d[0] * c->cols;
  for (int l = 0; l < c->L; l++) {
    q->W[l] = xv;
    q->gW[l] = gv;
    memcpy(xv, c->W[l].data, (size_t)c->d[l + 1] * c->d[l] * sizeof(double));
    xv += (size_t)c->d[l + 1] * c->d[l];
    gv += (size_t)c->d[l + 1] * c->d[l];
  }
  for (int l = 1; l < c->L; l++)
    q->act[l] = malloc((size_t)c->d[l] * c->cols * sizeof(double));
  q->out = malloc((size_t)c->K * c->cols * sizeof(double));
  q->b0 = malloc((size_t)maxw * c->cols * sizeof(double));
  q->b1 = malloc((size_t)maxw * c->cols * sizeof(double));
  q->bt = malloc((size_t)maxw * c->cols * sizeof(double));
  q->at = malloc((size_t)maxw * maxw * sizeof(double));
  q->ss[0] = sumsq(q->H, (size_t)c->d[0] * c->cols);
  for (int l = 0; l < c->L; l++)
    q->ss[1 + l] = sumsq(q->W[l], (size_t)c->d[l + 1] * c->d[l]);
}

static void proto_free(proto *q) {
  for (int l = 1; l < q->L; l++)
    free(q->act[l]);
  free(q->x);
  free(q->out);
  free(q->b0);
  free(q->b1);
  free(q->bt);
  free(q->at);
}

/* Runs iters steps with the library's stopping tests; returns the seconds. */
static double proto_run(proto *q, long iters, double *loss) {
  const double tol = 0.0, factor = 1e6;
  eval(q);
  const double f0 = q->loss;
  double t0 = now();
  for (long k = 0; k < iters; k++) {
    update(q);
    eval(q);
    if (!isfinite(q->loss) || !isfinite(q->gnorm2) || q->loss > factor * f0 ||
        sqrt(q->gnorm2) <= tol)
      break;
  }
  double t = now() - t0;
  *loss = q->loss;
  return t;
}

static double lib_run(const dufm_config *c, const dufm_params *p, double lr, long iters,
                      double *loss) {
  dufm_optim_opts o;
  dufm_optim_opts_default(&o);
  o.lr = lr;
  o.iters = iters;
  o.tol = 0.0;
  dufm_optim *s = NULL;
  dufm_err err;
  if (dufm_optim_alloc(&s, c->L, c->d, c->cols, &o, &err) != DUFM_OK ||
      dufm_optim_set(s, c, p, &err) != DUFM_OK) {
    fprintf(stderr, "gd_kernel: %s\n", err.msg);
    exit(1);
  }
  double t0 = now();
  while (dufm_optim_iterate(s) == DUFM_OPTIM_CONTINUE)
    ;
  double t = now() - t0;
  *loss = dufm_optim_loss(s)->loss;
  dufm_optim_free(s);
  return t;
}

static int cmp(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

int main(int argc, char **argv) {
  if (argc < 4) {
    fprintf(stderr, "usage: gd_kernel DIR LR ITERS [REPS] [LAMBDA] [SMALL]\n");
    return 2;
  }
  const char *dir = argv[1];
  double lr = atof(argv[2]);
  long iters = atol(argv[3]);
  int reps = argc > 4 ? atoi(argv[4]) : 5;
  const char *lam_text = argc > 5 ? argv[5] : "0.004";
  long small = argc > 6 ? atol(argv[6]) : 64L * 64 * 64;
  const char *only = getenv("GD_KERNEL_ONLY"); /* one variant name: for profiling */
  if (getenv("GD_KERNEL_WALL") != NULL && atoi(getenv("GD_KERNEL_WALL")) != 0)
    clock_id = CLOCK_MONOTONIC;
  const char *bt = getenv("GD_KERNEL_BLAS_THREADS"); /* default 1, as dufm optimize */
  openblas_set_num_threads(bt != NULL ? atoi(bt) : 1);
  dufm_config c;
  dufm_params p;
  dufm_err err;
  int n = 0;
  if (dufm_config_load(&c, &n, dir, &err) != DUFM_OK ||
      dufm_params_init(&p, c.L, c.K, n, &err) != DUFM_OK ||
      dufm_params_set_lambda(&p, DUFM_LAMBDA_ALL, lam_text, &err) != DUFM_OK) {
    fprintf(stderr, "gd_kernel: %s\n", err.msg);
    return 1;
  }
  const char *names[] = {"lib", "fused", "own", "auto"};
  double t[4][64], loss[4];
  if (reps > 64)
    reps = 64;
  for (int r = 0; r < reps; r++) /* interleaved */
    for (int v = 0; v < 4; v++) {
      if (only != NULL && strcmp(only, names[v]) != 0) {
        t[v][r] = loss[v] = NAN;
      } else if (v == 0) {
        t[v][r] = lib_run(&c, &p, lr, iters, &loss[v]);
      } else {
        proto q;
        proto_init(&q, &c, n, p.lam_h_d, lr,
                   v == 1   ? USE_BLAS
                   : v == 2 ? USE_OWN
                            : USE_AUTO,
                   small);
        t[v][r] = proto_run(&q, iters, &loss[v]);
        proto_free(&q);
      }
    }
  printf("L = %d, K = %d, n = %d, widths %d, lr %g, %ld steps, %d reps\n", c.L, c.K, n, c.d[0], lr,
         iters, reps);
  printf("| variant | us/iter median [min, max] | final loss | rel. diff. from lib |\n");
  printf("|---|---|---|---|\n");
  for (int v = 0; v < 4; v++) {
    qsort(t[v], (size_t)reps, sizeof(double), cmp);
    double s = 1e6 / (double)iters;
    printf("| %s | %.2f [%.2f, %.2f] | %.17g | %.2e |\n", names[v], s * t[v][reps / 2], s * t[v][0],
           s * t[v][reps - 1], loss[v], fabs(loss[v] - loss[0]) / fabs(loss[0]));
  }
  dufm_params_clear(&p);
  dufm_config_clear(&c);
  return 0;
}
