// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * Running the captures: one run of a configuration, the live-capture
 * scenarios and the experiments with the library.
 */

#include <inttypes.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "xdpcap/kernel.h"
#include "bench_capture.h"

/* --- one run of one configuration ------------------------------------------ */

static void run_one(const struct sender *snd, struct cell *cell, unsigned int run_no,
		    double seconds)
{
	const struct scenario *sc = cell->sc;
	const struct frame *f = frame_for(sc->action, sc->len);
	struct run *r = &cell->runs[cell->n];
	char path[1024], ring[32];
	struct send_result s;
	struct lib_capture lc;
	struct child c;

	memset(r, 0, sizeof(*r));
	snprintf(path, sizeof(path), "%s/run-%u.%s", cfg.outdir, run_no,
		 cell->tool == TOOL_TCPDUMP ? "pcap" : "pcapng");
	/* start clean: no dirty pages of an earlier run being written back */
	sync();

	switch (cell->tool) {
	case TOOL_NONE:
		break;
	case TOOL_XDPCAP: {
		/* as a user would run it; -B only if a ring size is asked for */
		char *argv[8] = { (char *)cfg.xdpcap_path };
		char rate[32];
		int argc = 1;

		if (cell->ring_kib) {
			snprintf(ring, sizeof(ring), "%u", cell->ring_kib);
			argv[argc++] = "-B";
			argv[argc++] = ring;
		}
		if (cell->max_rate) {
			snprintf(rate, sizeof(rate), "%u", cell->max_rate);
			argv[argc++] = "--max-rate";
			argv[argc++] = rate;
		}
		argv[argc++] = hook_path;
		argv[argc++] = path;
		/* the loop kernels without bpf_xdp_load_bytes copy with */
		if (cell->direct_copy)
			setenv("XDPCAP_COPY", "direct", 1);
		if (cell->writer)
			setenv("XDPCAP_WRITER", cell->writer, 1);
		child_start(&c, argv, "capturing from");
		unsetenv("XDPCAP_COPY");
		unsetenv("XDPCAP_WRITER");
		break;
	}
	case TOOL_TCPDUMP: {
		char *argv[] = { (char *)cfg.tcpdump_path, "-i", (char *)cfg.ifname,
				 "-w", path, "-B", "65536", "-Z", "root", NULL };

		child_start(&c, argv, "listening on");
		break;
	}
	case TOOL_LIB:
		lib_start(&lc, cell->reader, cell->ring_kib, path);
		break;
	}
	/* let the reader settle */
	sleep_s(0.2);

	s = send_for(snd, f, sc->target, seconds);
	r->sent = s.frames;
	r->rate = (double)s.frames / s.seconds;
	r->busy_ns = s.busy_ns / (double)s.frames;

	switch (cell->tool) {
	case TOOL_NONE:
		break;
	case TOOL_XDPCAP:
		/* xdpcap takes everything still in the rings when it stops */
		child_stop(&c);
		if (!WIFEXITED(c.status) || WEXITSTATUS(c.status))
			die("xdpcap failed:\n%s", c.log);
		if (!log_count(c.log, "packets written", &r->captured) ||
		    !log_count(c.log, "packets lost (capture ring full)", &r->lost) ||
		    !log_count(c.log, "packets received at the hook", &r->hook_received))
			die("cannot read xdpcap's summary:\n%s", c.log);
		r->reader_ns = r->captured ? rusage_ns(&c.ru) / (double)r->captured : 0;
		r->reader_cpu = rusage_ns(&c.ru) / (s.seconds * 1e9);
		break;
	case TOOL_TCPDUMP:
		/*
		 * tcpdump stops reading at SIGINT: let it empty its ring first.
		 * Its TPACKET_V3 blocks reach it when full or after its 1 s
		 * timeout, so the last one takes up to a second.
		 */
		sleep_s(1.5);
		wait_file_settles(path);
		child_stop(&c);
		if (!log_count(c.log, "packets captured", &r->captured) ||
		    !log_count(c.log, "packets dropped by kernel", &r->lost))
			die("cannot read tcpdump's summary:\n%s", c.log);
		r->reader_ns = r->captured ? rusage_ns(&c.ru) / (double)r->captured : 0;
		r->reader_cpu = rusage_ns(&c.ru) / (s.seconds * 1e9);
		break;
	case TOOL_LIB:
		lib_stop(&lc, r);
		r->reader_cpu /= s.seconds * 1e9;
		break;
	}
	if (cell->tool != TOOL_NONE) {
		uint64_t bytes = cell->tool == TOOL_LIB && (cell->reader == READER_NULL ||
							    cell->reader == READER_COUNT) ?
				 0 : file_size(path);

		r->file_mbps = (double)bytes / s.seconds / 1e6;
		r->missing = r->sent > r->captured ? r->sent - r->captured : 0;
		if (cfg.capinfos && bytes) {
			r->capinfos = capinfos_count(path);
			if (r->capinfos != r->captured)
				warn("%s: capinfos counts %" PRIu64 " packets, the summary %" PRIu64,
				     sc->name, r->capinfos, r->captured);
		}
		if ((cell->tool == TOOL_XDPCAP || cell->tool == TOOL_LIB) &&
		    r->hook_received != r->sent)
			warn("%s: %" PRIu64 " frames sent, %" PRIu64 " reached the hook's slot",
			     sc->name, r->sent, r->hook_received);
		unlink(path);
	}
	r->ok = true;
	cell->n++;
}

