// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * Per-packet costs: the hook (BPF_PROG_TEST_RUN with repeat) and a copy
 * of the frame into a ring, the least a capture can add.
 */

#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "bench_capture.h"

/* --- hook cost (BPF_PROG_TEST_RUN with repeat, not live) ------------------- */

enum { HC_EMPTY, HC_NOHOOK, HC_EXIT_ONLY, HC_HOOK, HC_TRIVIAL, HC_CAPTURE,
       HC_ENTRY_CAPTURE, HC_CAPPED, HC_SHARED, HC_N };
#define HC_PHASES 6

static double run_ns(int fd, const struct frame *f, uint32_t repeat)
{
	LIBBPF_OPTS(bpf_test_run_opts, opts,
		.data_in = f->data,
		.data_size_in = f->len,
		.repeat = repeat,
	);

	if (bpf_prog_test_run_opts(fd, &opts))
		die("BPF_PROG_TEST_RUN failed: %s", strerror(errno));
	return opts.duration;
}

/*
 * Each round times the three programs on the frame, in an order that
 * rotates from round to round; a program's cost is the mean of the middle
 * half of its rounds.
 */
static void time_three(const int fds[3], const struct frame *f, double out[3])
{
	unsigned int rounds = cfg.hook_rounds;
	double *v[3];

	for (int p = 0; p < 3; p++)
		v[p] = xcalloc(rounds, sizeof(double));
	for (int p = 0; p < 3; p++)
		run_ns(fds[p], f, cfg.hook_repeat / 10 + 1);	/* warm up */
	for (unsigned int k = 0; k < rounds; k++)
		for (int i = 0; i < 3; i++) {
			int p = (int)((i + k) % 3);

			v[p][k] = run_ns(fds[p], f, cfg.hook_repeat);
		}
	for (int p = 0; p < 3; p++) {
		out[p] = trimmed_mean(v[p], rounds);
		free(v[p]);
	}
}

/*
 * Six phases, each with its own empty and no-hook references: the
 * hook's slots empty; every slot holding the empty program (the tail call
 * alone); a capture of every action with a filter that matches nothing;
 * the same at entry too (the entry program runs the demo again); a capture
 * of everything under a rate cap; two captures sharing the slots.
 * In the first, the demo without xdpcap_enter() is timed against the demo
 * too: what the entry hook adds while nobody captures.
 */
void measure_hook_cost(const struct progs *pg, struct hook_cost *hc)
{
	static const int which[HC_PHASES] = { HC_HOOK, HC_TRIVIAL, HC_CAPTURE, HC_ENTRY_CAPTURE,
					      HC_CAPPED, HC_SHARED };
	XDPCAP_OPTS(xdpcap_capture_opts, opts, .ring_kib = 64);
	XDPCAP_OPTS(xdpcap_capture_opts, entry_opts, .ring_kib = 64,
		.actions = ((1u << XDPCAP_ACTIONS) - 1) | (1u << XDPCAP_SLOT_ENTRY));
	XDPCAP_OPTS(xdpcap_capture_opts, capped_opts, .ring_kib = 64, .max_rate = 1);
	int fds[3] = { pg->empty_fd, pg->nohook_fd, pg->demo_fd };
	char errbuf[XDPCAP_ERRBUF_SIZE];
	struct xdpcap_capture *cap = NULL, *second = NULL;
	double t[3];

	check_slots_empty(pg->hook_fd);
	for (int phase = 0; phase < HC_PHASES; phase++) {
		if (phase == 1) {
			for (uint32_t a = 0; a < XDPCAP_ACTIONS; a++)
				if (bpf_map_update_elem(pg->hook_fd, &a, &pg->empty_fd, BPF_ANY))
					die("cannot put a program into the hook: %s",
					    strerror(errno));
		} else if (phase == 2) {
			for (uint32_t a = 0; a < XDPCAP_ACTIONS; a++)
				bpf_map_delete_elem(pg->hook_fd, &a);
			if (xdpcap_capture_open(hook_path, "udp port 7", &opts, &cap, errbuf) ||
			    xdpcap_capture_start(cap, errbuf))
				die("capture for the hook cost: %s", errbuf);
		} else if (phase == 3) {
			xdpcap_capture_stop(cap, NULL, NULL);
			xdpcap_capture_close(cap);
			if (xdpcap_capture_open(hook_path, "udp port 7", &entry_opts, &cap, errbuf) ||
			    xdpcap_capture_start(cap, errbuf))
				die("entry capture for the hook cost: %s", errbuf);
		} else if (phase == 4) {
			xdpcap_capture_stop(cap, NULL, NULL);
			xdpcap_capture_close(cap);
			if (xdpcap_capture_open(hook_path, "", &capped_opts, &cap, errbuf) ||
			    xdpcap_capture_start(cap, errbuf))
				die("capped capture for the hook cost: %s", errbuf);
		} else if (phase == 5) {
			xdpcap_capture_stop(cap, NULL, NULL);
			xdpcap_capture_close(cap);
			if (xdpcap_capture_open(hook_path, "udp port 7", &opts, &cap, errbuf) ||
			    xdpcap_capture_start(cap, errbuf) ||
			    xdpcap_capture_open(hook_path, "udp port 8", &opts, &second, errbuf) ||
			    xdpcap_capture_start(second, errbuf))
				die("two captures sharing the hook: %s", errbuf);
		}
		for (int fr = 0; fr < 2; fr++) {
			time_three(fds, &frames[fr][0], t);
			hc->empty_ns[fr][phase] = t[0];
			hc->nohook_ns[fr][phase] = t[1];
			hc->ns[fr][which[phase]] = t[2];
			if (phase)
				continue;
			time_three((const int[3]){ pg->empty_fd, pg->exit_only_fd, pg->demo_fd },
				   &frames[fr][0], t);
			hc->exit_only_ns[fr] = t[1];
			hc->with_entry_ns[fr] = t[2];
			hc->ns[fr][HC_EXIT_ONLY] = t[1];
			time_three((const int[3]){ pg->exit_only_fd, pg->enter_meta_fd, pg->demo_fd },
				   &frames[fr][0], t);
			hc->meta_exit_only_ns[fr] = t[0];
			hc->meta_ns[fr] = t[1];
			hc->flag_ns[fr] = t[2];
		}
	}
	xdpcap_capture_stop(second, NULL, NULL);
	xdpcap_capture_close(second);
	xdpcap_capture_stop(cap, NULL, NULL);
	xdpcap_capture_close(cap);
	for (int fr = 0; fr < 2; fr++) {
		hc->ns[fr][HC_EMPTY] = 0;
		hc->ns[fr][HC_NOHOOK] = 0;
		for (int phase = 0; phase < HC_PHASES; phase++) {
			hc->ns[fr][HC_EMPTY] += hc->empty_ns[fr][phase] / HC_PHASES;
			hc->ns[fr][HC_NOHOOK] += hc->nohook_ns[fr][phase] / HC_PHASES;
		}
	}
	hc->ok = true;
}

