/* The atlas: grid order and dependencies, canonical lambda text, entry round
 * trip and validation, the resume and merge rules, message images, and the
 * scheduler: phase 2 only after the neighbours are final, and the same
 * entries whatever the order in which results come back. */
#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dufm/atlas.h"
#include "dufm/certificate.h"
#include "dufm/optim.h"
#include "testutil.h"

static void rm_tree(const char *dir) {
  char cmd[1200];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
  CU_ASSERT(system(cmd) == 0);
}

static void spec(dufm_atlas_spec *s, int L_lo, int L_hi, int K_lo, int K_hi, const char *lam,
                 long budget) {
  CU_ASSERT_FATAL(dufm_atlas_spec_init(s, L_lo, L_hi, K_lo, K_hi, 1, lam, budget, 0, NULL) ==
                  DUFM_OK);
}

static void test_spec(void) {
  const char *in[] = {"0.004", "4e-3", "1/250", "0.0001", "2", "1/3", "0.50", "12.5"};
  const char *out[] = {"0.004", "0.004", "0.004", "0.0001", "2", "1/3", "0.5", "12.5"};
  for (int i = 0; i < 8; i++) {
    dufm_atlas_spec s;
    spec(&s, 2, 3, 2, 4, in[i], 10000);
    CU_ASSERT_STRING_EQUAL(s.lambda_text, out[i]);
    dufm_atlas_spec_clear(&s);
  }
  dufm_atlas_spec s;
  dufm_err err;
  CU_ASSERT(dufm_atlas_spec_init(&s, 3, 2, 2, 4, 1, "0.004", 10000, 0, &err) == DUFM_EINVAL);
  CU_ASSERT(strncmp(err.msg, "L:", 2) == 0);
  dufm_atlas_spec_clear(&s);
  CU_ASSERT(dufm_atlas_spec_init(&s, 2, 3, 1, 4, 1, "0.004", 10000, 0, &err) == DUFM_EINVAL);
  CU_ASSERT(strncmp(err.msg, "K:", 2) == 0);
  dufm_atlas_spec_clear(&s);
  CU_ASSERT(dufm_atlas_spec_init(&s, 2, 3, 2, 4, 1, "0", 10000, 0, &err) == DUFM_EINVAL);
  CU_ASSERT(strncmp(err.msg, "lambda:", 7) == 0);
  dufm_atlas_spec_clear(&s);
  CU_ASSERT(dufm_atlas_spec_init(&s, 2, 3, 2, 4, 1, "x", 10000, 0, &err) != DUFM_OK);
  CU_ASSERT(strncmp(err.msg, "lambda", 6) == 0);
  dufm_atlas_spec_clear(&s);
  CU_ASSERT(dufm_atlas_spec_init(&s, 2, 3, 2, 4, 1, "0.004", 9999, 0, &err) == DUFM_EINVAL);
  CU_ASSERT(strncmp(err.msg, "budget:", 7) == 0);
  dufm_atlas_spec_clear(&s);
  spec(&s, 2, 3, 2, 4, "1/3", 10000);
  char *g = dufm_atlas_setting_dir(&s, "root", 3, 4);
  CU_ASSERT_STRING_EQUAL(g, "root/lam1_over_3_n1/L3_K4");
  free(g);
  dufm_atlas_spec_clear(&s);
}

