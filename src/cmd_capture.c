// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * xdpcap HOOK OUTPUT [FILTER...]: live capture into a file or stdout,
 * with a statistics line once a second, until Ctrl-C, SIGTERM, SIGHUP,
 * the reader of stdout going away, or -c packets.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <net/if.h>
#include <pcap/dlt.h>

#include "xdpcap/capture.h"
#include "xdpcap/output.h"
#include "cmd.h"
#include "stats_line.h"

#define POLL_MS 100

static volatile sig_atomic_t stop_requested;

static void on_stop_signal(int sig)
{
	(void)sig;
	stop_requested = 1;
}

/* No SA_RESTART: a signal must cut the wait for packets short. */
static void install_signals(void)
{
	struct sigaction sa = { .sa_handler = on_stop_signal };

	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	/* a reader gone from stdout shows up as EPIPE on write */
	signal(SIGPIPE, SIG_IGN);
}

struct writer {
	struct xdpcap_output *out;
	const struct capture_args *args;
	unsigned long long written;
	int write_err;		/* first write error, as -errno */
	char errbuf[XDPCAP_ERRBUF_SIZE];
};

static int write_packet(const struct xdpcap_packet *pkt, void *ctx)
{
	struct writer *w = ctx;
	struct xdpcap_output_packet op = {
		.iface = 0,
		.ts_ns = pkt->ts_ns,
		.caplen = pkt->caplen,
		.wirelen = pkt->wirelen,
		.data = pkt->data,
		.action = (int)pkt->action,
		.has_queue = true,
		.queue = pkt->rx_queue,
	};
	int err;

	if (w->write_err)
		return 1;
	err = xdpcap_output_write(w->out, &op, w->errbuf);
	if (!err && w->args->flush_each)
		err = xdpcap_output_flush(w->out, w->errbuf);
	if (err) {
		w->write_err = err;
		return 1;
	}
	w->written++;
	return w->args->count && w->written >= w->args->count;
}

static void notice_to_stderr(const char *msg, void *ctx)
{
	(void)ctx;
	fprintf(stderr, "xdpcap: %s\n", msg);
}

static void describe_hook(char *buf, size_t len, const struct xdpcap_hook *h,
			  unsigned int actions)
{
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
}

static int open_output(const struct capture_args *args,
		       const struct xdpcap_capture *cap, int *fd,
		       struct xdpcap_output **out, char *errbuf)
{
	char description[256];
	struct xdpcap_output_iface iface = {
		.name = xdpcap_capture_hook(cap)->name,
		.description = description,
		.filter = args->filter,
		.snaplen = args->snaplen,
		.linktype = DLT_EN10MB,
	};
	int err;

