/* The optimizer. Reference values come from other paths: the gradient of
 * dufm_eval for one step, the DNC closed form (dufm_dnc_eval) for the optima
 * at L = 1 and L = 2, the structure's closed form for an embedded start, and
 * an independent Python implementation of the generator. */
/* dladdr and Dl_info (the allocation counter below) */
#define _GNU_SOURCE
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "dufm/dnc.h"
#include "dufm/optim.h"
#include "dufm/structure.h"
#include "testutil.h"

/* Counting allocator (glibc, no ASan, which has its own malloc): proves that
 * dufm_optim_iterate allocates nothing itself. Only libdufm's own allocations
 * count: BLAS kernels may allocate on some CPUs (OpenBLAS 0.3.21's small-matrix
 * kernels do on Cooper Lake), which is not a promise of this library. The hook
 * only records caller addresses; they are attributed to a shared object with
 * dladdr afterwards, outside malloc. */
#if defined(__GLIBC__) && !defined(__SANITIZE_ADDRESS__)
#define COUNT_ALLOCS 1
#include <dlfcn.h>
extern void *__libc_malloc(size_t);
extern void *__libc_calloc(size_t, size_t);
extern void *__libc_realloc(void *, size_t);
enum { MAX_CALLERS = 4096 };
static void *callers[MAX_CALLERS];
static long n_callers = 0; /* may exceed MAX_CALLERS: counted, not stored */
static int recording = 0;
static void record(void *ret) {
  if (!__atomic_load_n(&recording, __ATOMIC_RELAXED))
    return;
  long i = __atomic_fetch_add(&n_callers, 1, __ATOMIC_RELAXED);
  if (i < MAX_CALLERS)
    callers[i] = ret;
}
void *malloc(size_t n) {
  record(__builtin_return_address(0));
  return __libc_malloc(n);
}
void *calloc(size_t a, size_t b) {
  record(__builtin_return_address(0));
  return __libc_calloc(a, b);
}
void *realloc(void *p, size_t n) {
  record(__builtin_return_address(0));
  return __libc_realloc(p, n);
}
static void record_start(void) {
  n_callers = 0;
  __atomic_store_n(&recording, 1, __ATOMIC_SEQ_CST);
}
/* Stops recording; returns the allocations made from libdufm itself, or -1
 * when more calls were made than could be attributed. */
static long record_stop_libdufm(void) {
  __atomic_store_n(&recording, 0, __ATOMIC_SEQ_CST);
  long n = n_callers, own = 0;
  if (n > MAX_CALLERS)
    return -1;
  for (long i = 0; i < n; i++) {
    Dl_info info;
    if (dladdr(callers[i], &info) && info.dli_fname && strstr(info.dli_fname, "libdufm"))
      own++;
  }
  return own;
}
#endif

static void widths(int *d, int L, int w, int K) {
  for (int l = 0; l < L; l++)
    d[l] = w;
  d[L] = K;
}

static void test_rng(void) {
  /* Reference outputs from a Python transcription of splitmix64 + xoshiro256**. */
  dufm_rng r;
  dufm_rng_seed(&r, 0);
  CU_ASSERT(dufm_rng_next(&r) == 0x99ec5f36cb75f2b4ULL);
  CU_ASSERT(dufm_rng_next(&r) == 0xbf6e1f784956452aULL);
  dufm_rng_seed(&r, 42);
  CU_ASSERT(dufm_rng_next(&r) == 0x15780b2e0c2ec716ULL);
  dufm_rng_seed(&r, 7);
  TU_ASSERT_CLOSE(dufm_rng_gaussian(&r), -0.15157274547711355, TU_TOL2, 0);
  TU_ASSERT_CLOSE(dufm_rng_gaussian(&r), 0.829897087969257, TU_TOL2, 0);
  /* Moments of 2e5 draws: mean 0 and variance 1 within ~5 standard errors. */
  double s1 = 0, s2 = 0;
  const int count = 200000;
  for (int i = 0; i < count; i++) {
    double z = dufm_rng_gaussian(&r);
    s1 += z;
    s2 += z * z;
  }
  CU_ASSERT(fabs(s1 / count) < 5.0 / sqrt(count));
  CU_ASSERT(fabs(s2 / count - 1.0) < 5.0 * sqrt(2.0 / count));
}

/* One gd step is X - lr dF/dX with the gradient of dufm_eval, bitwise; the
 * second anneal step uses lr / (1 + 10 / iters). */
