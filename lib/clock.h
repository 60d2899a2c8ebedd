/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/* The clocks captures read: the kernel stamps packets with CLOCK_MONOTONIC. */
#ifndef XDPCAP_CLOCK_H
#define XDPCAP_CLOCK_H

#include <stdint.h>
#include <time.h>

static inline uint64_t clock_ns(clockid_t clock)
{
	struct timespec ts;

	clock_gettime(clock, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* Epoch time minus monotonic time, now: what turns a packet's time into epoch time. */
int64_t clock_realtime_offset(void);

#endif
