/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * Packets of several hooks, each from its own ring, put in timestamp
 * order. A ring's records are in the order the kernel wrote them; a
 * packet stamped at time T is in its ring a few microseconds later at
 * most (the copy of one packet). So once every ring has been read after
 * time R, nothing stamped before R - PACKET_MERGE_HOLD_NS can still
 * come: those are released, oldest first. Packets are copied in; the
 * rings are free to go on. Not installed.
 */
#ifndef XDPCAP_PACKET_MERGE_H
#define XDPCAP_PACKET_MERGE_H

#include <stddef.h>
#include <stdint.h>

#include "xdpcap/capture.h"

/* How long a packet waits for an older one from another ring. */
#define PACKET_MERGE_HOLD_NS (10 * 1000000ull)

/* Called in order with the source's number; non-zero stops the release. */
typedef int (*packet_merge_fn)(unsigned int source, const struct xdpcap_packet *pkt,
			       void *ctx);

struct packet_merge_entry;

struct packet_merge {
	struct packet_merge_entry **heap;	/* oldest first */
	size_t len, cap;
	size_t bytes;				/* packet bytes held */
	uint64_t seq;				/* arrival order, for equal times */
};

/* Keep a copy of pkt from source. Returns 0 or -ENOMEM. */
int packet_merge_add(struct packet_merge *m, unsigned int source,
		     const struct xdpcap_packet *pkt);

/*
 * Hand over the packets stamped up to until_ns (UINT64_MAX: all), oldest
 * first, until fn asks to stop. Returns how many were handed over.
 */
size_t packet_merge_release(struct packet_merge *m, uint64_t until_ns,
			    packet_merge_fn fn, void *ctx);

/* The oldest packet's time; 0 if none is held. */
uint64_t packet_merge_oldest(const struct packet_merge *m);

/* Free what is held (packets not released are dropped). */
void packet_merge_free(struct packet_merge *m);

#endif