static void test_one_step(void) {
  dufm_params p;
  tu_params(&p, 3, 4, 2, "0.01");
  int d[] = {5, 6, 7, 4};
  dufm_optim_opts o;
  dufm_optim_opts_default(&o);
  o.lr = 0.3;
  o.iters = 100;
  for (int m = 0; m < 2; m++) {
    o.method = m ? DUFM_OPTIM_ANNEAL : DUFM_OPTIM_GD;
    dufm_config x, g;
    dufm_loss f;
    dufm_optim *s;
    CU_ASSERT_FATAL(dufm_optim_init_gaussian(&x, 3, d, 8, 0.5, 3, NULL) == DUFM_OK);
    CU_ASSERT_FATAL(dufm_config_copy(&g, &x, NULL) == DUFM_OK);
    CU_ASSERT_FATAL(dufm_optim_alloc(&s, 3, d, 8, &o, NULL) == DUFM_OK);
    CU_ASSERT_FATAL(dufm_optim_set(s, &x, &p, NULL) == DUFM_OK);
    for (int step = 0; step < 2; step++) {
      double lr = m && step ? 0.3 / (1.0 + 10.0 / 100.0) : 0.3;
      CU_ASSERT_FATAL(dufm_eval(&f, &g, &x, &p, DUFM_FORM_SAMPLES, NULL) == DUFM_OK);
      CU_ASSERT(f.loss == dufm_optim_loss(s)->loss);
      for (int l = -1; l < 3; l++) {
        dufm_mat *xm = l < 0 ? &x.H1 : &x.W[l], *gm = l < 0 ? &g.H1 : &g.W[l];
        for (int i = 0; i < xm->rows * xm->cols; i++)
          xm->data[i] = xm->data[i] - lr * gm->data[i];
      }
      CU_ASSERT(dufm_optim_iterate(s) == DUFM_OPTIM_CONTINUE);
      CU_ASSERT(tu_same_config(&x, dufm_optim_x(s)));
    }
    CU_ASSERT(dufm_optim_iter(s) == 2);
    dufm_optim_free(s);
    dufm_config_clear(&x);
    dufm_config_clear(&g);
  }
  dufm_params_clear(&p);
}

/* After many gd or anneal steps (the fused update, norms and gradient norm of
 * the solver), the reported loss and gradient norm are dufm_eval's at the
 * final point; the norm here is a plain long double sum over the gradient. */
static void test_fused_agrees(void) {
  dufm_params p;
  tu_params(&p, 4, 10, 2, "0.004");
  int d[] = {30, 30, 30, 30, 10};
  dufm_optim_opts o;
  dufm_optim_opts_default(&o);
  o.iters = 300;
  for (int m = 0; m < 2; m++) {
    o.method = m ? DUFM_OPTIM_ANNEAL : DUFM_OPTIM_GD;
    dufm_config x, g;
    dufm_loss f;
    dufm_optim *s;
    CU_ASSERT_FATAL(dufm_optim_init_gaussian(&x, 4, d, 20, 0.1, 4, NULL) == DUFM_OK);
    CU_ASSERT_FATAL(dufm_optim_alloc(&s, 4, d, 20, &o, NULL) == DUFM_OK);
    CU_ASSERT_FATAL(dufm_optim_set(s, &x, &p, NULL) == DUFM_OK);
    const double start = dufm_optim_loss(s)->loss;
    while (dufm_optim_iterate(s) == DUFM_OPTIM_CONTINUE)
      ;
    CU_ASSERT(dufm_optim_iter(s) == 300);
    CU_ASSERT_FATAL(dufm_config_copy(&g, &x, NULL) == DUFM_OK);
    CU_ASSERT_FATAL(dufm_eval(&f, &g, dufm_optim_x(s), &p, DUFM_FORM_SAMPLES, NULL) == DUFM_OK);
    long double gn2 = 0.0L;
    for (int l = -1; l < 4; l++) {
      const dufm_mat *gm = l < 0 ? &g.H1 : &g.W[l];
      for (int i = 0; i < gm->rows * gm->cols; i++)
        gn2 += (long double)gm->data[i] * gm->data[i];
    }
    TU_ASSERT_CLOSE(dufm_optim_loss(s)->loss, f.loss, 1e-13, 0);
    TU_ASSERT_CLOSE(dufm_optim_loss(s)->reg, f.reg, 1e-13, 0);
    TU_ASSERT_CLOSE(dufm_optim_grad_norm(s), (double)sqrtl(gn2), 1e-13, 0);
    CU_ASSERT(f.loss < start); /* the point did move */
    dufm_optim_free(s);
    dufm_config_clear(&x);
    dufm_config_clear(&g);
  }
  dufm_params_clear(&p);
}

