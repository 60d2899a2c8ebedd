/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * A live capture's state, shared by the files that do its jobs:
 *
 *   capture_open.c    open: the hook, the kernel's features, the maps and
 *                     the programs; close
 *   capture_slots.c   start: who holds the slots; claiming, joining them
 *   capture_repair.c  while it runs: an entry capture given up, chains
 *                     cut or taken over
 *   capture.c         the packets: ring records to the caller; stop
 *   capture_stats.c   counters and accessors
 *
 * Not installed.
 */
#ifndef XDPCAP_CAPTURE_INT_H
#define XDPCAP_CAPTURE_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "xdpcap/capture.h"
#include "xdpcap/kernel.h"
#include "capture_guard.h"
#include "capture_prog.h"
#include "trace_target.h"
#include "hook/hook_program.h"
#include "hook/hook_watch.h"
#include "ring.h"

struct xdpcap_capture {
	struct xdpcap_hook hook;
	/* traced (hook.source XDPCAP_HOOK_TRACED): the program, and by
	 * CAPTURE_TRACE_EXIT - 1 / ENTRY - 1 the tracing programs and links */
	bool traced;
	struct trace_target target;
	int trace_prog_fds[2], trace_link_fds[2];
	char *filter;
	unsigned int actions;
	uint32_t snaplen;
	bool force;
	bool entry;			/* capture at entry too */
	uint32_t sample, max_rate;	/* opts' */
	uint32_t netmask;		/* opts': for "ip broadcast" */
	/* the rings (capture_rings.c), and one fd to wait on them all */
	int ring_map_fds[CAPTURE_MAX_RINGS];
	unsigned int n_rings;
	int rings_epoll_fd;		/* several rings; -1: one */
	int areas_map_fd;
	/* prog_owner.h: what tells others this capture runs */
	int alive_map_fd, owner_map_fd;
	/* by slot; the rerun slot's is the hook's own program (entry) */
	int prog_fds[XDPCAP_ENTRY_HOOK_SLOTS];
	uint32_t prog_ids[XDPCAP_ENTRY_HOOK_SLOTS];
	size_t prog_insns[XDPCAP_SLOTS];
	int notes_map_fd;		/* the program's redirect notes, or -1 */
	/* entry: the program's entry states; -1: it marks packets in
	 * their XDP metadata instead (built with xdpcap_hook.h 0.1) */
	int entry_map_fd;
	/* slot_chain.h: to share slots with other captures; -1: keeps
	 * them to itself (entry captures, no CAP_SYS_ADMIN) */
	int next_map_fd;
	/* the maps the program may redirect through, to name a note's map */
	struct hook_program_target_map target_maps[8];
	int n_target_maps;
	struct ring rings[CAPTURE_MAX_RINGS];
	uint64_t ring_records[CAPTURE_MAX_RINGS];	/* read from each */
	bool ring_open;
	uint32_t ring_bytes;		/* each ring's */
	struct capture_area_layout layout;
	const uint8_t *areas;		/* the areas map, read-only */
	size_t areas_mapped;
	struct capture_guard guard;
	int lock_fd;			/* slot_lock.h; -1 without one */
	struct xdpcap_kernel kernel;	/* what the kernel offers */
	bool started, stopped;
	int64_t realtime_offset_ns;	/* epoch time - monotonic time */
	uint64_t start_ns, end_ns, delivered;
	void (*notice)(const char *msg, void *ctx);
	void *notice_ctx;
	struct xdpcap_busy *busy;	/* the caller's, or NULL */
	struct hook_watch watch;	/* the hook gone or unused, said once */
	bool entry_failed;		/* entry capture given up, said once */
	uint64_t chain_checked_ns;	/* check_chains(), every CHAIN_CHECK_NS */
	/* by slot: the next map of the program before ours in its chain,
	 * held open (capture_repair.c), and that program's id */
	int pred_map_fds[XDPCAP_ACTIONS];
	uint32_t pred_ids[XDPCAP_ACTIONS];
	int retired_map_fds[XDPCAP_ACTIONS];	/* closed at the next look */
	unsigned int chains_lost;	/* slots taken over: said once each */
	/* check_chains(): what it found and will say at its next look */
	unsigned int taken_unsaid, rejoined_unsaid;
	int taker_pid;
	uint32_t taker_prog;
	/* the callback of the poll in progress */
	xdpcap_packet_fn fn;
	void *fn_ctx;
	bool fn_stop;
};

/* Tell the caller (opts' notice), if it listens. */
void capture_notice(struct xdpcap_capture *cap, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Whether capability nr is in this process's effective set (or unknown). */
bool capture_has_capability(unsigned int nr);

/*
 * A traced capture (capture_trace.c): open the interface's program
 * instead of a hook, when spec names an interface whose XDP program has
 * none (hook_err is the hook's refusal, kept otherwise); load, attach,
 * detach and close its tracing programs.
 */
int capture_trace_open(struct xdpcap_capture *cap, const char *spec, int hook_err,
		       char *errbuf);
int capture_trace_load(struct xdpcap_capture *cap, struct capture_prog_spec *spec,
		       char **log, char *errbuf);
int capture_trace_attach(struct xdpcap_capture *cap, char *errbuf);
void capture_trace_detach(struct xdpcap_capture *cap);
void capture_trace_close(struct xdpcap_capture *cap);

/* Build and load the capture's programs (capture_open.c). */
int capture_load_programs(struct xdpcap_capture *cap, char **log, char *errbuf);

/*
 * Refuse slots that another live capture or program holds, unless
 * forced, or unless the captures on it share it with this one. With
 * join, a bit per slot to join rather than fill (capture_slots.c).
 */
int capture_check_slots(struct xdpcap_capture *cap, bool notify, unsigned int *join,
			char *errbuf);

/* Join the captures on slot a (capture_slots.c). */
int capture_join_slot(struct xdpcap_capture *cap, uint32_t a);

/* What the capture holds, for the guard and for clearing the slots. */
struct capture_holding capture_holding(const struct xdpcap_capture *cap, int lock_fd);

/*
 * The rings (capture_rings.c). How many for a request (0: by CPU count);
 * make them (ring_bytes shared out; -errno); map them for reading; the
 * fd that polls readable when any holds records; bytes unread; hand over
 * records in time order (ring_consume()'s rules); close all.
 */
unsigned int capture_rings_for(unsigned int requested, int ncpus);
int capture_create_rings(struct xdpcap_capture *cap);
int capture_open_ring(struct xdpcap_capture *cap, char *errbuf);
int capture_rings_fd(const struct xdpcap_capture *cap);
size_t capture_rings_pending(const struct xdpcap_capture *cap);
long capture_rings_consume(struct xdpcap_capture *cap, ring_record_fn fn, void *ctx);
void capture_rings_close(struct xdpcap_capture *cap);

/*
 * While the capture runs, at each poll: an entry capture given up,
 * chains cut or taken over (capture_repair.c).
 */
void capture_repair(struct xdpcap_capture *cap);

/* Say what capture_repair() found and has not said yet. */
void capture_say_chains(struct xdpcap_capture *cap);

/* The counters, into the library's full struct (sz set). */
int capture_read_stats(struct xdpcap_capture *cap, struct xdpcap_capture_stats *st);

/* Add st's counters to sum's, both full structs (capture_stats.c). */
void capture_stats_add(struct xdpcap_capture_stats *sum,
		       const struct xdpcap_capture_stats *st);

#endif
