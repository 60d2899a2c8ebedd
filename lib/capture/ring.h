/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * The reading end of a BPF ring buffer (BPF_MAP_TYPE_RINGBUF), mapped
 * into memory. Unlike libbpf's reader it tells the kernel what it has
 * read once per batch, not once per record: the kernel reads that
 * position on every record it writes, and a position that keeps changing
 * costs the XDP path a cache miss each time. Not installed.
 */
#ifndef XDPCAP_RING_H
#define XDPCAP_RING_H

#include <stddef.h>
#include <stdint.h>

struct ring {
	int map_fd;
	size_t size;			/* data bytes, a power of two */
	size_t page;
	unsigned long *consumer_pos;	/* ours: written back per batch */
	const unsigned long *producer_pos;
	const uint8_t *data;		/* mapped twice in a row: no wrap */
	/* ring_peek()/ring_next(): read up to here, not yet told */
	unsigned long cons, released;
};

/* Return non-zero to stop; the record counts as read. */
typedef int (*ring_record_fn)(void *ctx, const void *data, uint32_t size);

/* Map the ring of map_fd, of size bytes. Returns 0 or -errno. */
int ring_open(struct ring *r, int map_fd, size_t size, char *errbuf);

/*
 * Hand each complete record to fn, oldest first, until the ring is empty
 * or fn asks to stop. Returns the number of records handed over.
 */
long ring_consume(struct ring *r, ring_record_fn fn, void *ctx);

/*
 * Record by record, for a merge of several rings: the oldest complete
 * record (1), or none yet (0: empty, or the next one still being
 * written). ring_next() passes it; ring_release() tells the kernel what
 * was passed (also done every so often by ring_next()).
 */
int ring_peek(struct ring *r, const void **data, uint32_t *size);
void ring_next(struct ring *r);
void ring_release(struct ring *r);

/* Bytes written and not yet read. */
size_t ring_pending(const struct ring *r);

void ring_close(struct ring *r);

#endif
