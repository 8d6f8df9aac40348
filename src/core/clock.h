/* core/clock.h (internal): seconds of CLOCK_MONOTONIC, the clock of every
 * timing and of dufm_search_opts.deadline. */
#ifndef DUFM_CORE_CLOCK_H
#define DUFM_CORE_CLOCK_H

double dufm_i_now(void);

#endif
