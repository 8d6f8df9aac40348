/* .npy reading against the fixtures of tests/make_npy_fixtures.py (written by
 * NumPy, or by hand for header variants and malformed files). */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dufm/npy.h"
#include "npy_helpers.h"
#include "testutil.h"

/* Entry k (row-major) of every fixture pattern, as make_npy_fixtures.py writes it. */
static double pat(long k) { return (k % 2 ? -(double)(k + 1) : (double)(k + 1)) / 3.0; }

static int is_pattern(const dufm_mat *m, int rows, int cols, int f4, const char *label) {
  if (m->rows != rows || m->cols != cols) {
    fprintf(stderr, "\n  %s: shape %d x %d, expected %d x %d\n", label, m->rows, m->cols, rows,
            cols);
    return 0;
  }
  for (long k = 0; k < (long)rows * cols; k++) {
    double want = f4 ? (double)(float)pat(k) : pat(k);
    if (m->data[k] != want) {
      fprintf(stderr, "\n  %s: entry %ld is %.17g, expected %.17g\n", label, k, m->data[k], want);
      return 0;
    }
  }
  return 1;
}

static void test_read_grid(void) {
  static const char *dts[] = {"f8", "f4"}, *bos[] = {"le", "be"}, *ords[] = {"c", "f"};
  char name[64];
  for (int a = 0; a < 2; a++)
    for (int b = 0; b < 2; b++)
      for (int c = 0; c < 2; c++)
        for (int v = 1; v <= 3; v++) {
          snprintf(name, sizeof name, "npy/%s_%s_%s_v%d_3x4.npy", dts[a], bos[b], ords[c], v);
          dufm_mat m;
          dufm_err e;
          CU_ASSERT(dufm_npy_read(&m, tu_data_path(name), &e) == DUFM_OK);
          CU_ASSERT(is_pattern(&m, 3, 4, a == 1, name));
          dufm_mat_clear(&m);
        }
  struct {
    const char *name;
    int rows, cols, f4;
  } more[] = {{"npy/f8_le_c_v2_7x13.npy", 7, 13, 0}, {"npy/f4_be_f_v3_7x13.npy", 7, 13, 1},
              {"npy/f8_le_c_v1_1x1.npy", 1, 1, 0},   {"npy/f8_le_c_v1_1x5.npy", 1, 5, 0},
              {"npy/f8_le_f_v1_5x1.npy", 5, 1, 0},   {"npy/hdr_fortran_be_f4.npy", 3, 4, 1}};
  for (size_t i = 0; i < sizeof more / sizeof more[0]; i++) {
    dufm_mat m;
    CU_ASSERT(dufm_npy_read(&m, tu_data_path(more[i].name), NULL) == DUFM_OK);
    CU_ASSERT(is_pattern(&m, more[i].rows, more[i].cols, more[i].f4, more[i].name));
    dufm_mat_clear(&m);
  }
}

static void test_header_variants(void) {
  const char *names[] = {"reordered", "spaces",  "dquote",  "compact",
                         "multiline", "py2long", "align16", "native"};
  uint16_t one = 1;
  for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
    char name[64];
    snprintf(name, sizeof name, "npy/hdr_%s.npy", names[i]);
    if (strcmp(names[i], "native") == 0 && *(unsigned char *)&one != 1)
      continue; /* '=f8' means the reader's order; the fixture holds little-endian data */
    dufm_mat m;
    dufm_err e;
    CU_ASSERT(dufm_npy_read(&m, tu_data_path(name), &e) == DUFM_OK);
    CU_ASSERT(is_pattern(&m, 3, 4, 0, name));
    dufm_mat_clear(&m);
  }
}

static void test_extremes(void) {
  const double f8[6] = {
      1.7976931348623157e308, -2.2250738585072014e-308, 5e-324, -0.0, -1e300, 1e-300};
  const double f4[6] = {3.4028234663852886e38, -1.1754943508222875e-38,
                        1.401298464324817e-45, -0.0,
                        (float)-1e30,          (float)1e-30};
  dufm_mat m;
  CU_ASSERT_FATAL(dufm_npy_read(&m, tu_data_path("npy/extremes_f8.npy"), NULL) == DUFM_OK);
  CU_ASSERT(m.rows == 2 && m.cols == 3 && memcmp(m.data, f8, sizeof f8) == 0);
  dufm_mat_clear(&m);
  CU_ASSERT_FATAL(dufm_npy_read(&m, tu_data_path("npy/extremes_f4.npy"), NULL) == DUFM_OK);
  CU_ASSERT(m.rows == 2 && m.cols == 3 && memcmp(m.data, f4, sizeof f4) == 0);
  dufm_mat_clear(&m);
}

