// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * The tables and the summary.
 */

#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "bench_capture.h"

/* --- output helpers -------------------------------------------------------- */

static const char *fmt_rate(char *buf, size_t len, double fps)
{
	if (fps >= 1e6)
		snprintf(buf, len, "%.2f M", fps / 1e6);
	else if (fps >= 1e3)
		snprintf(buf, len, "%.0f k", fps / 1e3);
	else
		snprintf(buf, len, "%.0f", fps);
	return buf;
}

static const char *fmt_count(char *buf, size_t len, uint64_t n, double frac)
{
	if (!n)
		snprintf(buf, len, "0");
	else if (frac >= 0.0001)
		snprintf(buf, len, "%" PRIu64 " (%.1f%%)", n, frac * 100);
	else
		snprintf(buf, len, "%" PRIu64 " (<0.01%%)", n);
	return buf;
}

const char *tool_name(const struct cell *c)
{
	static char buf[64];

	switch (c->tool) {
	case TOOL_NONE:
		return "none";
	case TOOL_XDPCAP:
		if (c->direct_copy)
			return "xdpcap, direct copy";
		if (c->writer) {
			snprintf(buf, sizeof(buf), "xdpcap, XDPCAP_WRITER=%s", c->writer);
			return buf;
		}
		if (c->max_rate) {
			snprintf(buf, sizeof(buf), "xdpcap --max-rate %u", c->max_rate);
			return buf;
		}
		if (!c->ring_kib)
			return "xdpcap";
		snprintf(buf, sizeof(buf), "xdpcap -B %u", c->ring_kib);
		return buf;
	case TOOL_TCPDUMP:
		return "tcpdump";
	case TOOL_LIB:
		snprintf(buf, sizeof(buf), "%s",
			 c->reader == READER_FILE ? "pcapng to disk" :
			 c->reader == READER_BUSY ? "pcapng to disk, busy polling" :
			 c->reader == READER_QUEUE ? "pcapng to disk via a 64 MiB queue and a writer thread" :
			 c->reader == READER_NULL ? "pcapng to /dev/null" :
						    "count only, no output");
		return buf;
	}
	return "?";
}

void table_start(const char *const *cols, size_t n)
{
	if (cfg.markdown) {
		printf("|");
		for (size_t i = 0; i < n; i++)
			printf(" %s |", cols[i]);
		printf("\n|");
		for (size_t i = 0; i < n; i++)
			printf(i < 2 ? "---|" : "--:|");
		printf("\n");
	} else {
		for (size_t i = 0; i < n; i++)
			printf("%s%s", i ? " | " : "", cols[i]);
		printf("\n");
	}
}

void row(const char *const *cells, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (cfg.markdown)
			printf("%s %s |", i ? "" : "|", cells[i]);
		else
			printf("%s%s", i ? " | " : "", cells[i]);
	}
	printf("\n");
}

void print_live(const struct live_results *lr)
{
	static const char *const cols[] = {
		"stream", "capture", "target fps", "offered fps (achieved)",
		"captured", "lost (reported)", "missing (sent - captured)",
		"file MB/s (of disk)", "reader CPU ns/pkt", "sender fps without capture",
		"sender slowdown", "sender ns/frame without -> with",
	};

	table_start(cols, ARRAY_SIZE(cols));
	for (size_t i = 0; i < lr->n; i++) {
		const struct cell *c = &lr->cells[i];
		const struct cell *base = find_cell(lr->cells, lr->n, c->sc, TOOL_NONE);
		char b[12][64];

		if (c->tool == TOOL_NONE)
			continue;
		snprintf(b[0], sizeof(b[0]), "%s", c->sc->name);
		snprintf(b[1], sizeof(b[1]), "%s", tool_name(c));
		if (c->sc->target > 0)
			fmt_rate(b[2], sizeof(b[2]), c->sc->target);
		else
			snprintf(b[2], sizeof(b[2]), "full speed");
		fmt_rate(b[3], sizeof(b[3]), c->med.rate);
		snprintf(b[4], sizeof(b[4]), "%" PRIu64, c->med.captured);
		fmt_count(b[5], sizeof(b[5]), c->med.lost, c->loss_frac);
		fmt_count(b[6], sizeof(b[6]), c->med.missing, c->missing_frac);
		if (disk_mbps > 0)
			snprintf(b[7], sizeof(b[7]), "%.0f (%.0f%%)", c->med.file_mbps,
				 c->med.file_mbps / disk_mbps * 100);
		else
			snprintf(b[7], sizeof(b[7]), "%.0f", c->med.file_mbps);
		snprintf(b[8], sizeof(b[8]), "%.0f (%.0f%% CPU)", c->med.reader_ns,
			 c->med.reader_cpu * 100);
		fmt_rate(b[9], sizeof(b[9]), base->med.rate);
		snprintf(b[10], sizeof(b[10]), "%.1f%%",
			 (1 - c->med.rate / base->med.rate) * 100);
		snprintf(b[11], sizeof(b[11]), "%.0f -> %.0f", base->med.busy_ns,
			 c->med.busy_ns);
		row((const char *const[]){ b[0], b[1], b[2], b[3], b[4], b[5], b[6],
					   b[7], b[8], b[9], b[10], b[11] }, 12);
	}
}

