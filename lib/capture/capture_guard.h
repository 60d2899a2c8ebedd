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
 * What a capture holds in a hook: slots[slot] == prog_ids[slot] (0: not
 * ours; the rerun slot holds the hook's own program, while an entry
 * capture runs), next_fd its next map where it shares slots (slot_chain.h;
 * -1: none), entry_fd the program's entry states that an entry capture
 * turned on (bpf/xdpcap_hook.h; -1: none), lock_fd the slot lock
 * (slot_lock.h; -1: none, or held already), alive_fd the capture's alive
 * map (prog_owner.h), which the guard keeps open while it lives.
 */
struct capture_holding {
	int hook_fd;
	int lock_fd;
	int next_fd;
	int entry_fd;
	int alive_fd;
	uint32_t prog_ids[XDPCAP_ENTRY_HOOK_SLOTS];
};

/*
 * Fork the guard for what h holds. It keeps h->lock_fd open, and with it
 * the capture's slot locks, while it lives. Returns 0 or -errno.
 */
int capture_guard_start(struct capture_guard *guard, const struct capture_holding *h,
			char *errbuf);

/* Tell the guard to act now and wait for it. */
void capture_guard_stop(struct capture_guard *guard);

/*
 * Empty each slot that still holds h->prog_ids[slot], or, where the
 * capture shares slots, take its programs out of their chains under the
 * slot lock; returns how many. The entry slot goes first, then the
 * program's entry states are turned off (unless another entry capture
 * took over), and the rerun slot goes last, once no entry capture
 * program that might still tail-call into it runs.
 */
int capture_clear_slots(const struct capture_holding *h);

/*
 * Turn the entry states of every CPU to state (XDPCAP_ENTRY_OFF or _ON).
 * Returns 0 or -errno.
 */
int capture_entry_states_set(int entry_fd, uint32_t state);

/*
 * Wait until every XDP program run that began before now has ended: the
 * kernel's RCU grace period outlasts them. Without membarrier
 * (nohz_full), a pause far longer than any program run.
 */
void capture_wait_for_running_programs(void);

#endif
