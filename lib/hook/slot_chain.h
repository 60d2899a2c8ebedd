/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * Several captures on one slot, each with its own filter and ring: the
 * slot holds the newest capture's program, and each capture program
 * ends with a tail call into its own program array SLOT_CHAIN_MAP_NAME,
 * at the action's index, which holds the program of the capture that
 * came before it (an empty index: the chain ends there, the action is
 * returned). A capture joins at the head and leaves by linking the one
 * before it to the one after it.
 *
 * Walking a chain opens programs and maps by id, which takes
 * CAP_SYS_ADMIN: only captures that have it make their programs
 * chainable (the others keep a slot to themselves, as before). Every
 * change is made under the slot lock (slot_lock.h). Not installed.
 */
#ifndef XDPCAP_SLOT_CHAIN_H
#define XDPCAP_SLOT_CHAIN_H

#include <stdint.h>

/* A capture program's own "next" program array, one index per action. */
#define SLOT_CHAIN_MAP_NAME "xdpcap_next"
/* Captures one slot takes at most (the kernel allows 33 tail calls). */
#define SLOT_CHAIN_MAX 8

/* Create a capture's next map (empty). Returns its fd or -errno. */
int slot_chain_create(void);

/*
 * The programs of the chain in slot of hook_fd, newest first: returns how
 * many (0: empty slot; 1: a program that is alone or not chainable), or
 * -errno: -E2BIG for more than SLOT_CHAIN_MAX, -ELOOP for a program met
 * twice. *chainable tells whether the newest has a next map (may be NULL).
 */
int slot_chain_read(int hook_fd, uint32_t slot, uint32_t ids[SLOT_CHAIN_MAX],
		    int *chainable);

/* prog_id's next map: an fd, -ENOENT if it has none, or -errno. */
int slot_chain_next_map(uint32_t prog_id);

/*
 * Put prog_fd (whose next map is next_fd) at the head of slot's chain:
 * its next becomes the present head (if any), then the slot points to it.
 * Returns 0 or -errno.
 */
int slot_chain_join(int hook_fd, uint32_t slot, int prog_fd, int next_fd);

/*
 * Take prog_id out of slot's chain, wherever it is, linking the one
 * before it to the one after it; nothing if it is not there. next_fd is
 * prog_id's next map, or -1 to open it by id. Returns 1 if it was taken
 * out, 0 if not there, or -errno.
 */
int slot_chain_leave(int hook_fd, uint32_t slot, uint32_t prog_id, int next_fd);

#endif