/* Every setting once; both neighbours (when in the grid) come earlier. */
static void test_order(void) {
  dufm_atlas_spec s;
  spec(&s, 2, 5, 3, 7, "0.004", 10000);
  int n = dufm_atlas_nsettings(&s);
  CU_ASSERT(n == 4 * 5);
  int seen[6][8] = {{0}};
  for (int i = 0; i < n; i++) {
    int L, K, dep[2];
    dufm_atlas_setting(&s, i, &L, &K);
    CU_ASSERT(dufm_atlas_index(&s, L, K) == i);
    seen[L - 2][K]++;
    int nd = dufm_atlas_deps(&s, i, dep);
    int want = (L - 1 >= 2 && L - 1 >= s.L_lo) + (K + 1 <= s.K_hi);
    CU_ASSERT(nd == want);
    for (int k = 0; k < nd; k++) {
      int Ld, Kd;
      CU_ASSERT(dep[k] < i);
      dufm_atlas_setting(&s, dep[k], &Ld, &Kd);
      CU_ASSERT((Ld == L - 1 && Kd == K) || (Ld == L && Kd == K + 1));
    }
  }
  for (int L = 2; L <= 5; L++)
    for (int K = 3; K <= 7; K++)
      CU_ASSERT(seen[L - 2][K] == 1);
  CU_ASSERT(dufm_atlas_index(&s, 1, 3) == -1 && dufm_atlas_index(&s, 2, 8) == -1);
  dufm_atlas_spec_clear(&s);
}

/* A filled entry for setting (L, K) of s from a Gaussian configuration. */
static void make_entry(dufm_atlas_entry *e, const dufm_atlas_spec *s, int L, int K, uint64_t seed,
                       long budget) {
  memset(e, 0, sizeof *e);
  int d[9];
  for (int l = 0; l < L; l++)
    d[l] = K + 1;
  d[L] = K;
  CU_ASSERT_FATAL(dufm_optim_init_gaussian(&e->config, L, d, K, 0.4, seed, NULL) == DUFM_OK);
  dufm_params p;
  CU_ASSERT_FATAL(dufm_atlas_params(&p, s, L, K, NULL) == DUFM_OK);
  dufm_loss f;
  CU_ASSERT_FATAL(dufm_eval(&f, NULL, &e->config, &p, DUFM_FORM_SAMPLES, NULL) == DUFM_OK);
  dufm_params_clear(&p);
  e->L = L;
  e->K = K;
  e->n = 1;
  snprintf(e->lambda, sizeof e->lambda, "%s", s->lambda_text);
  e->budget = e->found_budget = budget;
  e->seed = e->found_seed = seed;
  e->best_loss = f.loss;
  e->dnc_loss = 0.1;
  e->ratio_to_dnc = f.loss / 0.1;
  snprintf(e->closed_form_name, sizeof e->closed_form_name, "dnc");
  e->closed_form_loss = 0.1;
  e->seconds = 1.5;
  e->nruns = 1;
  e->runs = malloc(sizeof *e->runs);
  e->runs[0] = (dufm_atlas_run){budget, seed, f.loss};
  e->search_json = strdup("{\"budget\": 1, \"tasks\": [{\"origin\": \"a \\\"b\\\"\"}]}");
}

static void write_text(const char *path, const char *text) {
  FILE *f = fopen(path, "w");
  CU_ASSERT_FATAL(f != NULL);
  fputs(text, f);
  fclose(f);
}

