/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * Live capture from an xdpcap hook.
 *
 *   xdpcap_capture_open()   find the hook, compile the filter, load one
 *                           capture program per selected action (the
 *                           verifier's verdict is known here, nothing is
 *                           attached yet)
 *   xdpcap_capture_start()  claim the hook's slots; from now on matching
 *                           packets flow
 *   xdpcap_capture_poll()   deliver packets to a callback
 *   xdpcap_capture_stop()   empty the slots, then deliver what is still
 *                           in the rings: nothing matched is left behind
 *   xdpcap_capture_close()  stop if needed and free everything
 *
 * A guard process, forked by start(), empties the slots if the capturing
 * process dies without stopping.
 */
#ifndef XDPCAP_CAPTURE_H
#define XDPCAP_CAPTURE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "xdpcap/filter.h"
#include "xdpcap/hook.h"
#include "xdpcap/packet.h"

#ifdef __cplusplus
extern "C" {
#endif

#define XDPCAP_DEFAULT_SNAPLEN 262144
/* a capture copies at most this much of a packet */
#define XDPCAP_MAX_CAPLEN 65000
/* the highest rate cap (opts.max_rate), packets a second */
#define XDPCAP_MAX_RATE 1000000000u

/*
 * Who holds the slot a capture was refused for (-EBUSY): each front end
 * says what to do about it in its own terms (--force, xdpcap list, ...).
 */
struct xdpcap_busy {
	unsigned int action;
	struct xdpcap_slot slot;
};

struct xdpcap_capture_opts {
	size_t sz;		/* sizeof(struct xdpcap_capture_opts) */
	const char *hook_dir;	/* NULL: $XDPCAP_HOOK_DIR or the default */
	/*
	 * bit (1 << action) per action; 0: all. Bit (1 << XDPCAP_SLOT_ENTRY)
	 * captures at entry too (hooks declared XDPCAP_HOOK_WITH_ENTRY): the
	 * filter applies to each packet as it arrived, which is delivered
	 * first (action XDPCAP_SLOT_ENTRY), then again with its verdict when
	 * it leaves through one of the actions; both carry the same
	 * packet_id. With that bit alone, packets only as they arrived.
	 */
	unsigned int actions;
	uint32_t snaplen;	/* 0: XDPCAP_DEFAULT_SNAPLEN */
	bool force;		/* take slots held by another live capture */
	/* the rings' memory in all, in KiB (a power of two); 0: 64 MiB */
	unsigned int ring_kib;
	/* informational messages, e.g. a stale slot reclaimed (may be NULL) */
	void (*notice)(const char *msg, void *ctx);
	void *notice_ctx;
	/* if set, receives the verifier's log when it refuses (free() it) */
	char **verifier_log;
	/* if set, filled when open or start fails with -EBUSY (must live
	 * as long as the capture) */
	struct xdpcap_busy *busy;
	/*
	 * Of the packets the filter matched, keep 1 in sample (0 or 1: all;
	 * each CPU keeps the first of every sample it sees), and at most
	 * max_rate a second (0: no cap; each CPU gets an equal share, and
	 * a burst of as many after a quiet second). Both run in the kernel,
	 * after the filter:
	 * a packet left out is counted as skipped and never copied.
	 */
	uint32_t sample;
	uint32_t max_rate;
	/*
	 * The IPv4 netmask "ip broadcast" tests against, in host byte order
	 * (255.255.255.0 is 0xffffff00); 0: none, as tcpdump -r, so that it
	 * matches 255.255.255.255 and 0.0.0.0 only.
	 */
	uint32_t netmask;
	/*
	 * Rings, up to 8: a CPU writes to ring (CPU % rings), so that CPUs
	 * do not pass one ring's lock between them; the records of all are
	 * handed over in time order, each 2 ms after it was stamped. Each
	 * ring gets ring_kib / rings (at least 1 MiB). 0: one per 4 CPUs.
	 */
	unsigned int rings;
};
#define xdpcap_capture_opts__last_field rings

struct xdpcap_capture_stats {
	size_t sz;		/* sizeof, set by the caller (XDPCAP_OPTS) */
	uint64_t received[XDPCAP_ACTIONS];	/* reached the slot */
	uint64_t matched[XDPCAP_ACTIONS];	/* accepted by the filter */
	uint64_t dropped[XDPCAP_ACTIONS];	/* matched, ring full */
	uint64_t delivered;			/* handed to the callback */
	uint64_t start_ns, end_ns;		/* since the epoch; end 0 while running */
	/* the entry slot: received, matched, dropped as above, and failed:
	 * packets the program could not be run again for (the driver gives
	 * XDP no metadata room; they were XDP_ABORTED) */
	uint64_t entry_received, entry_matched, entry_dropped, entry_failed;
	/* matched, but left out by sample or max_rate */
	uint64_t skipped[XDPCAP_ACTIONS], entry_skipped;
};
#define xdpcap_capture_stats__last_field entry_skipped

struct xdpcap_capture;

/*
 * hook names a hook as xdpcap_hook_open() does. An interface whose XDP
 * program has no hook (xdp:IFNAME, IFNAME), or "xdp:prog:ID" ("prog:ID"),
 * an XDP program by id or one that libxdp's dispatcher runs, is captured
 * by tracing the program (fexit, and fentry for the
 * entry) where the kernel allows it (xdpcap_kernel.trace_xdp); its
 * xdpcap_capture_hook() has source XDPCAP_HOOK_TRACED.
 */
XDPCAP_API int xdpcap_capture_open(const char *hook, const char *filter,
				   const struct xdpcap_capture_opts *opts,
				   struct xdpcap_capture **cap, char *errbuf);

XDPCAP_API int xdpcap_capture_start(struct xdpcap_capture *cap, char *errbuf);

/*
 * Wait up to timeout_ms for packets and deliver them. Returns the number
 * delivered, or -errno (-EINTR when a signal came).
 */
XDPCAP_API int xdpcap_capture_poll(struct xdpcap_capture *cap, int timeout_ms,
				   xdpcap_packet_fn fn, void *ctx);

XDPCAP_API int xdpcap_capture_stop(struct xdpcap_capture *cap,
				   xdpcap_packet_fn fn, void *ctx);

XDPCAP_API int xdpcap_capture_stats(struct xdpcap_capture *cap,
				    struct xdpcap_capture_stats *stats);

/*
 * Add st's counters to sum's (several hooks' together); the times become
 * the earliest start and the latest end.
 */
XDPCAP_API void xdpcap_capture_stats_add(struct xdpcap_capture_stats *sum,
					 const struct xdpcap_capture_stats *st);

/* How many rings the capture reads (xdpcap_capture_opts.rings). */
XDPCAP_API unsigned int xdpcap_capture_rings(const struct xdpcap_capture *cap);
/* Records read so far from ring number ring (0 past the last). */
XDPCAP_API uint64_t xdpcap_capture_ring_records(const struct xdpcap_capture *cap,
						unsigned int ring);

/*
 * An fd that is readable while packets wait (for select/poll loops): the
 * ring's, or with several rings an epoll fd that holds them.
 */
XDPCAP_API int xdpcap_capture_fd(const struct xdpcap_capture *cap);

XDPCAP_API const struct xdpcap_hook *
xdpcap_capture_hook(const struct xdpcap_capture *cap);

/* Which actions are captured (bit per action) and the filter's text. */
XDPCAP_API unsigned int xdpcap_capture_actions(const struct xdpcap_capture *cap);
/* Whether it captures at entry (the actions' entry bit). */
XDPCAP_API bool xdpcap_capture_entry(const struct xdpcap_capture *cap);
XDPCAP_API const char *xdpcap_capture_filter(const struct xdpcap_capture *cap);

/* The snap length packets are cut to. */
XDPCAP_API uint32_t xdpcap_capture_snaplen(const struct xdpcap_capture *cap);

/* eBPF instructions of the capture program for action (0: none). */
XDPCAP_API size_t xdpcap_capture_prog_insns(const struct xdpcap_capture *cap,
					    unsigned int action);

XDPCAP_API void xdpcap_capture_close(struct xdpcap_capture *cap);

/*
 * An XDP program on an interface of this network namespace that has no
 * hook: whether a capture of xdp:IFNAME traces it, and if not, why. Under
 * libxdp's dispatcher (xdp-loader), each program the dispatcher runs is
 * listed too, after it: captured as xdp:prog:ID.
 */
struct xdpcap_hookless {
	char name[48];		/* what a capture opens: xdp:IFNAME, xdp:prog:ID */
	char ifname[32];
	int ifindex;
	uint32_t prog_id;
	char prog_name[16];
	char func_name[64];	/* what fentry/fexit attach to; "" unknown */
	bool traceable;
	char why[XDPCAP_ERRBUF_SIZE];	/* not traceable: one sentence */
	uint32_t dispatcher_id;	/* a dispatcher's component: the dispatcher */
	int position;		/* ... and its place in the dispatcher's order */
};

/*
 * Every such program, in the order of the interfaces (an empty list is
 * not an error). Returns 0 or -errno with a message; free the list with
 * xdpcap_hookless_list_free().
 */
XDPCAP_API int xdpcap_hookless_list(struct xdpcap_hookless **list, size_t *count,
				    char *errbuf);
XDPCAP_API void xdpcap_hookless_list_free(struct xdpcap_hookless *list);

/*
 * Parse "drop,pass" or "1,2" (any mix of names and numbers, "all", and
 * "entry" for bit XDPCAP_SLOT_ENTRY) into a bit mask. Returns 0 or
 * -EINVAL with a message.
 */
XDPCAP_API int xdpcap_parse_actions(const char *list, unsigned int *mask,
				    char *errbuf);

/*
 * The keyword --actions takes for a slot a capture fills ("drop", ...,
 * "entry"), or NULL past XDPCAP_SLOTS.
 */
XDPCAP_API const char *xdpcap_action_keyword(unsigned int slot);

#ifdef __cplusplus
}
#endif

#endif
