/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * Who still holds a slot, told by the kernel rather than by pids: a pid
 * means nothing in another pid namespace, and a dead capture's pid comes
 * back as another process. Every capture keeps a byte-range lock (an open
 * file description lock, F_OFD_SETLK) on SLOT_LOCK_FILE at the offset of
 * each capture program's id for as long as the capture or its guard
 * lives: the kernel drops it when both are gone, however they went. The
 * same file, flock()ed, makes claiming slots (check, then fill) atomic
 * among captures. Not installed.
 */
#ifndef XDPCAP_SLOT_LOCK_H
#define XDPCAP_SLOT_LOCK_H

#include <stdbool.h>
#include <stdint.h>

#ifndef SLOT_LOCK_DIR
#define SLOT_LOCK_DIR "/run/xdpcap"
#endif
#define SLOT_LOCK_FILE SLOT_LOCK_DIR "/slots.lock"

/*
 * Open (creating it and its directory if needed) the lock file. Returns
 * an fd or -errno: without it (no /run, not root) captures still work,
 * and liveness falls back to the owner's pid.
 */
int slot_lock_open(void);

/* Serialise claims: block until this process may check and fill slots. */
int slot_lock_claim_begin(int fd);
void slot_lock_claim_end(int fd);

/* Mark prog_id as held by this capture (and the processes sharing fd). */
int slot_lock_hold(int fd, uint32_t prog_id);
void slot_lock_release(int fd, uint32_t prog_id);

/* Whether some live capture holds prog_id (false when fd < 0). */
bool slot_lock_held(int fd, uint32_t prog_id);

#endif