void print_experiments(const struct exp_results *er)
{
	static const char *const cols[] = {
		"stream", "reader (library, in-process thread)", "ring KiB",
		"offered fps (achieved)", "delivered", "lost (ring full)",
		"reader CPU ns/pkt", "file MB/s", "sender ns/frame",
	};
	char b[9][64];

	table_start(cols, ARRAY_SIZE(cols));
	for (size_t i = 0; i < er->n; i++) {
		const struct cell *c = &er->cells[i];

		snprintf(b[0], sizeof(b[0]), "%s", c->sc->name);
		snprintf(b[1], sizeof(b[1]), "%s", tool_name(c));
		snprintf(b[2], sizeof(b[2]), "%u", c->ring_kib);
		fmt_rate(b[3], sizeof(b[3]), c->med.rate);
		snprintf(b[4], sizeof(b[4]), "%" PRIu64, c->med.captured);
		fmt_count(b[5], sizeof(b[5]), c->med.lost, c->loss_frac);
		snprintf(b[6], sizeof(b[6]), "%.0f (%.0f%% CPU)", c->med.reader_ns,
			 c->med.reader_cpu * 100);
		snprintf(b[7], sizeof(b[7]), "%.0f", c->med.file_mbps);
		snprintf(b[8], sizeof(b[8]), "%.0f", c->med.busy_ns);
		row((const char *const[]){ b[0], b[1], b[2], b[3], b[4], b[5], b[6],
					   b[7], b[8] }, 9);
	}
}

/* --- summary ---------------------------------------------------------------- */

double copy_small, copy_large;		/* into a private ring */
double copy_small_sh, copy_large_sh;	/* into a ring another CPU reads */

void print_goals(const struct live_results *lr)
{
	const char *b = cfg.markdown ? "- " : "";

	printf("%scopy alone, on the sender's CPU, of a 32 B record and the frame into a 4 MiB ring: %.1f ns (64 B) and %.1f ns (1500 B) when nobody reads the ring; %.1f ns and %.1f ns when a thread on another CPU reads it (the bar used below)\n",
	       b, copy_small, copy_large, copy_small_sh, copy_large_sh);
	for (size_t i = 0; i < lr->n; i++) {
		const struct cell *c = &lr->cells[i];
		const struct cell *base = find_cell(lr->cells, lr->n, c->sc, TOOL_NONE);
		char r1[32], r2[32];
		double added;

		if (c->tool == TOOL_NONE)
			continue;
		added = c->med.busy_ns - base->med.busy_ns;
		if (c->sc->target > 0) {
			bool rate_ok = c->med.rate >= 0.99 * c->sc->target;

			printf("%s%s, %s: offered %s fps of a target of %s: %s; missing %" PRIu64 " (%.3f%%): %s; sender +%.0f ns/frame (copy alone %.0f ns): %s\n",
			       b, c->sc->name, tool_name(c),
			       fmt_rate(r1, sizeof(r1), c->med.rate),
			       fmt_rate(r2, sizeof(r2), c->sc->target),
			       rate_ok ? "reached" : "NOT reached",
			       c->med.missing, c->missing_frac * 100,
			       !c->med.missing ? "lossless" : "NOT lossless",
			       added, c->sc->len == SMALL_FRAME ? copy_small_sh : copy_large_sh,
			       added <= (c->sc->len == SMALL_FRAME ? copy_small_sh : copy_large_sh) ?
			       "within" : "MORE than the copy");
		} else {
			printf("%s%s, %s: missing %.3f%% of the frames; sender %.1f%% slower (+%.0f ns/frame)\n",
			       b, c->sc->name, tool_name(c), c->missing_frac * 100,
			       (1 - c->med.rate / base->med.rate) * 100, added);
		}
	}
	for (size_t i = 0; i < lr->n; i++) {
		const struct cell *x = &lr->cells[i];
		const struct cell *t = find_cell(lr->cells, lr->n, x->sc, TOOL_TCPDUMP);
		const struct cell *base = find_cell(lr->cells, lr->n, x->sc, TOOL_NONE);

		if (x->tool != TOOL_XDPCAP || x->direct_copy || !t || !base)
			continue;
		printf("%s%s: %s %s everything (missing %.3f%%) and slows the sender by %.1f%%; tcpdump misses %.3f%% and slows it by %.1f%%: %s\n",
		       b, x->sc->name, tool_name(x),
		       x->med.missing ? "does NOT capture" : "captures",
		       x->missing_frac * 100, (1 - x->med.rate / base->med.rate) * 100,
		       t->missing_frac * 100, (1 - t->med.rate / base->med.rate) * 100,
		       !x->med.missing && x->med.rate > t->med.rate ? "goal met" : "goal NOT met");
	}
}
