// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * One capture session, shared by the command and the Wireshark extcap:
 * capture file set up, slots claimed, packets written until told to stop,
 * then slots emptied first, the rings drained, statistics written.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <pcap/dlt.h>

#include "xdpcap/session.h"
#include "packet_comment.h"
#include "util.h"

#define POLL_MS 100

struct writer {
	struct xdpcap_output *out;
	const struct xdpcap_session_opts *opts;
	unsigned long long written;
	struct packet_comment_names names;
	int err;		/* first write error, as -errno */
	char errbuf[XDPCAP_ERRBUF_SIZE];
};

static bool count_reached(const struct writer *w)
{
	return w->opts->count && w->written >= w->opts->count;
}

static int write_packet(const struct xdpcap_packet *pkt, void *ctx)
{
	struct writer *w = ctx;
	char comment[XDPCAP_OUTPUT_COMMENT_MAX];
	struct xdpcap_output_packet op = {
		.ts_ns = pkt->ts_ns,
		.caplen = pkt->caplen,
		.wirelen = pkt->wirelen,
		.data = pkt->data,
		/* as it arrived: no verdict yet */
		.action = pkt->action < XDPCAP_ACTIONS ? (int)pkt->action : -1,
		.has_queue = true,
		.queue = pkt->rx_queue,
		.comment = packet_comment(pkt, &w->names, comment, sizeof(comment)),
		.packet_id = pkt->packet_id,
	};
	int err;

	if (w->err || count_reached(w))
		return 1;
	err = xdpcap_output_write(w->out, &op, w->errbuf);
	if (!err && w->opts->flush_each)
		err = xdpcap_output_flush(w->out, w->errbuf);
	if (err) {
		w->err = err;
		return 1;
	}
	w->written++;
	return count_reached(w);
}

/* "XDP hook xdp:lb of program 12 lb_main on eth0, actions XDP_DROP ..." */
static void describe(char *buf, size_t len, const struct xdpcap_capture *cap)
{
	const struct xdpcap_hook *h = xdpcap_capture_hook(cap);
	unsigned int actions = xdpcap_capture_actions(cap);
	size_t used;

	used = (size_t)snprintf(buf, len, "XDP hook %s", h->name);
	if (h->prog_id && used < len)
		used += (size_t)snprintf(buf + used, len - used, " of program %u %s",
					 h->prog_id, h->prog_name);
	if (h->ifname[0] && used < len)
		used += (size_t)snprintf(buf + used, len - used, " on %s", h->ifname);
	if (used < len)
		used += (size_t)snprintf(buf + used, len - used, ", actions");
	for (unsigned int a = 0; a < XDPCAP_ACTIONS && used < len; a++)
		if (actions & (1u << a))
			used += (size_t)snprintf(buf + used, len - used, " %s",
						 xdpcap_action_name(a));
	if (xdpcap_capture_entry(cap) && used < len)
		snprintf(buf + used, len - used, ", and each packet as it arrived (XDP entry)");
}

