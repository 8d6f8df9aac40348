/* The writer of every file and folder (dufm/atomic.h), the input opener, and
 * meta.json (dufm/meta.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dufm/atomic.h"
#include "dufm/meta.h"
#include "dufm/rational.h"
#include "npy_helpers.h"
#include "testutil.h"

static char base[4096];

static const char *at(const char *name) {
  static char path[8][4200];
  static int next;
  char *p = path[next++ % 8];
  snprintf(p, 4200, "%s/%s", base, name);
  return p;
}

static int read_text(const char *path, char *buf, size_t size) {
  FILE *f = fopen(path, "rb");
  if (f == NULL)
    return -1;
  size_t n = fread(buf, 1, size - 1, f);
  buf[n] = '\0';
  fclose(f);
  return (int)n;
}

static void write_text(const char *path, const char *text) {
  FILE *f = fopen(path, "w");
  CU_ASSERT_FATAL(f != NULL);
  fputs(text, f);
  fclose(f);
}

static void fresh(void) {
  const char *t = tu_tmpdir();
  CU_ASSERT_FATAL(t != NULL);
  snprintf(base, sizeof base, "%s", t);
}

static void test_file(void) {
  fresh();
  dufm_atomic_file af;
  dufm_err e;
  char buf[256];
  /* A new file: complete after the commit, nothing else left. */
  CU_ASSERT_FATAL(dufm_atomic_file_open(&af, at("a.txt"), &e) == DUFM_OK);
  CU_ASSERT(dufm_atomic_live_count() == 1);
  CU_ASSERT(access(at("a.txt"), F_OK) != 0); /* not visible before the commit */
  fputs("first\n", af.f);
  CU_ASSERT(dufm_atomic_file_commit(&af, &e) == DUFM_OK);
  CU_ASSERT(read_text(at("a.txt"), buf, sizeof buf) == 6 && strcmp(buf, "first\n") == 0);
  CU_ASSERT(count_entries(base) == 1 && dufm_atomic_live_count() == 0);
  /* A regular file is replaced; an abort leaves it as it was. */
  CU_ASSERT_FATAL(dufm_atomic_file_open(&af, at("a.txt"), &e) == DUFM_OK);
  fputs("second\n", af.f);
  dufm_atomic_file_abort(&af);
  CU_ASSERT(read_text(at("a.txt"), buf, sizeof buf) == 6 && strcmp(buf, "first\n") == 0);
  CU_ASSERT(count_entries(base) == 1);
  CU_ASSERT_FATAL(dufm_atomic_file_open(&af, at("a.txt"), &e) == DUFM_OK);
  fputs("second\n", af.f);
  CU_ASSERT(dufm_atomic_file_commit(&af, &e) == DUFM_OK);
  CU_ASSERT(read_text(at("a.txt"), buf, sizeof buf) == 7 && strcmp(buf, "second\n") == 0);
  dufm_atomic_file_abort(&af); /* no-op after a commit */
  rm_tree(base);
}

