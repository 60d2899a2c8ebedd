/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/* The once-a-second statistics line and the summary at exit. */
#ifndef XDPCAP_STATS_LINE_H
#define XDPCAP_STATS_LINE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "xdpcap/capture.h"

/* What the once-a-second line says besides the hook's counters. */
struct stats_line_extra {
	unsigned long long written;	/* packets written so far */
	uint64_t file_bytes;		/* bytes of the file being written */
	const char *file;		/* its name; NULL: none to show */
	size_t width;			/* at most so many columns; 0: any */
};

/*
 * "257 received, 3 matched (drop 3), 3 written, 412 B  out.pcapng": the
 * packets the hook received and the filter matched (by action), those
 * written, the file's size, the packets lost because the ring was full
 * and those left out by --sample or --max-rate where there are any, the
 * file. Within width, the matches by action go first, then the start of
 * the file name.
 */
void stats_line_format(char *buf, size_t len,
		       const struct xdpcap_capture_stats *st,
		       unsigned int actions, const struct stats_line_extra *x);

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
