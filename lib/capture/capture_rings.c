// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * A capture's rings: one BPF ring buffer, or one per group of CPUs, since
 * every record a CPU writes takes the ring's lock and its producer
 * position, which CPUs writing one ring pass between them. The capture
 * program picks a ring by CPU (capture_prog.c); here they are made, and
 * read together in time order.
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <bpf/bpf.h>

#include "capture_int.h"
#include "clock.h"
#include "util.h"

/* CPUs that share a ring when the count is chosen here. */
#define CPUS_PER_RING 4
/* No ring is made smaller than this when -B is shared out. */
#define MIN_SHARED_RING_BYTES (1u << 20)
/*
 * With several rings, a record is handed over once it is this old: a
 * CPU stamps its record before writing it, so a record of another ring
 * stamped earlier may still be on its way. Writing one takes
 * microseconds, with the CPU's preemption off.
 */
#define MERGE_WINDOW_NS (2 * 1000000ull)
/* Records handed over per call, at most, with several rings. */
#define MERGE_BATCH 65536

unsigned int capture_rings_for(unsigned int requested, int ncpus)
{
	unsigned int n = requested;

	if (!n)
		n = ((unsigned int)ncpus + CPUS_PER_RING - 1) / CPUS_PER_RING;
	if (n < 1)
		n = 1;
	if (n > CAPTURE_MAX_RINGS)
		n = CAPTURE_MAX_RINGS;
	return n;
}

int capture_create_rings(struct xdpcap_capture *cap)
{
	uint32_t bytes = cap->ring_bytes;

	/* -B is what the rings take in all; each at least 1 MiB */
	for (unsigned int n = cap->n_rings; n > 1 && bytes > MIN_SHARED_RING_BYTES; n /= 2)
		bytes /= 2;
	cap->ring_bytes = bytes;
	for (unsigned int i = 0; i < cap->n_rings; i++) {
		cap->ring_map_fds[i] = bpf_map_create(BPF_MAP_TYPE_RINGBUF, "xdpcap_ring",
						      0, 0, bytes, NULL);
		if (cap->ring_map_fds[i] < 0)
			return -errno;
	}
	return 0;
}

int capture_open_ring(struct xdpcap_capture *cap, char *errbuf)
{
	struct epoll_event ev = { .events = EPOLLIN };
	int err;

	for (unsigned int i = 0; i < cap->n_rings; i++) {
		err = ring_open(&cap->rings[i], cap->ring_map_fds[i], cap->ring_bytes, errbuf);
		if (err) {
			while (i--)
				ring_close(&cap->rings[i]);
			return err;
		}
	}
	cap->ring_open = true;
	if (cap->n_rings == 1)
		return 0;
	/* one fd to wait on, for the caller's poll loop too */
	cap->rings_epoll_fd = epoll_create1(EPOLL_CLOEXEC);
	err = cap->rings_epoll_fd < 0 ? -errno : 0;
	for (unsigned int i = 0; !err && i < cap->n_rings; i++)
		if (epoll_ctl(cap->rings_epoll_fd, EPOLL_CTL_ADD, cap->ring_map_fds[i], &ev))
			err = -errno;
	if (err)
		xdpcap_err(errbuf, "cannot wait on the capture rings: %s", strerror(-err));
	return err;
}

int capture_rings_fd(const struct xdpcap_capture *cap)
{
	return cap->n_rings == 1 ? cap->ring_map_fds[0] : cap->rings_epoll_fd;
}

size_t capture_rings_pending(const struct xdpcap_capture *cap)
{
	size_t n = 0;

	for (unsigned int i = 0; i < cap->n_rings; i++)
		n += ring_pending(&cap->rings[i]);
	return n;
}

static uint64_t record_ts(const void *data)
{
	uint64_t ts;

	memcpy(&ts, data, sizeof(ts));	/* struct capture_record's first field */
	return ts;
}

/*
 * Several rings: the oldest record of all, again and again, up to those
 * younger than the merge window (all of them once the capture stopped).
 */
static long merge_consume(struct xdpcap_capture *cap, ring_record_fn fn, void *ctx)
{
	uint64_t horizon = cap->stopped ? UINT64_MAX :
			   clock_ns(CLOCK_MONOTONIC) - MERGE_WINDOW_NS;
	const void *data, *best_data = NULL;
	uint32_t size, best_size = 0;
	long records = 0;
	int best, stop = 0;

	while (!stop && records < MERGE_BATCH) {
		best = -1;
		for (unsigned int i = 0; i < cap->n_rings; i++)
			if (ring_peek(&cap->rings[i], &data, &size) &&
			    (best < 0 || record_ts(data) < record_ts(best_data))) {
				best = (int)i;
				best_data = data;
				best_size = size;
			}
		if (best < 0 || record_ts(best_data) > horizon)
			break;
		stop = fn(ctx, best_data, best_size);
		ring_next(&cap->rings[best]);
		cap->ring_records[best]++;
		records++;
	}
	for (unsigned int i = 0; i < cap->n_rings; i++)
		ring_release(&cap->rings[i]);
	return records;
}

long capture_rings_consume(struct xdpcap_capture *cap, ring_record_fn fn, void *ctx)
{
	long n;

	if (cap->n_rings > 1)
		return merge_consume(cap, fn, ctx);
	n = ring_consume(&cap->rings[0], fn, ctx);
	cap->ring_records[0] += (uint64_t)n;
	return n;
}

void capture_rings_close(struct xdpcap_capture *cap)
{
	if (cap->ring_open)
		for (unsigned int i = 0; i < cap->n_rings; i++)
			ring_close(&cap->rings[i]);
	cap->ring_open = false;
	if (cap->rings_epoll_fd >= 0)
		close(cap->rings_epoll_fd);
	cap->rings_epoll_fd = -1;
	for (unsigned int i = 0; i < cap->n_rings; i++) {
		if (cap->ring_map_fds[i] >= 0)
			close(cap->ring_map_fds[i]);
		cap->ring_map_fds[i] = -1;
	}
}