static void test_malformed(void) {
  /* "name|a piece of the expected message" */
  static const char *bad[] = {"dtype_i8|'<i8'",
                              "dtype_c16|'<c16'",
                              "dtype_f2|'<f2'",
                              "dtype_b1|'|b1'",
                              "one_d|(5,) is 1-D",
                              "three_d|3-D",
                              "zero_d|() is 0-D",
                              "zero_rows|empty",
                              "zero_cols|empty",
                              "nan_f8|(1, 2) is NaN",
                              "inf_f8|(2, 0) is -Inf",
                              "nan_f4_fortran|(0, 3)",
                              "trunc_data|88 follow",
                              "overlong|104 follow",
                              "shape_lies|960 data",
                              "bad_magic|NUMPY",
                              "not_npy|NUMPY",
                              "empty|too short",
                              "short_prefix|too short",
                              "version_4|4.0",
                              "version_1_1|1.1",
                              "hlen_past_eof|60000",
                              "hlen_absurd_v2|past the",
                              "hdr_garbage|'{'",
                              "hdr_unterminated|end",
                              "hdr_bad_bool|Maybe",
                              "hdr_missing_key|lacks",
                              "hdr_extra_key|'foo'",
                              "hdr_dup_key|twice",
                              "hdr_nul|0x00",
                              "hdr_trailing|'x'",
                              "hdr_open_string|header",
                              "hdr_negative_dim|neg",
                              "hdr_float_dim|'.'",
                              "hdr_huge_dim|exceeds",
                              "hdr_dim_over_int|exceeds",
                              "hdr_product_overflow|too large",
                              "hdr_structured|structured",
                              "hdr_empty_dict|lacks",
                              "hdr_shape_int|tuple",
                              "hdr_utf8_key|'?"
                              "?'"};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    char name[64];
    const char *bar = strchr(bad[i], '|');
    snprintf(name, sizeof name, "npy/bad/%.*s.npy", (int)(bar - bad[i]), bad[i]);
    const char *path = tu_data_path(name);
    dufm_mat m = {1, 1, (double *)&m}; /* garbage that the reader must reset */
    dufm_err e;
    dufm_err_clear(&e);
    dufm_status st = dufm_npy_read(&m, path, &e);
    CU_ASSERT(st == DUFM_EFORMAT);
    CU_ASSERT(m.data == NULL && m.rows == 0);
    CU_ASSERT(names_path(&e, path));
    if (st != DUFM_EFORMAT || strstr(e.msg, bar + 1) == NULL) {
      CU_FAIL("wrong status or message");
      fprintf(stderr, "\n  %s: status %s, message '%s'\n", bad[i], dufm_status_name(st), e.msg);
    }
  }
}

static void test_open_errors(void) {
  dufm_mat m;
  dufm_err e;
  const char *missing = tu_data_path("npy/no_such_file.npy");
  CU_ASSERT(dufm_npy_read(&m, missing, &e) == DUFM_EIO);
  CU_ASSERT(names_path(&e, missing));
  const char *dir = tu_data_path("npy");
  CU_ASSERT(dufm_npy_read(&m, dir, &e) == DUFM_EIO);
  CU_ASSERT(names_path(&e, dir) && strstr(e.msg, "regular") != NULL);
}

/* Mutated fixtures: any status but a crash, and a proper message. */
static void test_fuzz(void) {
  const char *seeds[] = {"npy/f8_be_f_v2_3x4.npy", "npy/hdr_spaces.npy", "npy/f4_le_c_v3_3x4.npy"};
  const char *dir = tu_tmpdir();
  CU_ASSERT_FATAL(dir != NULL);
  char path[4096];
  snprintf(path, sizeof path, "%s/fz.npy", dir);
  unsigned char orig[512], buf[600];
  for (size_t s = 0; s < 3; s++) {
    FILE *f = fopen(tu_data_path(seeds[s]), "rb");
    CU_ASSERT_FATAL(f != NULL);
    size_t len = fread(orig, 1, sizeof orig, f);
    fclose(f);
    for (int it = 0; it < tu_iterations(300); it++) {
      size_t n = len;
      memcpy(buf, orig, len);
      for (int flips = 1 + (int)(rng() % 4); flips > 0; flips--)
        buf[rng() % n] = (unsigned char)rng();
      if (rng() % 4 == 0)
        n = rng() % (len + 1);
      f = fopen(path, "wb");
      fwrite(buf, 1, n, f);
      fclose(f);
      dufm_mat m;
      dufm_err e;
      dufm_status st = dufm_npy_read(&m, path, &e);
      CU_ASSERT(st == DUFM_OK || st == DUFM_EFORMAT);
      if (st != DUFM_OK)
        CU_ASSERT(names_path(&e, path) && m.data == NULL);
      dufm_mat_clear(&m);
    }
  }
  rm_tree(dir);
}

int main(void) {
  CU_TestInfo tests[] = {{"read every dtype, order and version", test_read_grid},
                         {"header variants", test_header_variants},
                         {"extreme values bit for bit", test_extremes},
                         {"malformed files rejected", test_malformed},
                         {"open errors", test_open_errors},
                         {"mutated files", test_fuzz},
                         CU_TEST_INFO_NULL};
  return tu_run_suite("npy", tests);
}
