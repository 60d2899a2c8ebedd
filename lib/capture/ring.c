// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * The kernel's ring buffer layout: a page with the consumer position
 * (ours to write), a page with the producer position, then the data
 * pages mapped twice so that a record that wraps reads as one piece.
 * Each record starts with an 8-byte header: its length with a busy bit
 * (still being written) and a discard bit, and a page offset; records
 * are 8-byte aligned.
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <linux/bpf.h>

#include "ring.h"
#include "util.h"

/* Tell the kernel what we read at least this often within a batch
 * (or every quarter of a smaller ring). */
#define RELEASE_EVERY_BYTES (256u * 1024u)

static unsigned long release_every(const struct ring *r)
{
	return r->size / 4 < RELEASE_EVERY_BYTES ? r->size / 4 : RELEASE_EVERY_BYTES;
}

/* A record's length with the header, as the ring lays it out. */
static unsigned long record_span(uint32_t len)
{
	len &= ~(BPF_RINGBUF_BUSY_BIT | BPF_RINGBUF_DISCARD_BIT);
	return (len + BPF_RINGBUF_HDR_SZ + 7) & ~7ul;
}

int ring_open(struct ring *r, int map_fd, size_t size, char *errbuf)
{
	void *p;

	memset(r, 0, sizeof(*r));
	r->map_fd = map_fd;
	r->size = size;
	r->page = (size_t)sysconf(_SC_PAGESIZE);
	p = mmap(NULL, r->page, PROT_READ | PROT_WRITE, MAP_SHARED, map_fd, 0);
	if (p == MAP_FAILED)
		goto fail;
	r->consumer_pos = p;
	p = mmap(NULL, r->page + 2 * size, PROT_READ, MAP_SHARED, map_fd, (off_t)r->page);
	if (p == MAP_FAILED) {
		int err = errno;

		munmap(r->consumer_pos, r->page);
		r->consumer_pos = NULL;
		errno = err;
		goto fail;
	}
	r->producer_pos = p;
	r->data = (const uint8_t *)p + r->page;
	r->cons = r->released = __atomic_load_n(r->consumer_pos, __ATOMIC_RELAXED);
	return 0;
fail:
	xdpcap_err(errbuf, "cannot map the capture ring: %s", strerror(errno));
	return -errno;
}

size_t ring_pending(const struct ring *r)
{
	return __atomic_load_n(r->producer_pos, __ATOMIC_ACQUIRE) -
	       __atomic_load_n(r->consumer_pos, __ATOMIC_RELAXED);
}

long ring_consume(struct ring *r, ring_record_fn fn, void *ctx)
{
	unsigned long cons = r->cons;
	const unsigned long start = cons, every = release_every(r);
	unsigned long released = r->released, prod;
	long records = 0;
	int stop = 0;

	prod = __atomic_load_n(r->producer_pos, __ATOMIC_ACQUIRE);
	while (cons < prod && !stop) {
		const uint32_t *hdr = (const uint32_t *)(r->data + (cons & (r->size - 1)));
		uint32_t len = __atomic_load_n(hdr, __ATOMIC_ACQUIRE);

		if (len & BPF_RINGBUF_BUSY_BIT)
			break;	/* still being written: the rest waits */
		if (!(len & BPF_RINGBUF_DISCARD_BIT)) {
			stop = fn(ctx, (const uint8_t *)hdr + BPF_RINGBUF_HDR_SZ, len);
			records++;
		}
		cons += record_span(len);
		if (cons - released >= every) {
			__atomic_store_n(r->consumer_pos, cons, __ATOMIC_RELEASE);
			released = cons;
		}
		/* one ring's worth per call: the caller has other work too */
		if (cons >= prod && cons - start < r->size)
			prod = __atomic_load_n(r->producer_pos, __ATOMIC_ACQUIRE);
	}
	if (cons != released)
		__atomic_store_n(r->consumer_pos, cons, __ATOMIC_RELEASE);
	r->cons = r->released = cons;
	return records;
}

int ring_peek(struct ring *r, const void **data, uint32_t *size)
{
	unsigned long prod = __atomic_load_n(r->producer_pos, __ATOMIC_ACQUIRE);

	while (r->cons < prod) {
		const uint32_t *hdr = (const uint32_t *)(r->data + (r->cons & (r->size - 1)));
		uint32_t len = __atomic_load_n(hdr, __ATOMIC_ACQUIRE);

		if (len & BPF_RINGBUF_BUSY_BIT)
			return 0;
		if (!(len & BPF_RINGBUF_DISCARD_BIT)) {
			*data = (const uint8_t *)hdr + BPF_RINGBUF_HDR_SZ;
			*size = len;
			return 1;
		}
		r->cons += record_span(len);
	}
	return 0;
}

void ring_next(struct ring *r)
{
	const uint32_t *hdr = (const uint32_t *)(r->data + (r->cons & (r->size - 1)));

	r->cons += record_span(__atomic_load_n(hdr, __ATOMIC_RELAXED));
	if (r->cons - r->released >= release_every(r))
		ring_release(r);
}

void ring_release(struct ring *r)
{
	if (r->cons == r->released)
		return;
	__atomic_store_n(r->consumer_pos, r->cons, __ATOMIC_RELEASE);
	r->released = r->cons;
}

void ring_close(struct ring *r)
{
	if (r->producer_pos)
		munmap((void *)r->producer_pos, r->page + 2 * r->size);
	if (r->consumer_pos)
		munmap(r->consumer_pos, r->page);
	memset(r, 0, sizeof(*r));
	r->map_fd = -1;
}
