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
	struct xdpcap_capture *cap;
	int fd;			/* the file being written */
	unsigned long long written;
	struct packet_comment_names names;
	int err;		/* first write error, as -errno */
	bool ended;		/* rotate() said no more files */
	char errbuf[XDPCAP_ERRBUF_SIZE];
	/* this file: when it began, what it holds, the counters then */
	uint64_t file_start_ns;
	unsigned long long file_written;
	struct xdpcap_capture_stats file_base;
};

static int open_output(struct writer *w, char *errbuf);
static void file_stats(struct writer *w, const struct xdpcap_capture_stats *now,
		       struct xdpcap_output_stats *ost);

static uint64_t realtime_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static bool rotation_due(const struct writer *w, const struct xdpcap_packet *pkt)
{
	const struct xdpcap_session_opts *o = w->opts;

	if (!o->rotate || !w->file_written)
		return false;
	return (o->rotate_bytes && xdpcap_output_bytes(w->out) >= o->rotate_bytes) ||
	       (o->rotate_seconds &&
		pkt->ts_ns >= w->file_start_ns + o->rotate_seconds * 1000000000ull);
}

/*
 * Complete this file with its own statistics (what the hook counted
 * since it began), and go on in the next. Returns 0, 1 when rotate()
 * ended the capture, or -errno.
 */
static int rotate_file(struct writer *w)
{
	struct xdpcap_capture_stats now;
	struct xdpcap_output_stats ost;
	int err, fd;

	xdpcap_capture_stats(w->cap, &now);
	now.end_ns = realtime_ns();
	file_stats(w, &now, &ost);
	err = xdpcap_output_write_stats(w->out, 0, &ost, w->errbuf);
	if (!err)
		err = xdpcap_output_close(w->out, w->errbuf);
	else
		xdpcap_output_close(w->out, NULL);
	w->out = NULL;
	if (err)
		return err;
	fd = w->opts->rotate(w->opts->ctx, w->fd, w->errbuf);
	if (fd == -ECANCELED) {
		w->ended = true;
		return 1;
	}
	if (fd < 0)
		return fd;
	w->fd = fd;
	w->file_base = now;
	return open_output(w, w->errbuf);
}

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

	if (w->err || w->ended || count_reached(w))
		return 1;
	if (rotation_due(w, pkt)) {
		err = rotate_file(w);
		if (err) {
			if (err < 0)
				w->err = err;
			return 1;
		}
	}
	err = xdpcap_output_write(w->out, &op, w->errbuf);
	if (!err && w->opts->flush_each)
		err = xdpcap_output_flush(w->out, w->errbuf);
	if (err) {
		w->err = err;
		return 1;
	}
	w->written++;
	w->file_written++;
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

static int open_output(struct writer *w, char *errbuf)
{
	char description[256];
	struct xdpcap_output_iface iface = {
		.name = xdpcap_capture_hook(w->cap)->name,
		.description = description,
		.filter = xdpcap_capture_filter(w->cap),
		.snaplen = xdpcap_capture_snaplen(w->cap),
		.linktype = DLT_EN10MB,
	};
	int err;

	describe(description, sizeof(description), w->cap);
	w->file_start_ns = realtime_ns();
	w->file_written = 0;
	err = xdpcap_output_open(w->fd, w->opts->format, &w->out, errbuf);
	if (err)
		return err;
	xdpcap_output_set_cancel(w->out, w->opts->stop);
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
		if (w->err || w->ended || count_reached(w))
			break;
		if (reader_gone(w->fd)) {
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

/*
 * The statistics block of the file being written: what the hook counted
 * since the file began (the whole capture without rotation).
 */
static void file_stats(struct writer *w, const struct xdpcap_capture_stats *now,
		       struct xdpcap_output_stats *ost)
{
	const struct xdpcap_capture_stats *base = &w->file_base;

	memset(ost, 0, sizeof(*ost));
	ost->start_ns = w->file_start_ns;
	ost->end_ns = now->end_ns;
	for (unsigned int a = 0; a < XDPCAP_ACTIONS; a++) {
		ost->received += now->received[a] - base->received[a];
		ost->matched += now->matched[a] - base->matched[a];
		ost->dropped += now->dropped[a] - base->dropped[a];
		ost->skipped += now->skipped[a] - base->skipped[a];
	}
	if (xdpcap_capture_entry(w->cap)) {
		/* every packet passes the entry once: those are the hook's */
		ost->received = now->entry_received - base->entry_received;
		ost->matched += now->entry_matched - base->entry_matched;
		ost->dropped += now->entry_dropped - base->entry_dropped;
		ost->skipped += now->entry_skipped - base->entry_skipped;
	}
	ost->delivered = w->file_written;
}

/* Empty the slots, then write what is still in the rings, then statistics. */
static void finish(struct xdpcap_capture *cap, struct writer *w,
		   struct xdpcap_session_result *res)
{
	struct xdpcap_output_stats ost, total;
	struct writer whole = *w;
	int err;

	xdpcap_capture_stop(cap, write_packet, w);
	xdpcap_capture_stats(cap, &res->stats);
	/* the counters are final once stop() has waited for the programs */
	memset(&whole.file_base, 0, sizeof(whole.file_base));
	whole.file_written = w->written;
	file_stats(&whole, &res->stats, &total);
	if (total.matched > total.dropped + total.skipped + w->written)
		res->discarded = total.matched - total.dropped - total.skipped - w->written;
	if (!w->out)
		return; /* a rotation failed, or ended the capture */
	file_stats(w, &res->stats, &ost);
	ost.discarded = res->discarded;
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
	struct writer w = { .opts = opts, .cap = cap, .fd = opts->out_fd };
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
	err = open_output(&w, errbuf);
	/* the first file's statistics begin with the capture */
	w.file_start_ns = xdpcap_capture_stats(cap, &res->stats) ? w.file_start_ns :
			  res->stats.start_ns;
	if (err) {
		xdpcap_capture_stop(cap, NULL, NULL);
		goto out;
	}
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