static void test_entry_round_trip(void) {
  dufm_atlas_spec s;
  spec(&s, 2, 4, 2, 5, "0.004", 10000);
  char root[512];
  snprintf(root, sizeof root, "%s", tu_tmpdir());
  char *dir = dufm_atlas_setting_dir(&s, root, 3, 4);
  char *group = dufm_atlas_group_dir(&s, root);
  CU_ASSERT_FATAL(mkdir(group, 0777) == 0);
  dufm_atlas_entry e, r;
  make_entry(&e, &s, 3, 4, 7, 10000);
  CU_ASSERT_FATAL(dufm_atlas_entry_write(dir, &e, NULL) == DUFM_OK);
  CU_ASSERT_FATAL(dufm_atlas_entry_read(&r, dir, NULL) == DUFM_OK);
  CU_ASSERT(r.L == 3 && r.K == 4 && r.n == 1 && r.budget == 10000 && r.seed == 7);
  CU_ASSERT(r.found_budget == 10000 && r.found_seed == 7 && r.nruns == 1);
  CU_ASSERT(memcmp(&r.best_loss, &e.best_loss, sizeof(double)) == 0);
  CU_ASSERT(r.runs[0].best_loss == e.best_loss && r.seconds == 1.5);
  CU_ASSERT_STRING_EQUAL(r.lambda, "0.004");
  CU_ASSERT_STRING_EQUAL(r.closed_form_name, "dnc");
  CU_ASSERT_STRING_EQUAL(r.search_json, e.search_json);
  CU_ASSERT(r.pattern_json == NULL && r.certificate == NULL);
  CU_ASSERT(tu_same_config(&r.config, &e.config));
  CU_ASSERT(dufm_atlas_entry_validate(&r, &s, 3, 4, NULL) == DUFM_OK);
  dufm_err err;
  CU_ASSERT(dufm_atlas_entry_validate(&r, &s, 3, 5, &err) == DUFM_EFORMAT);
  /* A loss off by more than 1e-12 fails validation. */
  r.best_loss += 2e-12;
  CU_ASSERT(dufm_atlas_entry_validate(&r, &s, 3, 4, &err) == DUFM_EFORMAT);
  CU_ASSERT(strstr(err.msg, "best_loss") != NULL);
  dufm_atlas_entry_clear(&r);
  /* Over an existing entry: replaced as a whole, no temporary left. */
  dufm_atlas_entry e2;
  make_entry(&e2, &s, 3, 4, 8, 20000);
  CU_ASSERT_FATAL(dufm_atlas_entry_write(dir, &e2, NULL) == DUFM_OK);
  CU_ASSERT_FATAL(dufm_atlas_entry_read(&r, dir, NULL) == DUFM_OK);
  CU_ASSERT(r.seed == 8 && tu_same_config(&r.config, &e2.config));
  dufm_atlas_entry_clear(&r);
  DIR *dd = opendir(group);
  struct dirent *de;
  int names = 0;
  while ((de = readdir(dd)) != NULL)
    names += de->d_name[0] != '.';
  closedir(dd);
  CU_ASSERT(names == 1);
  /* Broken files: EFORMAT naming the file or field. */
  char path[1100];
  snprintf(path, sizeof path, "%s/entry.json", dir);
  write_text(path, "{\"format\": \"dufm-atlas-entry-1\", \"L\": 3,}");
  CU_ASSERT(dufm_atlas_entry_read(&r, dir, &err) == DUFM_EFORMAT);
  CU_ASSERT(strstr(err.msg, "entry.json") != NULL);
  dufm_atlas_entry_clear(&r);
  write_text(path, "{\"format\": \"dufm-atlas-entry-1\", \"L\": 3}");
  CU_ASSERT(dufm_atlas_entry_read(&r, dir, &err) == DUFM_EFORMAT);
  CU_ASSERT(strstr(err.msg, "'K'") != NULL);
  dufm_atlas_entry_clear(&r);
  dufm_atlas_entry_clear(&e);
  dufm_atlas_entry_clear(&e2);
  free(dir);
  free(group);
  rm_tree(root);
  dufm_atlas_spec_clear(&s);
}

/* Certificate text of srg:5 at L = 4, K = 10, n = 1 and every lambda = lam. */
static char *srg5_cert_text(const char *lam) {
  dufm_params p;
  tu_params(&p, 4, 10, 1, lam);
  dufm_structure *srg = NULL;
  CU_ASSERT_FATAL(dufm_structure_parse(&srg, "srg:5", NULL) == DUFM_OK);
  dufm_cert c;
  CU_ASSERT_FATAL(dufm_cert_make(&c, srg, &p, NULL) == DUFM_OK);
  char *text = NULL;
  size_t len = 0;
  FILE *f = open_memstream(&text, &len);
  CU_ASSERT_FATAL(f != NULL);
  CU_ASSERT_FATAL(dufm_cert_write(f, &c, NULL) == DUFM_OK);
  fclose(f);
  dufm_cert_clear(&c);
  dufm_structure_free(srg);
  dufm_params_clear(&p);
  return text;
}

