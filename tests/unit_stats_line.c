// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * The command's once-a-second line (src/stats_line.c): the counters, what
 * was written and where, in full where it may be long (a log), and within
 * a terminal's width, losing first the matches by action, then the start
 * of the file name.
 */
#include <stdio.h>
#include <string.h>
#include <linux/bpf.h>

#include "../src/stats_line.h"
#include "tap.h"

#define LONG_NAME "/var/tmp/captures/a-directory-with-a-long-name/capture-20261208-021500.pcapng"

static void line(char *buf, const struct xdpcap_capture_stats *st, unsigned int actions,
		 const char *file, uint64_t bytes, size_t width)
{
	struct stats_line_extra x = {
		.written = 15, .file_bytes = bytes, .file = file, .width = width,
	};

	stats_line_format(buf, 512, st, actions, &x);
}

int main(void)
{
	struct xdpcap_capture_stats st = { .sz = sizeof(st) };
	const unsigned int exits = (1u << XDPCAP_ACTIONS) - 1;
	char buf[512];

	st.received[XDP_DROP] = 3;
	st.matched[XDP_DROP] = 3;
	st.received[XDP_PASS] = 254;
	st.received[XDP_TX] = 12;
	st.matched[XDP_TX] = 12;

	line(buf, &st, exits, "out.pcapng", 412, 0);
	tap_ok(!strcmp(buf, "269 received, 15 matched (drop 3, tx 12), 15 written, 412 B  out.pcapng"),
	       "in full: counters, matches by action, written, size, file: \"%s\"", buf);
	line(buf, &st, exits, NULL, 1234567, 0);
	tap_ok(!strcmp(buf, "269 received, 15 matched (drop 3, tx 12), 15 written, 1.2 MB"),
	       "standard output: no file name, the size in MB: \"%s\"", buf);

	st.dropped[XDP_TX] = 2;
	st.skipped[XDP_DROP] = 1;
	line(buf, &st, exits, LONG_NAME, 123456789, 0);
	tap_ok(!strcmp(buf, "269 received, 15 matched (drop 3, tx 12), 15 written, 123.5 MB, 2 LOST, 1 skipped  " LONG_NAME),
	       "losses and skips said where there are some: \"%s\"", buf);
	line(buf, &st, exits, LONG_NAME, 123456789, 79);
	tap_ok(strlen(buf) == 79 &&
	       !strcmp(buf, "269 received, 15 matched, 15 written, 123.5 MB, 2 LOST, 1 skipped  ...00.pcapng"),
	       "79 columns: the matches by action go, then the start of the name: \"%s\"", buf);
	line(buf, &st, exits, "out.pcapng", 999999, 120);
	tap_ok(strlen(buf) <= 120 && strstr(buf, "(drop 3, tx 12)") && strstr(buf, "1000.0 kB") == NULL &&
	       strstr(buf, "1.0 MB"),
	       "120 columns keep everything; 999,999 bytes round to 1.0 MB: \"%s\"", buf);
	line(buf, &st, exits, LONG_NAME, 1, 20);
	tap_ok(strlen(buf) < 512 && !strstr(buf, "..."),
	       "narrower than the counters: they are kept whole, no name: \"%s\"", buf);

	/* an entry capture: every packet passes the entry once */
	memset(&st, 0, sizeof(st));
	st.sz = sizeof(st);
	st.entry_received = 10;
	st.entry_matched = 4;
	st.received[XDP_DROP] = 10;
	st.matched[XDP_DROP] = 4;
	line(buf, &st, exits | 1u << XDPCAP_SLOT_ENTRY, "e.pcapng", 800, 0);
	tap_ok(!strcmp(buf, "10 received, 8 matched (entry 4, drop 4), 15 written, 800 B  e.pcapng"),
	       "--entry: received once, matched at entry and at the exit: \"%s\"", buf);
	return tap_done();
}
