/* Set systems and pattern files (dufm/sets.h). Reference values come from
 * other paths: default last layers from the sign arguments of
 * docs/theory.md section 9 (worked out in the comments), patterns from
 * dufm_pattern_extract, losses from dufm_eval of the exported configuration,
 * the verdict from an exact certificate checked by dufm_cert_check against the
 * DNC closed form, and the file form against the inline form. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dufm/certificate.h"
#include "dufm/dnc.h"
#include "dufm/pattern.h"
#include "dufm/sets.h"
#include "testutil.h"

static dufm_structure *parse_ok(const char *spec) {
  dufm_structure *s = NULL;
  dufm_err err;
  dufm_status st = dufm_structure_parse(&s, spec, &err);
  if (st != DUFM_OK)
    fprintf(stderr, "parse %s: %s\n", spec, err.msg);
  CU_ASSERT_FATAL(st == DUFM_OK);
  return s;
}

static void test_parse_names(void) {
  const char *cases[][2] = {
      {"sets:10,0,1", "sets:01,0,1"},
      {"sets:0,1,2,210", "sets:0,1,2,012"},
      {"sets:ba,c,a", "sets:ab,c,a"},
      {"sets:01,0,1/last:012,2,1", "sets:01,0,1/last:1,2,012"},
      {"sets:01,02,03,12,13,23/last:135,0,012", "sets:01,02,03,12,13,23/last:0,012,135"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    dufm_structure *s = parse_ok(cases[i][0]);
    CU_ASSERT_STRING_EQUAL(dufm_structure_name(s), cases[i][1]);
    CU_ASSERT_EQUAL(dufm_structure_kind_of(s), DUFM_STRUCTURE_SETS);
    CU_ASSERT_EQUAL(dufm_sets_fixed_L(s), 0);
    /* The canonical name parses to the same structure. */
    dufm_structure *t = parse_ok(dufm_structure_name(s));
    CU_ASSERT_STRING_EQUAL(dufm_structure_name(t), cases[i][1]);
    CU_ASSERT_EQUAL(dufm_structure_K(t), dufm_structure_K(s));
    dufm_structure_free(t);
    dufm_structure_free(s);
  }
  dufm_structure *s = parse_ok("sets:01,12,23,03,0123");
  CU_ASSERT_EQUAL(dufm_structure_K(s), 5);
  dufm_structure_free(s);
}

static void test_parse_errors(void) {
  const struct {
    const char *spec;
    dufm_status st;
    const char *words; /* must appear in the message */
  } cases[] = {
      {"sets:01,,1", DUFM_EFORMAT, "class 1 is empty"},
      {"sets:00,1", DUFM_EINVAL, "repeated"},
      {"sets:01,10", DUFM_EINVAL, "same set"},
      {"sets:0A,1", DUFM_EFORMAT, "not a symbol"},
      {"sets:01", DUFM_EINVAL, "K = 1"},
      {"sets:01,0,1/lost:0", DUFM_EFORMAT, "last:"},
      {"sets:01,0,1/last:3", DUFM_EFORMAT, "/last"},
      {"sets:01,0,1/last:0,", DUFM_EFORMAT, "is empty"},
      {"sets:01,0,1+dnc:2", DUFM_EINVAL, "do not compose"},
      {"pattern:/nonexistent/dufm/pattern.txt", DUFM_EIO, "cannot open"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    dufm_structure *s = (dufm_structure *)1;
    dufm_err err;
    dufm_status st = dufm_structure_parse(&s, cases[i].spec, &err);
    if (st != cases[i].st || strstr(err.msg, cases[i].words) == NULL)
      fprintf(stderr, "%s: status %d, message '%s'\n", cases[i].spec, (int)st, err.msg);
    CU_ASSERT_EQUAL(st, cases[i].st);
    CU_ASSERT_PTR_NULL(s);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, cases[i].words));
    CU_ASSERT_PTR_NULL(strchr(err.msg, '\n'));
  }
}

/* Layer l's rows of a layout as a sorted list of class bitmasks. */
static int masks(unsigned *out, const dufm_sets_layout *lay, int l) {
  int rows = lay->d[l - 1];
  for (int i = 0; i < rows; i++) {
    unsigned m = 0;
    for (int c = 0; c < lay->K; c++)
      m |= (unsigned)lay->act[l - 1][(size_t)i * lay->K + c] << c;
    int j = i;
    while (j > 0 && out[j - 1] > m) {
      out[j] = out[j - 1];
      j--;
    }
    out[j] = m;
  }
  return rows;
}

