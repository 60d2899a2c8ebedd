// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * The capturing readers: xdpcap and tcpdump as child processes, and the
 * capture library in this process.
 */

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <pcap/dlt.h>

#include "bench_capture.h"

/* --- child processes (xdpcap, tcpdump) -------------------------------------- */

/* Read what the child wrote, for up to timeout_ms; false at EOF. */
static bool child_read(struct child *c, int timeout_ms)
{
	struct pollfd pfd = { .fd = c->fd, .events = POLLIN };
	ssize_t n;

	if (c->fd < 0 || poll(&pfd, 1, timeout_ms) <= 0)
		return c->fd >= 0;
	if (c->len + 1 >= sizeof(c->log)) {
		/* keep the second half: the summary comes last */
		memmove(c->log, c->log + sizeof(c->log) / 2, c->len - sizeof(c->log) / 2);
		c->len -= sizeof(c->log) / 2;
	}
	n = read(c->fd, c->log + c->len, sizeof(c->log) - 1 - c->len);
	if (n <= 0) {
		close(c->fd);
		c->fd = -1;
		return false;
	}
	c->len += (size_t)n;
	c->log[c->len] = 0;
	return true;
}

static void child_track(pid_t pid, bool add)
{
	for (size_t i = 0; i < ARRAY_SIZE(children); i++) {
		if (add && !children[i]) {
			children[i] = pid;
			return;
		}
		if (!add && children[i] == pid) {
			children[i] = 0;
			return;
		}
	}
}

/*
 * Start argv with stderr to a pipe, on the readers' CPUs, and wait until
 * its stderr says ready.
 */
void child_start(struct child *c, char *const argv[], const char *ready)
{
	double deadline;
	int p[2];

	memset(c, 0, sizeof(*c));
	if (pipe2(p, O_CLOEXEC))
		die("pipe: %s", strerror(errno));
	c->pid = fork();
	if (c->pid < 0)
		die("fork: %s", strerror(errno));
	if (!c->pid) {
		int null = open("/dev/null", O_RDWR);

		sched_setaffinity(0, sizeof(reader_cpus), &reader_cpus);
		dup2(null, STDIN_FILENO);
		dup2(null, STDOUT_FILENO);
		dup2(p[1], STDERR_FILENO);
		execvp(argv[0], argv);
		fprintf(stderr, "cannot run %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	child_track(c->pid, true);
	close(p[1]);
	c->fd = p[0];
	deadline = now_ns() + 20e9;
	while (!strstr(c->log, ready)) {
		if (!child_read(c, 100) || now_ns() > deadline) {
			kill(c->pid, SIGTERM);
			waitpid(c->pid, NULL, 0);
			child_track(c->pid, false);
			die("%s did not start:\n%s", argv[0], c->log);
		}
	}
}

/* Stop the child as Ctrl-C would; it gets 30 s to finish its file. */
void child_stop(struct child *c)
{
	double deadline = now_ns() + 30e9;
	bool killed = false;

	kill(c->pid, SIGINT);
	while (child_read(c, 1000))
		if (!killed && now_ns() > deadline) {
			warn("pid %d ignores SIGINT, killing it", (int)c->pid);
			kill(c->pid, SIGKILL);
			killed = true;
		}
	if (wait4(c->pid, &c->status, 0, &c->ru) < 0)
		die("wait4: %s", strerror(errno));
	child_track(c->pid, false);
	if (cfg.verbose)
		fprintf(stderr, "%s", c->log);
}

/* The number at the start of the last line of log that contains what. */
bool log_count(const char *log, const char *what, uint64_t *v)
{
	const char *hit = NULL, *line;

	for (const char *p = log; (p = strstr(p, what)); p++)
		hit = p;
	if (!hit)
		return false;
	for (line = hit; line > log && line[-1] != '\n' && line[-1] != '\r'; line--)
		;
	return sscanf(line, "%" SCNu64, v) == 1;
}

double rusage_ns(const struct rusage *ru)
{
	return (double)(ru->ru_utime.tv_sec + ru->ru_stime.tv_sec) * 1e9 +
	       (double)(ru->ru_utime.tv_usec + ru->ru_stime.tv_usec) * 1e3;
}

uint64_t capinfos_count(const char *path)
{
	char cmd[1200], line[1024];
	uint64_t n = 0;
	FILE *f;

	snprintf(cmd, sizeof(cmd), "capinfos -T -r -c -M '%s' 2>/dev/null", path);
	f = popen(cmd, "r");
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f)) {
		char *tab = strrchr(line, '\t');

		if (tab)
			n = strtoull(tab + 1, NULL, 10);
	}
	pclose(f);
	return n;
}

/* Wait until the file stops growing (300 ms without change, 10 s at most). */
void wait_file_settles(const char *path)
{
	uint64_t last = file_size(path);
	double deadline = now_ns() + 10e9;
	int still = 0;

	while (still < 3 && now_ns() < deadline) {
		uint64_t sz;

		sleep_s(0.1);
		sz = file_size(path);
		still = sz == last ? still + 1 : 0;
		last = sz;
	}
}

/* --- capture with the library, in this process -------------------------- */

static int lib_packet(const struct xdpcap_packet *pkt, void *ctx)
{
	struct lib_capture *lc = ctx;
	struct xdpcap_output_packet op = {
		.ts_ns = pkt->ts_ns,
		.caplen = pkt->caplen,
		.wirelen = pkt->wirelen,
		.data = pkt->data,
		.action = (int)pkt->action,
		.has_queue = true,
		.queue = pkt->rx_queue,
	};
	int err;

	lc->delivered++;
	if (!lc->out || lc->err)
		return 0;
	err = xdpcap_output_write(lc->out, &op, lc->errbuf);
	if (err)
		lc->err = err;
	return 0;
}