void print_hook_cost(const struct hook_cost *hc)
{
	static const char *const cols[] = {
		"program (64 B frame, test run with repeat)", "what",
		"dropped frame ns/run", "passed frame ns/run",
		"dropped: minus empty", "passed: minus empty",
	};
	static const char *const names[] = {
		"empty program", "demo logic without the hook",
		"demo with the exit hook only (no xdpcap_enter), slots empty",
		"demo with the hook (xdpcap_enter and xdpcap_exit), slots empty",
		"demo with the hook, slots hold a program that returns at once",
		"demo with the hook, capture attached, filter `udp port 7` (no match)",
		"demo with the hook, capture at entry and exit, filter `udp port 7` (no match)",
		"demo with the hook, capture of every packet, --max-rate 1 (all but one skipped)",
		"demo with the hook, two captures sharing it, `udp port 8` and `udp port 7` (no match)",
	};
	static const char *const what[] = {
		"test-run loop", "reference", "+ tail call to an empty slot",
		"+ rerun flag look, 2 tail calls to empty slots",
		"+ tail call to a program", "+ tail call, counters, filter",
		"+ entry: filter, mark, demo run again; exit: counters",
		"+ tail call, counters, time, token bucket",
		"+ 2 tail calls, counters, filter, twice",
	};
	static const int phase_of[] = { -1, -1, 0, 0, 1, 2, 3, 4, 5 };
	const char *b = cfg.markdown ? "- " : "";
	char v[4][32];

	table_start(cols, ARRAY_SIZE(cols));
	for (int p = 0; p < HC_N; p++) {
		snprintf(v[0], sizeof(v[0]), "%.2f", hc->ns[0][p]);
		snprintf(v[1], sizeof(v[1]), "%.2f", hc->ns[1][p]);
		snprintf(v[2], sizeof(v[2]), "%.2f", hc->ns[0][p] - hc->ns[0][HC_EMPTY]);
		snprintf(v[3], sizeof(v[3]), "%.2f", hc->ns[1][p] - hc->ns[1][HC_EMPTY]);
		row((const char *const[]){ names[p], what[p], v[0], v[1], v[2], v[3] }, 6);
	}
	printf("\n");
	/* each against the program without hook timed in the same phase */
	for (int p = HC_EXIT_ONLY; p <= HC_SHARED; p++)
		printf("%s%s: %.2f ns (dropped frame) and %.2f ns (passed frame) more than the demo logic without the hook\n",
		       b, names[p],
		       hc->ns[0][p] - hc->nohook_ns[0][phase_of[p]],
		       hc->ns[1][p] - hc->nohook_ns[1][phase_of[p]]);
	printf("%sthe entry hook (xdpcap_enter) while nobody captures: %.2f ns (dropped frame) and %.2f ns (passed frame), the demo against the demo without it, timed together\n",
	       b, hc->with_entry_ns[0] - hc->exit_only_ns[0],
	       hc->with_entry_ns[1] - hc->exit_only_ns[1]);
	printf("%sthe entry hook while nobody captures, timed together with the demo without it: per-CPU entry state (today) %.2f / %.2f ns, XDP metadata mark (0.1) %.2f / %.2f ns (dropped / passed frame); the state costs %.2f / %.2f ns more\n",
	       b, hc->flag_ns[0] - hc->meta_exit_only_ns[0], hc->flag_ns[1] - hc->meta_exit_only_ns[1],
	       hc->meta_ns[0] - hc->meta_exit_only_ns[0], hc->meta_ns[1] - hc->meta_exit_only_ns[1],
	       hc->flag_ns[0] - hc->meta_ns[0], hc->flag_ns[1] - hc->meta_ns[1]);
}

