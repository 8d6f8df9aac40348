/* Activation patterns (dufm/pattern.h) on synthetic configurations built so
 * that every neuron's set of active classes is known by construction; neuron
 * permutations keep the signature, class relabellings keep the shape. The
 * expected hashes were computed by an independent FNV-1a (Python). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "dufm/pattern.h"
#include "testutil.h"

#define K 4
#define N 2
#define D2 6
#define D3 5

/* Layer 2 types by construction: row r of W1 is 1 on set r (H1 means = I). */
static const int SETS2[D2][K] = {{1, 0, 1, 0},     {0, 1, 0, 0}, {1, 0, 1, 0},
                                 {-1, -1, -1, -1}, {0, 1, 1, 1}, {0, 1, 0, 0}};
/* Layer 3: rows e_4 {1,2,3}, e_0 {0,2}, -e_1 dead, e_1 + 1e-9 e_0 {1} (the
 * 1e-9 on classes 0, 2 is below the threshold), e_1 + e_0 / 2 {0,1,2}. */
static const double W2[D3][D2] = {{0, 0, 0, 0, 1, 0},
                                  {1, 0, 0, 0, 0, 0},
                                  {0, -1, 0, 0, 0, 0},
                                  {1e-9, 1, 0, 0, 0, 0},
                                  {0.5, 1, 0, 0, 0, 0}};
static const char *TEXT2 = "2x{1} 2x{0,2} {1,2,3} (1 dead)";
static const char *TEXT3 = "{1} {0,2} {0,1,2} {1,2,3} (1 dead)";
static const char *SIG =
    "K=4;l2:2x{1} 2x{0,2} 1x{1,2,3} dead=1;l3:1x{1} 1x{0,2} 1x{0,1,2} 1x{1,2,3} dead=1";
static const char *SHAPE = "K=4;l2:2x[1] 2x[2] 1x[3] dead=1;l3:1x[1] 1x[2] 1x[3] 1x[3] dead=1";

/* perm2/perm3: new position of each neuron of layers 2 and 3; cls: new label
 * of each class (columns of H1 permuted). */
static void build(dufm_config *c, dufm_params *p, const int *perm2, const int *perm3,
                  const int *cls) {
  int d[4] = {K, D2, D3, K};
  dufm_err err;
  tu_params(p, 3, K, N, "0.01");
  CU_ASSERT_FATAL(dufm_config_init(c, 3, d, K * N, &err) == DUFM_OK);
  for (int k = 0; k < K; k++)
    for (int j = 0; j < N; j++)
      DUFM_MAT_AT(&c->H1, k, cls[k] * N + j) = 1.0;
  for (int r = 0; r < D2; r++)
    for (int k = 0; k < K; k++)
      DUFM_MAT_AT(&c->W[0], perm2[r], k) = SETS2[r][k];
  for (int r = 0; r < D3; r++)
    for (int k = 0; k < D2; k++)
      DUFM_MAT_AT(&c->W[1], perm3[r], perm2[k]) = W2[r][k];
  for (int i = 0; i < K; i++)
    for (int r = 0; r < D3; r++)
      DUFM_MAT_AT(&c->W[2], i, perm3[r]) = 0.1 * (i + r + 1);
}

static const int ID[8] = {0, 1, 2, 3, 4, 5, 6, 7};

