// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * A binary heap of copied packets, ordered by time, then by arrival.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "packet_merge.h"

struct packet_merge_entry {
	uint64_t seq;
	unsigned int source;
	struct xdpcap_packet pkt;		/* data points into bytes */
	struct xdpcap_redirect_info redirect;
	uint8_t bytes[];
};

static int older(const struct packet_merge_entry *a, const struct packet_merge_entry *b)
{
	return a->pkt.ts_ns != b->pkt.ts_ns ? a->pkt.ts_ns < b->pkt.ts_ns : a->seq < b->seq;
}

static void swap(struct packet_merge_entry **heap, size_t i, size_t j)
{
	struct packet_merge_entry *t = heap[i];

	heap[i] = heap[j];
	heap[j] = t;
}

static void sift_up(struct packet_merge_entry **heap, size_t i)
{
	while (i && older(heap[i], heap[(i - 1) / 2])) {
		swap(heap, i, (i - 1) / 2);
		i = (i - 1) / 2;
	}
}

static void sift_down(struct packet_merge_entry **heap, size_t len, size_t i)
{
	for (;;) {
		size_t l = 2 * i + 1, r = l + 1, min = i;

		if (l < len && older(heap[l], heap[min]))
			min = l;
		if (r < len && older(heap[r], heap[min]))
			min = r;
		if (min == i)
			return;
		swap(heap, i, min);
		i = min;
	}
}

int packet_merge_add(struct packet_merge *m, unsigned int source,
		     const struct xdpcap_packet *pkt)
{
	struct packet_merge_entry *e;

	if (m->len == m->cap) {
		size_t cap = m->cap ? 2 * m->cap : 1024;
		void *heap = realloc(m->heap, cap * sizeof(*m->heap));

		if (!heap)
			return -ENOMEM;
		m->heap = heap;
		m->cap = cap;
	}
	e = malloc(sizeof(*e) + pkt->caplen);
	if (!e)
		return -ENOMEM;
	e->seq = m->seq++;
	e->source = source;
	e->pkt = *pkt;
	memcpy(e->bytes, pkt->data, pkt->caplen);
	e->pkt.data = e->bytes;
	if (pkt->redirect) {
		e->redirect = *pkt->redirect;
		e->pkt.redirect = &e->redirect;
	}
	m->bytes += pkt->caplen;
	m->heap[m->len] = e;
	sift_up(m->heap, m->len++);
	return 0;
}

/* Take the oldest out of the heap. */
static struct packet_merge_entry *pop(struct packet_merge *m)
{
	struct packet_merge_entry *e = m->heap[0];

	m->heap[0] = m->heap[--m->len];
	sift_down(m->heap, m->len, 0);
	m->bytes -= e->pkt.caplen;
	return e;
}

size_t packet_merge_release(struct packet_merge *m, uint64_t until_ns,
			    packet_merge_fn fn, void *ctx)
{
	size_t n = 0;
	int stop = 0;

	while (!stop && m->len && m->heap[0]->pkt.ts_ns <= until_ns) {
		struct packet_merge_entry *e = pop(m);

		stop = fn(e->source, &e->pkt, ctx);
		free(e);
		n++;
	}
	return n;
}

uint64_t packet_merge_oldest(const struct packet_merge *m)
{
	return m->len ? m->heap[0]->pkt.ts_ns : 0;
}

void packet_merge_free(struct packet_merge *m)
{
	for (size_t i = 0; i < m->len; i++)
		free(m->heap[i]);
	free(m->heap);
	memset(m, 0, sizeof(*m));
}
