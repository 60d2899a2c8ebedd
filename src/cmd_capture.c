// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * xdpcap HOOK OUTPUT [FILTER...] (or -i HOOK... OUTPUT [FILTER...]): live
 * capture into a file or stdout, with a statistics line once a second,
 * until Ctrl-C, SIGTERM, SIGHUP, the reader of stdout going away, or -c
 * packets.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/stat.h>

#include "xdpcap/capture.h"
#include "xdpcap/session.h"
#include "cmd.h"
#include "rotation.h"
#include "stats_line.h"

static volatile sig_atomic_t stop_requested;

static void notice_to_stderr(const char *msg, void *ctx)
{
	(void)ctx;
	fprintf(stderr, "xdpcap: %s\n", msg);
}

struct progress {
	const struct capture_args *args;
	struct xdpcap_capture **caps;	/* one per hook */
	bool tty;
	int out_fd;
	bool started;
	struct rotation *rotation;	/* -C, -G: for the session's rotate() */
};

static int rotate_next(void *ctx, int done_fd, char *errbuf)
{
	return rotation_next(((struct progress *)ctx)->rotation, done_fd, errbuf);
}

/* What a capture program is for: a slot's action, or a tracing program. */
static const char *program_role(const struct xdpcap_capture *cap, unsigned int slot)
{
	if (xdpcap_capture_hook(cap)->source != XDPCAP_HOOK_TRACED)
		return xdpcap_action_name(slot);
	return slot == XDPCAP_SLOT_ENTRY ? "fentry" : "fexit, every action";
}

static void print_started(struct xdpcap_capture *cap, void *ctx)
{
	struct progress *p = ctx;
	struct stat st;

	p->started = true;
	/* the slots are ours: now the file may lose what it held */
	if (!fstat(p->out_fd, &st) && S_ISREG(st.st_mode) && st.st_size)
		ftruncate(p->out_fd, 0);

	(void)cap;
	for (unsigned int i = 0; i < p->args->n_hooks; i++) {
		cap = p->caps[i];
		if (!p->args->quiet)
			fprintf(stderr, "xdpcap: capturing from %s\n",
				xdpcap_capture_hook(cap)->name);
		if (p->args->verbose)
			fprintf(stderr, "xdpcap: %s: %u ring%s\n", xdpcap_capture_hook(cap)->name,
				xdpcap_capture_rings(cap), xdpcap_capture_rings(cap) > 1 ? "s, merged in time order" : "");
		for (unsigned int a = 0; p->args->verbose && a < XDPCAP_SLOTS; a++)
			if (xdpcap_capture_prog_insns(cap, a))
				fprintf(stderr, "xdpcap: %s: %s: capture program of %zu eBPF instructions\n",
					xdpcap_capture_hook(cap)->name, program_role(cap, a),
					xdpcap_capture_prog_insns(cap, a));
	}
}

/* -v: how each file is written (direct I/O, the page cache, a stream). */
static void print_file_opened(const char *method, void *ctx)
{
	struct progress *p = ctx;

	if (p->args->verbose)
		fprintf(stderr, "xdpcap: writing %s: %s\n",
			p->rotation ? p->rotation->name :
			p->out_fd == STDOUT_FILENO ? "standard output" : p->args->output,
			method);
}

/* The counters of all hooks, added up. */
static int sum_stats(const struct progress *p, struct xdpcap_capture_stats *sum)
{
	memset(sum, 0, sizeof(*sum));
	sum->sz = sizeof(*sum);
	for (unsigned int i = 0; i < p->args->n_hooks; i++) {
		XDPCAP_OPTS(xdpcap_capture_stats, st);

		if (xdpcap_capture_stats(p->caps[i], &st))
			return -1;
		xdpcap_capture_stats_add(sum, &st);
	}
	return 0;
}

/* The columns of the terminal on stderr: the line must fit them. */
static size_t terminal_width(void)
{
	struct winsize ws;

	if (!ioctl(STDERR_FILENO, TIOCGWINSZ, &ws) && ws.ws_col)
		return ws.ws_col - 1;	/* the cursor's column */
	return 79;
}

