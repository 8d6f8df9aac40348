/* The search: determinism (same seed and budget give the same bytes whatever
 * the thread count), the reduction's tie rule, seeds, and the chain surgery
 * checked against the forward pass of the original configuration. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "dufm/dnc.h"
#include "dufm/optim.h"
#include "dufm/search.h"
#include "testutil.h"

static void test_deterministic(void) {
  dufm_params p;
  tu_params(&p, 2, 3, 1, "0.004");
  dufm_search_opts o;
  dufm_search_opts_default(&o);
  o.budget = 20000;
  o.seed = 5;
  dufm_search_outcome a, b;
  o.threads = 1;
  CU_ASSERT_FATAL(dufm_search(&a, &p, &o, NULL, 0, NULL) == DUFM_OK);
  o.threads = 2;
  CU_ASSERT_FATAL(dufm_search(&b, &p, &o, NULL, 0, NULL) == DUFM_OK);
  CU_ASSERT(memcmp(&a.best_loss, &b.best_loss, sizeof(double)) == 0);
  CU_ASSERT(a.best_task == b.best_task);
  CU_ASSERT(a.budget_used == b.budget_used);
  CU_ASSERT(a.budget_used <= o.budget);
  CU_ASSERT(tu_same_config(&a.best, &b.best));
  CU_ASSERT_EQUAL(a.ntasks, b.ntasks);
  for (int i = 0; i < a.ntasks && i < b.ntasks; i++)
    CU_ASSERT(memcmp(&a.task_loss[i], &b.task_loss[i], sizeof(double)) == 0);
  /* The best is the reduction of the tasks, then polished (never higher). */
  CU_ASSERT(a.best_loss <= a.task_loss[a.best_task]);
  for (int i = 0; i < a.ntasks; i++)
    CU_ASSERT(!(a.task_loss[i] < a.task_loss[a.best_task]));
  /* The ratio is against the DNC closed form, and the loss is dufm_eval's. */
  dufm_gl dnc;
  CU_ASSERT_FATAL(dufm_dnc_eval(&dnc, &p, NULL) == DUFM_OK);
  TU_ASSERT_CLOSE(a.ratio_to_dnc, a.best_loss / dnc.value, 1e-15, 0.0);
  dufm_loss l;
  CU_ASSERT_FATAL(dufm_eval(&l, NULL, &a.best, &p, DUFM_FORM_SAMPLES, NULL) == DUFM_OK);
  CU_ASSERT(l.loss == a.best_loss);
  /* At L = 2, K = 3 DNC is optimal (compare): the search must not be far above. */
  CU_ASSERT(a.ratio_to_dnc <= 1.0 + 1e-9);
  dufm_search_outcome_clear(&a);
  dufm_search_outcome_clear(&b);
  dufm_params_clear(&p);
}

static void test_reduce(void) {
  dufm_search_result r[4];
  memset(r, 0, sizeof r);
  double losses[4] = {NAN, 0.3, INFINITY, 0.3};
  int idx[4] = {3, 2, 1, 0};
  for (int i = 0; i < 4; i++) {
    r[i].loss = losses[i];
    r[i].index = idx[i];
  }
  CU_ASSERT_EQUAL(dufm_search_reduce(r, 4), 3); /* tie at 0.3: lower task index 0 */
  r[3].loss = 0.31;
  CU_ASSERT_EQUAL(dufm_search_reduce(r, 4), 1);
  r[1].loss = r[3].loss = NAN;
  CU_ASSERT_EQUAL(dufm_search_reduce(r, 4), -1);
}

static void test_seeds_and_plan(void) {
  dufm_params p, q;
  tu_params(&p, 3, 4, 1, "0.004");
  tu_params(&q, 3, 5, 1, "0.004");
  CU_ASSERT(dufm_search_task_seed(0, &p, 0) != dufm_search_task_seed(0, &p, 1));
  CU_ASSERT(dufm_search_task_seed(0, &p, 0) != dufm_search_task_seed(0, &q, 0));
  CU_ASSERT(dufm_search_task_seed(0, &p, 0) != dufm_search_task_seed(1, &p, 0));
  CU_ASSERT(dufm_search_task_seed(9, &p, 4) == dufm_search_task_seed(9, &p, 4));
  dufm_search_opts o;
  dufm_search_opts_default(&o);
  o.budget = 100000;
  dufm_search_plan plan;
  CU_ASSERT_FATAL(dufm_search_plan_init(&plan, &p, &o, 0.2, NULL) == DUFM_OK);
  long total = 0;
  int gauss = 0;
  for (int i = 0; i < plan.ntasks; i++) {
    CU_ASSERT_EQUAL(plan.tasks[i].index, i);
    CU_ASSERT(plan.tasks[i].seed == dufm_search_task_seed(0, &p, i));
    total += plan.tasks[i].steps + plan.tasks[i].polish_evals;
    gauss += plan.tasks[i].kind == DUFM_TASK_GAUSSIAN;
  }
  CU_ASSERT_EQUAL(gauss, 3 * 3 * 2); /* widths 4, 8, 30 x scales x methods */
  CU_ASSERT(total <= plan.phase1_budget);
  /* A neighbour at (L, K + 1) adds one phase 2 task per deleted class. */
  int d[4] = {6, 6, 6, 5};
  dufm_config c;
  CU_ASSERT_FATAL(dufm_optim_init_gaussian(&c, 3, d, 5, 0.3, 3, NULL) == DUFM_OK);
  int before = plan.ntasks;
  CU_ASSERT(dufm_search_plan_add_start(&plan, &c, "x", NULL) == DUFM_OK);
  CU_ASSERT_EQUAL(plan.ntasks, before + 5);
  dufm_search_plan_seal(&plan);
  total = 0;
  for (int i = before; i < plan.ntasks; i++)
    total += plan.tasks[i].polish_evals;
  CU_ASSERT(total <= plan.phase2_budget);
  dufm_err err;
  int bad[3] = {6, 6, 7};
  dufm_config w;
  CU_ASSERT_FATAL(dufm_optim_init_gaussian(&w, 2, bad, 7, 0.3, 3, NULL) == DUFM_OK);
  CU_ASSERT(dufm_search_plan_add_start(&plan, &w, "w", &err) == DUFM_EINVAL);
  dufm_config_clear(&w);
  dufm_config_clear(&c);
  dufm_search_plan_clear(&plan);
  o.budget = 10;
  CU_ASSERT(dufm_search_plan_init(&plan, &p, &o, 0.0, &err) == DUFM_EINVAL);
  dufm_search_plan_clear(&plan);
  dufm_params_clear(&p);
  dufm_params_clear(&q);
}

