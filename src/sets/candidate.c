/* Sets candidates: the evaluation record from a solution, the verdict against
 * DNC by certificate (dufm/sets.h). */
#include <math.h>
#include <string.h>

#include "dufm/certificate.h"
#include "dufm/rational.h"
#include "dufm/sets.h"

/* Relative margin above DNC's enclosure for "above": the float loss of one
 * explicit configuration is accurate to a few ulps per operation. */
#define ABOVE_MARGIN 1e-9

static dufm_status fill_eval(dufm_structure_eval *e, const dufm_structure *s,
                             const dufm_sets_solution *sol, const dufm_params *p, dufm_err *err) {
  dufm_err ignored;
  dufm_status st = dufm_structure_evaluate(e, s, p, &ignored);
  if (st != DUFM_ENOTAPPLICABLE || e->kind != DUFM_STRUCTURE_SETS) /* allocated, K checked */
    return st == DUFM_OK ? dufm_err_set(err, DUFM_EINVAL, "%s is not a sets structure",
                                        dufm_structure_name(s))
                         : (dufm_err_set(err, st, "%s", ignored.msg), st);
  e->applicable = 1;
  e->loss = e->lower = e->upper = sol->loss.loss;
  e->regime = sol->loss.loss < 0.5 ? DUFM_REGIME_NONZERO : DUFM_REGIME_ZERO;
  e->t = 0.0;
  for (int l = 0; l < p->L; l++) {
    e->rank_hidden[l] = sol->rank_hidden[l];
    e->rank_preact[l] = sol->rank_preact[l];
  }
  e->rank_out = sol->rank_out;
  e->sets.certified = 0;
  e->sets.cert_loss = NAN;
  e->sets.pattern_kept = sol->pattern_kept;
  e->sets.converged = sol->report.converged;
  e->sets.rel_grad = sol->report.rel_grad;
  e->sets.violations = sol->report.violations;
  e->sets.kinks = sol->report.kinks;
  e->sets.kink_kkt_violations = sol->report.kink_kkt_violations;
  e->sets.strict = sol->report.strict;
  return DUFM_OK;
}

dufm_status dufm_sets_candidate(dufm_candidate *out, dufm_structure *s, dufm_origin origin,
                                const dufm_sets_solution *sol, const dufm_params *p,
                                const dufm_structure_eval *dnc, dufm_err *err) {
  memset(out, 0, sizeof *out);
  out->structure = s;
  out->origin = origin;
  out->vs_dnc = DUFM_CMP_UNDECIDED;
  out->ratio_to_dnc = NAN;
  dufm_status st = fill_eval(&out->eval, s, sol, p, err);
  if (st != DUFM_OK || dnc == NULL)
    return st;
  out->ratio_to_dnc = out->eval.loss / dnc->loss;
  if (out->eval.loss > dnc->upper * (1.0 + ABOVE_MARGIN)) {
    out->vs_dnc = DUFM_CMP_ABOVE;
    return DUFM_OK;
  }
  if (!(out->eval.loss < dnc->loss))
    return DUFM_OK;
  /* Below in floating point: only a certificate decides. */
  dufm_cert cert;
  dufm_err cerr;
  st = dufm_cert_from_config(&cert, NULL, &sol->config, p, dufm_structure_name(s), NULL, &cerr);
  if (st == DUFM_OK) {
    out->vs_dnc = DUFM_CMP_BELOW;
    out->eval.sets.certified = 1;
    out->eval.sets.cert_loss = dufm_q_get_d(cert.loss);
  }
  if (st == DUFM_OK || st == DUFM_ENOTAPPLICABLE)
    dufm_cert_clear(&cert);
  if (st == DUFM_ENOMEM)
    return dufm_err_set(err, st, "%s", cerr.msg);
  return DUFM_OK; /* a certificate that fails leaves the comparison undecided */
}