static void print_stats(unsigned long long written, uint64_t file_bytes, void *ctx)
{
	const struct progress *p = ctx;
	bool tty = p->tty;
	struct xdpcap_capture_stats st;
	struct stats_line_extra x = {
		.written = written,
		.file_bytes = file_bytes,
		.file = p->rotation ? p->rotation->name :
			p->out_fd == STDOUT_FILENO ? NULL : p->args->output,
		.width = tty ? terminal_width() : 0,
	};
	char line[512];

	if (sum_stats(p, &st))
		return;
	stats_line_format(line, sizeof(line), &st, xdpcap_capture_actions(p->caps[0]), &x);
	fprintf(stderr, tty ? "\r%s\033[K" : "%s\n", line);
}

/* Who holds the slot a capture was refused for. */
static struct xdpcap_busy busy_slot;

/* The library's refusal, and what this command can do about it. */
static void print_busy(const char *errbuf)
{
	const struct xdpcap_slot *s = &busy_slot.slot;

	p_err("%s; %s", errbuf,
	      s->unreadable ? "as root, xdpcap list shows whose it is and --force takes it over" :
	      s->owner_pid ? "--force takes it over" : "--force replaces it");
}

static int open_capture(const struct capture_args *args, const char *hook,
			struct xdpcap_capture **cap)
{
	XDPCAP_OPTS(xdpcap_capture_opts, opts,
		.hook_dir = args->hook_dir,
		.actions = args->actions,
		.snaplen = args->snaplen,
		.force = args->force,
		.ring_kib = args->ring_kib,
		.rings = args->rings,
		.sample = args->sample,
		.max_rate = args->max_rate,
		.netmask = args->netmask,
		.notice = notice_to_stderr,
		.busy = &busy_slot,
	);
	char errbuf[XDPCAP_ERRBUF_SIZE];
	char *log = NULL;
	int err;

	if (args->verbose)
		opts.verifier_log = &log;
	err = xdpcap_capture_open(hook, args->filter, &opts, cap, errbuf);
	if (!err)
		return 0;
	if (err == -EBUSY)
		print_busy(errbuf);
	else
		p_err("%s", errbuf);
	if (log)
		fputs(log, stderr);
	free(log);
	return exit_status(err);
}

/*
 * The output file, not emptied yet: a capture refused at the last moment
 * (another took the slots first) leaves an existing file as it was.
 */
static int open_output_file(const char *path, bool *created)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);

	*created = fd >= 0;
	if (fd < 0 && errno == EEXIST)
		fd = open(path, O_WRONLY | O_CLOEXEC);
	return fd;
}

/* Close the captures of the first n hooks. */
static void close_captures(struct xdpcap_capture **caps, unsigned int n)
{
	while (n--)
		xdpcap_capture_close(caps[n]);
}

/* -v: the records each hook's rings gave. */
static void print_ring_records(const struct capture_args *args,
			       struct xdpcap_capture **caps)
{
	for (unsigned int i = 0; args->verbose && i < args->n_hooks; i++) {
		fprintf(stderr, "xdpcap: %s: records read from each ring:",
			xdpcap_capture_hook(caps[i])->name);
		for (unsigned int r = 0; r < xdpcap_capture_rings(caps[i]); r++)
			fprintf(stderr, " %llu",
				(unsigned long long)xdpcap_capture_ring_records(caps[i], r));
		fputc('\n', stderr);
	}
}

/* With several hooks, what each gave, after the totals; with -v, rings. */
static void print_hook_summaries(const struct capture_args *args,
				 struct xdpcap_capture **caps,
				 const struct xdpcap_session_result *by_hook)
{
	print_ring_records(args, caps);
	for (unsigned int i = 0; args->n_hooks > 1 && i < args->n_hooks; i++) {
		fprintf(stderr, "%s:\n", xdpcap_capture_hook(caps[i])->name);
		stats_hook_summary_print(stderr, &by_hook[i].stats,
					 xdpcap_capture_actions(caps[i]),
					 by_hook[i].written, by_hook[i].discarded);
	}
}