static void expect_layer(const dufm_sets_layout *lay, int l, const unsigned *want, int n) {
  unsigned got[64];
  int rows = masks(got, lay, l);
  CU_ASSERT_EQUAL(rows, n);
  for (int i = 0; i < n && i < rows; i++)
    CU_ASSERT_EQUAL(got[i], want[i]);
}

/* Default last layers. sets:01,0,1 (classes {a,b}, {a}, {b}): a one-class
 * neuron for class 0 needs w_a + w_b > 0 with w_a < 0 and w_b < 0: impossible;
 * for class 1, w = (1, -2) works, class 2 likewise; so {1}, {2} and an
 * all-class neuron. The star {a}, {b}, {c}, {a,b,c}: class 3 has none (same
 * argument), classes 0..2 have theirs. The edges of K_4: every edge has one
 * (w = +1 on its ends, -3 elsewhere), so no all-class neuron. */
static void test_default_last(void) {
  dufm_sets_layout lay;
  dufm_structure *s = parse_ok("sets:01,0,1");
  CU_ASSERT_FATAL(dufm_sets_layout_at(&lay, s, 4, NULL) == DUFM_OK);
  CU_ASSERT_EQUAL(lay.d[0], 2);
  CU_ASSERT_EQUAL(lay.d[4], 3);
  const unsigned types3[] = {0x3, 0x5}; /* type a: classes 0, 1; type b: 0, 2 */
  expect_layer(&lay, 2, types3, 2);
  expect_layer(&lay, 3, types3, 2);
  const unsigned last3[] = {0x2, 0x4, 0x7};
  expect_layer(&lay, 4, last3, 3);
  dufm_sets_layout_clear(&lay);
  dufm_structure_free(s);

  s = parse_ok("sets:0,1,2,012");
  CU_ASSERT_FATAL(dufm_sets_layout_at(&lay, s, 3, NULL) == DUFM_OK);
  const unsigned types4[] = {0x9, 0xa, 0xc};
  expect_layer(&lay, 2, types4, 3);
  const unsigned last4[] = {0x1, 0x2, 0x4, 0xf};
  expect_layer(&lay, 3, last4, 4);
  dufm_sets_layout_clear(&lay);
  dufm_structure_free(s);

  s = parse_ok("sets:01,02,03,12,13,23");
  CU_ASSERT_FATAL(dufm_sets_layout_at(&lay, s, 4, NULL) == DUFM_OK);
  const unsigned last6[] = {0x1, 0x2, 0x4, 0x8, 0x10, 0x20};
  expect_layer(&lay, 4, last6, 6);
  dufm_sets_layout_clear(&lay);
  dufm_structure_free(s);
}

/* A requested one-class neuron for class {a,b} next to {a} and {b} cannot
 * exist (above): the start refuses it, naming the layer. */
static void test_unrealizable(void) {
  dufm_structure *s = parse_ok("sets:01,0,1/last:0,1,2");
  dufm_sets_layout lay;
  dufm_err err;
  CU_ASSERT_EQUAL(dufm_sets_layout_at(&lay, s, 4, &err), DUFM_EINVAL);
  CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "layer 4"));
  CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "cannot be realized"));
  dufm_params p;
  tu_params(&p, 4, 3, 1, "0.004");
  dufm_config c;
  CU_ASSERT_EQUAL(dufm_structure_build(&c, s, &p, DUFM_FORM_SAMPLES, NULL), DUFM_EINVAL);
  CU_ASSERT_EQUAL(dufm_structure_materialize(&c, s, &p, DUFM_FORM_SAMPLES, NULL),
                  DUFM_ENOTAPPLICABLE);
  dufm_structure_eval e;
  CU_ASSERT_EQUAL(dufm_structure_evaluate(&e, s, &p, NULL), DUFM_ENOTAPPLICABLE);
  CU_ASSERT_EQUAL(e.kind, DUFM_STRUCTURE_SETS);
  CU_ASSERT_EQUAL(e.applicable, 0);
  dufm_structure_eval_clear(&e);
  dufm_params_clear(&p);
  dufm_structure_free(s);
}

