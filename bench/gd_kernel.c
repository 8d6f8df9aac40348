/* Prototype: how fast can one gradient-descent step of the L-DUFM loss be?
 * Not part of the library; a measurement for the optimizer benchmark
 * (docs/bench.md). Build against a release build of libdufm:
 *
 *   cc -std=c11 -O3 -D_POSIX_C_SOURCE=200809L -Iinclude -Isrc bench/gd_kernel.c \
 *      -Lbuild-bench -Wl,-rpath,$PWD/build-bench -ldufm -lopenblas -lm -o build-bench/gd_kernel
 *   build-bench/gd_kernel DIR LR ITERS [REPS] [LAMBDA]
 *
 * Times, from the configuration folder DIR, ITERS steps of
 *   lib    dufm_optim_iterate (the library: dufm_eval_with + update + tests),
 *   fused  the same products through cblas_dgemm, but every elementwise pass
 *          fused: ReLU mask branch-free and inside the W^T G product's
 *          output loop, lam W folded into the gradient product, the
 *          regularization sums and |g|^2 taken in the update / gradient
 *          passes (no separate sum_sq, scaled_copy, dot, residual passes),
 *   own    as fused, with hand-written row-major kernels instead of dgemm,
 *   auto   as fused, own kernels for products of at most SMALL m n k
 *          multiply-adds, dgemm above,
 * and prints CPU us/iter of the calling thread (median, min, max of REPS) and the final loss of each,
 * with its relative difference from lib. Every variant does the same
 * stopping tests as the library (finite loss, divergence factor, |g| <= tol). */
#include <cblas.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dufm/npy.h"
#include "dufm/optim.h"

void openblas_set_num_threads(int num_threads);

/* Thread CPU time: on a loaded machine, time spent preempted is not counted
 * (cache and memory-bandwidth interference still is). */
static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* ---- hand-written row-major kernels (restrict: no aliasing) */

/* C (m x n) = A (m x k) B (k x n), rows of C built as axpys of rows of B;
 * four rows of C at a time so each row of B is loaded once per four. With
 * relu != 0 the rows are clamped at 0 as they are stored. */
static void own_nn(int m, int n, int k, const double *restrict a, const double *restrict b,
                   double *restrict c, int relu) {
  int i = 0;
  for (; i + 4 <= m; i += 4) {
    double *c0 = c + (size_t)i * n, *c1 = c0 + n, *c2 = c1 + n, *c3 = c2 + n;
    const double *a0 = a + (size_t)i * k, *a1 = a0 + k, *a2 = a1 + k, *a3 = a2 + k;
    for (int j = 0; j < n; j++)
      c0[j] = c1[j] = c2[j] = c3[j] = 0.0;
    for (int p = 0; p < k; p++) {
      const double *bp = b + (size_t)p * n;
      const double x0 = a0[p], x1 = a1[p], x2 = a2[p], x3 = a3[p];
      for (int j = 0; j < n; j++) {
        const double v = bp[j];
        c0[j] += x0 * v;
        c1[j] += x1 * v;
        c2[j] += x2 * v;
        c3[j] += x3 * v;
      }
    }
    if (relu)
      for (int j = 0; j < 4 * n; j++)
        c0[j] = c0[j] > 0.0 ? c0[j] : 0.0;
  }
  for (; i < m; i++) {
    double *ci = c + (size_t)i * n;
    const double *ai = a + (size_t)i * k;
    for (int j = 0; j < n; j++)
      ci[j] = 0.0;
    for (int p = 0; p < k; p++) {
      const double *bp = b + (size_t)p * n;
      const double x = ai[p];
      for (int j = 0; j < n; j++)
        ci[j] += x * bp[j];
    }
    if (relu)
      for (int j = 0; j < n; j++)
        ci[j] = ci[j] > 0.0 ? ci[j] : 0.0;
  }
}

/* G (m x k) = lam W + A (m x n) B^T (B: k x n). B is transposed into bt
 * (n x k) first, so every row of G is lam W_i plus n axpys of rows of bt
 * (vectorizable; a dot product per entry would be a latency-bound scalar
 * reduction). Two rows of G at a time. Returns sum G^2. */