static void test_refused(void) {
  fresh();
  dufm_atomic_file af;
  dufm_err e;
  struct stat sb;
  CU_ASSERT_FATAL(mkfifo(at("fifo"), 0666) == 0);
  CU_ASSERT_FATAL(mkdir(at("dir"), 0777) == 0);
  write_text(at("victim"), "keep\n");
  CU_ASSERT_FATAL(symlink(at("victim"), at("link")) == 0);
  struct {
    const char *name, *piece;
  } cases[] = {{"fifo", "is a FIFO"},
               {"dir", "is a folder"},
               {"link", "is a symbolic link"},
               {"missing/x", "does not exist"},
               {"dir/", "names a folder"}};
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    CU_ASSERT(dufm_atomic_file_open(&af, at(cases[i].name), &e) == DUFM_EINVAL);
    CU_ASSERT(strstr(e.msg, cases[i].piece) != NULL);
    CU_ASSERT(af.tmp == NULL && af.f == NULL);
  }
  CU_ASSERT(dufm_atomic_file_open(&af, "", &e) == DUFM_EINVAL);
  /* Nothing was created or changed. */
  CU_ASSERT(count_entries(base) == 4 && dufm_atomic_live_count() == 0);
  CU_ASSERT(lstat(at("fifo"), &sb) == 0 && S_ISFIFO(sb.st_mode));
  CU_ASSERT(lstat(at("link"), &sb) == 0 && S_ISLNK(sb.st_mode));
  char buf[64];
  CU_ASSERT(read_text(at("victim"), buf, sizeof buf) == 5);
  /* A target that becomes a FIFO before the commit is not replaced. */
  CU_ASSERT_FATAL(dufm_atomic_file_open(&af, at("later"), &e) == DUFM_OK);
  CU_ASSERT_FATAL(mkfifo(at("later"), 0666) == 0);
  fputs("x", af.f);
  CU_ASSERT(dufm_atomic_file_commit(&af, &e) == DUFM_EIO && strstr(e.msg, "appeared") != NULL);
  CU_ASSERT(lstat(at("later"), &sb) == 0 && S_ISFIFO(sb.st_mode));
  CU_ASSERT(count_entries(base) == 5 && dufm_atomic_live_count() == 0);
  rm_tree(base);
}

static void test_races_and_failures(void) {
  fresh();
  dufm_atomic_file a, b;
  dufm_err e;
  char buf[64];
  /* Two writers of one new file: the first commit wins, the second fails
   * cleanly and the first's content stays. */
  CU_ASSERT_FATAL(dufm_atomic_file_open(&a, at("t.csv"), &e) == DUFM_OK);
  CU_ASSERT_FATAL(dufm_atomic_file_open(&b, at("t.csv"), &e) == DUFM_OK);
  CU_ASSERT(strcmp(a.tmp, b.tmp) != 0);
  fputs("from a\n", a.f);
  fputs("from b, longer\n", b.f);
  CU_ASSERT(dufm_atomic_file_commit(&a, &e) == DUFM_OK);
  CU_ASSERT(dufm_atomic_file_commit(&b, &e) == DUFM_EIO && strstr(e.msg, "appeared") != NULL);
  CU_ASSERT(read_text(at("t.csv"), buf, sizeof buf) == 7 && strcmp(buf, "from a\n") == 0);
  CU_ASSERT(count_entries(base) == 1);
  /* A failed write (here a stream on /dev/full) fails the commit; nothing left. */
  CU_ASSERT_FATAL(dufm_atomic_file_open(&a, at("full.txt"), &e) == DUFM_OK);
  FILE *full = fopen("/dev/full", "w");
  if (full != NULL) {
    fclose(a.f);
    a.f = full;
    fputs("data", full);
    CU_ASSERT(dufm_atomic_file_commit(&a, &e) == DUFM_EIO && strstr(e.msg, "write failed"));
    CU_ASSERT(access(at("full.txt"), F_OK) != 0);
  } else {
    dufm_atomic_file_abort(&a);
  }
  CU_ASSERT(count_entries(base) == 1 && dufm_atomic_live_count() == 0);
  rm_tree(base);
}

static void put_file(const dufm_atomic_dir *ad, const char *name, const char *text) {
  char *p = dufm_atomic_dir_path(ad, name);
  dufm_atomic_file af;
  dufm_err e;
  CU_ASSERT_FATAL(p != NULL && dufm_atomic_file_open(&af, p, &e) == DUFM_OK);
  fputs(text, af.f);
  CU_ASSERT(dufm_atomic_file_commit(&af, &e) == DUFM_OK);
  free(p);
}