static bool disk_full(int err)
{
	return err == -ENOSPC || err == -EDQUOT;
}

/*
 * A capture that failed once it had begun: the error, then the summary,
 * -q or not, since the packets it could not write are lost.
 */
static void print_failure(const struct capture_args *args, struct xdpcap_capture **caps,
			  const char *file, int err, const char *errbuf,
			  const struct xdpcap_session_result *res,
			  const struct xdpcap_session_result *by_hook)
{
	if (disk_full(err))
		p_err("the disk of %s is full: %s; free some space there, or capture to another file system",
		      file, errbuf);
	else
		p_err("%s", errbuf);
	stats_summary_print(stderr, &res->stats, xdpcap_capture_actions(caps[0]),
			    res->written, res->discarded,
			    disk_full(err) ? "the disk is full" : NULL);
	print_hook_summaries(args, caps, by_hook);
}

int cmd_capture(const struct capture_args *args)
{
	struct xdpcap_capture *caps[XDPCAP_SESSION_MAX_HOOKS];
	struct progress progress = {
		.args = args, .caps = caps, .tty = isatty(STDERR_FILENO),
	};
	XDPCAP_OPTS(xdpcap_session_opts, sopts,
		.format = args->format,
		.flush_each = args->flush_each,
		.count = args->count,
		.stop = &stop_requested,
		.started = print_started,
		.file_opened = print_file_opened,
		.written = args->quiet ? NULL : print_stats,
		.ctx = &progress,
	);
	struct rotation rot = {
		.pattern = args->output,
		.bytes = args->rotate_mb * 1000000ull,
		.seconds = args->rotate_seconds,
		.count = args->rotate_count,
	};
	char errbuf[XDPCAP_ERRBUF_SIZE];
	struct xdpcap_session_result by_hook[XDPCAP_SESSION_MAX_HOOKS] = { { .sz = sizeof(by_hook[0]) } };
	XDPCAP_OPTS(xdpcap_session_result, res);
	bool created = false;
	int err, ret;

	for (unsigned int i = 0; i < args->n_hooks; i++) {
		ret = open_capture(args, args->hooks[i], &caps[i]);
		if (ret) {
			close_captures(caps, i);
			return ret;
		}
	}
	rotation_first(&rot);
	if (!strcmp(args->output, "-")) {
		sopts.out_fd = STDOUT_FILENO;
	} else {
		sopts.out_fd = open_output_file(rot.name, &created);
		if (sopts.out_fd < 0) {
			p_err("cannot write %s: %s", rot.name, strerror(errno));
			close_captures(caps, args->n_hooks);
			return EXIT_USAGE;
		}
	}
	rot.fd = sopts.out_fd;
	if (rot.bytes || rot.seconds) {
		sopts.rotate_bytes = rot.bytes;
		sopts.rotate_seconds = rot.seconds;
		sopts.rotate = rotate_next;
		progress.rotation = &rot;
	}
	progress.out_fd = sopts.out_fd;
	stop_on_signals(&stop_requested);
	err = xdpcap_session_run_hooks(caps, args->n_hooks, &sopts, &res, by_hook, errbuf);
	if (err && created && !progress.started)
		unlink(rot.name); /* refused before it began: leave no file */
	if (!args->quiet && progress.tty)
		fputc('\n', stderr);
	if (err == -EBUSY) {
		print_busy(errbuf);
		ret = EXIT_USAGE;
	} else if (err && progress.started) {
		print_failure(args, caps, sopts.out_fd == STDOUT_FILENO ? "standard output" : rot.name,
			      err, errbuf, &res, by_hook);
		ret = EXIT_RUNTIME;
	} else if (err) {
		p_err("%s", errbuf);
		ret = exit_status(err);
	} else if (!args->quiet) {
		stats_summary_print(stderr, &res.stats, xdpcap_capture_actions(caps[0]),
				    res.written, res.discarded, NULL);
		print_hook_summaries(args, caps, by_hook);
	}
	if (rot.fd >= 0 && rot.fd != STDOUT_FILENO)
		close(rot.fd);
	close_captures(caps, args->n_hooks);
	return ret;
}
