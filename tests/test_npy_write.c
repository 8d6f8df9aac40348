/* .npy writing: NumPy's exact bytes, bitwise round trips, atomicity and
 * clean failures. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dufm/npy.h"
#include "npy_helpers.h"
#include "testutil.h"

static int same_bytes(const char *a, const char *b) {
  FILE *fa = fopen(a, "rb"), *fb = fopen(b, "rb");
  int ca = 0, cb = 0;
  while (fa != NULL && fb != NULL && (ca = getc(fa)) == (cb = getc(fb)) && ca != EOF)
    ;
  int same = fa != NULL && fb != NULL && ca == cb;
  if (fa != NULL)
    fclose(fa);
  if (fb != NULL)
    fclose(fb);
  return same;
}

/* Our writer against numpy.save: same bytes, header padding included. */
static void test_write_like_numpy(void) {
  const char *names[] = {"npy/f8_le_c_v1_3x4.npy", "npy/f8_le_c_v1_1x1.npy",
                         "npy/f8_le_c_v1_1x5.npy", "npy/extremes_f8.npy"};
  const char *dir = tu_tmpdir();
  CU_ASSERT_FATAL(dir != NULL);
  char out[4096];
  snprintf(out, sizeof out, "%s/out.npy", dir);
  for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
    dufm_mat m;
    CU_ASSERT_FATAL(dufm_npy_read(&m, tu_data_path(names[i]), NULL) == DUFM_OK);
    CU_ASSERT(dufm_npy_write(out, &m, NULL) == DUFM_OK);
    CU_ASSERT(same_bytes(out, tu_data_path(names[i])));
    dufm_mat_clear(&m);
  }
  rm_tree(dir);
}

/* Random bit patterns (subnormals, -0, huge) must survive bit for bit. */
static void test_roundtrip(void) {
  const char *dir = tu_tmpdir();
  CU_ASSERT_FATAL(dir != NULL);
  char path[4096];
  snprintf(path, sizeof path, "%s/r.npy", dir);
  for (int it = 0; it < tu_iterations(40); it++) {
    dufm_mat m, back;
    CU_ASSERT_FATAL(dufm_mat_init(&m, 1 + (int)(rng() % 40), 1 + (int)(rng() % 40), NULL) ==
                    DUFM_OK);
    for (int k = 0; k < m.rows * m.cols; k++) {
      do {
        uint64_t u = rng();
        memcpy(&m.data[k], &u, sizeof u);
      } while (!isfinite(m.data[k]));
    }
    CU_ASSERT(dufm_npy_write(path, &m, NULL) == DUFM_OK);
    CU_ASSERT(dufm_npy_read(&back, path, NULL) == DUFM_OK);
    CU_ASSERT(back.rows == m.rows && back.cols == m.cols &&
              memcmp(back.data, m.data, sizeof(double) * (size_t)(m.rows * m.cols)) == 0);
    dufm_mat_clear(&m);
    dufm_mat_clear(&back);
  }
  CU_ASSERT(count_entries(dir) == 1); /* no temporary left behind */
  rm_tree(dir);
}

static void test_write_failures(void) {
  const char *tmp = tu_tmpdir();
  CU_ASSERT_FATAL(tmp != NULL);
  char dir[4096], path[4200];
  snprintf(dir, sizeof dir, "%s", tmp);
  dufm_mat m;
  dufm_err e;
  CU_ASSERT_FATAL(dufm_mat_init(&m, 2, 3, NULL) == DUFM_OK);
  struct {
    const char *fmt, *piece;
    dufm_status st;
  } cases[] = {{"%s/missing/m.npy", "does not exist", DUFM_EINVAL}, /* refused before writing */
               {"%s/file.npy/m.npy", "Not a directory", DUFM_EIO},
               {"%s/sub", "is a folder", DUFM_EINVAL},
               {"%s/ro/m.npy", "Permission denied", DUFM_EIO}};
  snprintf(path, sizeof path, "%s/file.npy", dir);
  CU_ASSERT(dufm_npy_write(path, &m, NULL) == DUFM_OK);
  snprintf(path, sizeof path, "%s/sub", dir);
  mkdir(path, 0777);
  snprintf(path, sizeof path, "%s/ro", dir);
  mkdir(path, 0555);
  int ro_effective = access(path, W_OK) != 0; /* root ignores the mode */
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    if (i == 3 && !ro_effective)
      continue;
    snprintf(path, sizeof path, cases[i].fmt, dir);
    CU_ASSERT(dufm_npy_write(path, &m, &e) == cases[i].st);
    CU_ASSERT(names_path(&e, path) && strstr(e.msg, cases[i].piece) != NULL);
    if (strstr(e.msg, cases[i].piece) == NULL)
      fprintf(stderr, "\n  %s\n", e.msg);
  }
  CU_ASSERT(count_entries(dir) == 3); /* file.npy, sub, ro: no temporary left */
  snprintf(path, sizeof path, "%s/sub", dir);
  CU_ASSERT(count_entries(path) == 0);
  snprintf(path, sizeof path, "%s/x.npy", dir);
  m.data[4] = NAN;
  CU_ASSERT(dufm_npy_write(path, &m, &e) == DUFM_EINVAL && strstr(e.msg, "(1, 1)") != NULL);
  dufm_mat_clear(&m);
  CU_ASSERT(dufm_npy_write(path, &m, &e) == DUFM_EINVAL && names_path(&e, path));
  rm_tree(dir);
}

int main(void) {
  CU_TestInfo tests[] = {{"writer matches numpy.save", test_write_like_numpy},
                         {"random round trips", test_roundtrip},
                         {"write failures leave nothing", test_write_failures},
                         CU_TEST_INFO_NULL};
  return tu_run_suite("npy_write", tests);
}