static void cell_finish(struct cell *cell)
{
	double v[8][MAX_RUNS];
	unsigned int n = cell->n;

	for (unsigned int i = 0; i < n; i++) {
		const struct run *r = &cell->runs[i];

		v[0][i] = r->rate;
		v[1][i] = r->busy_ns;
		v[2][i] = (double)r->captured;
		v[3][i] = (double)r->lost;
		v[4][i] = (double)r->missing;
		v[5][i] = r->file_mbps;
		v[6][i] = r->reader_ns;
		v[7][i] = r->reader_cpu;
	}
	cell->med.rate = median(v[0], n);
	cell->med.busy_ns = median(v[1], n);
	cell->med.captured = (uint64_t)median(v[2], n);
	cell->med.lost = (uint64_t)median(v[3], n);
	cell->med.missing = (uint64_t)median(v[4], n);
	cell->med.file_mbps = median(v[5], n);
	cell->med.reader_ns = median(v[6], n);
	cell->med.reader_cpu = median(v[7], n);
	for (unsigned int i = 0; i < n; i++) {
		const struct run *r = &cell->runs[i];
		uint64_t seen = r->captured + r->lost;

		v[0][i] = seen ? (double)r->lost / (double)seen : 0;
		v[1][i] = r->sent ? (double)r->missing / (double)r->sent : 0;
	}
	cell->loss_frac = median(v[0], n);
	cell->missing_frac = median(v[1], n);
}

/* --- the live-capture table -------------------------------------------------- */

static struct scenario scenarios[6];
size_t n_scenarios;

void make_scenarios(void)
{
	static char names[6][64];
	const struct { unsigned int action; uint32_t len; bool paced; } defs[] = {
		{ XDP_DROP, SMALL_FRAME, true },
		{ XDP_DROP, SMALL_FRAME, false },
		{ XDP_DROP, LARGE_FRAME, true },
		{ XDP_DROP, LARGE_FRAME, false },
		{ XDP_PASS, SMALL_FRAME, false },
		{ XDP_PASS, LARGE_FRAME, false },
	};

	for (size_t i = 0; i < ARRAY_SIZE(defs); i++) {
		struct scenario *sc = &scenarios[n_scenarios];
		double target = !defs[i].paced ? 0 :
				defs[i].len == SMALL_FRAME ? cfg.rate_small : cfg.rate_large;

		snprintf(names[i], sizeof(names[i]), "%s %u B %s",
			 defs[i].action == XDP_DROP ? "dropped" : "passed",
			 defs[i].len, target > 0 ? "paced" : "full speed");
		if (cfg.only && !strstr(names[i], cfg.only))
			continue;
		*sc = (struct scenario){
			.name = names[i],
			.action = defs[i].action,
			.len = defs[i].len,
			.target = target,
			.tcpdump = defs[i].action == XDP_PASS,
		};
		n_scenarios++;
	}
}

/* The cell of the scenario and tool with the default ring. */
struct cell *find_cell(struct cell *cells, size_t n, const struct scenario *sc,
		       enum tool tool)
{
	for (size_t i = 0; i < n; i++)
		if (cells[i].sc == sc && cells[i].tool == tool && !cells[i].ring_kib &&
		    !cells[i].direct_copy && !cells[i].max_rate && !cells[i].writer)
			return &cells[i];
	return NULL;
}

