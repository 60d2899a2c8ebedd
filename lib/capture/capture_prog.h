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

#include "xdpcap/capture.h"
#include "xdpcap/filter.h"
#include "xdpcap/kernel.h"
#include "trace_target.h"

/*
 * What a capture program sends to user space before the packet bytes, as
 * one ring buffer record. Kernel and user space share it. The time is the
 * kernel's own monotonic clock; user space turns it into epoch time.
 */
struct capture_record {
	uint64_t ts_mono_ns;	/* bpf_ktime_get_ns(), CLOCK_MONOTONIC */
	uint32_t wirelen;	/* full length, fragments included */
	uint32_t caplen;	/* bytes that follow */
	uint32_t ifindex;
	uint32_t rx_queue;
	uint32_t slot;		/* the XDP action, or XDPCAP_SLOT_ENTRY */
	uint32_t zero;		/* never written: the map starts zeroed */
	uint64_t packet_id;	/* 0: none (no entry capture) */
	/* a redirect through xdpcap_redirect_map(): its note, as the
	 * program left it (bpf/xdpcap_hook.h); .pending 0: none */
	struct xdpcap_redirect_info redirect;
};

/* Counters of one slot on one CPU. */
struct capture_counters {
	uint64_t received;	/* packets that reached the slot */
	uint64_t matched;	/* packets the filter accepted */
	uint64_t dropped;	/* matched but the ring was full */
	uint64_t failed;	/* entry: the program could not be run again */
	uint64_t skipped;	/* matched, but left out by --sample or --max-rate */
};

/*
 * An entry capture's state on one CPU: the packet now between entry and
 * exit, and how many packets it numbered. Packet ids are count * ncpus +
 * cpu + 1, unique on every CPU, and never 0.
 */
struct capture_entry_state {
	uint64_t current_id;	/* the entry matched this packet; 0: it did not */
	uint64_t count;
};

/*
 * Sampling and the rate cap on one CPU: matches seen, and a token bucket
 * in units of 1/(ncpus * 10^9) packet, filled with the rate per
 * nanosecond, so that each CPU gets an equal share of the rate.
 */
struct capture_limit_state {
	uint64_t seen;
	uint64_t tokens;
	uint64_t last_ns;
};

/*
 * Each CPU owns an area of the capture's one-element array map, which
 * the programs address directly (no lookup) and user space maps to read
 * the counters without a system call, so after dropping privileges too:
 *
 *   0                  struct capture_counters[XDPCAP_SLOTS]
 *   entry_off          struct capture_entry_state, capture_limit_state
 *   record_off         the record being built, then the packet copy
 *   stride             the next CPU's area (cache-line aligned)
 *
 * (Instruction offsets are 16-bit: the counters come first so that they
 * stay within reach of a pointer to the record.)
 *
 * The packet is copied into the area (bpf_xdp_load_bytes, fragments
 * included, or a loop over the first buffer where the kernel lacks it)
 * and from there into the ring in one record: a ring reservation must
 * have a size known when the program is verified.
 */
struct capture_area_layout {
	uint32_t max_caplen;	/* packet bytes an area holds */
	uint32_t record_off;
	uint32_t stride;
	uint32_t ncpus;
};

/*
 * Lay out areas for ncpus CPUs holding up to want_caplen packet bytes,
 * fewer if the map would exceed the kernel's largest array value.
 */
void capture_area_layout(uint32_t want_caplen, uint32_t ncpus,
			 struct capture_area_layout *layout);

/* Stack use: the filter's scratch words are at -64..-1, the wire length
 * below them, where the filter reads it, and a map key below that. */
#define CAPTURE_WIRELEN_OFF (-68)
#define CAPTURE_KEY_OFF (-72)
/* The entry state follows the counters. */
#define CAPTURE_ENTRY_OFF (XDPCAP_SLOTS * sizeof(struct capture_counters))
#define CAPTURE_LIMIT_OFF (CAPTURE_ENTRY_OFF + sizeof(struct capture_entry_state))

/* The ring takes at most this much packet per record. */
#define CAPTURE_MAX_CAPLEN 65000u

/* A capture's rings, at most: a CPU writes to ring (CPU % rings). */
#define CAPTURE_MAX_RINGS 8

/* How a program must be loaded to be accepted into a hook. */
struct capture_prog_kind {
	enum bpf_attach_type expected_attach_type; /* BPF_XDP or 0 */
	bool frags;			/* BPF_F_XDP_HAS_FRAGS */
};

/* A capture of an XDP program without a hook: a tracing program on it. */
enum capture_trace {
	CAPTURE_TRACE_NONE,	/* a slot of a hook */
	CAPTURE_TRACE_ENTRY,	/* fentry: each packet as it arrives */
	CAPTURE_TRACE_EXIT,	/* fexit: each packet as it leaves, any verdict */
};

struct capture_prog_spec {
	/*
	 * With wirelen_off = CAPTURE_WIRELEN_OFF, from cBPF compiled for a
	 * snap length of at most layout.max_caplen
	 */
	const struct xdpcap_ebpf *filter;
	bool result_unbounded;	/* the cBPF may return more than max_caplen */
	unsigned int action;	/* the slot: an action, or XDPCAP_SLOT_ENTRY */
	/*
	 * The capture has an entry program: it runs the filter, numbers the
	 * packets it matched, and the exit programs write just those, with
	 * their numbers, and no filter of their own.
	 */
	bool at_entry;
	int hook_fd;		/* entry: the hook, to run the program again */
	/* entry: the program's per-CPU entry states (xdpcap_entry), or -1
	 * for a program built with xdpcap_hook.h 0.1, whose packets are
	 * marked in their XDP metadata instead */
	int entry_map_fd;
	int notes_map_fd;	/* exits: the program's redirect notes, or -1 */
	/* exits: the capture's next map (slot_chain.h), tail-called at the
	 * end to run the captures that share the slot; -1: none */
	int next_map_fd;
	/* of the packets the filter matched, keep 1 in sample (0 or 1: all),
	 * and at most max_rate a second in all (0: no cap) */
	uint32_t sample;
	uint32_t max_rate;
	bool coarse_time;	/* the rate cap reads bpf_ktime_get_coarse_ns */
	int ring_map_fds[CAPTURE_MAX_RINGS];	/* BPF_MAP_TYPE_RINGBUF */
	unsigned int n_rings;
	int areas_map_fd;	/* the CPUs' areas, laid out as layout says */
	/* prog_owner.h: referred to, so that others find who owns it */
	int owner_map_fd;
	struct capture_area_layout layout;
	struct capture_prog_kind kind;
	enum xdpcap_copy copy;	/* LOAD_BYTES or DIRECT */
	bool has_buff_len;	/* bpf_xdp_get_buff_len for the wire length */
	const char *name;		   /* "xdpcap_<pid>" */
	/*
	 * Traced: the program and its entry function, the kernel's offsets
	 * (filter compiled with buffer_size = layout.max_caplen), and, at
	 * the exit, the verdicts to keep (bit per action). action is then
	 * XDPCAP_SLOT_ENTRY at the entry, unused at the exit.
	 */
	enum capture_trace trace;
	const struct trace_target *target;
	unsigned int trace_actions;
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