static void test_known_pattern(void) {
  dufm_config c;
  dufm_params p;
  dufm_pattern pt;
  dufm_err err;
  build(&c, &p, ID, ID, ID);
  CU_ASSERT_FATAL(dufm_pattern_extract(&pt, &c, &p, NULL, &err) == DUFM_OK);
  CU_ASSERT_EQUAL(pt.nlayers, 2);
  CU_ASSERT(pt.layers[0].layer == 2 && pt.layers[1].layer == 3);
  CU_ASSERT_STRING_EQUAL(pt.layers[0].text, TEXT2);
  CU_ASSERT_STRING_EQUAL(pt.layers[1].text, TEXT3);
  CU_ASSERT_STRING_EQUAL(pt.signature, SIG);
  CU_ASSERT_STRING_EQUAL(pt.shape, SHAPE);
  CU_ASSERT_STRING_EQUAL(pt.hash_hex, "b7d1f61a8e7ef290");
  CU_ASSERT(pt.layers[0].dead == 1 && pt.layers[0].ntypes == 3 && pt.layers[1].dead == 1);
  /* neuron -> type: rows 1 and 5 are {1} (type 0), 0 and 2 {0,2}, 3 dead, 4 {1,2,3} */
  static const int want2[D2] = {1, 0, 1, -1, 2, 0};
  for (int r = 0; r < D2; r++)
    CU_ASSERT_EQUAL(pt.layers[0].neuron_type[r], want2[r]);
  const dufm_pattern_layer *y = &pt.layers[0];
  CU_ASSERT(y->count[1] == 2 && y->start[1] == 1 && y->start[2] == 3 && y->classes[1] == 0 &&
            y->classes[2] == 2);
  /* The 1e-9 entries of layer 3 become active only below rel_tol = 1e-9. */
  dufm_pattern_opts o = {.rel_tol = 1e-10};
  dufm_pattern fine;
  CU_ASSERT_FATAL(dufm_pattern_extract(&fine, &c, &p, &o, &err) == DUFM_OK);
  CU_ASSERT_STRING_EQUAL(fine.layers[1].text, "{0,2} 2x{0,1,2} {1,2,3} (1 dead)");
  dufm_pattern_clear(&fine);
  dufm_pattern_clear(&pt);
  dufm_pattern_clear(&pt); /* twice is safe */
  dufm_config_clear(&c);
  dufm_params_clear(&p);
}

/* Every permutation of the neurons gives the same signature and hash; the
 * neuron -> type map follows the neurons. */
static void test_neuron_permutations(void) {
  dufm_config c0, c;
  dufm_params p;
  dufm_pattern p0, pt;
  dufm_err err;
  build(&c0, &p, ID, ID, ID);
  CU_ASSERT_FATAL(dufm_pattern_extract(&p0, &c0, &p, NULL, &err) == DUFM_OK);
  dufm_params_clear(&p);
  for (int it = 0; it < tu_iterations(20); it++) {
    int perm2[D2], perm3[D3];
    for (int i = 0; i < D2; i++)
      perm2[i] = i;
    for (int i = 0; i < D3; i++)
      perm3[i] = i;
    for (int i = D2 - 1; i > 0; i--) {
      int j = (int)(tu_urand() * (i + 1)), t = perm2[i];
      perm2[i] = perm2[j], perm2[j] = t;
    }
    for (int i = D3 - 1; i > 0; i--) {
      int j = (int)(tu_urand() * (i + 1)), t = perm3[i];
      perm3[i] = perm3[j], perm3[j] = t;
    }
    build(&c, &p, perm2, perm3, ID);
    CU_ASSERT_FATAL(dufm_pattern_extract(&pt, &c, &p, NULL, &err) == DUFM_OK);
    CU_ASSERT_STRING_EQUAL(pt.signature, SIG);
    CU_ASSERT(pt.hash == p0.hash);
    for (int r = 0; r < D2; r++)
      CU_ASSERT_EQUAL(pt.layers[0].neuron_type[perm2[r]], p0.layers[0].neuron_type[r]);
    for (int r = 0; r < D3; r++)
      CU_ASSERT_EQUAL(pt.layers[1].neuron_type[perm3[r]], p0.layers[1].neuron_type[r]);
    dufm_pattern_clear(&pt);
    dufm_config_clear(&c);
    dufm_params_clear(&p);
  }
  dufm_pattern_clear(&p0);
  dufm_config_clear(&c0);
}

/* Relabelling the classes changes the signature here but not the shape. */
static void test_class_relabelling(void) {
  static const int cls[K] = {3, 0, 1, 2};
  dufm_config c;
  dufm_params p;
  dufm_pattern pt;
  dufm_err err;
  build(&c, &p, ID, ID, cls);
  CU_ASSERT_FATAL(dufm_pattern_extract(&pt, &c, &p, NULL, &err) == DUFM_OK);
  /* {1} -> {0}, {0,2} -> {1,3}, {1,2,3} -> {0,1,2} */
  CU_ASSERT_STRING_EQUAL(pt.layers[0].text, "2x{0} 2x{1,3} {0,1,2} (1 dead)");
  CU_ASSERT(strcmp(pt.signature, SIG) != 0);
  CU_ASSERT_STRING_EQUAL(pt.shape, SHAPE);
  dufm_pattern_clear(&pt);
  dufm_config_clear(&c);
  dufm_params_clear(&p);
}