/* Does the extracted pattern of c equal the layout on layers 2..L? */
static int pattern_equals(const dufm_config *c, const dufm_params *p, const dufm_sets_layout *lay) {
  dufm_pattern pt;
  CU_ASSERT_FATAL(dufm_pattern_extract(&pt, c, p, NULL, NULL) == DUFM_OK);
  int same = 1;
  for (int l = 2; l <= p->L; l++) {
    const dufm_pattern_layer *y = &pt.layers[l - 2];
    unsigned want[64], got[64];
    int rows = masks(want, lay, l), n = 0;
    same &= y->dead == 0 && y->rows == rows;
    for (int t = 0; t < y->ntypes && n < 64; t++) {
      unsigned m = 0;
      for (int k = y->start[t]; k < y->start[t + 1]; k++)
        m |= 1u << y->classes[k];
      for (int r = 0; r < y->count[t] && n < 64; r++) {
        int j = n++;
        while (j > 0 && got[j - 1] > m) {
          got[j] = got[j - 1];
          j--;
        }
        got[j] = m;
      }
    }
    same &= n == rows;
    for (int i = 0; same && i < rows; i++)
      same &= got[i] == want[i];
  }
  dufm_pattern_clear(&pt);
  return same;
}

/* The start has exactly the requested pattern, for several specs and depths
 * and n = 2 (per-sample columns). */
static void test_start_pattern(void) {
  const char *specs[] = {"sets:01,0,1", "sets:0,1,2,012", "sets:01,12,23,03,0123",
                         "sets:01,02,03,12,13,23/last:0,1,2,3,4,5,012,034,135,245"};
  for (size_t i = 0; i < sizeof specs / sizeof specs[0]; i++)
    for (int L = 2; L <= 5; L++) {
      dufm_structure *s = parse_ok(specs[i]);
      dufm_params p;
      tu_params(&p, L, dufm_structure_K(s), 2, "0.004");
      dufm_sets_layout lay;
      dufm_config c;
      dufm_err err;
      dufm_status st = dufm_sets_layout_at(&lay, s, L, &err);
      if (st != DUFM_OK)
        fprintf(stderr, "%s at L = %d: %s\n", specs[i], L, err.msg);
      CU_ASSERT_FATAL(st == DUFM_OK);
      CU_ASSERT_FATAL(dufm_structure_build(&c, s, &p, DUFM_FORM_SAMPLES, NULL) == DUFM_OK);
      CU_ASSERT(pattern_equals(&c, &p, &lay));
      dufm_config_clear(&c);
      dufm_sets_layout_clear(&lay);
      dufm_params_clear(&p);
      dufm_structure_free(s);
    }
}

static double eval_loss(const dufm_config *c, const dufm_params *p, dufm_form form) {
  dufm_loss l;
  CU_ASSERT_FATAL(dufm_eval(&l, NULL, c, p, form, NULL) == DUFM_OK);
  return l.loss;
}

/* sets:01,0,1 at L = 4: the polished configuration keeps the pattern, its
 * loss is dufm_eval's on the exported configuration (both forms), an exact
 * certificate puts it below every DNC loss, and a second solve is identical. */
