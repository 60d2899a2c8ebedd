/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * A whole capture session, as every front end runs it: capture from a hook
 * (or several, into one file) until told to stop, then empty the slots,
 * write what is still in the rings and the statistics, and complete the
 * file.
 */
#ifndef XDPCAP_SESSION_H
#define XDPCAP_SESSION_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>

#include "xdpcap/capture.h"
#include "xdpcap/output.h"

#ifdef __cplusplus
extern "C" {
#endif

struct xdpcap_session_opts {
	size_t sz;			/* sizeof(struct xdpcap_session_opts) */
	int out_fd;			/* where the capture file goes */
	enum xdpcap_format format;
	bool flush_each;		/* write each packet out at once */
	unsigned long long count;	/* stop after this many; 0: never */
	/* stop when this becomes non-zero (set it from a signal handler) */
	volatile sig_atomic_t *stop;
	/* called once the slots are claimed, before anything is written to
	 * out_fd (may be NULL); both callbacks get the (first) hook's
	 * capture */
	void (*started)(struct xdpcap_capture *cap, void *ctx);
	/* called about once a second while capturing (may be NULL) */
	void (*tick)(struct xdpcap_capture *cap, void *ctx);
	void *ctx;			/* for all the callbacks */
	/*
	 * Rotation, as tcpdump's -C and -G: before a packet is written, a
	 * file that holds rotate_bytes or more (0: no limit), or that was
	 * begun rotate_seconds ago or more (0: no limit), is completed (its
	 * own statistics block) and rotate() is asked for the next file:
	 * it gets the finished file's fd and returns the next one's (with
	 * its own header block), -ECANCELED to end the capture there (a
	 * file count reached), or another -errno with a message in errbuf.
	 */
	uint64_t rotate_bytes;
	unsigned int rotate_seconds;
	int (*rotate)(void *ctx, int done_fd, char *errbuf);
	/* called as each capture file starts, with how it is written:
	 * xdpcap_output_method() (may be NULL) */
	void (*file_opened)(const char *method, void *ctx);
	/* called about once a second, after tick, with the packets written
	 * so far and the bytes of the file being written (may be NULL) */
	void (*written)(unsigned long long packets, uint64_t file_bytes, void *ctx);
};
#define xdpcap_session_opts__last_field written

struct xdpcap_session_result {
	size_t sz;		/* sizeof, set by the caller (XDPCAP_OPTS) */
	unsigned long long written;
	bool reader_gone;		/* the output's reader went away (EPIPE) */
	/* matched and not lost in the kernel, yet not written (the output
	 * went away, a count was reached, a write failed: those the file
	 * gave up too): written + lost + skipped + discarded is what
	 * matched */
	unsigned long long discarded;
	struct xdpcap_capture_stats stats;
};
#define xdpcap_session_result__last_field stats

/*
 * Run a capture opened with xdpcap_capture_open() (not started). Returns
 * 0 when it ended normally (stop, count, the reader gone) or -errno with
 * a message; the slots are empty and the file complete either way, but
 * after a failed write (a full disk): then the file is cut back to its
 * last whole block (its statistics follow if they fit), and result
 * counts as written only the packets the file holds.
 */
XDPCAP_API int xdpcap_session_run(struct xdpcap_capture *cap,
				  const struct xdpcap_session_opts *opts,
				  struct xdpcap_session_result *result,
				  char *errbuf);

/* The most hooks one session captures from. */
#define XDPCAP_SESSION_MAX_HOOKS 16

/*
 * Run captures of n hooks into one file (pcapng: hook i is interface i,
 * with its own statistics block). Packets are written in timestamp
 * order, each held up to 10 ms for an older one from another hook; packet
 * ids of entry captures become (id - 1) * n + i + 1, to stay apart. res
 * gets the sums; by_hook, if not NULL, n results, one per hook.
 */
XDPCAP_API int xdpcap_session_run_hooks(struct xdpcap_capture *const *caps,
					unsigned int n,
					const struct xdpcap_session_opts *opts,
					struct xdpcap_session_result *res,
					struct xdpcap_session_result *by_hook,
					char *errbuf);

#ifdef __cplusplus
}
#endif

#endif
