/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * A capture program left in a hook keeps copying packets on a production
 * data path with nobody reading. The guard is a small process, forked
 * while still privileged, that holds the hook and empties the capture's
 * slots the moment the capturing process is gone, however it went (even
 * SIGKILL, even after it dropped root). Not installed.
 */
#ifndef XDPCAP_CAPTURE_GUARD_H
#define XDPCAP_CAPTURE_GUARD_H

#include <stdint.h>
#include <sys/types.h>

#include "xdpcap/hook.h"

struct capture_guard {
	pid_t pid;
	int pipe_fd; /* write end; the guard acts when it reads EOF */
};

/*
 * Fork the guard for slots[slot] == prog_ids[slot] (0: not ours; the
 * rerun slot holds the hook's own program, while an entry capture runs),
 * with next_fd the capture's next map where it shares slots (slot_chain.h;
 * -1: none). It keeps lock_fd (-1: none) open, and with it the capture's
 * slot locks, while it lives. Returns 0 or -errno.
 */
int capture_guard_start(struct capture_guard *guard, int hook_fd, int lock_fd,
			int next_fd, const uint32_t prog_ids[XDPCAP_ENTRY_HOOK_SLOTS],
			char *errbuf);

/* Tell the guard to act now and wait for it. */
void capture_guard_stop(struct capture_guard *guard);

/*
 * Empty each slot that still holds prog_ids[slot], or, where the capture
 * shares slots (next_fd >= 0), take its programs out of their chains
 * under the slot lock lock_fd (-1: held already); returns how many. The
 * entry slot goes first, and the rerun slot last, once no entry capture
 * program that might still tail-call into it runs.
 */
int capture_clear_slots(int hook_fd, int lock_fd, int next_fd,
			const uint32_t prog_ids[XDPCAP_ENTRY_HOOK_SLOTS]);

/*
 * Wait until every XDP program run that began before now has ended: the
 * kernel's RCU grace period outlasts them. Without membarrier
 * (nohz_full), a pause far longer than any program run.
 */
void capture_wait_for_running_programs(void);

#endif
