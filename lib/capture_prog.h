/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * The capture program that goes into one slot of a hook: count the packet,
 * run the filter, copy a match to user space with its metadata, return the
 * slot's action. Not installed.
 */
#ifndef XDPCAP_CAPTURE_PROG_H
#define XDPCAP_CAPTURE_PROG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/bpf.h>

#include "xdpcap/filter.h"

/*
 * What a capture program sends to user space before the packet bytes
 * (bpf_perf_event_output appends them). Kernel and user space share it.
 * The time is the kernel's own: the ring's sample time follows the wall
 * clock on some systems whatever clock is asked for.
 */
struct capture_record {
	uint64_t ts_mono_ns;	/* bpf_ktime_get_ns(), CLOCK_MONOTONIC */
	uint32_t wirelen;	/* full length, fragments included */
	uint32_t caplen;	/* bytes that follow (the ring pads them) */
	uint32_t ifindex;
	uint32_t rx_queue;
	uint32_t action;
	uint32_t zero;		/* written, so no stack byte leaks out */
};

/* Per-CPU counters of a slot, one array entry per action. */
struct capture_counters {
	uint64_t received;	/* packets that reached the slot */
	uint64_t matched;	/* packets the filter accepted */
	uint64_t dropped;	/* matched but the ring was full */
};

/*
 * Stack use: the filter's scratch words are at -64..-1 and the record
 * below them. The filter reads the wire length from the record, and the
 * counters' key is the record's action.
 */
#define CAPTURE_RECORD_OFF (-96)
#define CAPTURE_WIRELEN_OFF (CAPTURE_RECORD_OFF + (int)offsetof(struct capture_record, wirelen))
#define CAPTURE_KEY_OFF (CAPTURE_RECORD_OFF + (int)offsetof(struct capture_record, action))

/* bpf_perf_event_output takes at most this much packet per record. */
#define CAPTURE_MAX_CAPLEN 65000u

/* How a program must be loaded to be accepted into a hook. */
struct capture_prog_kind {
	enum bpf_attach_type expected_attach_type; /* BPF_XDP or 0 */
	bool frags;			/* BPF_F_XDP_HAS_FRAGS */
};

struct capture_prog_spec {
	/*
	 * With wirelen_off = CAPTURE_WIRELEN_OFF, from cBPF compiled for a
	 * snap length of at most CAPTURE_MAX_CAPLEN
	 */
	const struct xdpcap_ebpf *filter;
	bool result_unbounded;	/* the cBPF returns A: clamp the result */
	unsigned int action;
	uint32_t snaplen;
	int perf_map_fd;
	int counters_map_fd;
	struct capture_prog_kind kind;
	const char *name;		   /* "xdpcap_<pid>" */
};

/*
 * Find how the hook's owner was loaded: the kernel accepts into a program
 * array only programs of the same type, expected attach type (6.17+) and
 * frags awareness as the first program that used it. A probe program that
 * merely refers to the hook is checked against it at load time, without
 * ever touching a slot. Returns 0 or -errno with a message.
 */
int capture_prog_probe_kind(int hook_fd, struct capture_prog_kind *kind,
			    char *errbuf);

/* Build and load a capture program; returns its fd or -errno. */
int capture_prog_load(const struct capture_prog_spec *spec, char **log,
		      size_t *insn_count, char *errbuf);

#endif