/* Best loss over seeds 0..nseeds-1 with lbfgs, relative to the DNC closed form. */
static double best_vs_dnc(int L, int K, int n, const char *lambda, int width, int nseeds) {
  dufm_params p;
  tu_params(&p, L, K, n, lambda);
  int d[8];
  widths(d, L, width, K);
  dufm_optim_opts o;
  dufm_optim_opts_default(&o);
  o.method = DUFM_OPTIM_LBFGS;
  o.iters = 3000;
  o.init_std = 0.3;
  uint64_t seeds[8];
  dufm_optim_result res[8];
  for (int i = 0; i < nseeds; i++)
    seeds[i] = (uint64_t)i;
  dufm_gl dnc;
  CU_ASSERT_FATAL(dufm_dnc_eval(&dnc, &p, NULL) == DUFM_OK);
  dufm_err err;
  dufm_status st = dufm_optim_runs(res, nseeds, seeds, d, NULL, &p, &o, &err);
  CU_ASSERT(st == DUFM_OK);
  double best = INFINITY;
  for (int i = 0; i < nseeds; i++) {
    CU_ASSERT(res[i].stop != DUFM_OPTIM_DIVERGED);
    CU_ASSERT(res[i].loss.loss >= dnc.lower * (1 - 1e-12)); /* DNC is optimal here */
    best = fmin(best, res[i].loss.loss);
    dufm_optim_result_clear(&res[i]);
  }
  dufm_params_clear(&p);
  fprintf(stderr, "[L = %d, K = %d: best %.17g, DNC %.17g] ", L, K, best, dnc.value);
  return (best - dnc.value) / dnc.value;
}

static void test_optima(void) {
  double rel = best_vs_dnc(1, 4, 3, "0.0001", 6, 3); /* UFM: g_1(K c_1) */
  CU_ASSERT(tu_close(rel, 0, 0, 1e-6, "L = 1 vs closed form"));
  rel = best_vs_dnc(2, 2, 1, "0.004", 10, 4);
  CU_ASSERT(tu_close(rel, 0, 0, 1e-6, "L = 2, K = 2 vs DNC"));
  rel = best_vs_dnc(2, 3, 2, "0.004", 10, 4);
  CU_ASSERT(tu_close(rel, 0, 0, 1e-6, "L = 2, K = 3, n = 2 vs DNC"));
}

/* Same seed, same bits: 1 or 2 threads, any order, or a direct run. */
static void test_reproducible(void) {
  dufm_params p;
  tu_params(&p, 3, 4, 2, "0.004");
  int d[] = {12, 12, 12, 4};
  dufm_optim_opts o;
  dufm_optim_opts_default(&o);
  o.iters = 300;
  uint64_t seeds[] = {5, 9, 11}, rev[] = {11, 9, 5};
  dufm_optim_result a[3], b[3], c;
  for (int m = 0; m < 2; m++) {
    o.method = m ? DUFM_OPTIM_LBFGS : DUFM_OPTIM_GD;
    o.threads = 1;
    CU_ASSERT_FATAL(dufm_optim_runs(a, 3, seeds, d, NULL, &p, &o, NULL) == DUFM_OK);
    o.threads = 2;
    CU_ASSERT_FATAL(dufm_optim_runs(b, 3, rev, d, NULL, &p, &o, NULL) == DUFM_OK);
    for (int i = 0; i < 3; i++) {
      CU_ASSERT(a[i].loss.loss == b[2 - i].loss.loss && a[i].iters == b[2 - i].iters);
      CU_ASSERT(tu_same_config(&a[i].x, &b[2 - i].x));
    }
    dufm_config x0;
    CU_ASSERT_FATAL(dufm_optim_init_gaussian(&x0, 3, d, 8, o.init_std, 9, NULL) == DUFM_OK);
    CU_ASSERT_FATAL(dufm_optim_run(&c, &x0, &p, &o, NULL) == DUFM_OK);
    CU_ASSERT(tu_same_config(&c.x, &a[1].x));
    dufm_optim_result_clear(&c);
    dufm_config_clear(&x0);
    for (int i = 0; i < 3; i++) {
      dufm_optim_result_clear(&a[i]);
      dufm_optim_result_clear(&b[i]);
    }
  }
  dufm_params_clear(&p);
}

