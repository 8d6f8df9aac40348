/* Configuration folders (H1.npy, W1.npy, ..., WL.npy) against the fixtures of
 * tests/make_npy_fixtures.py. Loss values of these folders are checked by the
 * evaluator's suite with data/configs/reference.tsv. */
#include <dirent.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dufm/npy.h"
#include "npy_helpers.h"
#include "testutil.h"

static int exists(const char *dir, const char *name) {
  char p[4400];
  snprintf(p, sizeof p, "%s/%s", dir, name);
  return access(p, F_OK) == 0;
}

static void touch(const char *dir, const char *name) {
  char p[4400];
  snprintf(p, sizeof p, "%s/%s", dir, name);
  FILE *f = fopen(p, "w");
  if (f != NULL)
    fclose(f);
}

static int load(dufm_config *c, int *n, const char *name) {
  dufm_err e;
  char rel[256];
  snprintf(rel, sizeof rel, "configs/%s", name);
  dufm_status st = dufm_config_load(c, n, tu_data_path(rel), &e);
  if (st != DUFM_OK)
    fprintf(stderr, "\n  %s: %s\n", name, e.msg);
  return st == DUFM_OK;
}

/* tol = 0: bitwise equal; else |a - b| <= tol |b| entrywise. */
static int same_mat(const dufm_mat *a, const dufm_mat *b, double tol) {
  if (a->rows != b->rows || a->cols != b->cols)
    return 0;
  for (int k = 0; k < a->rows * a->cols; k++)
    if (tol == 0 ? memcmp(&a->data[k], &b->data[k], sizeof(double)) != 0
                 : fabs(a->data[k] - b->data[k]) > tol * fabs(b->data[k]))
      return 0;
  return 1;
}

static int same_config(const dufm_config *a, const dufm_config *b, double tol) {
  int ok = a->L == b->L && a->K == b->K && a->cols == b->cols && same_mat(&a->H1, &b->H1, tol);
  for (int l = 0; ok && l < a->L; l++)
    ok = a->d[l] == b->d[l] && same_mat(&a->W[l], &b->W[l], tol);
  return ok;
}

static void test_load_valid(void) {
  struct {
    const char *base;
    int L, K, n, d[5];
  } cases[] = {{"l1_k3_n2", 1, 3, 2, {4, 3}},
               {"l3_k4_n2", 3, 4, 2, {5, 6, 7, 4}},
               {"l4_k10_n1", 4, 10, 1, {30, 30, 30, 30, 10}}};
  const char *variants[] = {"f8c", "f8f", "f4c", "f4f"};
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    dufm_config c[4];
    for (int v = 0; v < 4; v++) {
      char name[64];
      int n = -1;
      snprintf(name, sizeof name, "%s_%s", cases[i].base, variants[v]);
      CU_ASSERT_FATAL(load(&c[v], &n, name));
      CU_ASSERT(c[v].L == cases[i].L && c[v].K == cases[i].K && n == cases[i].n);
      CU_ASSERT(c[v].cols == cases[i].K * cases[i].n);
      CU_ASSERT(memcmp(c[v].d, cases[i].d, sizeof(int) * (size_t)(cases[i].L + 1)) == 0);
    }
    /* Orders agree bit for bit; float32 is float64 rounded (relative 2^-24). */
    CU_ASSERT(same_config(&c[0], &c[1], 0) && same_config(&c[2], &c[3], 0));
    CU_ASSERT(same_config(&c[2], &c[0], ldexp(1, -24)));
    CU_ASSERT(!same_config(&c[2], &c[0], 0));
    for (int v = 0; v < 4; v++)
      dufm_config_clear(&c[v]);
  }
}

/* Each file of the mixed folder equals the f8 or f4 variant of the same layer. */
static void test_load_mixed(void) {
  dufm_config mixed, f8, f4;
  int n;
  CU_ASSERT_FATAL(load(&mixed, &n, "l3_k4_n2_mixed") && load(&f8, &n, "l3_k4_n2_f8c") &&
                  load(&f4, &n, "l3_k4_n2_f4c"));
  CU_ASSERT(same_mat(&mixed.H1, &f4.H1, 0));
  CU_ASSERT(same_mat(&mixed.W[0], &f8.W[0], 0) && same_mat(&mixed.W[1], &f8.W[1], 0));
  CU_ASSERT(same_mat(&mixed.W[2], &f4.W[2], 0));
  dufm_config_clear(&mixed);
  dufm_config_clear(&f8);
  dufm_config_clear(&f4);
}