/* Lifting keeps the output (ReLU of nonnegative activations is the identity)
 * and deleting a class keeps the other classes' outputs. */
static void test_surgery(void) {
  dufm_params p3, p4;
  tu_params(&p3, 3, 4, 2, "0.004");
  tu_params(&p4, 4, 4, 2, "0.004");
  int d[4] = {5, 6, 7, 4};
  dufm_config c;
  CU_ASSERT_FATAL(dufm_optim_init_gaussian(&c, 3, d, 8, 0.5, 21, NULL) == DUFM_OK);
  dufm_mat o3;
  CU_ASSERT_FATAL(dufm_forward_output(&o3, &c, NULL) == DUFM_OK);
  for (int pos = 1; pos <= 2; pos++) {
    dufm_config up;
    CU_ASSERT_FATAL(dufm_search_lift(&up, &c, pos, &p4, NULL) == DUFM_OK);
    CU_ASSERT_EQUAL(up.L, 4);
    CU_ASSERT_EQUAL(up.d[pos + 1], c.d[pos]);
    dufm_mat o4;
    CU_ASSERT_FATAL(dufm_forward_output(&o4, &up, NULL) == DUFM_OK);
    for (size_t i = 0; i < (size_t)o3.rows * o3.cols; i++)
      TU_ASSERT_CLOSE(o4.data[i], o3.data[i], 1e-12, 1e-15);
    dufm_mat_clear(&o4);
    dufm_config_clear(&up);
  }
  dufm_err err;
  dufm_config bad;
  CU_ASSERT(dufm_search_lift(&bad, &c, 3, &p4, &err) == DUFM_EINVAL); /* after the output */
  dufm_config del;
  CU_ASSERT_FATAL(dufm_search_delete_class(&del, &c, 2, 1, NULL) == DUFM_OK);
  CU_ASSERT_EQUAL(del.K, 3);
  CU_ASSERT_EQUAL(del.cols, 6);
  dufm_mat od;
  CU_ASSERT_FATAL(dufm_forward_output(&od, &del, NULL) == DUFM_OK);
  for (int i = 0, ii = 0; i < 4; i++) {
    if (i == 1)
      continue;
    for (int j = 0, jj = 0; j < 8; j++) {
      if (j / 2 == 1)
        continue;
      CU_ASSERT(od.data[(size_t)ii * 6 + jj] == o3.data[(size_t)i * 8 + j]);
      jj++;
    }
    ii++;
  }
  CU_ASSERT(dufm_search_delete_class(&bad, &c, 2, 4, &err) == DUFM_EINVAL);
  dufm_mat_clear(&od);
  dufm_config_clear(&del);
  dufm_mat_clear(&o3);
  dufm_config_clear(&c);
  dufm_params_clear(&p3);
  dufm_params_clear(&p4);
}

/* The depth default keeps 0.1 up to L = 4 and the product of the L - 1
 * hidden gains std sqrt(w / 2) of L = 4, width 30, std 0.1 beyond. */
static void test_default_init_std(void) {
  int d30[9] = {30, 30, 30, 30, 30, 30, 30, 30, 30};
  for (int L = 1; L <= 4; L++)
    CU_ASSERT(dufm_optim_default_init_std(L, d30) == 0.1);
  const double ref = pow(0.1 * sqrt(15.0), 3.0);
  for (int L = 5; L <= 8; L++) {
    double s = dufm_optim_default_init_std(L, d30);
    TU_ASSERT_CLOSE(pow(s * sqrt(15.0), L - 1), ref, 1e-13, 0.0);
    CU_ASSERT(s > dufm_optim_default_init_std(L - 1, d30));
  }
}

int main(void) {
  CU_TestInfo tests[] = {{"same seed and budget give the same bytes", test_deterministic},
                         {"reduction: lowest loss, ties to the lower index", test_reduce},
                         {"task seeds and plan budgets", test_seeds_and_plan},
                         {"lift and class deletion", test_surgery},
                         {"default start scale by depth", test_default_init_std},
                         CU_TEST_INFO_NULL};
  return tu_run_suite("search", tests);
}