/* --- the copy reference ------------------------------------------------------ */

/*
 * What copying a record and a frame into a ring costs by itself: memcpy
 * on the sender's CPU into a 4 MiB ring, ns per frame.
 */
double copy_ns(uint32_t len)
{
	uint8_t *ring = xcalloc(1, COPY_RING_BYTES);
	uint8_t rec[CAPTURE_RECORD_BYTES] = { 0 };
	const uint8_t *src = frames[0][len == LARGE_FRAME].data;
	size_t step = (CAPTURE_RECORD_BYTES + len + 8 + 7) & ~(size_t)7, off = 0;
	unsigned int n = 2000000;
	double t0, best = INFINITY;

	for (int round = 0; round < 5; round++) {
		t0 = now_ns();
		for (unsigned int i = 0; i < n; i++) {
			if (off + step > COPY_RING_BYTES)
				off = 0;
			memcpy(ring + off, rec, sizeof(rec));
			memcpy(ring + off + sizeof(rec), src, len);
			off += step;
		}
		t0 = (now_ns() - t0) / n;
		if (t0 < best)
			best = t0;
	}
	__asm__ volatile("" : : "r"(ring) : "memory");
	free(ring);
	return best;
}

/*
 * The same copy into a ring that a thread on another CPU reads, every
 * byte, as a capture's reader must: the cache lines move to that CPU and
 * back. The writer publishes its position once per 64 frames and waits
 * when the ring is full; only its copying is timed.
 */
struct shared_ring {
	uint8_t *buf;
	size_t step, slots;
	_Atomic uint64_t head, tail;	/* in frames */
	_Atomic int stop;
	uint64_t sum;
};

static void *shared_ring_reader(void *arg)
{
	struct shared_ring *r = arg;
	uint64_t t = 0, sum = 0;

	for (;;) {
		uint64_t h = atomic_load_explicit(&r->head, memory_order_acquire);

		if (t == h) {
			if (atomic_load_explicit(&r->stop, memory_order_acquire))
				break;
			continue;
		}
		for (; t < h; t++) {
			const uint64_t *p = (const uint64_t *)(r->buf + (t % r->slots) * r->step);

			for (size_t i = 0; i < r->step / 8; i++)
				sum += p[i];
		}
		atomic_store_explicit(&r->tail, t, memory_order_release);
	}
	r->sum = sum;
	return NULL;
}

double copy_ns_shared(uint32_t len)
{
	struct shared_ring r = { 0 };
	uint8_t rec[CAPTURE_RECORD_BYTES] = { 0 };
	const uint8_t *src = frames[0][len == LARGE_FRAME].data;
	unsigned int n = len == LARGE_FRAME ? 1000000 : 4000000;
	pthread_attr_t attr;
	pthread_t thread;
	double busy = 0;
	uint64_t h = 0;

	r.step = (CAPTURE_RECORD_BYTES + len + 8 + 7) & ~(size_t)7;
	r.slots = COPY_RING_BYTES / r.step;
	r.buf = xcalloc(r.slots, r.step);
	pthread_attr_init(&attr);
	pthread_attr_setaffinity_np(&attr, sizeof(reader_cpus), &reader_cpus);
	if (pthread_create(&thread, &attr, shared_ring_reader, &r))
		die("pthread_create failed");
	pthread_attr_destroy(&attr);
	while (h < n) {
		double t0;

		while (h + 64 - atomic_load_explicit(&r.tail, memory_order_acquire) > r.slots)
			;
		t0 = now_ns();
		for (int i = 0; i < 64; i++, h++) {
			uint8_t *dst = r.buf + (h % r.slots) * r.step;

			memcpy(dst, rec, sizeof(rec));
			memcpy(dst + sizeof(rec), src, len);
		}
		atomic_store_explicit(&r.head, h, memory_order_release);
		busy += now_ns() - t0;
	}
	atomic_store_explicit(&r.stop, 1, memory_order_release);
	pthread_join(thread, NULL);
	free(r.buf);
	return busy / (double)h;
}