/* Lookup with params (L, K, n, lam) in root: status, found, verified. */
static dufm_status lookup(const char *root, int L, int K, int n, const char *lam, int *found,
                          int *verified, dufm_err *err) {
  dufm_params p;
  tu_params(&p, L, K, n, lam);
  dufm_atlas_match m;
  dufm_status st = dufm_atlas_lookup(&m, root, &p, err);
  *found = m.found;
  *verified = m.certificate_verified;
  dufm_atlas_match_clear(&m);
  dufm_params_clear(&p);
  return st;
}

static void test_lookup(void) {
  dufm_atlas_spec s;
  spec(&s, 4, 4, 10, 10, "0.004", 10000);
  char root[512], path[1200];
  snprintf(root, sizeof root, "%s", tu_tmpdir());
  char *group = dufm_atlas_group_dir(&s, root), *dir = dufm_atlas_setting_dir(&s, root, 4, 10);
  CU_ASSERT_FATAL(mkdir(group, 0777) == 0);
  dufm_atlas_entry e;
  make_entry(&e, &s, 4, 10, 3, 10000);
  e.certificate = strdup("certificate.cert");
  e.certificate_text = srg5_cert_text("0.004");
  CU_ASSERT_FATAL(dufm_atlas_entry_write(dir, &e, NULL) == DUFM_OK);
  int found, verified;
  dufm_err err;
  /* The same rational, however written, finds the entry; its certificate verifies. */
  const char *same[] = {"0.004", "0.0040", "1/250", "4e-3"};
  for (int i = 0; i < 4; i++) {
    CU_ASSERT(lookup(root, 4, 10, 1, same[i], &found, &verified, &err) == DUFM_OK);
    CU_ASSERT(found == 1 && verified == 1);
  }
  /* Another lambda, n, L or K: no entry. */
  CU_ASSERT(lookup(root, 4, 10, 1, "0.0041", &found, &verified, &err) == DUFM_OK && !found);
  CU_ASSERT(lookup(root, 4, 10, 2, "0.004", &found, &verified, &err) == DUFM_OK && !found);
  CU_ASSERT(lookup(root, 3, 10, 1, "0.004", &found, &verified, &err) == DUFM_OK && !found);
  CU_ASSERT(lookup(root, 4, 11, 1, "0.004", &found, &verified, &err) == DUFM_OK && !found);
  /* lambda_H != lambda_l: atlas entries have every lambda equal. */
  dufm_params p;
  tu_params(&p, 4, 10, 1, "0.004");
  CU_ASSERT_FATAL(dufm_params_set_lambda(&p, DUFM_LAMBDA_H, "0.005", NULL) == DUFM_OK);
  dufm_atlas_match m;
  CU_ASSERT(dufm_atlas_lookup(&m, root, &p, &err) == DUFM_OK && !m.found);
  dufm_atlas_match_clear(&m);
  dufm_params_clear(&p);
  /* A missing root is no entry. */
  CU_ASSERT(lookup("/nonexistent-atlas", 4, 10, 1, "0.004", &found, &verified, &err) == DUFM_OK &&
            !found);
  /* The entry, added to a comparison: the verdict rests on the certificate. */
  tu_params(&p, 4, 10, 1, "1/250");
  dufm_comparison c;
  CU_ASSERT_FATAL(dufm_compare(&c, &p, NULL, NULL) == DUFM_OK);
  CU_ASSERT(dufm_atlas_compare_add(&c, root, &p, &found, &err) == DUFM_OK && found);
  CU_ASSERT_FATAL(c.search != NULL);
  CU_ASSERT(c.search->certificate_verified && c.search->loss == e.best_loss);
  CU_ASSERT(c.search->budget == 10000 && c.search->seed == 3);
  CU_ASSERT(strstr(c.search->certificate, "L4_K10/certificate.cert") != NULL);
  dufm_comparison_clear(&c);
  dufm_params_clear(&p);
  /* A valid certificate of other parameters (lambda 0.005) is refused. */
  free(e.certificate_text);
  e.certificate_text = srg5_cert_text("0.005");
  CU_ASSERT_FATAL(dufm_atlas_entry_write(dir, &e, NULL) == DUFM_OK);
  tu_params(&p, 4, 10, 1, "0.004");
  CU_ASSERT(dufm_atlas_lookup(&m, root, &p, &err) == DUFM_OK);
  CU_ASSERT(m.found && !m.certificate_verified && strstr(m.note, "parameters") != NULL);
  dufm_atlas_match_clear(&m);
  CU_ASSERT_FATAL(dufm_compare(&c, &p, NULL, NULL) == DUFM_OK);
  CU_ASSERT(dufm_atlas_compare_add(&c, root, &p, &found, &err) == DUFM_OK && found);
  CU_ASSERT(c.search != NULL && !c.search->certificate_verified);
  CU_ASSERT(c.evidence != DUFM_EVIDENCE_CERTIFICATE);
  CU_ASSERT(strstr(c.searched, "not certified below DNC") != NULL);
  dufm_comparison_clear(&c);
  dufm_params_clear(&p);
  /* A certificate file that does not parse is refused, not trusted. */
  snprintf(path, sizeof path, "%s/certificate.cert", dir);
  write_text(path, "dufm-certificate 1\ngarbage\n");
  CU_ASSERT(lookup(root, 4, 10, 1, "0.004", &found, &verified, &err) == DUFM_OK);
  CU_ASSERT(found && !verified);
  /* The same entry filed under n = 2: its n disagrees, EFORMAT naming the folder. */
  dufm_atlas_spec s2;
  CU_ASSERT_FATAL(dufm_atlas_spec_init(&s2, 4, 4, 10, 10, 2, "0.004", 10000, 0, NULL) == DUFM_OK);
  char *group2 = dufm_atlas_group_dir(&s2, root), *dir2 = dufm_atlas_setting_dir(&s2, root, 4, 10);
  CU_ASSERT_FATAL(mkdir(group2, 0777) == 0);
  e.certificate = (free(e.certificate), NULL);
  CU_ASSERT_FATAL(dufm_atlas_entry_write(dir2, &e, NULL) == DUFM_OK);
  CU_ASSERT(lookup(root, 4, 10, 2, "0.004", &found, &verified, &err) == DUFM_EFORMAT && !found);
  CU_ASSERT(strstr(err.msg, "L4_K10") != NULL && strstr(err.msg, "n = 2") != NULL);
  /* Corrupt entries: EFORMAT naming the folder. */
  snprintf(path, sizeof path, "%s/entry.json", dir);
  write_text(path, "{\"format\": \"dufm-atlas-entry-1\",");
  CU_ASSERT(lookup(root, 4, 10, 1, "0.004", &found, &verified, &err) == DUFM_EFORMAT && !found);
  CU_ASSERT(strstr(err.msg, dir) != NULL);
  e.best_loss += 1e-9; /* recorded loss no longer the configuration's */
  CU_ASSERT_FATAL(dufm_atlas_entry_write(dir, &e, NULL) == DUFM_OK);
  CU_ASSERT(lookup(root, 4, 10, 1, "0.004", &found, &verified, &err) == DUFM_EFORMAT);
  CU_ASSERT(strstr(err.msg, "best_loss") != NULL);
  dufm_atlas_entry_clear(&e);
  free(group);
  free(dir);
  free(group2);
  free(dir2);
  rm_tree(root);
  dufm_atlas_spec_clear(&s);
  dufm_atlas_spec_clear(&s2);
}