static void test_divergence_and_errors(void) {
  dufm_params p;
  tu_params(&p, 3, 4, 1, "0.004");
  int d[] = {10, 10, 10, 4};
  dufm_optim_opts o;
  dufm_optim_opts_default(&o);
  o.lr = 1e4;
  o.init_std = 1.0;
  o.log_every = 1;
  uint64_t seed = 1;
  dufm_optim_result r;
  CU_ASSERT_FATAL(dufm_optim_runs(&r, 1, &seed, d, NULL, &p, &o, NULL) == DUFM_OK);
  CU_ASSERT(r.stop == DUFM_OPTIM_DIVERGED);
  CU_ASSERT(r.iters >= 1 && r.iters < 100 && r.ntrace == r.iters + 1);
  CU_ASSERT(!(r.loss.loss <= 1e6 * r.loss0));
  dufm_optim_result_clear(&r);
  dufm_err err;
  dufm_optim_opts bad;
  const char *fields[] = {"lr", "iters", "tol", "memory", "init std", "perturbation", "threads"};
  for (int i = 0; i < 7; i++) {
    dufm_optim_opts_default(&bad);
    double *dv[] = {&bad.lr, NULL, &bad.tol, NULL, &bad.init_std, &bad.perturb, NULL};
    if (dv[i] != NULL)
      *dv[i] = i == 0 ? 0.0 : -1.0;
    bad.iters = i == 1 ? 0 : bad.iters;
    bad.memory = i == 3 ? 0 : bad.memory;
    bad.threads = i == 6 ? -1 : bad.threads;
    CU_ASSERT(dufm_optim_runs(&r, 1, &seed, d, NULL, &p, &bad, &err) == DUFM_EINVAL);
    CU_ASSERT(strstr(err.msg, fields[i]) != NULL);
  }
  CU_ASSERT(dufm_optim_runs(&r, 0, &seed, d, NULL, &p, &o, &err) == DUFM_EINVAL);
  dufm_config small, big;
  int ds[] = {3, 3, 3, 4};
  CU_ASSERT_FATAL(dufm_optim_init_gaussian(&big, 3, d, 4, 1.0, 0, NULL) == DUFM_OK);
  CU_ASSERT(dufm_optim_init_embed(&small, &big, ds, 0.0, 0, &err) == DUFM_EINVAL);
  CU_ASSERT(strstr(err.msg, "d_1 = 10") != NULL);
  dufm_config_clear(&big);
  dufm_params_clear(&p);
}

/* srg:5 at L = 4, K = 10 embedded into widths 30: the closed-form loss at step
 * 0, then lbfgs never increases it; the iterate path allocates nothing. */
static void test_structure_start(void) {
  dufm_params p;
  tu_params(&p, 4, 10, 1, "0.004");
  dufm_structure *s;
  dufm_structure_eval e = {0};
  dufm_config c, x0;
  CU_ASSERT_FATAL(dufm_structure_parse(&s, "srg:5", NULL) == DUFM_OK);
  CU_ASSERT_FATAL(dufm_structure_evaluate(&e, s, &p, NULL) == DUFM_OK);
  CU_ASSERT_FATAL(dufm_structure_materialize(&c, s, &p, DUFM_FORM_SAMPLES, NULL) == DUFM_OK);
  int d[] = {30, 30, 30, 30, 10};
  CU_ASSERT_FATAL(dufm_optim_init_embed(&x0, &c, d, 0.0, 0, NULL) == DUFM_OK);
  dufm_optim_opts o;
  dufm_optim_opts_default(&o);
  o.method = DUFM_OPTIM_LBFGS;
  o.iters = 300;
  o.log_every = 1;
  dufm_optim_result r;
  CU_ASSERT_FATAL(dufm_optim_run(&r, &x0, &p, &o, NULL) == DUFM_OK);
  TU_ASSERT_CLOSE(r.trace[0].loss, e.loss, 1e-13, 0);
  for (long i = 1; i < r.ntrace; i++)
    CU_ASSERT(r.trace[i].loss <= r.trace[i - 1].loss);
  CU_ASSERT(r.loss.loss <= e.loss);
  dufm_optim_result_clear(&r);
#ifdef COUNT_ALLOCS
  for (int m = 0; m < 3; m++) {
    o.method = (dufm_optim_method)m;
    dufm_optim *sv;
    record_start();
    CU_ASSERT_FATAL(dufm_optim_alloc(&sv, 4, d, 10, &o, NULL) == DUFM_OK);
    /* the attribution does see the library's own allocations */
    CU_ASSERT(record_stop_libdufm() > 0);
    CU_ASSERT_FATAL(dufm_optim_set(sv, &x0, &p, NULL) == DUFM_OK);
    record_start();
    for (int it = 0; it < 50; it++)
      dufm_optim_iterate(sv);
    CU_ASSERT(record_stop_libdufm() == 0);
    dufm_optim_free(sv);
  }
#endif
  dufm_config_clear(&x0);
  dufm_config_clear(&c);
  dufm_structure_eval_clear(&e);
  dufm_structure_free(s);
  dufm_params_clear(&p);
}

int main(void) {
  CU_TestInfo tests[] = {{"generator", test_rng},
                         {"one gd and anneal step", test_one_step},
                         {"fused gd loop agrees with dufm_eval", test_fused_agrees},
                         {"closed-form optima at L = 1, 2", test_optima},
                         {"reproducible across threads", test_reproducible},
                         {"divergence and errors", test_divergence_and_errors},
                         {"start from a structure", test_structure_start},
                         CU_TEST_INFO_NULL};
  return tu_run_suite("optim", tests);
}