static double thread_cpu_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static void *lib_reader(void *arg)
{
	struct lib_capture *lc = arg;
	double c0 = thread_cpu_ns();

	while (!lc->stop) {
		int n = xdpcap_capture_poll(lc->cap, lc->reader == READER_BUSY ? 0 : 100,
					    lib_packet, lc);

		if (n < 0 && n != -EINTR) {
			lc->err = n;
			break;
		}
	}
	lc->cpu_ns = thread_cpu_ns() - c0;
	return NULL;
}

/*
 * READER_QUEUE: move what the reader encodes from the queue to the file.
 * The queue is a Unix stream socket with a send buffer of QUEUE_BYTES
 * (SO_SNDBUFFORCE; a pipe that big needs CAP_SYS_RESOURCE). It costs a
 * copy that a queue inside xdpcap would not.
 */
static void *lib_writer(void *arg)
{
	struct lib_capture *lc = arg;
	uint8_t *buf = xcalloc(1, WRITER_CHUNK);
	ssize_t n;

	while ((n = read(lc->queue_rd, buf, WRITER_CHUNK)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 || write(lc->file_fd, buf, (size_t)n) != n) {
			lc->writer_err = -(errno ? errno : EIO);
			break;
		}
	}
	free(buf);
	return NULL;
}

void lib_start(struct lib_capture *lc, enum reader reader,
	       unsigned int ring_kib, const char *path)
{
	XDPCAP_OPTS(xdpcap_capture_opts, opts, .ring_kib = ring_kib);
	struct xdpcap_output_iface iface = {
		.name = hook_path,
		.snaplen = XDPCAP_DEFAULT_SNAPLEN,
		.linktype = DLT_EN10MB,
	};
	char errbuf[XDPCAP_ERRBUF_SIZE];
	pthread_attr_t attr;
	int err;

	memset(lc, 0, sizeof(*lc));
	lc->fd = lc->file_fd = lc->queue_rd = -1;
	lc->reader = reader;
	err = xdpcap_capture_open(hook_path, "", &opts, &lc->cap, errbuf);
	if (err)
		die("xdpcap_capture_open: %s", errbuf);
	if (reader == READER_QUEUE) {
		int sv[2], size = QUEUE_BYTES;

		lc->file_fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
		if (lc->file_fd < 0 || socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv))
			die("cannot write %s: %s", path, strerror(errno));
		/* CAP_NET_ADMIN may exceed net.core.wmem_max */
		if (setsockopt(sv[1], SOL_SOCKET, SO_SNDBUFFORCE, &size, sizeof(size)))
			die("cannot make a queue of %u MiB: %s", QUEUE_BYTES >> 20,
			    strerror(errno));
		shutdown(sv[0], SHUT_WR);
		shutdown(sv[1], SHUT_RD);
		lc->queue_rd = sv[0];
		lc->fd = sv[1];
		/* the writer may run anywhere: it is what a spare CPU is for */
		pthread_attr_init(&attr);
		pthread_attr_setaffinity_np(&attr, sizeof(all_cpus), &all_cpus);
		err = pthread_create(&lc->writer, &attr, lib_writer, lc);
		pthread_attr_destroy(&attr);
		if (err)
			die("pthread_create: %s", strerror(err));
	} else if (reader != READER_COUNT) {
		lc->fd = open(reader == READER_NULL ? "/dev/null" : path,
			      O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
		if (lc->fd < 0)
			die("cannot write %s: %s", path, strerror(errno));
	}
	if (lc->fd >= 0) {
		if (xdpcap_output_open(lc->fd, XDPCAP_FORMAT_PCAPNG, &lc->out, errbuf) ||
		    xdpcap_output_add_iface(lc->out, &iface, errbuf) < 0)
			die("capture file: %s", errbuf);
	}
	err = xdpcap_capture_start(lc->cap, errbuf);
	if (err)
		die("xdpcap_capture_start: %s", errbuf);
	/* the reader runs where the command would */
	pthread_attr_init(&attr);
	pthread_attr_setaffinity_np(&attr, sizeof(reader_cpus), &reader_cpus);
	err = pthread_create(&lc->thread, &attr, lib_reader, lc);
	pthread_attr_destroy(&attr);
	if (err)
		die("pthread_create: %s", strerror(err));
}

void lib_stop(struct lib_capture *lc, struct run *r)
{
	XDPCAP_OPTS(xdpcap_capture_stats, st);
	char errbuf[XDPCAP_ERRBUF_SIZE];

	lc->stop = 1;
	pthread_join(lc->thread, NULL);
	xdpcap_capture_stop(lc->cap, lib_packet, lc);
	xdpcap_capture_stats(lc->cap, &st);
	if (lc->out) {
		if (xdpcap_output_close(lc->out, errbuf) && !lc->err)
			lc->err = -EIO;
		close(lc->fd);
	}
	if (lc->reader == READER_QUEUE) {
		/* the queue's write end is closed: the writer finishes the file */
		pthread_join(lc->writer, NULL);
		close(lc->queue_rd);
		close(lc->file_fd);
		if (lc->writer_err && !lc->err)
			lc->err = lc->writer_err;
	}
	if (lc->err)
		die("library capture failed: %s", lc->errbuf[0] ? lc->errbuf : strerror(-lc->err));
	r->captured = lc->delivered;
	r->lost = 0;
	r->hook_received = 0;
	for (unsigned int a = 0; a < XDPCAP_ACTIONS; a++) {
		r->lost += st.dropped[a];
		r->hook_received += st.received[a];
	}
	r->reader_ns = lc->delivered ? lc->cpu_ns / (double)lc->delivered : 0;
	r->reader_cpu = lc->cpu_ns;	/* made relative by the caller */
	xdpcap_capture_close(lc->cap);
}
