/* The default Gaussian start scale by depth (dufm/optim.h). */
#include <math.h>

#include "dufm/optim.h"

double dufm_optim_default_init_std(int L, const int *d) {
  if (L <= 4)
    return 0.1;
  double logw = 0.0;
  for (int l = 0; l < L; l++)
    logw += log((double)d[l]);
  double w = exp(logw / L);
  /* Gain per ReLU layer std sqrt(w / 2); at L = 4, width 30 (the paper's
   * setting) the default 0.1 gives g = 0.1 sqrt(15), and g^(L-1) = g4^3 keeps
   * the product of the L - 1 hidden gains, which sets how fast a small start
   * escapes the zero solution against the weight decay. */
  const double g4 = 0.1 * sqrt(15.0);
  return sqrt(2.0 / w) * pow(g4, 3.0 / (double)(L - 1));
}