static void test_solve_certified(void) {
  dufm_structure *s = parse_ok("sets:01,0,1");
  dufm_params p;
  tu_params(&p, 4, 3, 1, "0.004");
  dufm_sets_solution x, y;
  CU_ASSERT_FATAL(dufm_sets_solve(&x, s, &p, NULL, NULL) == DUFM_OK);
  CU_ASSERT(x.pattern_kept);
  CU_ASSERT(pattern_equals(&x.config, &p, &x.layout));
  CU_ASSERT(x.loss.loss <= x.pattern_loss);
  CU_ASSERT(x.pattern_loss <= x.start_loss);
  TU_ASSERT_CLOSE(eval_loss(&x.config, &p, DUFM_FORM_SAMPLES), x.loss.loss, 0.0, 0.0);
  dufm_config c;
  CU_ASSERT_FATAL(dufm_sets_materialize(&c, s, &p, DUFM_FORM_SAMPLES, NULL) == DUFM_OK);
  TU_ASSERT_CLOSE(eval_loss(&c, &p, DUFM_FORM_SAMPLES), x.loss.loss, 1e-12, 0.0);
  dufm_config_clear(&c);
  CU_ASSERT_FATAL(dufm_sets_materialize(&c, s, &p, DUFM_FORM_CLASS_MEANS, NULL) == DUFM_OK);
  TU_ASSERT_CLOSE(eval_loss(&c, &p, DUFM_FORM_CLASS_MEANS), x.loss.loss, 1e-12, 0.0);
  dufm_config_clear(&c);

  /* Determinism: the same bits twice. */
  CU_ASSERT_FATAL(dufm_sets_solve(&y, s, &p, NULL, NULL) == DUFM_OK);
  CU_ASSERT(x.loss.loss == y.loss.loss);
  CU_ASSERT(memcmp(x.config.H1.data, y.config.H1.data,
                   (size_t)x.config.H1.rows * x.config.H1.cols * sizeof(double)) == 0);
  dufm_sets_solution_clear(&y);

  /* The exact certificate, checked from the certificate alone. */
  dufm_gl dnc;
  CU_ASSERT_FATAL(dufm_dnc_eval(&dnc, &p, NULL) == DUFM_OK);
  CU_ASSERT(x.loss.loss < dnc.lower);
  dufm_cert cert;
  dufm_cert_report rep;
  CU_ASSERT_FATAL(dufm_cert_from_config(&cert, NULL, &x.config, &p, "sets:01,0,1", NULL, NULL) ==
                  DUFM_OK);
  CU_ASSERT_FATAL(dufm_cert_check(&rep, &cert, NULL) == DUFM_OK);
  CU_ASSERT_EQUAL(rep.result, DUFM_CERT_VALID);
  dufm_cert_report_clear(&rep);
  dufm_cert_clear(&cert);

  /* As a candidate: below DNC because certified. */
  dufm_structure_eval de;
  dufm_structure *d = parse_ok("dnc");
  CU_ASSERT_FATAL(dufm_structure_evaluate(&de, d, &p, NULL) == DUFM_OK);
  dufm_candidate cand;
  CU_ASSERT_FATAL(dufm_sets_candidate(&cand, s, DUFM_ORIGIN_USER, &x, &p, &de, NULL) == DUFM_OK);
  CU_ASSERT_EQUAL(cand.vs_dnc, DUFM_CMP_BELOW);
  CU_ASSERT(cand.eval.sets.certified);
  CU_ASSERT(cand.eval.applicable);
  CU_ASSERT_EQUAL(cand.eval.loss, x.loss.loss);
  TU_ASSERT_CLOSE(cand.eval.sets.cert_loss, x.loss.loss, 1e-9, 0.0);
  TU_ASSERT_CLOSE(cand.ratio_to_dnc, x.loss.loss / de.loss, TU_TOL1, 0.0);
  CU_ASSERT_EQUAL(dufm_structure_compare(&cand.eval, &de), DUFM_CMP_UNDECIDED);
  dufm_structure_eval_clear(&cand.eval);
  dufm_structure_eval_clear(&de);
  dufm_structure_free(d);
  dufm_sets_solution_clear(&x);
  dufm_params_clear(&p);
  dufm_structure_free(s);
}

/* At L = 3 the set system is above DNC: never "below", no certificate. */
static void test_above_not_certified(void) {
  dufm_structure *s = parse_ok("sets:01,0,1");
  dufm_params p;
  tu_params(&p, 3, 3, 1, "0.004");
  dufm_sets_solution x;
  CU_ASSERT_FATAL(dufm_sets_solve(&x, s, &p, NULL, NULL) == DUFM_OK);
  dufm_gl dnc;
  CU_ASSERT_FATAL(dufm_dnc_eval(&dnc, &p, NULL) == DUFM_OK);
  dufm_structure_eval de;
  dufm_structure *d = parse_ok("dnc");
  CU_ASSERT_FATAL(dufm_structure_evaluate(&de, d, &p, NULL) == DUFM_OK);
  dufm_candidate cand;
  CU_ASSERT_FATAL(dufm_sets_candidate(&cand, s, DUFM_ORIGIN_USER, &x, &p, &de, NULL) == DUFM_OK);
  CU_ASSERT(x.loss.loss > dnc.upper);
  CU_ASSERT_EQUAL(cand.vs_dnc, DUFM_CMP_ABOVE);
  CU_ASSERT(!cand.eval.sets.certified);
  dufm_structure_eval_clear(&cand.eval);
  dufm_structure_eval_clear(&de);
  dufm_structure_free(d);
  dufm_sets_solution_clear(&x);
  dufm_params_clear(&p);
  dufm_structure_free(s);
}

