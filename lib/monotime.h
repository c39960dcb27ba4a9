/*
 * monotime: seconds on the monotonic clock, for deadlines and rates that
 * must not jump with the wall clock.
 */
#ifndef PARX_MONOTIME_H
#define PARX_MONOTIME_H

#include <time.h>

static inline double
monotime_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

#endif