static void test_dir(void) {
  fresh();
  dufm_atomic_dir a, b;
  dufm_err e;
  char buf[64];
  /* A new folder appears complete, at once. */
  CU_ASSERT_FATAL(dufm_atomic_dir_begin(&a, at("out/"), &e) == DUFM_OK);
  put_file(&a, "x", "1");
  put_file(&a, "y", "2");
  CU_ASSERT(access(at("out"), F_OK) != 0);
  CU_ASSERT(dufm_atomic_dir_commit(&a, &e) == DUFM_OK);
  CU_ASSERT(count_entries(at("out")) == 2 && count_entries(base) == 1);
  /* A non-empty folder is refused; a file is refused. */
  CU_ASSERT(dufm_atomic_dir_begin(&a, at("out"), &e) == DUFM_EINVAL &&
            strstr(e.msg, "not an empty folder") != NULL);
  write_text(at("file"), "f");
  CU_ASSERT(dufm_atomic_dir_begin(&a, at("file"), &e) == DUFM_EINVAL &&
            strstr(e.msg, "is a regular file") != NULL);
  CU_ASSERT(dufm_atomic_dir_begin(&a, at("no/such"), &e) == DUFM_EINVAL);
  CU_ASSERT(dufm_atomic_dir_begin(&a, ".", &e) == DUFM_EINVAL);
  /* An empty folder is replaced as a whole. */
  CU_ASSERT_FATAL(mkdir(at("empty"), 0777) == 0);
  CU_ASSERT_FATAL(dufm_atomic_dir_begin(&a, at("empty"), &e) == DUFM_OK);
  put_file(&a, "z", "3");
  CU_ASSERT(count_entries(at("empty")) == 0);
  CU_ASSERT(dufm_atomic_dir_commit(&a, &e) == DUFM_OK);
  CU_ASSERT(read_text(at("empty/z"), buf, sizeof buf) == 1);
  /* Two writers of one new folder: one wins whole, the other fails cleanly. */
  CU_ASSERT_FATAL(dufm_atomic_dir_begin(&a, at("race"), &e) == DUFM_OK);
  CU_ASSERT_FATAL(dufm_atomic_dir_begin(&b, at("race"), &e) == DUFM_OK);
  put_file(&a, "W1", "a");
  put_file(&b, "W1", "b");
  put_file(&b, "W2", "b");
  CU_ASSERT(dufm_atomic_dir_commit(&b, &e) == DUFM_OK);
  CU_ASSERT(dufm_atomic_dir_commit(&a, &e) == DUFM_EIO && strstr(e.msg, "appeared") != NULL);
  CU_ASSERT(count_entries(at("race")) == 2 && read_text(at("race/W1"), buf, sizeof buf) == 1 &&
            buf[0] == 'b');
  /* An abort removes the temporary folder and its files. */
  CU_ASSERT_FATAL(dufm_atomic_dir_begin(&a, at("gone"), &e) == DUFM_OK);
  put_file(&a, "x", "1");
  dufm_atomic_dir_abort(&a);
  CU_ASSERT(count_entries(base) == 4 && dufm_atomic_live_count() == 0);
  rm_tree(base);
}

static void test_cleanup(void) {
  fresh();
  dufm_atomic_dir d;
  dufm_atomic_file f;
  dufm_err e;
  CU_ASSERT_FATAL(dufm_atomic_dir_begin(&d, at("folder"), &e) == DUFM_OK);
  put_file(&d, "a", "1");
  char *p = dufm_atomic_dir_path(&d, "b");
  int fd = open(p, O_WRONLY | O_CREAT | O_EXCL, 0666); /* a file the registry never saw */
  close(fd);
  free(p);
  CU_ASSERT_FATAL(dufm_atomic_file_open(&f, at("file"), &e) == DUFM_OK);
  fputs("x", f.f);
  CU_ASSERT(count_entries(base) == 2 && dufm_atomic_live_count() == 2);
  /* What a signal handler does: every temporary goes. */
  dufm_atomic_cleanup();
  CU_ASSERT(count_entries(base) == 0);
  /* The writers then fail at their commits and leave nothing. */
  CU_ASSERT(dufm_atomic_file_commit(&f, &e) == DUFM_EIO);
  CU_ASSERT(dufm_atomic_dir_commit(&d, &e) == DUFM_EIO);
  CU_ASSERT(count_entries(base) == 0 && dufm_atomic_live_count() == 0);
  rm_tree(base);
}

