// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <linux/membarrier.h>
#include <sys/wait.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "capture_guard.h"
#include "hook/slot_chain.h"
#include "hook/slot_lock.h"
#include "util.h"

void capture_wait_for_running_programs(void)
{
	if (syscall(__NR_membarrier, MEMBARRIER_CMD_GLOBAL, 0, 0))
		usleep(10000);
}

/* Empty slot if it still holds id: someone may have taken over with --force. */
static int clear_slot(int hook_fd, uint32_t slot, uint32_t id)
{
	uint32_t now = 0;

	if (!id || bpf_map_lookup_elem(hook_fd, &slot, &now) || now != id)
		return 0;
	return !bpf_map_delete_elem(hook_fd, &slot);
}

/* Take our programs out of the chains they share slots in. */
static int leave_slots(const struct capture_holding *h)
{
	int lock_fd = h->lock_fd, left = 0;

	if (lock_fd >= 0 && slot_lock_claim_begin(lock_fd))
		lock_fd = -1;
	for (uint32_t slot = 0; slot < XDPCAP_ACTIONS; slot++)
		if (h->prog_ids[slot] &&
		    slot_chain_leave(h->hook_fd, slot, h->prog_ids[slot], h->next_fd) > 0)
			left++;
	if (lock_fd >= 0)
		slot_lock_claim_end(lock_fd);
	return left;
}

int capture_entry_states_set(int entry_fd, uint32_t state)
{
	int ncpus = libbpf_num_possible_cpus();
	uint32_t key = 0;
	uint64_t *values;
	int err;

	if (ncpus < 0)
		return ncpus;
	/* user space gives a per-CPU map's values 8 bytes apiece */
	values = calloc((size_t)ncpus, sizeof(*values));
	if (!values)
		return -ENOMEM;
	for (int i = 0; i < ncpus; i++)
		values[i] = state;
	err = bpf_map_update_elem(entry_fd, &key, values, BPF_ANY) ? -errno : 0;
	free(values);
	return err;
}

int capture_clear_slots(const struct capture_holding *h)
{
	int cleared = clear_slot(h->hook_fd, XDPCAP_SLOT_ENTRY, h->prog_ids[XDPCAP_SLOT_ENTRY]);

	if (h->next_fd >= 0)
		cleared += leave_slots(h);
	else
		for (uint32_t slot = 0; slot < XDPCAP_ACTIONS; slot++)
			cleared += clear_slot(h->hook_fd, slot, h->prog_ids[slot]);
	if (h->prog_ids[XDPCAP_SLOT_RERUN]) {
		uint32_t slot = XDPCAP_SLOT_ENTRY, id;
		/* unless another entry capture took over (--force) */
		bool entry_empty = bpf_map_lookup_elem(h->hook_fd, &slot, &id) != 0;

		/* a run between the entry capture and xdpcap_enter() goes on
		 * as a first run that finds nobody capturing: as it should */
		if (entry_empty && h->entry_fd >= 0)
			capture_entry_states_set(h->entry_fd, XDPCAP_ENTRY_OFF);
		capture_wait_for_running_programs();
		if (entry_empty)
			cleared += clear_slot(h->hook_fd, XDPCAP_SLOT_RERUN,
					      h->prog_ids[XDPCAP_SLOT_RERUN]);
	}
	return cleared;
}

/* The guard: wait for the capturing process to go, then clean up. */
static void __attribute__((noreturn))
guard_main(const struct capture_holding *h, int read_fd)
{
	char byte;

	/*
	 * A session of its own: killing the capture's process group (a
	 * terminal's Ctrl-C, timeout -s KILL, kill -- -PGID) must leave the
	 * guard to clean up. It ends when the capture does (EOF).
	 */
	setsid();
	signal(SIGINT, SIG_IGN);
	signal(SIGTERM, SIG_IGN);
	signal(SIGHUP, SIG_IGN);
	signal(SIGPIPE, SIG_IGN);
	prctl(PR_SET_NAME, "xdpcap-guard", 0, 0, 0);
	while (read(read_fd, &byte, 1) < 0 && errno == EINTR)
		;
	capture_clear_slots(h);
	_exit(0);
}

/*
 * Close every fd but stderr and those in keep (-1 entries ignored): the
 * guard must not hold the capture's output open. Standard fds that the
 * guard keeps are kept whatever their number (a closed stdin or stdout
 * lets the kernel hand out 0 and 1 for our own fds).
 */
static void close_other_fds(const int *keep, size_t nkeep)
{
	unsigned int from = 0;

	for (;;) {
		unsigned int next = ~0U;

		/* the lowest kept fd at or above from */
		for (size_t i = 0; i < nkeep; i++)
			if (keep[i] >= 0 && (unsigned int)keep[i] >= from &&
			    (unsigned int)keep[i] < next)
				next = (unsigned int)keep[i];
		if (STDERR_FILENO >= from && STDERR_FILENO < next)
			next = STDERR_FILENO;
		if (next > from)
			close_range(from, next - 1, 0);
		if (next == ~0U)
			return;
		from = next + 1;
	}
}

int capture_guard_start(struct capture_guard *guard, const struct capture_holding *h,
			char *errbuf)
{
	int fds[2];
	pid_t pid;

	if (pipe2(fds, O_CLOEXEC)) {
		xdpcap_err(errbuf, "pipe: %s", strerror(errno));
		return -errno;
	}
	pid = fork();
	if (pid < 0) {
		int err = -errno;

		xdpcap_err(errbuf, "cannot start the guard process: %s", strerror(errno));
		close(fds[0]);
		close(fds[1]);
		return err;
	}
	if (pid == 0) {
		int keep[] = { h->hook_fd, fds[0], h->lock_fd, h->next_fd, h->entry_fd,
				h->alive_fd };

		close_other_fds(keep, sizeof(keep) / sizeof(keep[0]));
		guard_main(h, fds[0]);
	}
	close(fds[0]);
	guard->pid = pid;
	guard->pipe_fd = fds[1];
	return 0;
}

void capture_guard_stop(struct capture_guard *guard)
{
	if (guard->pipe_fd >= 0) {
		close(guard->pipe_fd);
		guard->pipe_fd = -1;
	}
	if (guard->pid > 0) {
		while (waitpid(guard->pid, NULL, 0) < 0 && errno == EINTR)
			;
		guard->pid = 0;
	}
}