static void test_load_bad(void) {
  struct {
    const char *name, *file, *piece;
    dufm_status st;
  } cases[] = {{"missing_h1", "H1.npy", "cannot open", DUFM_EIO},
               {"missing_w1", "W1.npy", "missing", DUFM_EFORMAT},
               {"gap", "W3.npy", "W4.npy exists", DUFM_EFORMAT},
               {"w1_chain", "W1.npy", "6 x 4 does not chain: it needs 5 columns", DUFM_EFORMAT},
               {"w2_chain", "W2.npy",
                "7 x 5 does not chain: it needs 6 columns, the rows of "
                "W1.npy (6 x 5)",
                DUFM_EFORMAT},
               {"cols", "H1.npy", "5 x 7: the columns must be a multiple of K = 4", DUFM_EFORMAT},
               {"k1", "W3.npy", "K = 1", DUFM_EFORMAT},
               {"bad_w2", "W2.npy", "'<i8'", DUFM_EFORMAT},
               {"no_such_folder", "H1.npy", "cannot open", DUFM_EIO}};
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    char rel[128], want[4200];
    snprintf(rel, sizeof rel, "configs/bad/%s", cases[i].name);
    snprintf(want, sizeof want, "%s/%s: ", tu_data_path(rel), cases[i].file);
    dufm_config c;
    dufm_err e;
    int n = -7;
    dufm_status st = dufm_config_load(&c, &n, tu_data_path(rel), &e);
    int ok = st == cases[i].st && strncmp(e.msg, want, strlen(want)) == 0 &&
             strstr(e.msg, cases[i].piece) != NULL && strchr(e.msg, '\n') == NULL;
    CU_ASSERT(ok && n == -7 && c.W == NULL && c.H1.data == NULL);
    if (!ok)
      fprintf(stderr, "\n  %s: %s '%s', expected it to start with '%s' and hold '%s'\n",
              cases[i].name, dufm_status_name(st), e.msg, want, cases[i].piece);
  }
}

static void test_save(void) {
  const char *tmp = tu_tmpdir();
  CU_ASSERT_FATAL(tmp != NULL);
  char base[4096], dir[4200];
  snprintf(base, sizeof base, "%s", tmp);
  snprintf(dir, sizeof dir, "%s/new", base);
  dufm_config c3, c1, back;
  dufm_err e;
  int n;
  CU_ASSERT_FATAL(load(&c3, &n, "l3_k4_n2_mixed") && load(&c1, &n, "l1_k3_n2_f8f"));
  /* A missing folder is created; the result reads back bit for bit. */
  CU_ASSERT(dufm_config_save(dir, &c3, &e) == DUFM_OK);
  CU_ASSERT(dufm_config_load(&back, &n, dir, &e) == DUFM_OK && n == 2);
  CU_ASSERT(same_config(&back, &c3, 0));
  dufm_config_clear(&back);
  /* An existing folder is never written into: refused, left as it was. */
  CU_ASSERT(dufm_config_save(dir, &c1, &e) == DUFM_EINVAL && strstr(e.msg, "not an empty folder"));
  CU_ASSERT(exists(dir, "W3.npy"));
  CU_ASSERT(dufm_config_load(&back, &n, dir, &e) == DUFM_OK && same_config(&back, &c3, 0));
  dufm_config_clear(&back);
  /* An empty folder is replaced as a whole. */
  snprintf(dir, sizeof dir, "%s/empty", base);
  CU_ASSERT_FATAL(mkdir(dir, 0777) == 0);
  CU_ASSERT(dufm_config_save(dir, &c1, &e) == DUFM_OK);
  CU_ASSERT(exists(dir, "W1.npy") && !exists(dir, "W2.npy"));
  CU_ASSERT(dufm_config_load(&back, &n, dir, &e) == DUFM_OK && n == 2);
  CU_ASSERT(same_config(&back, &c1, 0));
  dufm_config_clear(&back);
  touch(base, "notes.txt");
  /* Failures: a missing parent, a file in the way, an inconsistent struct. */
  snprintf(dir, sizeof dir, "%s/no/such", base);
  CU_ASSERT(dufm_config_save(dir, &c1, &e) == DUFM_EINVAL);
  CU_ASSERT(strncmp(e.msg, dir, strlen(dir)) == 0 && strstr(e.msg, "does not exist") != NULL);
  snprintf(dir, sizeof dir, "%s/notes.txt", base);
  CU_ASSERT(dufm_config_save(dir, &c1, &e) == DUFM_EINVAL);
  CU_ASSERT(strncmp(e.msg, dir, strlen(dir)) == 0 && strstr(e.msg, "is a regular file") != NULL);
  snprintf(dir, sizeof dir, "%s/other", base);
  c1.W[0].rows = 2;
  CU_ASSERT(dufm_config_save(dir, &c1, &e) == DUFM_EINVAL && strstr(e.msg, "W1 is 2 x 4"));
  CU_ASSERT(!exists(base, "other"));
  c1.W[0].rows = 3;
  dufm_config_clear(&c3);
  dufm_config_clear(&c1);
  rm_tree(base);
}

int main(void) {
  CU_TestInfo tests[] = {{"load every valid folder", test_load_valid},
                         {"load a folder of mixed files", test_load_mixed},
                         {"bad folders name the file", test_load_bad},
                         {"save, shrink, failures", test_save},
                         CU_TEST_INFO_NULL};
  return tu_run_suite("configdir", tests);
}