	describe_hook(description, sizeof(description), xdpcap_capture_hook(cap),
		      xdpcap_capture_actions(cap));
	if (!strcmp(args->output, "-")) {
		*fd = STDOUT_FILENO;
	} else {
		*fd = open(args->output, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
		if (*fd < 0) {
			snprintf(errbuf, XDPCAP_ERRBUF_SIZE, "cannot write %s: %s",
				 args->output, strerror(errno));
			return -errno;
		}
	}
	err = xdpcap_output_open(*fd, args->format, out, errbuf);
	if (!err) {
		err = xdpcap_output_add_iface(*out, &iface, errbuf);
		err = err < 0 ? err : 0;
	}
	return err;
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void print_stats(struct xdpcap_capture *cap, unsigned int actions,
			bool tty)
{
	struct xdpcap_capture_stats st;
	char line[512];

	if (xdpcap_capture_stats(cap, &st))
		return;
	stats_line_format(line, sizeof(line), &st, actions);
	fprintf(stderr, tty ? "\r%s\033[K" : "%s\n", line);
}

/* Capture until told to stop; returns 0 or -errno (message in errbuf). */
static int run(struct xdpcap_capture *cap, struct writer *w, char *errbuf)
{
	bool tty = isatty(STDERR_FILENO);
	uint64_t next_stats = now_ms() + 1000;
	int n;

	while (!stop_requested) {
		n = xdpcap_capture_poll(cap, POLL_MS, write_packet, w);
		if (n < 0 && n != -EINTR) {
			snprintf(errbuf, XDPCAP_ERRBUF_SIZE, "reading the capture ring failed: %s",
				 strerror(-n));
			return n;
		}
		if (w->write_err || (w->args->count && w->written >= w->args->count))
			break;
		if (!w->args->quiet && now_ms() >= next_stats) {
			print_stats(cap, xdpcap_capture_actions(cap), tty);
			next_stats += 1000;
		}
	}
	if (!w->args->quiet && tty)
		fputc('\n', stderr);
	return 0;
}

static int finish(struct xdpcap_capture *cap, struct writer *w)
{
	struct xdpcap_capture_stats st;
	struct xdpcap_output_stats ost = { 0 };
	char errbuf[XDPCAP_ERRBUF_SIZE];
	int err = 0;

	/* empty the slots first, then take what is still in the rings */
	if (!(w->args->count && w->written >= w->args->count) && !w->write_err)
		xdpcap_capture_stop(cap, write_packet, w);
	else
		xdpcap_capture_stop(cap, NULL, NULL);
	xdpcap_capture_stats(cap, &st);
	ost.start_ns = st.start_ns;
	ost.end_ns = st.end_ns;
	for (unsigned int a = 0; a < XDPCAP_ACTIONS; a++) {
		ost.received += st.received[a];
		ost.matched += st.matched[a];
		ost.dropped += st.dropped[a];
	}
	ost.delivered = w->written;
	if (!w->write_err) {
		err = xdpcap_output_write_stats(w->out, 0, &ost, errbuf);
		if (!err)
			err = xdpcap_output_flush(w->out, errbuf);
		if (err) {
			w->write_err = err;
			snprintf(w->errbuf, sizeof(w->errbuf), "%s", errbuf);
		}
	}
	if (!w->args->quiet)
		stats_summary_print(stderr, &st, xdpcap_capture_actions(cap), w->written);
	return 0;
}

int cmd_capture(const struct capture_args *args)
{
	XDPCAP_OPTS(xdpcap_capture_opts, opts,
		.hook_dir = args->hook_dir,
		.actions = args->actions,
		.snaplen = args->snaplen,
		.force = args->force,
		.ring_kib = args->ring_kib,
		.notice = notice_to_stderr,
	);
	char errbuf[XDPCAP_ERRBUF_SIZE];
	struct writer w = { .args = args };
	struct xdpcap_capture *cap;
	char *log = NULL;
	int err, fd = -1, ret = 0;

	if (args->verbose)
		opts.verifier_log = &log;
	err = xdpcap_capture_open(args->hook, args->filter, &opts, &cap, errbuf);
	if (err) {
		p_err("%s", errbuf);
		if (log)
			fputs(log, stderr);
		free(log);
		return err == -EPERM || err == -EINVAL || err == -ENOENT ||
			       err == -ENODEV || err == -EBUSY ?
			       EXIT_USAGE : EXIT_RUNTIME;
	}
	err = open_output(args, cap, &fd, &w.out, errbuf);
	if (err) {
		p_err("%s", errbuf);
		ret = EXIT_USAGE;
		goto out;
	}
	install_signals();
	err = xdpcap_capture_start(cap, errbuf);
	if (err) {
		p_err("%s", errbuf);
		ret = err == -EBUSY ? EXIT_USAGE : EXIT_RUNTIME;
		goto out;
	}
	if (!args->quiet)
		fprintf(stderr, "xdpcap: capturing from %s\n",
			xdpcap_capture_hook(cap)->name);
	for (unsigned int a = 0; args->verbose && a < XDPCAP_ACTIONS; a++)
		if (xdpcap_capture_prog_insns(cap, a))
			fprintf(stderr, "xdpcap: %s: capture program of %zu eBPF instructions\n",
				xdpcap_action_name(a), xdpcap_capture_prog_insns(cap, a));
	err = run(cap, &w, errbuf);
	finish(cap, &w);
	if (err) {
		p_err("%s", errbuf);
		ret = EXIT_RUNTIME;
	} else if (w.write_err && w.write_err != -EPIPE) {
		/* a reader that went away is a normal way to stop */
		p_err("%s", w.errbuf);
		ret = EXIT_RUNTIME;
	}
out:
	if (w.out)
		xdpcap_output_close(w.out, errbuf);
	if (fd > STDERR_FILENO)
		close(fd);
	xdpcap_capture_close(cap);
	return ret;
}
