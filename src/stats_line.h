/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/* The once-a-second statistics line and the summary at exit. */
#ifndef XDPCAP_STATS_LINE_H
#define XDPCAP_STATS_LINE_H

#include <stddef.h>
#include <stdio.h>

#include "xdpcap/capture.h"

/*
 * "XDPDrop: 3/3   XDPPass: 254/0   (received/matched packets)", one pair
 * per captured action, then the packets lost because the ring was full.
 */
void stats_line_format(char *buf, size_t len,
		       const struct xdpcap_capture_stats *st,
		       unsigned int actions);

/*
 * Several lines for the end of a capture: written + lost + skipped +
 * discarded is what matched. why, if not NULL, says why the discarded
 * ones were not written ("the disk is full"); by default the capture
 * ended first.
 */
void stats_summary_print(FILE *out, const struct xdpcap_capture_stats *st,
			 unsigned int actions, unsigned long long written,
			 unsigned long long discarded, const char *why);

/*
 * One hook's part, on one line: "  12 written, 12 matched, 0 lost, 0
 * skipped", and discarded packets when there are any.
 */
void stats_hook_summary_print(FILE *out, const struct xdpcap_capture_stats *st,
			      unsigned int actions, unsigned long long written,
			      unsigned long long discarded);

#endif