static int open_output(struct xdpcap_capture *cap, struct writer *w,
		       char *errbuf)
{
	char description[256];
	struct xdpcap_output_iface iface = {
		.name = xdpcap_capture_hook(cap)->name,
		.description = description,
		.filter = xdpcap_capture_filter(cap),
		.snaplen = xdpcap_capture_snaplen(cap),
		.linktype = DLT_EN10MB,
	};
	int err;

	describe(description, sizeof(description), cap);
	err = xdpcap_output_open(w->opts->out_fd, w->opts->format, &w->out, errbuf);
	if (err)
		return err;
	err = xdpcap_output_add_iface(w->out, &iface, errbuf);
	if (err < 0)
		return err;
	/* readers (tshark, tcpdump -r -) wait for the header before anything */
	return xdpcap_output_flush(w->out, errbuf);
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/*
 * A pipe or socket whose reader went away (an SSH channel closed, say)
 * reports it at once, without waiting for the next packet to fail.
 */
static bool reader_gone(int fd)
{
	struct pollfd p = { .fd = fd, .events = 0 };

	return poll(&p, 1, 0) == 1 && (p.revents & (POLLHUP | POLLERR));
}

static int capture_until_stopped(struct xdpcap_capture *cap, struct writer *w,
				 char *errbuf)
{
	const struct xdpcap_session_opts *opts = w->opts;
	uint64_t next_tick = now_ms() + 1000;
	int n;

	while (!(opts->stop && *opts->stop)) {
		n = xdpcap_capture_poll(cap, POLL_MS, write_packet, w);
		if (n < 0 && n != -EINTR) {
			xdpcap_err(errbuf, "reading the capture ring failed: %s",
				   strerror(-n));
			return n;
		}
		if (w->err || count_reached(w))
			break;
		if (reader_gone(opts->out_fd)) {
			w->err = -EPIPE;
			break;
		}
		if (opts->tick && now_ms() >= next_tick) {
			opts->tick(cap, opts->ctx);
			next_tick += 1000;
		}
	}
	return 0;
}

/* Empty the slots, then write what is still in the rings, then statistics. */
static void finish(struct xdpcap_capture *cap, struct writer *w,
		   struct xdpcap_session_result *res)
{
	struct xdpcap_output_stats ost = { 0 };
	int err;

	xdpcap_capture_stop(cap, write_packet, w);
	xdpcap_capture_stats(cap, &res->stats);
	ost.start_ns = res->stats.start_ns;
	ost.end_ns = res->stats.end_ns;
	for (unsigned int a = 0; a < XDPCAP_ACTIONS; a++) {
		ost.received += res->stats.received[a];
		ost.matched += res->stats.matched[a];
		ost.dropped += res->stats.dropped[a];
		ost.skipped += res->stats.skipped[a];
	}
	if (xdpcap_capture_entry(cap)) {
		/* every packet passes the entry once: those are the hook's */
		ost.received = res->stats.entry_received;
		ost.matched += res->stats.entry_matched;
		ost.dropped += res->stats.entry_dropped;
		ost.skipped += res->stats.entry_skipped;
	}
	ost.delivered = w->written;
	/* the counters are final once stop() has waited for the programs */
	if (ost.matched > ost.dropped + ost.skipped + w->written)
		ost.discarded = ost.matched - ost.dropped - ost.skipped - w->written;
	res->discarded = ost.discarded;
	if (!w->err) {
		err = xdpcap_output_write_stats(w->out, 0, &ost, w->errbuf);
		if (!err)
			err = xdpcap_output_flush(w->out, w->errbuf);
		if (err)
			w->err = err;
	}
}

int xdpcap_session_run(struct xdpcap_capture *cap,
		       const struct xdpcap_session_opts *opts,
		       struct xdpcap_session_result *res, char *errbuf)
{
	struct writer w = { .opts = opts };
	int err;

	memset(res, 0, sizeof(*res));
	if (opts->sz < sizeof(*opts)) {
		xdpcap_err(errbuf, "xdpcap_session_opts: unknown size %zu", opts->sz);
		return -EINVAL;
	}
	/*
	 * Slots first: a capture refused because they are busy must not have
	 * written (or emptied) its output. What arrives meanwhile waits in
	 * the ring.
	 */
	err = xdpcap_capture_start(cap, errbuf);
	if (err)
		goto out;
	if (opts->started)
		opts->started(cap, opts->ctx);
	err = open_output(cap, &w, errbuf);
	if (err) {
		xdpcap_capture_stop(cap, NULL, NULL);
		goto out;
	}
	xdpcap_output_set_cancel(w.out, opts->stop);
	err = capture_until_stopped(cap, &w, errbuf);
	finish(cap, &w, res);
	/* a reader that went away is a normal way to stop */
	if (!err && (w.err == -EPIPE ||
		     (w.err == -EINTR && opts->stop && *opts->stop)))
		res->reader_gone = true;
	else if (!err && w.err) {
		err = w.err;
		xdpcap_err(errbuf, "%s", w.errbuf);
	}
out:
	res->written = w.written;
	if (w.out)
		xdpcap_output_close(w.out, NULL);
	return err;
}
