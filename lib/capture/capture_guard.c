// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <linux/membarrier.h>
#include <sys/wait.h>
#include <bpf/bpf.h>

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
static int leave_slots(int hook_fd, int lock_fd, int next_fd,
		       const uint32_t prog_ids[XDPCAP_ENTRY_HOOK_SLOTS])
{
	int left = 0;

	if (lock_fd >= 0 && slot_lock_claim_begin(lock_fd))
		lock_fd = -1;
	for (uint32_t slot = 0; slot < XDPCAP_ACTIONS; slot++)
		if (prog_ids[slot] && slot_chain_leave(hook_fd, slot, prog_ids[slot], next_fd) > 0)
			left++;
	if (lock_fd >= 0)
		slot_lock_claim_end(lock_fd);
	return left;
}

int capture_clear_slots(int hook_fd, int lock_fd, int next_fd,
			const uint32_t prog_ids[XDPCAP_ENTRY_HOOK_SLOTS])
{
	int cleared = clear_slot(hook_fd, XDPCAP_SLOT_ENTRY, prog_ids[XDPCAP_SLOT_ENTRY]);

	if (next_fd >= 0)
		cleared += leave_slots(hook_fd, lock_fd, next_fd, prog_ids);
	else
		for (uint32_t slot = 0; slot < XDPCAP_ACTIONS; slot++)
			cleared += clear_slot(hook_fd, slot, prog_ids[slot]);
	if (prog_ids[XDPCAP_SLOT_RERUN]) {
		uint32_t slot = XDPCAP_SLOT_ENTRY, id;

		capture_wait_for_running_programs();
		/* unless another entry capture took over (--force) */
		if (bpf_map_lookup_elem(hook_fd, &slot, &id))
			cleared += clear_slot(hook_fd, XDPCAP_SLOT_RERUN,
					      prog_ids[XDPCAP_SLOT_RERUN]);
	}
	return cleared;
}

/* The guard: wait for the capturing process to go, then clean up. */
static void __attribute__((noreturn))
guard_main(int hook_fd, int read_fd, int lock_fd, int next_fd,
	   const uint32_t prog_ids[XDPCAP_ENTRY_HOOK_SLOTS])
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
	capture_clear_slots(hook_fd, lock_fd, next_fd, prog_ids);
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

int capture_guard_start(struct capture_guard *guard, int hook_fd, int lock_fd,
			int next_fd, const uint32_t prog_ids[XDPCAP_ENTRY_HOOK_SLOTS],
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
		int keep[] = { hook_fd, fds[0], lock_fd, next_fd };

		close_other_fds(keep, sizeof(keep) / sizeof(keep[0]));
		guard_main(hook_fd, fds[0], lock_fd, next_fd, prog_ids);
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
