/* Internal helpers of the model module (not installed). */
#ifndef DUFM_MODEL_INTERNAL_H
#define DUFM_MODEL_INTERNAL_H

#include "dufm/model.h"

/* Checks that the matrices of c agree with c->d, c->cols and c->K (a hand-filled
 * struct may not); the evaluators trust the shapes afterwards. */
dufm_status dufm_i_config_shapes(const dufm_config *c, dufm_err *err);

#endif