static void test_resume_and_merge(void) {
  dufm_atlas_spec s;
  spec(&s, 2, 3, 2, 3, "0.004", 10000);
  dufm_atlas_entry old, fresh;
  make_entry(&old, &s, 2, 3, 1, 50000);
  CU_ASSERT(dufm_atlas_resume_action(NULL, 50000, 1) == DUFM_ATLAS_SEARCH);
  CU_ASSERT(dufm_atlas_resume_action(&old, 50000, 1) == DUFM_ATLAS_SKIP);
  CU_ASSERT(dufm_atlas_resume_action(&old, 40000, 1) == DUFM_ATLAS_SKIP);
  CU_ASSERT(dufm_atlas_resume_action(&old, 60000, 1) == DUFM_ATLAS_SEARCH_MERGE);
  CU_ASSERT(dufm_atlas_resume_action(&old, 50000, 2) == DUFM_ATLAS_SEARCH_MERGE);
  /* Fresh search worse: old configuration kept, budget and runs updated. */
  make_entry(&fresh, &s, 2, 3, 2, 100000);
  fresh.best_loss = old.best_loss + 1.0;
  fresh.runs[0].best_loss = fresh.best_loss;
  CU_ASSERT_FATAL(dufm_atlas_entry_merge(&fresh, &old, NULL) == DUFM_OK);
  CU_ASSERT(tu_same_config(&fresh.config, &old.config) && fresh.best_loss == old.best_loss);
  CU_ASSERT(fresh.budget == 100000 && fresh.seed == 2);
  CU_ASSERT(fresh.found_budget == 50000 && fresh.found_seed == 1);
  CU_ASSERT(fresh.nruns == 2 && fresh.runs[0].budget == 50000 && fresh.runs[1].budget == 100000);
  CU_ASSERT_STRING_EQUAL(fresh.search_json, old.search_json);
  CU_ASSERT(dufm_atlas_resume_action(&fresh, 100000, 2) == DUFM_ATLAS_SKIP);
  CU_ASSERT(dufm_atlas_resume_action(&fresh, 60000, 1) == DUFM_ATLAS_SEARCH_MERGE);
  dufm_atlas_entry_clear(&fresh);
  /* Fresh search better: it replaces the configuration. */
  make_entry(&fresh, &s, 2, 3, 3, 100000);
  fresh.best_loss = old.best_loss - 1.0;
  dufm_config keep;
  CU_ASSERT_FATAL(dufm_config_copy(&keep, &fresh.config, NULL) == DUFM_OK);
  CU_ASSERT_FATAL(dufm_atlas_entry_merge(&fresh, &old, NULL) == DUFM_OK);
  CU_ASSERT(tu_same_config(&fresh.config, &keep) && fresh.found_seed == 3 && fresh.nruns == 2);
  dufm_config_clear(&keep);
  dufm_atlas_entry_clear(&fresh);
  /* A tie keeps the old one. */
  make_entry(&fresh, &s, 2, 3, 4, 100000);
  fresh.best_loss = old.best_loss;
  CU_ASSERT_FATAL(dufm_atlas_entry_merge(&fresh, &old, NULL) == DUFM_OK);
  CU_ASSERT(tu_same_config(&fresh.config, &old.config) && fresh.found_seed == 1);
  dufm_atlas_entry_clear(&fresh);
  dufm_atlas_entry_clear(&old);
  dufm_atlas_spec_clear(&s);
}

