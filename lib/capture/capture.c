// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * A running capture's packets: the rings' records handed to the caller
 * as struct xdpcap_packet, and the stop that empties the slots and
 * delivers what was still in the ring.
 */
#include <poll.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "capture_int.h"
#include "clock.h"
#include "util.h"

/*
 * After the ring wakes us, let packets gather this long before reading:
 * the kernel wakes the reader only when it had read everything, so a
 * reader that came back at once would be woken for nearly every packet,
 * at a cost to the XDP path of microseconds each.
 */
#define WAKEUP_GATHER_US 1000
/* At the end, how long to wait for records still being written. */
#define STOP_DRAIN_MAX_NS (100 * 1000000ull)

/* The program's one map of that type, if it has one, NULL otherwise. */
static const struct hook_program_target_map *target_map(const struct xdpcap_capture *cap,
							uint32_t type)
{
	const struct hook_program_target_map *found = NULL;

	if (cap->n_target_maps > (int)ARRAY_SIZE(cap->target_maps))
		return NULL;
	for (int i = 0; i < cap->n_target_maps; i++)
		if (cap->target_maps[i].type == type) {
			if (found)
				return NULL;
			found = &cap->target_maps[i];
		}
	return found;
}

/* A record: struct capture_record, then the packet. */
static int on_ring_record(void *ctx, const void *data, uint32_t size)
{
	struct xdpcap_capture *cap = ctx;
	struct capture_record rec;
	struct xdpcap_packet pkt;

	if (size < sizeof(rec))
		return 0;
	memcpy(&rec, data, sizeof(rec));
	pkt = (struct xdpcap_packet){
		.ts_ns = rec.ts_mono_ns + (uint64_t)cap->realtime_offset_ns,
		.caplen = rec.caplen < size - sizeof(rec) ?
			  rec.caplen : (uint32_t)(size - sizeof(rec)),
		.wirelen = rec.wirelen,
		.ifindex = rec.ifindex,
		.rx_queue = rec.rx_queue,
		.action = rec.slot,
		.data = (const uint8_t *)data + sizeof(rec),
		.packet_id = rec.packet_id,
		.redirect = rec.redirect.pending ? &rec.redirect : NULL,
	};
	if (pkt.redirect && rec.redirect.map_type) {
		const struct hook_program_target_map *m = target_map(cap, rec.redirect.map_type);

		if (m) {
			pkt.redirect_map_id = m->id;
			pkt.redirect_map_name = m->name;
		}
	}
	cap->delivered++;
	if (cap->fn && cap->fn(&pkt, cap->fn_ctx)) {
		cap->fn_stop = true;
		return 1;
	}
	return 0;
}

/* Deliver what the ring holds; returns how many or -errno. */
static int drain(struct xdpcap_capture *cap, xdpcap_packet_fn fn, void *ctx)
{
	uint64_t before = cap->delivered;

	cap->fn = fn;
	cap->fn_ctx = ctx;
	cap->fn_stop = false;
	capture_rings_consume(cap, on_ring_record, cap);
	cap->fn = NULL;
	return (int)(cap->delivered - before);
}

int xdpcap_capture_poll(struct xdpcap_capture *cap, int timeout_ms,
			xdpcap_packet_fn fn, void *ctx)
{
	struct pollfd pfd = { .fd = capture_rings_fd(cap), .events = POLLIN };
	int n;

	if (!cap->ring_open)
		return -EINVAL;
	if (cap->started && !cap->stopped && !cap->traced)
		capture_repair(cap);
	if (cap->notice && cap->started && !cap->stopped && !cap->traced)
		hook_watch_check(&cap->watch, &cap->hook, clock_ns(CLOCK_MONOTONIC),
				 cap->notice, cap->notice_ctx);
	n = drain(cap, fn, ctx);
	if (n != 0 || !timeout_ms)
		return n;
	/* nothing left: sleep until the kernel wakes us, then let more come */
	n = poll(&pfd, 1, timeout_ms);
	if (n < 0)
		return -errno;
	if (n == 0)
		return 0;
	if (usleep(WAKEUP_GATHER_US) && errno == EINTR) {
		n = drain(cap, fn, ctx);
		return n ? n : -EINTR;
	}
	return drain(cap, fn, ctx);
}

/*
 * Emptying a slot does not wait for a program that was already running
 * from it: capture_wait_for_running_programs() does.
 */
int xdpcap_capture_stop(struct xdpcap_capture *cap, xdpcap_packet_fn fn,
			void *ctx)
{
	struct capture_holding h;

	if (!cap->started || cap->stopped)
		return 0;
	cap->stopped = true;
	capture_say_chains(cap);
	/*
	 * Empty the slots before reading the rest: ourselves if we may, and
	 * the guard, which keeps the privileges we may have dropped.
	 */
	if (cap->traced) {
		capture_trace_detach(cap);
	} else {
		h = capture_holding(cap, cap->lock_fd);
		capture_clear_slots(&h);
		capture_guard_stop(&cap->guard);
	}
	capture_wait_for_running_programs();
	cap->end_ns = clock_ns(CLOCK_REALTIME);
	/* what the programs wrote before they left the slots */
	cap->fn_stop = false;
	if (cap->ring_open && fn) {
		uint64_t give_up = clock_ns(CLOCK_MONOTONIC) + STOP_DRAIN_MAX_NS;

		/* one call reads at most a ring's worth; a record still
		 * being written holds back those after it for a moment */
		while (!cap->fn_stop && capture_rings_pending(cap)) {
			if (drain(cap, fn, ctx) > 0)
				continue;
			if (clock_ns(CLOCK_MONOTONIC) > give_up)
				break;
			usleep(100);
		}
	}
	return 0;
}