/* One temporary folder for the suite, removed by main. */
static char tmpdir[4096];

static const char *write_file(const char *name, const char *text) {
  static char path[4200];
  if (tmpdir[0] == '\0')
    snprintf(tmpdir, sizeof tmpdir, "%s", tu_tmpdir());
  snprintf(path, sizeof path, "%s/%s", tmpdir, name);
  FILE *f = fopen(path, "w");
  CU_ASSERT_FATAL(f != NULL);
  fputs(text, f);
  fclose(f);
  return path;
}

/* The file form of sets:01,0,1 at L = 4 (layers as `dufm check` prints them)
 * builds the same start, so the same polished loss, bit for bit; given only
 * layers 2 and 3 the repeat rule gives the same layers at L = 4. */
static void test_pattern_file(void) {
  char spec[4200];
  const char *path = write_file("p.txt", "# sets:01,0,1 at L = 4\nK 3\n"
                                         "    layer 2: {0,1} {0,2}\n"
                                         "    layer 3: {0,1} {0,2}\n"
                                         "layer 4: {1} {2} {0,1,2} (1 dead)\n");
  snprintf(spec, sizeof spec, "pattern:%s", path);
  dufm_structure *f = parse_ok(spec), *s = parse_ok("sets:01,0,1");
  CU_ASSERT_STRING_EQUAL(dufm_structure_name(f), spec);
  CU_ASSERT_EQUAL(dufm_structure_K(f), 3);
  dufm_params p;
  tu_params(&p, 4, 3, 1, "0.004");
  dufm_sets_solution a, b;
  CU_ASSERT_FATAL(dufm_sets_solve(&a, f, &p, NULL, NULL) == DUFM_OK);
  CU_ASSERT_FATAL(dufm_sets_solve(&b, s, &p, NULL, NULL) == DUFM_OK);
  CU_ASSERT(a.loss.loss == b.loss.loss);
  CU_ASSERT(a.pattern_kept);
  dufm_sets_solution_clear(&a);
  dufm_sets_solution_clear(&b);
  /* Depth 3 is too shallow for three given layers. */
  dufm_sets_layout lay;
  dufm_err err;
  CU_ASSERT_EQUAL(dufm_sets_layout_at(&lay, f, 3, &err), DUFM_ENOTAPPLICABLE);
  CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "needs L >= 4"));
  dufm_structure_free(f);

  path = write_file("q.txt", "K 3\nlayer 2: {0,1} {0,2}\nlayer 3: {1} {2} {0,1,2}\n");
  snprintf(spec, sizeof spec, "pattern:%s", path);
  f = parse_ok(spec);
  dufm_sets_layout la, lb;
  CU_ASSERT_FATAL(dufm_sets_layout_at(&la, f, 5, NULL) == DUFM_OK);
  CU_ASSERT_FATAL(dufm_sets_layout_at(&lb, s, 5, NULL) == DUFM_OK);
  for (int l = 1; l <= 5; l++) {
    CU_ASSERT_EQUAL(la.d[l - 1], lb.d[l - 1]);
    if (la.d[l - 1] == lb.d[l - 1])
      CU_ASSERT(memcmp(la.act[l - 1], lb.act[l - 1], (size_t)la.d[l - 1] * 3) == 0);
  }
  dufm_sets_layout_clear(&la);
  dufm_sets_layout_clear(&lb);
  dufm_structure_free(f);

  path = write_file("r.txt", "K 3\nL 3\nlayer 2: 2x{0,1,2}\nlayer 3: {0} {1} {2}\n");
  snprintf(spec, sizeof spec, "pattern:%s", path);
  f = parse_ok(spec);
  CU_ASSERT_EQUAL(dufm_sets_fixed_L(f), 3);
  CU_ASSERT_EQUAL(dufm_sets_layout_at(&lay, f, 4, &err), DUFM_ENOTAPPLICABLE);
  CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "'L' line"));
  dufm_structure_free(f);
  dufm_params_clear(&p);
  dufm_structure_free(s);
}

