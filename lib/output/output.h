/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * Inside the capture file writer: the buffer that output.c owns and the
 * encoders (output_pcapng.c, output_pcap.c) append whole blocks to.
 * Not installed.
 */
#ifndef XDPCAP_LIB_OUTPUT_H
#define XDPCAP_LIB_OUTPUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

#include "xdpcap/output.h"

/*
 * 64 KiB is a pipe's default capacity, so a reader on the other end of
 * "-w -" gets whole buffers. On files 256 KiB was no faster beyond noise:
 * there is already only one write(2) per ~40 full-size packets.
 */
#define OUTPUT_BUF_SIZE (64 * 1024)

struct file_writer;

/* Bytes of zero padding that bring len to a multiple of 4. */
#define OUTPUT_PAD4(len) ((4 - ((len) & 3)) & 3)

struct output_ops;

/* The interface of a block that holds no packet. */
#define OUTPUT_NO_PACKET UINT32_MAX
/*
 * Blocks not yet known to be whole in the file, at first. Written by the
 * caller, one more is put only after the buffer is written out: 1,024
 * covers a full buffer of 64-byte blocks. With a writer thread the ring
 * grows, to cover every buffer in flight.
 */
#define OUTPUT_MAX_PENDING 1024

/* A block put but not yet known to be whole in the file. */
struct pending_block {
	uint64_t end;		/* where it ends in the file */
	uint32_t iface;		/* its packet's interface, or OUTPUT_NO_PACKET */
};

struct xdpcap_output {
	int fd;
	const struct output_ops *ops;
	/*
	 * The first write error, kept: a block may be out in part, and
	 * nothing that follows it can be read.
	 */
	int err;
	uint32_t n_ifaces;
	volatile sig_atomic_t *cancel;	/* give up a waiting write when set */
	uint32_t block;		/* a regular file's block size, or 0 */
	/*
	 * A regular file written where we count: after a failed write it is
	 * cut back to whole, so that readers see no block in part (cut set;
	 * cut_err, the -errno of a cut that failed).
	 */
	bool seekable, cut;
	int cut_err;
	/*
	 * Regular files are written by a thread of their own (NULL: by the
	 * caller, as pipes are). buf is then the writer's, cap bytes.
	 */
	struct file_writer *fw;
	size_t cap;
	uint64_t offset;	/* where buf[0] lands in the file */
	uint64_t whole;		/* the blocks up to here are whole in the file */
	uint64_t ifaces_end;	/* where the last interface block ends */
	/* the blocks after whole, oldest first: a ring */
	struct pending_block *pending;
	unsigned int pending_first, n_pending, pending_cap;
	/* packets taken, but not whole in the file, by interface */
	uint64_t *unwritten;
	size_t len;		/* bytes in buf */
	uint8_t *buf;		/* cap bytes */
	uint8_t *own_buf;	/* OUTPUT_BUF_SIZE bytes, when no thread writes */
};

/*
 * What a file format does for each public call; output.c dispatches.
 * start and write_stats may be NULL: nothing to write.
 */
struct output_ops {
	/* Called by xdpcap_output_open(): the file header, if it needs none
	 * of the interfaces. */
	int (*start)(struct xdpcap_output *out, char *errbuf);
	/* Returns the new interface id; out->n_ifaces is then incremented. */
	int (*add_iface)(struct xdpcap_output *out,
			 const struct xdpcap_output_iface *iface, char *errbuf);
	/* pkt->iface is already checked against out->n_ifaces. */
	int (*write)(struct xdpcap_output *out,
		     const struct xdpcap_output_packet *pkt, char *errbuf);
	int (*write_stats)(struct xdpcap_output *out, uint32_t iface,
			   const struct xdpcap_output_stats *stats, char *errbuf);
};

extern const struct output_ops output_pcapng_ops;
extern const struct output_ops output_pcap_ops;

#define OUTPUT_MAX_IOV 4

/*
 * With a writer thread: what is buffered goes to it, without waiting,
 * unless it is still writing. Called about once a second, so that a
 * capture's packets are in the file within a second or two, for a reader
 * of the growing file or after a SIGKILL, whatever the rate. Returns
 * the writer's error, if it had one (message in errbuf): a capture
 * whose packets go nowhere must stop, however slow its traffic.
 */
int output_push(struct xdpcap_output *out, char *errbuf);

/*
 * Append one block made of cnt (<= OUTPUT_MAX_IOV) pieces, all or
 * nothing: it goes into the buffer (written out first if the block does
 * not fit in what is left), or straight to the fd, uncopied, when it is
 * larger than the whole buffer. iface is the interface of the packet the
 * block holds, or OUTPUT_NO_PACKET.
 */
int output_put(struct xdpcap_output *out, const struct iovec *iov, int cnt,
	       uint32_t iface, char *errbuf);

#endif