static void test_pack(void) {
  dufm_atlas_spec s;
  spec(&s, 2, 3, 2, 3, "0.004", 10000);
  dufm_atlas_entry e;
  make_entry(&e, &s, 3, 3, 9, 10000);
  dufm_atlas_job j = {0}, j2;
  j.id = 65536 + 4;
  j.setting = 1;
  j.kind = DUFM_ATLAS_JOB_TASK;
  j.task.index = 4;
  j.task.seed = 0x123456789abcdefULL;
  j.task.scale = 0.3;
  snprintf(j.task.origin, sizeof j.task.origin, "origin");
  j.has_input = 1;
  j.input = e.config;
  unsigned char *buf;
  size_t len;
  CU_ASSERT_FATAL(dufm_atlas_job_pack(&buf, &len, &j, NULL) == DUFM_OK);
  CU_ASSERT_FATAL(dufm_atlas_job_unpack(&j2, buf, len, NULL) == DUFM_OK);
  CU_ASSERT(j2.id == j.id && j2.setting == 1 && j2.kind == DUFM_ATLAS_JOB_TASK);
  CU_ASSERT(j2.task.seed == j.task.seed && j2.task.scale == 0.3 && j2.has_input);
  CU_ASSERT_STRING_EQUAL(j2.task.origin, "origin");
  CU_ASSERT(tu_same_config(&j2.input, &e.config));
  dufm_atlas_job_clear(&j2);
  dufm_err err;
  CU_ASSERT(dufm_atlas_job_unpack(&j2, buf, len - 1, &err) == DUFM_EFORMAT);
  CU_ASSERT(dufm_atlas_job_unpack(&j2, buf + 1, len - 1, &err) == DUFM_EFORMAT);
  free(buf);
  dufm_atlas_result r = {0}, r2;
  r.id = 3;
  r.setting = 0;
  r.kind = DUFM_ATLAS_JOB_FINAL;
  r.task = -1;
  r.loss = e.best_loss;
  r.evals = 123;
  r.converged = 1;
  snprintf(r.stage, sizeof r.stage, "pattern");
  r.x = e.config;
  CU_ASSERT_FATAL(dufm_atlas_result_pack(&buf, &len, &r, NULL) == DUFM_OK);
  CU_ASSERT_FATAL(dufm_atlas_result_unpack(&r2, buf, len, NULL) == DUFM_OK);
  CU_ASSERT(r2.id == 3 && r2.kind == DUFM_ATLAS_JOB_FINAL && r2.task == -1 && r2.evals == 123);
  CU_ASSERT(memcmp(&r2.loss, &e.best_loss, sizeof(double)) == 0 && r2.converged == 1);
  CU_ASSERT_STRING_EQUAL(r2.stage, "pattern");
  CU_ASSERT(tu_same_config(&r2.x, &e.config));
  dufm_atlas_result_clear(&r2);
  CU_ASSERT(dufm_atlas_result_unpack(&r2, buf, len - 8, &err) == DUFM_EFORMAT);
  free(buf);
  dufm_atlas_entry_clear(&e);
  dufm_atlas_spec_clear(&s);
}

