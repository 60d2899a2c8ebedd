/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * Capture files: pcapng, where every packet carries its XDP action as a
 * comment and as the standard verdict option, or classic pcap.
 *
 * pcapng layout: one section (shb_userappl "xdpcap VERSION"); one
 * interface description block per capture source (if_name, if_description,
 * if_filter, if_tsresol = 9, if_snaplen from the block field); an enhanced
 * packet block per packet (nanosecond timestamp, opt_comment = action name
 * such as "XDP_PASS", epb_verdict type 2 = the action as 8 bytes, epb_queue
 * = rx queue, epb_flags = the direction where known); and at the end an interface statistics
 * block per interface (isb_starttime, isb_endtime, isb_ifrecv,
 * isb_filteraccept, isb_osdrop, isb_usrdeliv).
 *
 * Output is buffered; xdpcap_output_flush() writes what is buffered.
 * Nothing reaches the fd before the buffer fills (a packet larger than
 * the buffer goes straight out) or is flushed. A regular file is written
 * by a thread of the output's own, with O_DIRECT where the file system
 * takes it (XDPCAP_WRITER=buffered: through the page cache; =inline: in
 * the caller's thread), while the caller fills the next buffer; the fd's
 * flags are as they were after xdpcap_output_close(). After a failed write (a
 * full disk, a reader gone) every call returns the same error: the
 * blocks not wholly written are given up, and a regular file is cut back
 * (ftruncate) to its last whole block, so that it stays readable to the
 * end. xdpcap_output_unwritten() counts the packets given up.
 */
#ifndef XDPCAP_OUTPUT_H
#define XDPCAP_OUTPUT_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "xdpcap/common.h"

#ifdef __cplusplus
extern "C" {
#endif

enum xdpcap_format {
	XDPCAP_FORMAT_PCAPNG,
	XDPCAP_FORMAT_PCAP,	/* nanosecond pcap; no actions, no statistics */
};

struct xdpcap_output;

struct xdpcap_output_iface {
	const char *name;	/* "xdp:NAME" */
	const char *description; /* NULL: none */
	const char *filter;	/* the capture filter text, NULL: none */
	/*
	 * libpcap, so tcpdump, reads a pcapng file only if all its
	 * interfaces have the same snap length and link type.
	 */
	uint32_t snaplen;
	uint16_t linktype;	/* DLT_EN10MB = 1 */
};

struct xdpcap_output_packet {
	uint32_t iface;		/* from xdpcap_output_add_iface() */
	uint64_t ts_ns;		/* nanoseconds since the Unix epoch */
	uint32_t caplen, wirelen; /* caplen > wirelen is refused (-EINVAL) */
	const void *data;	/* caplen bytes */
	int action;		/* XDP action, or -1 for none: no comment, no verdict */
	bool has_queue;
	uint32_t queue;		/* rx queue index */
	/* pcapng: the comment instead of the action's name (at most
	 * XDPCAP_OUTPUT_COMMENT_MAX bytes are kept), NULL: the name */
	const char *comment;
	uint64_t packet_id;	/* pcapng epb_packetid; 0: none */
	/* pcapng epb_flags' direction: XDPCAP_DIRECTION_*; 0: unknown, no flags */
	uint8_t direction;
};

/* A packet that arrived (at entry, or given a verdict that keeps it on
 * this host), and one that leaves (XDP_TX, XDP_REDIRECT). */
#define XDPCAP_DIRECTION_IN 1
#define XDPCAP_DIRECTION_OUT 2

#define XDPCAP_OUTPUT_COMMENT_MAX 160

struct xdpcap_output_stats {
	uint64_t start_ns, end_ns;	/* capture start and end, since the epoch */
	uint64_t received;	/* packets seen at the hook (isb_ifrecv) */
	uint64_t matched;	/* packets the filter accepted (isb_filteraccept) */
	uint64_t dropped;	/* matched but lost before user space (isb_osdrop) */
	uint64_t delivered;	/* written to the file (isb_usrdeliv) */
	/* matched and not lost, yet not written: the output went away or
	 * filled up, or a count was reached (pcapng: a comment on the
	 * statistics says so) */
	uint64_t discarded;
	/* matched, but left out in the kernel by sampling or a rate cap
	 * (pcapng: said in the comment) */
	uint64_t skipped;
};

/*
 * Start a capture file on fd (blocking; not closed by the output). pcap
 * files take one interface; pcapng files any number.
 */
XDPCAP_API int xdpcap_output_open(int fd, enum xdpcap_format format,
				  struct xdpcap_output **out, char *errbuf);

/* Returns the interface id (>= 0) or a negative errno. */
XDPCAP_API int xdpcap_output_add_iface(struct xdpcap_output *out,
				       const struct xdpcap_output_iface *iface,
				       char *errbuf);

XDPCAP_API int xdpcap_output_write(struct xdpcap_output *out,
				   const struct xdpcap_output_packet *pkt,
				   char *errbuf);

/*
 * pcapng: an interface statistics block; pcap: nothing. After a failed
 * write on a regular file, still tried: the block goes out at once,
 * whole or not at all (0, or the error).
 */
XDPCAP_API int xdpcap_output_write_stats(struct xdpcap_output *out,
					 uint32_t iface,
					 const struct xdpcap_output_stats *stats,
					 char *errbuf);

XDPCAP_API int xdpcap_output_flush(struct xdpcap_output *out, char *errbuf);

/*
 * How the file is written: "direct I/O" or "buffered" (by a thread of
 * the output's own: a regular file), "buffered, in the capture's thread"
 * (XDPCAP_WRITER=inline), or "stream" (a pipe, a terminal, a device).
 */
XDPCAP_API const char *xdpcap_output_method(struct xdpcap_output *out);

/* Bytes written so far, buffered ones included: the file's size. */
XDPCAP_API uint64_t xdpcap_output_bytes(const struct xdpcap_output *out);

/*
 * Packets of interface iface that xdpcap_output_write() took but the
 * file does not hold whole: those a failed write gave up (0 until one
 * fails). The file holds the packets written less these.
 */
XDPCAP_API uint64_t xdpcap_output_unwritten(const struct xdpcap_output *out,
					    uint32_t iface);

/* A write that waits (a pipe nobody reads) gives up when *cancel is set. */
XDPCAP_API void xdpcap_output_set_cancel(struct xdpcap_output *out,
					 volatile sig_atomic_t *cancel);

/* Flush and free (the fd stays open). Returns the flush's result. */
XDPCAP_API int xdpcap_output_close(struct xdpcap_output *out, char *errbuf);

#ifdef __cplusplus
}
#endif

#endif
