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
#include <unistd.h>
#include <pcap/dlt.h>

#include "xdpcap/session.h"
#include "output/output.h"
#include "output/packet_comment.h"
#include "packet_merge.h"
#include "opts.h"
#include "capture_int.h"
#include "clock.h"
#include "util.h"

#define POLL_MS 100
/* after a ring wakes us, let packets gather (as capture.c does) */
#define WAKEUP_GATHER_US 1000
/* packets held for the merge of several hooks, at most */
#define MERGE_MAX_BYTES (256u << 20)

struct writer;

/* One hook of the session: its capture, and what was written of it. */
struct hook_state {
	struct writer *w;
	struct xdpcap_capture *cap;
	unsigned int index;		/* its interface in the file */
	unsigned long long written;
	/* this file: what it holds of this hook, the counters then */
	unsigned long long file_written;
	struct xdpcap_capture_stats file_base;
	/* this file: its packets a failed write gave up, taken off written */
	unsigned long long file_unwritten;
};

struct writer {
	struct xdpcap_output *out;
	const struct xdpcap_session_opts *opts;
	struct hook_state hooks[XDPCAP_SESSION_MAX_HOOKS];
	unsigned int n_hooks;
	struct packet_merge merge;	/* several hooks: put in time order */
	int64_t mono_to_epoch_ns;	/* for the merge's clock */
	int fd;			/* the file being written */
	unsigned long long written;
	struct packet_comment_names names;
	int err;		/* first write error, as -errno */
	bool ended;		/* rotate() said no more files */
	char errbuf[XDPCAP_ERRBUF_SIZE];
	/* this file: when it began, how many packets it holds */
	uint64_t file_start_ns;
	unsigned long long file_written;
};

static int open_output(struct writer *w, char *errbuf);
static void file_stats(struct writer *w, const struct hook_state *h,
		       const struct xdpcap_capture_stats *now,
		       struct xdpcap_output_stats *ost);
static unsigned long long discarded(struct writer *w, const struct hook_state *h,
				    const struct xdpcap_capture_stats *st);