static void test_input(void) {
  fresh();
  FILE *f = NULL;
  uint64_t size = 7;
  dufm_err e;
  char *text;
  size_t len;
  CU_ASSERT_FATAL(mkfifo(at("fifo"), 0666) == 0);
  CU_ASSERT(dufm_input_open(&f, &size, at("fifo"), 0, "a trace", &e) == DUFM_EIO);
  CU_ASSERT(strstr(e.msg, "is a FIFO; a trace must be a regular file") != NULL && f == NULL);
  CU_ASSERT(dufm_input_open(&f, &size, base, 0, NULL, &e) == DUFM_EIO && strstr(e.msg, "folder"));
  CU_ASSERT(dufm_input_open(&f, &size, "/dev/zero", 0, NULL, &e) == DUFM_EIO &&
            strstr(e.msg, "device"));
  CU_ASSERT(dufm_input_open(&f, &size, at("none"), 0, NULL, &e) == DUFM_EIO);
  write_text(at("t"), "0123456789");
  CU_ASSERT(dufm_input_read(&text, &len, at("t"), 9, "a test file", &e) == DUFM_EFORMAT);
  CU_ASSERT(strstr(e.msg, "10 bytes exceed the limit of 9 bytes for a test file") != NULL);
  CU_ASSERT(dufm_input_read(&text, &len, at("t"), 10, NULL, &e) == DUFM_OK && len == 10 &&
            strcmp(text, "0123456789") == 0);
  free(text);
  rm_tree(base);
}

static void test_lambda_text(void) {
  /* Each text reads back to the same rational, and is the expected form. */
  struct {
    const char *in, *out;
  } cases[] = {{"0.004", "0.004"},  {"1/250", "0.004"},
               {"0", "0"},          {"3", "3"},
               {"12.5e3", "12500"}, {"1/3", "1/3"},
               {"1e-40", "1e-40"},  {"2.5e-31", "25e-32"},
               {"7e40", "7e40"},    {"1/1024", "0.0009765625"}};
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    mpq_t q, back;
    mpq_inits(q, back, NULL);
    CU_ASSERT_FATAL(dufm_q_parse(q, cases[i].in, NULL) == DUFM_OK);
    char *t = dufm_meta_lambda_text(q);
    CU_ASSERT_FATAL(t != NULL);
    CU_ASSERT(strcmp(t, cases[i].out) == 0);
    if (strcmp(t, cases[i].out) != 0)
      fprintf(stderr, "\n  %s -> %s, expected %s\n", cases[i].in, t, cases[i].out);
    CU_ASSERT(dufm_q_parse(back, t, NULL) == DUFM_OK && mpq_equal(q, back));
    free(t);
    mpq_clears(q, back, NULL);
  }
}

