// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
#include "clock.h"

/* The kernel stamps packets with CLOCK_MONOTONIC; files want the epoch. */
int64_t clock_realtime_offset(void)
{
	int64_t best = 0;
	uint64_t best_gap = UINT64_MAX;

	for (int i = 0; i < 5; i++) {
		uint64_t m1 = clock_ns(CLOCK_MONOTONIC);
		uint64_t r = clock_ns(CLOCK_REALTIME);
		uint64_t m2 = clock_ns(CLOCK_MONOTONIC);

		if (m2 - m1 < best_gap) {
			best_gap = m2 - m1;
			best = (int64_t)r - (int64_t)(m1 + (m2 - m1) / 2);
		}
	}
	return best;
}
