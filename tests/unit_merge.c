// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * The merge of several hooks' packets (lib/capture/packet_merge.c): random
 * streams, each nearly in time order as a ring gives them, added in
 * batches and released up to random times, must come out as a stable
 * sort by time would put them, each once, with its own bytes and
 * redirect, and never ahead of the time asked for.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../lib/capture/packet_merge.h"
#include "tap.h"

#define SOURCES 4
#define PACKETS 20000

struct sent {
	uint64_t ts;
	unsigned int source;
	uint32_t len;
	uint32_t seq;		/* order of adding */
};

static struct sent sent[PACKETS];
/* the oldest time of packets i.. : what a release may go up to */
static uint64_t oldest_from[PACKETS + 1];

struct check {
	uint64_t last_ts;
	uint32_t last_seq;
	uint64_t until;
	size_t got, out_of_order, too_early, bad_bytes, bad_redirect, stop_after;
	unsigned char seen[PACKETS];
	size_t twice;
};

/* The packet's bytes: its sequence number, then a pattern from it. */
static void fill(uint8_t *buf, uint32_t len, uint32_t seq)
{
	for (uint32_t i = 0; i < len; i++)
		buf[i] = (uint8_t)(seq * 7 + i);
	if (len >= 4)
		memcpy(buf, &seq, 4);
}

static int on_packet(unsigned int source, const struct xdpcap_packet *pkt, void *ctx)
{
	struct check *c = ctx;
	uint8_t want[256];
	uint32_t seq;

	memcpy(&seq, pkt->data, 4);
	if (seq >= PACKETS)
		return c->bad_bytes++, 0;
	fill(want, pkt->caplen, seq);
	if (source != sent[seq].source || pkt->caplen != sent[seq].len ||
	    memcmp(want, pkt->data, pkt->caplen))
		c->bad_bytes++;
	if (!pkt->redirect || pkt->redirect->key != seq)
		c->bad_redirect++;
	if (c->seen[seq]++)
		c->twice++;
	if (pkt->ts_ns > c->until)
		c->too_early++;
	if (c->got && (pkt->ts_ns < c->last_ts ||
		       (pkt->ts_ns == c->last_ts && seq < c->last_seq)))
		c->out_of_order++;
	c->last_ts = pkt->ts_ns;
	c->last_seq = seq;
	c->got++;
	return c->stop_after && c->got == c->stop_after;
}

static void add(struct packet_merge *m, uint32_t seq)
{
	uint8_t buf[256];
	struct xdpcap_redirect_info redirect = { .pending = 1, .key = seq };
	struct xdpcap_packet pkt = {
		.ts_ns = sent[seq].ts,
		.caplen = sent[seq].len,
		.wirelen = sent[seq].len,
		.data = buf,
		.redirect = &redirect,
	};

	fill(buf, sent[seq].len, seq);
	if (packet_merge_add(m, sent[seq].source, &pkt))
		tap_bail("out of memory");
	/* the caller's buffers are its own again */
	memset(buf, 0xee, sizeof(buf));
	redirect.key = ~0u;
}

int main(void)
{
	struct packet_merge m = {};
	struct check c = {};
	uint64_t clock[SOURCES] = { 0 }, now = 1000000;
	uint32_t next = 0;

	srand(12345);
	/* each source's times go up, with small steps back (other CPUs),
	 * and equal times across and within sources */
	for (uint32_t i = 0; i < PACKETS; i++) {
		unsigned int s = (unsigned int)rand() % SOURCES;

		now += (uint64_t)(rand() % 3);
		clock[s] = now - (uint64_t)(rand() % 4 ? 0 : rand() % 5);
		sent[i] = (struct sent){ .ts = clock[s], .source = s,
					 .len = 4 + (uint32_t)(rand() % 200), .seq = i };
	}
	oldest_from[PACKETS] = UINT64_MAX;
	for (uint32_t i = PACKETS; i--;)
		oldest_from[i] = sent[i].ts < oldest_from[i + 1] ? sent[i].ts : oldest_from[i + 1];
	{
		size_t inversions = 0;

		for (uint32_t i = 1; i < PACKETS; i++)
			inversions += sent[i].ts < sent[i - 1].ts;
		tap_ok(inversions > 100, "the streams come out of order (%zu steps back)",
		       inversions);
	}
	/*
	 * Batches, each released up to a time a little behind its newest,
	 * but never past what is still to come (as the session's reading of
	 * every ring guarantees)
	 */
	while (next < PACKETS) {
		uint32_t batch = 1 + (uint32_t)(rand() % 300);
		uint64_t newest = 0;

		for (; batch-- && next < PACKETS; next++) {
			add(&m, next);
			if (sent[next].ts > newest)
				newest = sent[next].ts;
		}
		c.until = newest > 10 ? newest - (uint64_t)(rand() % 10) : 0;
		if (c.until >= oldest_from[next])
			c.until = oldest_from[next] - 1;
		packet_merge_release(&m, c.until, on_packet, &c);
		if (m.len && packet_merge_oldest(&m) <= c.until) {
			tap_ok(false, "a release leaves nothing older than its time");
			break;
		}
	}
	c.until = UINT64_MAX;
	packet_merge_release(&m, UINT64_MAX, on_packet, &c);

	tap_ok(c.got == PACKETS && !c.twice, "every packet comes out once (%zu of %d, %zu twice)",
	       c.got, PACKETS, c.twice);
	tap_ok(!c.out_of_order, "in time order, equal times in the order added (%zu out of order)",
	       c.out_of_order);
	tap_ok(!c.too_early, "none later than the time released up to (%zu)", c.too_early);
	tap_ok(!c.bad_bytes, "each with its own source and bytes, copied (%zu wrong)", c.bad_bytes);
	tap_ok(!c.bad_redirect, "and its own redirect, copied (%zu wrong)", c.bad_redirect);
	tap_ok(m.len == 0 && m.bytes == 0 && packet_merge_oldest(&m) == 0,
	       "nothing is left held (%zu packets, %zu bytes)", m.len, m.bytes);

	/* a callback that asks to stop gets no more */
	memset(&c, 0, sizeof(c));
	for (uint32_t i = 0; i < 100; i++)
		add(&m, i);
	c.until = UINT64_MAX;
	c.stop_after = 30;
	packet_merge_release(&m, UINT64_MAX, on_packet, &c);
	tap_ok(c.got == 30 && m.len == 70, "a stop after 30 leaves 70 held (%zu given, %zu held)",
	       c.got, m.len);
	packet_merge_free(&m);
	tap_ok(m.len == 0 && !m.heap, "free forgets the rest");
	return tap_done();
}