static double own_nt(int m, int k, int n, double lam, const double *restrict w,
                     const double *restrict a, const double *restrict b, double *restrict g,
                     double *restrict bt) {
  for (int j = 0; j < k; j++)
    for (int c = 0; c < n; c++)
      bt[(size_t)c * k + j] = b[(size_t)j * n + c];
  double acc[4] = {0};
  int i = 0;
  for (; i + 2 <= m; i += 2) {
    double *g0 = g + (size_t)i * k, *g1 = g0 + k;
    const double *w0 = w + (size_t)i * k, *w1 = w0 + k;
    const double *a0 = a + (size_t)i * n, *a1 = a0 + n;
    for (int j = 0; j < k; j++) {
      g0[j] = lam * w0[j];
      g1[j] = lam * w1[j];
    }
    for (int c = 0; c < n; c++) {
      const double x0 = a0[c], x1 = a1[c], *bc = bt + (size_t)c * k;
      for (int j = 0; j < k; j++) {
        g0[j] += x0 * bc[j];
        g1[j] += x1 * bc[j];
      }
    }
    int j = 0;
    for (; j + 2 <= k; j += 2) {
      acc[0] += g0[j] * g0[j];
      acc[1] += g0[j + 1] * g0[j + 1];
      acc[2] += g1[j] * g1[j];
      acc[3] += g1[j + 1] * g1[j + 1];
    }
    for (; j < k; j++)
      acc[0] += g0[j] * g0[j] + g1[j] * g1[j];
  }
  for (; i < m; i++) {
    double *gi = g + (size_t)i * k;
    const double *wi = w + (size_t)i * k, *ai = a + (size_t)i * n;
    for (int j = 0; j < k; j++)
      gi[j] = lam * wi[j];
    for (int c = 0; c < n; c++)
      for (int j = 0; j < k; j++)
        gi[j] += ai[c] * bt[(size_t)c * k + j];
    for (int j = 0; j < k; j++)
      acc[0] += gi[j] * gi[j];
  }
  return (acc[0] + acc[1]) + (acc[2] + acc[3]);
}

/* C (k x n) = A^T B (A: m x k, B: m x n); then C = C + lam X (gradient of H1,
 * returns sum C^2) or C masked where H <= 0 (branch free). */
static double own_tn(int m, int k, int n, const double *restrict a, const double *restrict b,
                     double *restrict c, const double *restrict mask, double lam,
                     const double *restrict x) {
  double ss = 0.0;
  for (int j = 0; j < k; j++) {
    double *cj = c + (size_t)j * n;
    for (int t = 0; t < n; t++)
      cj[t] = 0.0;
    for (int i = 0; i < m; i++) {
      const double v = a[(size_t)i * k + j];
      const double *bi = b + (size_t)i * n;
      for (int t = 0; t < n; t++)
        cj[t] += v * bi[t];
    }
    if (mask != NULL) {
      const double *hj = mask + (size_t)j * n;
      for (int t = 0; t < n; t++)
        cj[t] = hj[t] > 0.0 ? cj[t] : 0.0;
    } else {
      const double *xj = x + (size_t)j * n;
      for (int t = 0; t < n; t++) {
        cj[t] += lam * xj[t];
        ss += cj[t] * cj[t];
      }
    }
  }
  return ss;
}

/* ---- the fused step */

enum { USE_BLAS, USE_OWN, USE_AUTO };

typedef struct {
  int L, K, n, cols, kernel;
  long small; /* USE_AUTO: own kernels up to this many multiply-adds */
  int d[64];
  size_t np;
  double *x, *g, *H, *W[64], *gH, *gW[64]; /* views into x, g */
  double *act[64], *out, *b0, *b1, *bt;
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
      gn2 += own_tn(rows, inner, cols, q->W[k], cur, dst, k == 0 ? NULL : hk, q->lam_h, q->H);
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
    double acc[4] = {0};
    size_t i = off, end = off + cnt;
    for (; i + 4 <= end; i += 4)
      for (int t = 0; t < 4; t++) {
        double v = x[i + t] - q->lr * g[i + t];
        x[i + t] = v;
        acc[t] += v * v;
      }
    for (; i < end; i++) {
      double v = x[i] - q->lr * g[i];
      x[i] = v;
      acc[0] += v * v;
    }
    q->ss[b] = (acc[0] + acc[1]) + (acc[2] + acc[3]);
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
  openblas_set_num_threads(1);
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
      if (v == 0) {
        t[v][r] = lib_run(&c, &p, lr, iters, &loss[v]);
      } else {
        proto q;
        proto_init(&q, &c, n, p.lam_h_d, lr, v == 1 ? USE_BLAS : v == 2 ? USE_OWN : USE_AUTO,
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
    printf("| %s | %.2f [%.2f, %.2f] | %.17g | %.2e |\n", names[v], s * t[v][reps / 2],
           s * t[v][0], s * t[v][reps - 1], loss[v], fabs(loss[v] - loss[0]) / fabs(loss[0]));
  }
  dufm_params_clear(&p);
  dufm_config_clear(&c);
  return 0;
}