/* ---- the scheduler */

typedef struct {
  int final[64];
  int order[64], nfinal;
} tracker;

static void on_done(void *ctx, const dufm_atlas_done *d) {
  tracker *t = ctx;
  t->final[d->setting] = 1;
  t->order[t->nfinal++] = d->setting;
}

/* Runs the grid handing out every ready job and completing them in reverse
 * (reverse = 1) or in order; checks that a phase 2 task or a final polish
 * never comes before the setting's neighbours are final. */
static void run_grid(const dufm_atlas_spec *s, const char *root, int reverse, tracker *t) {
  memset(t, 0, sizeof *t);
  dufm_atlas_opts o = {on_done, t};
  dufm_atlas *a;
  CU_ASSERT_FATAL(dufm_atlas_open(&a, s, root, &o, NULL) == DUFM_OK);
  dufm_atlas_job jobs[256];
  for (int rounds = 0; rounds < 1000; rounds++) {
    int n = 0, got = 1;
    while (n < 256) {
      CU_ASSERT_FATAL(dufm_atlas_next(a, &jobs[n], &got, NULL) == DUFM_OK);
      if (got != 1)
        break;
      const dufm_atlas_job *j = &jobs[n];
      if (j->kind == DUFM_ATLAS_JOB_FINAL || j->task.phase == 2) {
        int dep[2], nd = dufm_atlas_deps(s, j->setting, dep);
        for (int k = 0; k < nd; k++)
          CU_ASSERT(t->final[dep[k]]);
      }
      n++;
    }
    if (got < 0 && n == 0)
      break;
    CU_ASSERT_FATAL(n > 0);
    for (int k = 0; k < n; k++) {
      dufm_atlas_job *j = &jobs[reverse ? n - 1 - k : k];
      dufm_atlas_result r;
      CU_ASSERT_FATAL(dufm_atlas_job_run(&r, s, j, NULL) == DUFM_OK);
      CU_ASSERT(r.status == DUFM_OK);
      CU_ASSERT_FATAL(dufm_atlas_complete(a, &r, NULL) == DUFM_OK);
      dufm_atlas_result_clear(&r);
      dufm_atlas_job_clear(j);
    }
  }
  dufm_atlas_summary sum;
  dufm_atlas_summary_get(a, &sum);
  CU_ASSERT(sum.total == dufm_atlas_nsettings(s) && sum.failed == 0);
  dufm_atlas_free(a);
}

