// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/* A capture's counters, read from the areas map, and its accessors. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "capture_int.h"
#include "opts.h"
#include "util.h"

int capture_read_stats(struct xdpcap_capture *cap, struct xdpcap_capture_stats *st)
{
	memset(st, 0, sizeof(*st));
	st->sz = sizeof(*st);
	st->delivered = cap->delivered;
	st->start_ns = cap->start_ns;
	st->end_ns = cap->end_ns;
	if (!cap->areas)
		return -EINVAL;
	for (uint32_t c = 0; c < cap->layout.ncpus; c++) {
		const uint8_t *area = cap->areas + (size_t)c * cap->layout.stride;

		for (uint32_t a = 0; a < XDPCAP_ACTIONS; a++) {
			const volatile struct capture_counters *cnt =
				(const volatile void *)(area + a * sizeof(struct capture_counters));

			st->received[a] += cnt->received;
			st->matched[a] += cnt->matched;
			st->dropped[a] += cnt->dropped;
			st->skipped[a] += cnt->skipped;
		}
		{
			const volatile struct capture_counters *cnt =
				(const volatile void *)(area + XDPCAP_SLOT_ENTRY *
							sizeof(struct capture_counters));

			st->entry_received += cnt->received;
			st->entry_matched += cnt->matched;
			st->entry_dropped += cnt->dropped;
			st->entry_failed += cnt->failed;
			st->entry_skipped += cnt->skipped;
		}
	}
	return 0;
}

int xdpcap_capture_stats(struct xdpcap_capture *cap, struct xdpcap_capture_stats *stats)
{
	struct xdpcap_capture_stats full;
	int err = capture_read_stats(cap, &full);

	return opts_out(stats, &full, sizeof(full)) ?: err;
}

unsigned int xdpcap_capture_rings(const struct xdpcap_capture *cap)
{
	return cap->n_rings;
}

uint64_t xdpcap_capture_ring_records(const struct xdpcap_capture *cap,
				     unsigned int ring)
{
	return ring < cap->n_rings ? cap->ring_records[ring] : 0;
}

int xdpcap_capture_fd(const struct xdpcap_capture *cap)
{
	return cap->ring_open ? capture_rings_fd(cap) : -1;
}

const struct xdpcap_hook *xdpcap_capture_hook(const struct xdpcap_capture *cap)
{
	return &cap->hook;
}

unsigned int xdpcap_capture_actions(const struct xdpcap_capture *cap)
{
	return cap->actions;
}

void capture_stats_add(struct xdpcap_capture_stats *sum,
		       const struct xdpcap_capture_stats *st)
{
	for (unsigned int a = 0; a < XDPCAP_ACTIONS; a++) {
		sum->received[a] += st->received[a];
		sum->matched[a] += st->matched[a];
		sum->dropped[a] += st->dropped[a];
		sum->skipped[a] += st->skipped[a];
	}
	sum->delivered += st->delivered;
	sum->entry_received += st->entry_received;
	sum->entry_matched += st->entry_matched;
	sum->entry_dropped += st->entry_dropped;
	sum->entry_failed += st->entry_failed;
	sum->entry_skipped += st->entry_skipped;
	if (st->start_ns && (!sum->start_ns || st->start_ns < sum->start_ns))
		sum->start_ns = st->start_ns;
	if (st->end_ns > sum->end_ns)
		sum->end_ns = st->end_ns;
}

void xdpcap_capture_stats_add(struct xdpcap_capture_stats *sum,
			      const struct xdpcap_capture_stats *st)
{
	struct xdpcap_capture_stats s, t;

	opts_in(&s, sizeof(s), sum);
	opts_in(&t, sizeof(t), st);
	capture_stats_add(&s, &t);
	opts_out(sum, &s, sizeof(s));
}

bool xdpcap_capture_entry(const struct xdpcap_capture *cap)
{
	return cap->entry;
}

const char *xdpcap_capture_filter(const struct xdpcap_capture *cap)
{
	return cap->filter;
}

uint32_t xdpcap_capture_snaplen(const struct xdpcap_capture *cap)
{
	return cap->snaplen;
}

size_t xdpcap_capture_prog_insns(const struct xdpcap_capture *cap,
				 unsigned int action)
{
	return action < XDPCAP_SLOTS ? cap->prog_insns[action] : 0;
}