static void test_pattern_file_errors(void) {
  const struct {
    const char *text, *words;
  } cases[] = {
      {"layer 2: {0}\n", "expected 'K <classes>' first"},
      {"K 1\n", "K must be an integer in 2.."},
      {"K 3\n", "no 'layer 2: ...' line"},
      {"K 3\nlayer 3: {0,1,2}\n", ":2: layer 3: layers must be 2, 3, ..."},
      {"K 3\nlayer 2: {0,3}\n", "class 3 is not in 0..2"},
      {"K 3\nlayer 2: {1,0}\n", "increasing"},
      {"K 3\nlayer 2: {0} {1}\n", "class 2 is active on no neuron"},
      {"K 3\nlayer 2: {0,1,2} [x]\n", "expected a type"},
      {"K 3\nlayer 2: 0x{0,1,2}\n", "multiplicity"},
      {"K 3\nL 4\nlayer 2: {0,1,2}\n", "'L 4' needs layers 2..4"},
      {"K 3\nlayers 2: {0,1,2}\n", "expected 'K N', 'L N', 'layer N: TYPES'"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    char spec[4200];
    snprintf(spec, sizeof spec, "pattern:%s", write_file("bad.txt", cases[i].text));
    dufm_structure *s = NULL;
    dufm_err err;
    dufm_status st = dufm_structure_parse(&s, spec, &err);
    if (st == DUFM_OK || strstr(err.msg, cases[i].words) == NULL)
      fprintf(stderr, "case %zu: status %d, message '%s'\n", i, (int)st, err.msg);
    CU_ASSERT(st == DUFM_EFORMAT || st == DUFM_EINVAL);
    CU_ASSERT_PTR_NULL(s);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, cases[i].words));
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "bad.txt"));
  }
}

/* The compare menu at L = 4, K = 3: without set systems DNC is best among the
 * closed forms; with them the certified set system makes the verdict. */
static void test_compare(void) {
  dufm_params p;
  tu_params(&p, 4, 3, 1, "0.004");
  dufm_comparison a, b;
  CU_ASSERT_FATAL(dufm_compare(&a, &p, NULL, NULL) == DUFM_OK);
  CU_ASSERT_EQUAL(a.verdict, DUFM_VERDICT_DNC_BEST_KNOWN);
  CU_ASSERT_EQUAL(dufm_comparison_find(&a, DUFM_ORIGIN_SETS), -1);
  CU_ASSERT_FATAL(dufm_sets_compare(&b, &p, NULL, NULL) == DUFM_OK);
  CU_ASSERT_EQUAL(b.verdict, DUFM_VERDICT_DNC_NOT_OPTIMAL);
  int i = dufm_comparison_find(&b, DUFM_ORIGIN_SETS);
  CU_ASSERT_FATAL(i >= 0);
  CU_ASSERT_EQUAL(b.best_index, i);
  CU_ASSERT_STRING_EQUAL(dufm_structure_name(b.cand[i].structure), "sets:01,0,1");
  CU_ASSERT_EQUAL(b.cand[i].vs_dnc, DUFM_CMP_BELOW);
  CU_ASSERT(b.cand[i].eval.sets.certified);
  CU_ASSERT_EQUAL(b.ncand, a.ncand + 1);
  CU_ASSERT_STRING_EQUAL(dufm_origin_name(DUFM_ORIGIN_SETS), "sets");
  CU_ASSERT_PTR_NULL(dufm_sets_menu_spec(3, 1));
  CU_ASSERT_PTR_NULL(dufm_sets_menu_spec(7, 0));
  dufm_comparison_clear(&a);
  dufm_comparison_clear(&b);
  dufm_params_clear(&p);
}

int main(void) {
  CU_TestInfo tests[] = {{"canonical names", test_parse_names},
                         {"parse errors", test_parse_errors},
                         {"default last layers", test_default_last},
                         {"unrealizable neuron", test_unrealizable},
                         {"start has the pattern", test_start_pattern},
                         {"solve, export, certify, determinism", test_solve_certified},
                         {"above DNC is not certified", test_above_not_certified},
                         {"pattern files", test_pattern_file},
                         {"pattern file errors", test_pattern_file_errors},
                         {"compare menu", test_compare},
                         CU_TEST_INFO_NULL};
  int rc = tu_run_suite("sets", tests);
  const char *names[] = {"p.txt", "q.txt", "r.txt", "bad.txt"};
  char path[4200];
  for (size_t i = 0; tmpdir[0] != '\0' && i < sizeof names / sizeof names[0]; i++) {
    snprintf(path, sizeof path, "%s/%s", tmpdir, names[i]);
    remove(path);
  }
  if (tmpdir[0] != '\0')
    remove(tmpdir);
  return rc;
}