static void test_scheduler(void) {
  dufm_atlas_spec s;
  spec(&s, 2, 3, 2, 3, "0.004", 10000);
  char root1[512], root2[512];
  snprintf(root1, sizeof root1, "%s", tu_tmpdir());
  snprintf(root2, sizeof root2, "%s", tu_tmpdir());
  tracker t1, t2;
  run_grid(&s, root1, 0, &t1);
  run_grid(&s, root2, 1, &t2);
  int n = dufm_atlas_nsettings(&s);
  CU_ASSERT(t1.nfinal == n && t2.nfinal == n);
  for (int i = 0; i < n; i++) {
    int L, K;
    dufm_atlas_setting(&s, i, &L, &K);
    char *d1 = dufm_atlas_setting_dir(&s, root1, L, K),
         *d2 = dufm_atlas_setting_dir(&s, root2, L, K);
    dufm_atlas_entry e1, e2;
    CU_ASSERT_FATAL(dufm_atlas_entry_read(&e1, d1, NULL) == DUFM_OK);
    CU_ASSERT_FATAL(dufm_atlas_entry_read(&e2, d2, NULL) == DUFM_OK);
    CU_ASSERT(dufm_atlas_entry_validate(&e1, &s, L, K, NULL) == DUFM_OK);
    CU_ASSERT(tu_same_config(&e1.config, &e2.config));
    CU_ASSERT(memcmp(&e1.best_loss, &e2.best_loss, sizeof(double)) == 0);
    CU_ASSERT_STRING_EQUAL(e1.search_json, e2.search_json);
    /* Chains: every setting with a neighbour has phase 2 starts from it. */
    int dep[2];
    if (dufm_atlas_deps(&s, i, dep) > 0)
      CU_ASSERT(strstr(e1.search_json, "\"phase\": 2") != NULL);
    dufm_atlas_entry_clear(&e1);
    dufm_atlas_entry_clear(&e2);
    free(d1);
    free(d2);
  }
  /* Reopened with the same budget: every setting is skipped at open. */
  tracker t3 = {0};
  dufm_atlas_opts o = {on_done, &t3};
  dufm_atlas *a;
  CU_ASSERT_FATAL(dufm_atlas_open(&a, &s, root1, &o, NULL) == DUFM_OK);
  CU_ASSERT(t3.nfinal == n);
  dufm_atlas_job j;
  int got = 0;
  CU_ASSERT(dufm_atlas_next(a, &j, &got, NULL) == DUFM_OK && got == -1);
  dufm_atlas_free(a);
  rm_tree(root1);
  rm_tree(root2);
  dufm_atlas_spec_clear(&s);
}

int main(void) {
  CU_TestInfo tests[] = {
      {"lookup: exact lambda, validation, certificate", test_lookup},
      {"spec: ranges, lambda text, folders", test_spec},
      {"grid order and dependencies", test_order},
      {"entry: write, read, validate, replace, broken files", test_entry_round_trip},
      {"resume rule and merge", test_resume_and_merge},
      {"job and result images", test_pack},
      {"scheduler: dependencies, order-independent entries, resume", test_scheduler},
      CU_TEST_INFO_NULL};
  return tu_run_suite("atlas", tests);
}
