/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * The capture program that goes into one slot of a hook: count the packet,
 * run the filter, copy a match to user space with its metadata, return the
 * slot's action. Not installed.
 */
#ifndef XDPCAP_CAPTURE_PROG_H
#define XDPCAP_CAPTURE_PROG_H

#include <stdint.h>
#include <linux/bpf.h>

#include "xdpcap/filter.h"

/*
 * What a capture program sends to user space before the packet bytes
 * (bpf_perf_event_output appends them). Kernel and user space share it.
 */
struct capture_record {
	uint64_t ts_mono_ns;	/* bpf_ktime_get_ns() */
	uint32_t wirelen;	/* full length, fragments included */
	uint32_t caplen;	/* bytes that follow */
	uint32_t ifindex;
	uint32_t rx_queue;
	uint32_t action;
	uint32_t pad;
};

/* Per-CPU counters of a slot, one array entry per action. */
struct capture_counters {
	uint64_t received;	/* packets that reached the slot */
	uint64_t matched;	/* packets the filter accepted */
	uint64_t dropped;	/* matched but the ring was full */
};

/* Stack use of the capture program (the filter's scratch is -64..-1). */
#define CAPTURE_WIRELEN_OFF (-68)
#define CAPTURE_KEY_OFF (-72)
#define CAPTURE_RECORD_OFF (-104)

/* bpf_perf_event_output takes at most this much packet per record. */
#define CAPTURE_MAX_CAPLEN 65000u

/* How a program must be loaded to be accepted into a hook. */
struct capture_prog_kind {
	enum bpf_attach_type expected_attach_type; /* BPF_XDP or 0 */
	bool frags;			/* BPF_F_XDP_HAS_FRAGS */
};

struct capture_prog_spec {
	const struct xdpcap_ebpf *filter;  /* with wirelen_off = CAPTURE_WIRELEN_OFF */
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
