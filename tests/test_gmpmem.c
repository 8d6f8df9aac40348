/* dufm_gmp_oom_install (dufm/gmpmem.h): an allocation GMP cannot get reaches
 * the caller's handler instead of GMP's abort. */
#include <gmp.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>

#include "dufm/gmpmem.h"
#include "testutil.h"

/* Under ASan a huge malloc must return NULL (as libc's does), not stop. */
const char *__asan_default_options(void);
const char *__asan_default_options(void) { return "allocator_may_return_null=1"; }

static jmp_buf back;
static size_t asked;

static void handler(size_t bytes) {
  asked = bytes;
  longjmp(back, 1);
}

/* More than any machine has; malloc fails without touching memory. */
static const size_t huge = (size_t)1 << 60;

static void test_alloc_failure_reaches_handler(void) {
  dufm_gmp_oom_install(handler);
  void *(*alloc)(size_t);
  void *(*re)(void *, size_t, size_t);
  void (*fr)(void *, size_t);
  mp_get_memory_functions(&alloc, &re, &fr);
  asked = 0;
  if (setjmp(back) == 0) {
    void *p = alloc(huge);
    fr(p, huge);
    CU_FAIL("the allocation of 2^60 bytes returned");
  }
  CU_ASSERT_EQUAL(asked, huge);
  /* realloc: the old block stays valid and is freed by the caller. */
  void *volatile p = alloc(64);
  CU_ASSERT_PTR_NOT_NULL_FATAL(p);
  asked = 0;
  if (setjmp(back) == 0) {
    p = re(p, 64, huge);
    CU_FAIL("the reallocation to 2^60 bytes returned");
  }
  CU_ASSERT_EQUAL(asked, huge);
  fr(p, 64);
  /* Ordinary GMP work goes through the wrappers and is unchanged. */
  mpz_t a;
  mpz_init(a);
  mpz_ui_pow_ui(a, 3, 1000);
  CU_ASSERT_EQUAL(mpz_sizeinbase(a, 3), 1001);
  mpz_clear(a);
  dufm_gmp_oom_install(NULL);
  void *(*alloc2)(size_t);
  mp_get_memory_functions(&alloc2, NULL, NULL);
  CU_ASSERT_PTR_NOT_EQUAL(alloc2, alloc); /* GMP's defaults are back */
}

int main(void) {
  CU_TestInfo tests[] = {
      {"allocation failure reaches the handler", test_alloc_failure_reaches_handler},
      CU_TEST_INFO_NULL};
  return tu_run_suite("gmpmem", tests);
}