static void test_meta(void) {
  dufm_params p;
  tu_params(&p, 3, 4, 2, "1/3");
  CU_ASSERT_FATAL(dufm_params_set_lambda(&p, 1, "0.001", NULL) == DUFM_OK);
  int widths[4] = {5, 6, 7, 4};
  dufm_meta m, back;
  dufm_err e;
  CU_ASSERT_FATAL(dufm_meta_init(&m, &p, widths, DUFM_FORM_CLASS_MEANS, "export",
                                 "clique:4:2,3 \"q\"\n", &e) == DUFM_OK);
  char buf[2048];
  FILE *f = fmemopen(buf, sizeof buf, "w");
  CU_ASSERT_FATAL(f != NULL && dufm_meta_write(f, &m, &e) == DUFM_OK);
  fclose(f);
  CU_ASSERT(strchr(buf, '\n') == buf + strlen(buf) - 1); /* one line */
  CU_ASSERT_FATAL(dufm_meta_parse(&back, buf, strlen(buf), "m", &e) == DUFM_OK);
  CU_ASSERT(back.L == 3 && back.K == 4 && back.n == 2 && back.has_form &&
            back.form == DUFM_FORM_CLASS_MEANS && back.widths[0] == 5 && back.widths[3] == 4);
  CU_ASSERT(strcmp(back.source, "clique:4:2,3 \"q\"\n") == 0 &&
            strcmp(back.command, "export") == 0);
  dufm_params q;
  CU_ASSERT_FATAL(dufm_meta_params(&q, &back, &e) == DUFM_OK);
  CU_ASSERT(mpq_equal(q.lam_h, p.lam_h) && mpq_equal(q.lam_w[1], p.lam_w[1]) &&
            mpq_equal(q.lam_w[2], p.lam_w[2]));
  dufm_params_clear(&q);
  dufm_meta_clear(&back);
  dufm_meta_clear(&m);
  dufm_params_clear(&p);
  /* Malformed objects name the key and the rule. */
  const char *head = "{\"format\": \"dufm-meta 1\", \"L\": 2, \"K\": 3, \"n\": 1, ";
  struct {
    const char *tail, *piece;
  } bad[] = {{"\"lambda_h\": \"1\", \"lambda_w\": [\"1\"]}", "has 1 values but L = 2"},
             {"\"lambda_h\": \"1\"}", "\"lambda_w\" is missing"},
             {"\"lambda_h\": \"-1\", \"lambda_w\": [\"1\", \"1\"]}", "lambda_h"},
             {"\"lambda_h\": \"1\", \"lambda_w\": [\"1\", \"x\"]}", "lambda_w[1]"},
             {"\"lambda_h\": \"1\", \"lambda_w\": [\"1\", \"1\"], \"L\": 2}", "given twice"},
             {"\"lambda_h\": \"1\", \"lambda_w\": [\"1\", \"1\"], \"widths\": [1, 2, 4], "
              "\"form\": \"samples\"}",
              "ending with K = 3"},
             {"\"lambda_h\": \"1\", \"lambda_w\": [\"1\", \"1\"]} x", "text after"},
             {"\"lambda_h\": \"1\", \"lambda_w\": [\"1\", \"1\"]", "expected ','"}};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    char text[512];
    snprintf(text, sizeof text, "%s%s", head, bad[i].tail);
    CU_ASSERT(dufm_meta_parse(&back, text, strlen(text), "m.json", &e) == DUFM_EFORMAT);
    CU_ASSERT(strncmp(e.msg, "m.json", 6) == 0 && strstr(e.msg, bad[i].piece) != NULL);
    if (strstr(e.msg, bad[i].piece) == NULL)
      fprintf(stderr, "\n  case %zu: %s\n", i, e.msg);
  }
  /* Unknown keys are skipped. */
  char ok[512];
  snprintf(ok, sizeof ok,
           "%s\"new\": {\"a\": [1, null, true]}, \"lambda_h\": \"1\", \"lambda_w\": "
           "[\"1\", \"1\"]}",
           head);
  CU_ASSERT(dufm_meta_parse(&back, ok, strlen(ok), "m", &e) == DUFM_OK && back.widths == NULL);
  dufm_meta_clear(&back);
}

int main(void) {
  CU_TestInfo tests[] = {{"file: new, replace, abort", test_file},
                         {"file: refused targets are untouched", test_refused},
                         {"file: races and write failures", test_races_and_failures},
                         {"folder: new, empty, refused, races", test_dir},
                         {"cleanup removes every temporary", test_cleanup},
                         {"inputs: regular files with a cap", test_input},
                         {"meta: exact lambda texts", test_lambda_text},
                         {"meta: write, parse, errors", test_meta},
                         CU_TEST_INFO_NULL};
  return tu_run_suite("atomic", tests);
}
