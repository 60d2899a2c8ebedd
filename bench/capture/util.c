// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * Utilities: messages, time, statistics, system knobs.
 */

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>

#include "../common.h"
#include "bench_capture.h"

/* --- utilities ------------------------------------------------------------- */

static void kill_children(void)
{
	for (size_t i = 0; i < ARRAY_SIZE(children); i++)
		if (children[i] > 0)
			kill(children[i], SIGTERM);
}

void die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("bench_capture: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	kill_children();
	exit(1);
}

void warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("bench_capture: warning: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

void progress(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("bench_capture: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);

	if (!p)
		die("out of memory");
	return p;
}

double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

void sleep_until(double t_ns)
{
	struct timespec ts = {
		.tv_sec = (time_t)(t_ns / 1e9),
		.tv_nsec = (long)fmod(t_ns, 1e9),
	};

	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
		;
}

void sleep_s(double s)
{
	sleep_until(now_ns() + s * 1e9);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* Median of n values; sorts them. */
double median(double *v, size_t n)
{
	if (!n)
		return NAN;
	qsort(v, n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

double geomean(const double *v, size_t n)
{
	double s = 0;

	if (!n)
		return NAN;
	for (size_t i = 0; i < n; i++)
		s += log(v[i]);
	return exp(s / (double)n);
}

/* The mean of the middle half of n values (sorts them). */
double trimmed_mean(double *v, size_t n)
{
	size_t cut = n / 4;
	double s = 0;

	qsort(v, n, sizeof(*v), cmp_double);
	for (size_t i = cut; i < n - cut; i++)
		s += v[i];
	return s / (double)(n - 2 * cut);
}

/*
 * A BPF_PROG_TEST_RUN with repeat > 1 of a program that is not attached
 * anywhere adds it to the kernel's XDP dispatcher and takes it out again,
 * and each update waits for an RCU grace period (some 16 ms here). The
 * demo is attached to --ifname, so the frames sent leave the dispatcher
 * alone; the reference programs of the hook-cost
 * measurement are not, and for them /sys/kernel/rcu_expedited is set for
 * the run and put back at exit (as bench_filter does).
 */
void on_fatal_signal(int sig)
{
	/* kill, open, write and close are async-signal-safe */
	for (size_t i = 0; i < ARRAY_SIZE(children); i++)
		if (children[i] > 0)
			kill(children[i], SIGTERM);
	bench_rcu_restore();
	signal(sig, SIG_DFL);
	raise(sig);
}

const char *rcu_expedite(bool want)
{
	if (!want)
		return bench_rcu_is_on() ? "already on" :
		       cfg.do_hook ? "off (--no-expedite-rcu)" : "off (not needed)";
	switch (bench_rcu_expedite()) {
	case 0:
		return "already on";
	case 1:
		return "on for this run";
	default:
		warn("cannot set /sys/kernel/rcu_expedited: the hook-cost test runs will be slow");
		return "off (cannot set it)";
	}
}

int pin_self(int cpu)
{
	int pinned = bench_pin_cpu(cpu, &all_cpus);

	if (pinned < 0)
		die("cannot pin to CPU %d: %s", cpu, strerror(errno));
	return pinned;
}

uint64_t file_size(const char *path)
{
	struct stat st;

	return stat(path, &st) ? 0 : (uint64_t)st.st_size;
}

/*
 * What the disk under dir takes, written with O_DIRECT from an aligned
 * 1 MiB buffer, 1 GiB at a time, fdatasync included: the median of 3, in
 * MB/s. The limit of any capture to a file there.
 */
double direct_write_mbps(const char *dir)
{
	const size_t chunk = 1 << 20, total = 1 << 30;
	double v[3];
	char path[1024];
	void *buf;

	snprintf(path, sizeof(path), "%s/disk-speed", dir);
	buf = aligned_alloc(4096, chunk);
	if (!buf)
		die("out of memory");
	memset(buf, 0x5a, chunk);
	for (int k = 0; k < 3; k++) {
		int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_DIRECT | O_CLOEXEC, 0600);
		double t0 = now_ns();

		if (fd < 0)
			die("cannot write %s with O_DIRECT: %s", path, strerror(errno));
		for (size_t done = 0; done < total; done += chunk)
			if (write(fd, buf, chunk) != (ssize_t)chunk)
				die("writing %s: %s", path, strerror(errno));
		fdatasync(fd);
		v[k] = total / ((now_ns() - t0) / 1e9) / 1e6;
		close(fd);
		unlink(path);
	}
	free(buf);
	return median(v, 3);
}