/* A dead first layer kills the next one: no types, every neuron dead. */
static void test_dead_layers(void) {
  dufm_config c;
  dufm_params p;
  dufm_pattern pt;
  dufm_err err;
  build(&c, &p, ID, ID, ID);
  for (int i = 0; i < D2 * K; i++)
    c.W[0].data[i] = -1.0;
  CU_ASSERT_FATAL(dufm_pattern_extract(&pt, &c, &p, NULL, &err) == DUFM_OK);
  CU_ASSERT_STRING_EQUAL(pt.layers[0].text, "(6 dead)");
  CU_ASSERT_STRING_EQUAL(pt.layers[1].text, "(5 dead)");
  CU_ASSERT_STRING_EQUAL(pt.signature, "K=4;l2:dead=6;l3:dead=5");
  CU_ASSERT_STRING_EQUAL(pt.hash_hex, "62d5efd241dbb2d7");
  CU_ASSERT(pt.layers[0].ntypes == 0 && pt.layers[1].dead == D3);
  dufm_pattern_clear(&pt);
  dufm_config_clear(&c);
  dufm_params_clear(&p);
}

/* Per-sample spread: the class mean decides (one sample negative, the mean
 * positive: active; the mean exactly zero: inactive). */
static void test_class_means_decide(void) {
  dufm_config c;
  dufm_params p;
  dufm_pattern pt;
  dufm_err err;
  build(&c, &p, ID, ID, ID);
  /* Class 3, neuron 4 of layer 2 ({1,2,3}): samples 1 and 0 of H1 row 3
   * give post-ReLU 1 and 0, mean 1/2: still active. */
  DUFM_MAT_AT(&c.H1, 3, 3 * N + 1) = 0.0;
  CU_ASSERT_FATAL(dufm_pattern_extract(&pt, &c, &p, NULL, &err) == DUFM_OK);
  CU_ASSERT_STRING_EQUAL(pt.layers[0].text, TEXT2);
  dufm_pattern_clear(&pt);
  /* Both samples of class 3 at 0: neuron 4 loses class 3. */
  DUFM_MAT_AT(&c.H1, 3, 3 * N) = 0.0;
  CU_ASSERT_FATAL(dufm_pattern_extract(&pt, &c, &p, NULL, &err) == DUFM_OK);
  CU_ASSERT_STRING_EQUAL(pt.layers[0].text, "2x{1} 2x{0,2} {1,2} (1 dead)");
  dufm_pattern_clear(&pt);
  dufm_config_clear(&c);
  dufm_params_clear(&p);
}

static void test_errors(void) {
  dufm_config c;
  dufm_params p, q;
  dufm_pattern pt;
  dufm_err err;
  build(&c, &p, ID, ID, ID);
  dufm_pattern_opts o = {.rel_tol = 0.0};
  CU_ASSERT_EQUAL(dufm_pattern_extract(&pt, &c, &p, &o, &err), DUFM_EINVAL);
  CU_ASSERT(strstr(err.msg, "rel_tol") != NULL);
  dufm_pattern_clear(&pt);
  o.rel_tol = 1.0;
  CU_ASSERT_EQUAL(dufm_pattern_extract(&pt, &c, &p, &o, &err), DUFM_EINVAL);
  dufm_pattern_clear(&pt);
  tu_params(&q, 3, K, 3, "0.01"); /* n = 3: columns do not match */
  CU_ASSERT_EQUAL(dufm_pattern_extract(&pt, &c, &q, NULL, &err), DUFM_EINVAL);
  dufm_pattern_clear(&pt);
  c.W[0].data[0] = NAN;
  CU_ASSERT_EQUAL(dufm_pattern_extract(&pt, &c, &p, NULL, &err), DUFM_ENUMERIC);
  dufm_pattern_clear(&pt);
  dufm_params_clear(&q);
  dufm_config_clear(&c);
  dufm_params_clear(&p);
}

int main(void) {
  CU_TestInfo tests[] = {{"known pattern by construction", test_known_pattern},
                         {"neuron permutations keep the signature", test_neuron_permutations},
                         {"class relabelling keeps the shape", test_class_relabelling},
                         {"dead layers", test_dead_layers},
                         {"class means decide", test_class_means_decide},
                         {"errors", test_errors},
                         CU_TEST_INFO_NULL};
  return tu_run_suite("pattern", tests);
}