void run_live(const struct sender *snd, int hook_fd, struct live_results *out)
{
	struct cell *cells = xcalloc(n_scenarios * 8, sizeof(*cells));
	XDPCAP_OPTS(xdpcap_kernel, kernel);
	size_t n = 0;
	unsigned int run_no = 0;

	/* the direct copy side by side where it is not the kernel's own */
	xdpcap_kernel_probe(&kernel, NULL);
	for (size_t i = 0; i < n_scenarios; i++) {
		cells[n++] = (struct cell){ .sc = &scenarios[i], .tool = TOOL_NONE };
		cells[n++] = (struct cell){ .sc = &scenarios[i], .tool = TOOL_XDPCAP };
		/* the writers side by side where the disk is what limits */
		if (scenarios[i].len == LARGE_FRAME) {
			cells[n++] = (struct cell){ .sc = &scenarios[i], .tool = TOOL_XDPCAP,
						    .writer = "buffered" };
			cells[n++] = (struct cell){ .sc = &scenarios[i], .tool = TOOL_XDPCAP,
						    .writer = "inline" };
		}
		if (kernel.copy == XDPCAP_COPY_LOAD_BYTES && kernel.bounded_loops)
			cells[n++] = (struct cell){ .sc = &scenarios[i], .tool = TOOL_XDPCAP,
						    .direct_copy = true };
		/* a rate cap on a flood: what the XDP path pays for packets left out */
		if (scenarios[i].action == XDP_DROP && scenarios[i].len == SMALL_FRAME &&
		    scenarios[i].target > 0)
			cells[n++] = (struct cell){ .sc = &scenarios[i], .tool = TOOL_XDPCAP,
						    .max_rate = CAPPED_RATE };
		/* xdpcap's default ring is as large as tcpdump's -B 65536 */
		if (scenarios[i].tcpdump)
			cells[n++] = (struct cell){ .sc = &scenarios[i], .tool = TOOL_TCPDUMP };
	}
	for (unsigned int k = 0; k < cfg.runs; k++) {
		for (size_t i = 0; i < n; i++) {
			/* alternate the order of the tools of a scenario */
			size_t j = i;

			if (k % 2) {
				size_t first = i, last = i;

				while (first > 0 && cells[first - 1].sc == cells[i].sc)
					first--;
				while (last + 1 < n && cells[last + 1].sc == cells[i].sc)
					last++;
				j = first + last - i;
			}
			if (cells[j].tool == TOOL_NONE)
				check_slots_empty(hook_fd);
			progress("run %u/%u: %s, capture: %s", k + 1, cfg.runs,
				 cells[j].sc->name, tool_name(&cells[j]));
			run_one(snd, &cells[j], run_no++, cfg.seconds);
		}
	}
	for (size_t i = 0; i < n; i++)
		cell_finish(&cells[i]);
	out->cells = cells;
	out->n = n;
}

/* --- experiments with the library ------------------------------------------ */

void run_experiments(const struct sender *snd, int hook_fd,
		     struct exp_results *out)
{
	static struct scenario exp_sc[2];
	static const enum reader others[] = {
		READER_BUSY, READER_QUEUE, READER_NULL, READER_COUNT,
	};
	size_t nsc = 0, n = 0;
	struct cell *cells;
	unsigned int run_no = 1000;

	/* the goal scenarios */
	exp_sc[nsc++] = (struct scenario){ "dropped 64 B paced", XDP_DROP, SMALL_FRAME, cfg.rate_small, false };
	exp_sc[nsc++] = (struct scenario){ "dropped 1500 B paced", XDP_DROP, LARGE_FRAME, cfg.rate_large, false };
	cells = xcalloc(nsc * (cfg.n_exp_rings + ARRAY_SIZE(others)), sizeof(*cells));
	for (size_t i = 0; i < nsc; i++) {
		if (cfg.only && !strstr(exp_sc[i].name, cfg.only))
			continue;
		for (unsigned int r = 0; r < cfg.n_exp_rings; r++)
			cells[n++] = (struct cell){ .sc = &exp_sc[i], .tool = TOOL_LIB,
						    .reader = READER_FILE,
						    .ring_kib = cfg.exp_rings[r] };
		for (size_t r = 0; r < ARRAY_SIZE(others); r++)
			cells[n++] = (struct cell){ .sc = &exp_sc[i], .tool = TOOL_LIB,
						    .reader = others[r], .ring_kib = 4096 };
	}
	for (unsigned int k = 0; k < cfg.exp_runs; k++)
		for (size_t i = 0; i < n; i++) {
			size_t j = k % 2 ? n - 1 - i : i;

			check_slots_empty(hook_fd);
			progress("experiment run %u/%u: %s, %s, ring %u KiB", k + 1,
				 cfg.exp_runs, cells[j].sc->name, tool_name(&cells[j]),
				 cells[j].ring_kib);
			run_one(snd, &cells[j], run_no++, cfg.exp_seconds);
		}
	for (size_t i = 0; i < n; i++)
		cell_finish(&cells[i]);
	out->cells = cells;
	out->n = n;
}
