/* dufm/dnc.h: the deep-neural-collapse closed form (theory section 3). */
#ifndef DUFM_DNC_H
#define DUFM_DNC_H

#include <gmp.h>

#include "dufm/error.h"
#include "dufm/export.h"
#include "dufm/gl.h"
#include "dufm/params.h"

DUFM_BEGIN_DECLS

/* out = Q_DNC^(L+1) = K^(L+1) n lam_H lam_1 ... lam_L, exact. */
void dufm_dnc_qpow(mpq_t out, const dufm_params *p);

/* out = c_1^(L+1) = n lam_H lam_1 ... lam_L (the per-class constant), exact. */
void dufm_dnc_c1pow(mpq_t out, const dufm_params *p);

/* F_DNC = g_L(K c_1) with its enclosure and regime. */
dufm_status dufm_dnc_eval(dufm_gl *out, const dufm_params *p, dufm_err *err);

DUFM_END_DECLS

#endif