static uint64_t realtime_ns(void)
{
	return clock_ns(CLOCK_REALTIME);
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
 * Packets the file gave up after a failed write were counted written
 * when it took them: they are not, and so end up discarded.
 */
static void take_back_unwritten(struct writer *w)
{
	for (unsigned int i = 0; i < w->n_hooks; i++) {
		struct hook_state *h = &w->hooks[i];
		unsigned long long n = xdpcap_output_unwritten(w->out, i) - h->file_unwritten;

		h->file_unwritten += n;
		h->written -= n;
		h->file_written -= n;
		w->written -= n;
		w->file_written -= n;
	}
}

/*
 * Complete the file: what is buffered first, so that after a failed
 * write the packets given up are known before the statistics count
 * them, then each hook's statistics block, each written out at once
 * (after a failed write the output still tries them, whole or not at
 * all). In the capture's last file discarded counts the whole capture's;
 * in one it leaves, the packets it gave up. Returns the first error (its
 * message in w->errbuf unless w->err holds one already).
 */
static int complete_file(struct writer *w, const struct xdpcap_capture_stats *now,
			 bool last)
{
	char scratch[XDPCAP_ERRBUF_SIZE];
	char *errbuf = w->err ? scratch : w->errbuf;
	struct xdpcap_output_stats ost;
	int err, e;

	err = xdpcap_output_flush(w->out, errbuf);
	take_back_unwritten(w);
	for (unsigned int i = 0; i < w->n_hooks; i++) {
		struct hook_state *h = &w->hooks[i];

		file_stats(w, h, &now[i], &ost);
		ost.discarded = last ? discarded(w, h, &now[i]) : h->file_unwritten;
		e = xdpcap_output_write_stats(w->out, i, &ost, err ? scratch : errbuf);
		if (!e && !err)
			e = xdpcap_output_flush(w->out, errbuf);
		if (e && !err)
			err = e;
	}
	return err;
}

/*
 * Complete this file with its own statistics (what each hook counted
 * since the file began), and go on in the next. Returns 0, 1 when
 * rotate() ended the capture, or -errno.
 */
static int rotate_file(struct writer *w)
{
	struct xdpcap_capture_stats now[XDPCAP_SESSION_MAX_HOOKS];
	int err, fd;

	for (unsigned int i = 0; i < w->n_hooks; i++) {
		capture_read_stats(w->hooks[i].cap, &now[i]);
		now[i].end_ns = realtime_ns();
	}
	err = complete_file(w, now, false);
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
	for (unsigned int i = 0; i < w->n_hooks; i++)
		w->hooks[i].file_base = now[i];
	return open_output(w, w->errbuf);
}

static bool count_reached(const struct writer *w)
{
	return w->opts->count && w->written >= w->opts->count;
}

/*
 * The packet id in the file: with several hooks each numbers its own
 * packets, so the hook's number is woven in to keep ids apart.
 */
static uint64_t file_packet_id(const struct writer *w, const struct hook_state *h,
			       uint64_t id)
{
	if (!id || w->n_hooks < 2)
		return id;
	return (id - 1) * w->n_hooks + h->index + 1;
}

/* Write one packet of hook h (the callback of a single hook's poll). */
static int write_packet(const struct xdpcap_packet *pkt, void *ctx)
{
	struct hook_state *h = ctx;
	struct writer *w = h->w;
	char comment[XDPCAP_OUTPUT_COMMENT_MAX];
	struct xdpcap_output_packet op = {
		.iface = h->index,
		.ts_ns = pkt->ts_ns,
		.caplen = pkt->caplen,
		.wirelen = pkt->wirelen,
		.data = pkt->data,
		/* as it arrived: no verdict yet */
		.action = pkt->action < XDPCAP_ACTIONS ? (int)pkt->action : -1,
		.has_queue = true,
		.queue = pkt->rx_queue,
		.comment = packet_comment(pkt, &w->names, comment, sizeof(comment)),
		.packet_id = file_packet_id(w, h, pkt->packet_id),
		/* it arrived, or leaves by XDP_TX or XDP_REDIRECT */
		.direction = pkt->action == XDP_TX || pkt->action == XDP_REDIRECT ?
			     XDPCAP_DIRECTION_OUT : XDPCAP_DIRECTION_IN,
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
	if (err) {
		w->err = err;
		return 1;
	}
	/* taken: if a flush gives it up, take_back_unwritten() counts it */
	w->written++;
	w->file_written++;
	h->written++;
	h->file_written++;
	if (w->opts->flush_each) {
		err = xdpcap_output_flush(w->out, w->errbuf);
		if (err) {
			w->err = err;
			return 1;
		}
	}
	return count_reached(w);
}

/* Several hooks: keep a copy for the merge (the callback of their polls). */
static int hold_packet(const struct xdpcap_packet *pkt, void *ctx)
{
	struct hook_state *h = ctx;
	struct writer *w = h->w;

	if (w->err || w->ended || count_reached(w))
		return 1;
	if (packet_merge_add(&w->merge, h->index, pkt)) {
		snprintf(w->errbuf, sizeof(w->errbuf), "out of memory");
		w->err = -ENOMEM;
		return 1;
	}
	return 0;
}

/* The merge hands packets over in time order. */
static int write_merged(unsigned int source, const struct xdpcap_packet *pkt, void *ctx)
{
	struct writer *w = ctx;

	return write_packet(pkt, &w->hooks[source]);
}

/* "XDP hook xdp:lb of program 12 lb_main on eth0, actions XDP_DROP ..." */
static void describe(char *buf, size_t len, const struct xdpcap_capture *cap)
{
	const struct xdpcap_hook *h = xdpcap_capture_hook(cap);
	unsigned int actions = xdpcap_capture_actions(cap);
	size_t used;

	if (h->source == XDPCAP_HOOK_TRACED)
		used = (size_t)snprintf(buf, len, "XDP program %u %s traced (fexit%s), no hook",
					h->prog_id, h->prog_name,
					xdpcap_capture_entry(cap) ? ", fentry" : "");
	else
		used = (size_t)snprintf(buf, len, "XDP hook %s", h->name);
	if (h->prog_id && used < len && h->source != XDPCAP_HOOK_TRACED)
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
	int err;

	w->file_start_ns = realtime_ns();
	w->file_written = 0;
	for (unsigned int i = 0; i < w->n_hooks; i++) {
		w->hooks[i].file_written = 0;
		w->hooks[i].file_unwritten = 0;
	}
	err = xdpcap_output_open(w->fd, w->opts->format, &w->out, errbuf);
	if (err)
		return err;
	xdpcap_output_set_cancel(w->out, w->opts->stop);
	if (w->opts->file_opened)
		w->opts->file_opened(xdpcap_output_method(w->out), w->opts->ctx);
	for (unsigned int i = 0; i < w->n_hooks; i++) {
		struct xdpcap_capture *cap = w->hooks[i].cap;
		char description[256];
		struct xdpcap_output_iface iface = {
			.name = xdpcap_capture_hook(cap)->name,
			.description = description,
			.filter = xdpcap_capture_filter(cap),
			.snaplen = xdpcap_capture_snaplen(cap),
			.linktype = DLT_EN10MB,
		};

		describe(description, sizeof(description), cap);
		/* interface ids are given in order: hook i is interface i */
		err = xdpcap_output_add_iface(w->out, &iface, errbuf);
		if (err < 0)
			return err;
	}
	/* readers (tshark, tcpdump -r -) wait for the header before anything */
	return xdpcap_output_flush(w->out, errbuf);
}

static uint64_t now_ms(void)
{
	return clock_ns(CLOCK_MONOTONIC) / 1000000;
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

/*
 * Between packets: the reader gone; once a second, what the file's
 * writer holds pushed out, and the statistics.
 */
static bool keep_going(struct writer *w, uint64_t *next_tick)
{
	const struct xdpcap_session_opts *opts = w->opts;

	if (w->err || w->ended || count_reached(w))
		return false;
	if (reader_gone(w->fd)) {
		w->err = -EPIPE;
		return false;
	}
	if (now_ms() >= *next_tick) {
		w->err = output_push(w->out, w->errbuf);
		if (w->err)
			return false;
		if (opts->tick)
			opts->tick(w->hooks[0].cap, opts->ctx);
		if (opts->written)
			opts->written(w->written, xdpcap_output_bytes(w->out), opts->ctx);
		*next_tick += 1000;
	}
	return true;
}

static int ring_failed(int n, char *errbuf)
{
	xdpcap_err(errbuf, "reading the capture ring failed: %s", strerror(-n));
	return n;
}

/* One hook: packets go to the file as the ring gives them. */
static int capture_one(struct writer *w, char *errbuf)
{
	const struct xdpcap_session_opts *opts = w->opts;
	uint64_t next_tick = now_ms() + 1000;
	int n;

	while (!(opts->stop && *opts->stop)) {
		n = xdpcap_capture_poll(w->hooks[0].cap, POLL_MS, write_packet, &w->hooks[0]);
		if (n < 0 && n != -EINTR)
			return ring_failed(n, errbuf);
		if (!keep_going(w, &next_tick))
			break;
	}
	return 0;
}

/* The merge's clock: the kernel's (monotonic) time, as the packets have it. */
static uint64_t merge_now_ns(const struct writer *w)
{
	return clock_ns(CLOCK_MONOTONIC) + (uint64_t)w->mono_to_epoch_ns;
}

/* Write what the merge holds up to until_ns, and more if it holds too much. */
static void write_in_order(struct writer *w, uint64_t until_ns)
{
	packet_merge_release(&w->merge, until_ns, write_merged, w);
	while (!w->err && !w->ended && !count_reached(w) && w->merge.bytes > MERGE_MAX_BYTES)
		packet_merge_release(&w->merge, packet_merge_oldest(&w->merge), write_merged, w);
}

/*
 * Several hooks: each ring is read in turn, and a packet is written once
 * no other ring can still bring an older one (packet_merge.h).
 */
static int capture_many(struct writer *w, char *errbuf)
{
	const struct xdpcap_session_opts *opts = w->opts;
	struct pollfd pfd[XDPCAP_SESSION_MAX_HOOKS];
	uint64_t next_tick = now_ms() + 1000;
	int n;

	for (unsigned int i = 0; i < w->n_hooks; i++)
		pfd[i] = (struct pollfd){ .fd = xdpcap_capture_fd(w->hooks[i].cap), .events = POLLIN };
	while (!(opts->stop && *opts->stop)) {
		uint64_t oldest = packet_merge_oldest(&w->merge), read_from;
		int timeout = POLL_MS;

		if (oldest) {
			uint64_t due = oldest + PACKET_MERGE_HOLD_NS, now = merge_now_ns(w);

			timeout = due <= now ? 0 : (int)((due - now) / 1000000 + 1);
			if (timeout > POLL_MS)
				timeout = POLL_MS;
		}
		n = poll(pfd, w->n_hooks, timeout);
		if (n < 0 && errno != EINTR)
			return ring_failed(-errno, errbuf);
		if (n > 0)
			usleep(WAKEUP_GATHER_US);
		read_from = merge_now_ns(w);
		for (unsigned int i = 0; i < w->n_hooks && !w->err; i++) {
			n = xdpcap_capture_poll(w->hooks[i].cap, 0, hold_packet, &w->hooks[i]);
			if (n < 0 && n != -EINTR)
				return ring_failed(n, errbuf);
		}
		if (!w->err)
			write_in_order(w, read_from - PACKET_MERGE_HOLD_NS);
		if (!keep_going(w, &next_tick))
			break;
	}
	return 0;
}

/*
 * The statistics block of hook h in the file being written: what the
 * hook counted since the file began (the whole capture without rotation).
 */
static void file_stats(struct writer *w, const struct hook_state *h,
		       const struct xdpcap_capture_stats *now,
		       struct xdpcap_output_stats *ost)
{
	const struct xdpcap_capture_stats *base = &h->file_base;

	memset(ost, 0, sizeof(*ost));
	ost->start_ns = w->file_start_ns;
	ost->end_ns = now->end_ns;
	for (unsigned int a = 0; a < XDPCAP_ACTIONS; a++) {
		ost->received += now->received[a] - base->received[a];
		ost->matched += now->matched[a] - base->matched[a];
		ost->dropped += now->dropped[a] - base->dropped[a];
		ost->skipped += now->skipped[a] - base->skipped[a];
	}
	if (xdpcap_capture_entry(h->cap)) {
		/* every packet passes the entry once: those are the hook's */
		ost->received = now->entry_received - base->entry_received;
		ost->matched += now->entry_matched - base->entry_matched;
		ost->dropped += now->entry_dropped - base->entry_dropped;
		ost->skipped += now->entry_skipped - base->entry_skipped;
	}
	ost->delivered = h->file_written;
}

/* Matched and not lost in the kernel, yet not written. */
static unsigned long long discarded(struct writer *w, const struct hook_state *h,
				    const struct xdpcap_capture_stats *st)
{
	struct hook_state whole = *h;
	struct xdpcap_output_stats total;

	memset(&whole.file_base, 0, sizeof(whole.file_base));
	whole.file_written = h->written;
	file_stats(w, &whole, st, &total);
	if (total.matched > total.dropped + total.skipped + h->written)
		return total.matched - total.dropped - total.skipped - h->written;
	return 0;
}

/*
 * Empty each hook's slots and write what is still in its ring, then the
 * statistics: the counters are final once stop() has waited for the
 * programs. After a failed write too: what was written, and what was not,
 * is counted either way.
 */
static void finish(struct writer *w, struct xdpcap_session_result *res,
		   struct xdpcap_session_result *by_hook)
{
	struct xdpcap_capture_stats now[XDPCAP_SESSION_MAX_HOOKS];
	bool merged = w->n_hooks > 1;
	int err = 0;

	for (unsigned int i = 0; i < w->n_hooks; i++)
		xdpcap_capture_stop(w->hooks[i].cap, merged ? hold_packet : write_packet,
				    &w->hooks[i]);
	if (merged && !w->err)
		write_in_order(w, UINT64_MAX);
	for (unsigned int i = 0; i < w->n_hooks; i++)
		capture_read_stats(w->hooks[i].cap, &now[i]);
	/* (no file: a rotation failed or ended the capture) */
	if (w->out)
		err = complete_file(w, now, true);
	if (err && !w->err)
		w->err = err;
	for (unsigned int i = 0; i < w->n_hooks; i++) {
		struct hook_state *h = &w->hooks[i];
		struct xdpcap_session_result one = {
			.sz = sizeof(one), .written = h->written, .stats = now[i],
			.discarded = discarded(w, h, &now[i]),
		};

		capture_stats_add(&res->stats, &one.stats);
		res->discarded += one.discarded;
		if (by_hook)
			by_hook[i] = one;
	}
}

/* Start every hook's capture, or none. */
static int start_all(struct writer *w, char *errbuf)
{
	for (unsigned int i = 0; i < w->n_hooks; i++) {
		int err = xdpcap_capture_start(w->hooks[i].cap, errbuf);

		if (err) {
			while (i--)
				xdpcap_capture_stop(w->hooks[i].cap, NULL, NULL);
			return err;
		}
	}
	return 0;
}

/* xdpcap_session_run_hooks() into the library's full structs. */
static int run_hooks(struct xdpcap_capture *const *caps, unsigned int n,
		     const struct xdpcap_session_opts *opts,
		     struct xdpcap_session_result *res,
		     struct xdpcap_session_result *by_hook, char *errbuf)
{
	struct xdpcap_session_opts known;
	struct writer w = { .opts = &known, .n_hooks = n };
	struct xdpcap_capture_stats st;
	int err;

	memset(res, 0, sizeof(*res));
	res->sz = sizeof(*res);
	res->stats.sz = sizeof(res->stats);
	if (by_hook)
		memset(by_hook, 0, n * sizeof(*by_hook));
	if (!opts) {
		xdpcap_err(errbuf, "xdpcap_session_opts: the output is required");
		return -EINVAL;
	}
	err = opts_copy(&known, sizeof(known),
			OPTS_KNOWN(xdpcap_session_opts), opts,
			"xdpcap_session_opts", errbuf);
	if (err)
		return err;
	opts = &known;
	w.fd = opts->out_fd;
	if (!n || n > XDPCAP_SESSION_MAX_HOOKS) {
		xdpcap_err(errbuf, "a session captures from 1 to %d hooks, not %u",
			   XDPCAP_SESSION_MAX_HOOKS, n);
		return -EINVAL;
	}
	for (unsigned int i = 0; i < n; i++)
		w.hooks[i] = (struct hook_state){ .w = &w, .cap = caps[i], .index = i };
	w.mono_to_epoch_ns = clock_realtime_offset();
	/*
	 * Slots first: a capture refused because they are busy must not have
	 * written (or emptied) its output. What arrives meanwhile waits in
	 * the rings.
	 */
	err = start_all(&w, errbuf);
	if (err)
		goto out;
	if (opts->started)
		opts->started(caps[0], opts->ctx);
	/* (a file that cannot be begun ends the capture as a failed write does) */
	w.err = open_output(&w, w.errbuf);
	/* the first file's statistics begin with the capture */
	for (unsigned int i = 0; i < n; i++) {
		if (!capture_read_stats(caps[i], &st) &&
		    (!i || st.start_ns < w.file_start_ns))
			w.file_start_ns = st.start_ns;
	}
	if (!w.err)
		err = n > 1 ? capture_many(&w, errbuf) : capture_one(&w, errbuf);
	finish(&w, res, by_hook);
	/* a reader that went away is a normal way to stop */
	if (!err && (w.err == -EPIPE ||
		     (w.err == -EINTR && opts->stop && *opts->stop)))
		res->reader_gone = true;
	else if (!err && w.err) {
		err = w.err;
		xdpcap_err(errbuf, "%s", w.errbuf);
	}
	for (unsigned int i = 0; by_hook && i < n; i++)
		by_hook[i].reader_gone = res->reader_gone;
out:
	res->written = w.written;
	if (w.out)
		xdpcap_output_close(w.out, NULL);
	packet_merge_free(&w.merge);
	return err;
}

int xdpcap_session_run_hooks(struct xdpcap_capture *const *caps, unsigned int n,
			     const struct xdpcap_session_opts *opts,
			     struct xdpcap_session_result *res,
			     struct xdpcap_session_result *by_hook, char *errbuf)
{
	struct xdpcap_session_result full, full_by[XDPCAP_SESSION_MAX_HOOKS];
	/* the caller's array, element by element at its own size */
	size_t by_sz = by_hook ? opts_size(by_hook) : 0;
	int err;

	if (opts_size(res) < sizeof(size_t) || (by_hook && by_sz < sizeof(size_t))) {
		xdpcap_err(errbuf, "xdpcap_session_result: its size (sz) is not set");
		return -EINVAL;
	}
	err = run_hooks(caps, n, opts, &full, by_hook ? full_by : NULL, errbuf);
	opts_out(res, &full, sizeof(full));
	for (unsigned int i = 0; by_hook && i < n && i < XDPCAP_SESSION_MAX_HOOKS; i++) {
		void *dst = (char *)by_hook + i * by_sz;

		memcpy(dst, &by_sz, sizeof(by_sz));
		opts_out(dst, &full_by[i], sizeof(full_by[i]));
	}
	return err;
}

int xdpcap_session_run(struct xdpcap_capture *cap,
		       const struct xdpcap_session_opts *opts,
		       struct xdpcap_session_result *res, char *errbuf)
{
	return xdpcap_session_run_hooks(&cap, 1, opts, res, NULL, errbuf);
}
