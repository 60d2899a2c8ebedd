/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * Who owns a capture program, told by the kernel in any pid and mount
 * namespace. Each capture creates two small maps: "alive", held only by
 * the capture's process and its guard, so that the kernel frees it when
 * both are gone, however they went; and "owner", which every program of
 * the capture refers to, holding the alive map's id and the capture's
 * pid with its pid namespace. A program whose owner map leads to no
 * alive map belongs to a capture that is gone. A pid alone says nothing
 * across pid namespaces (a container's init is pid 1, as the host's),
 * and a lock file nothing across mount namespaces with their own /run.
 * Not installed.
 */
#ifndef XDPCAP_PROG_OWNER_H
#define XDPCAP_PROG_OWNER_H

#include <stdbool.h>
#include <stdint.h>

#define PROG_OWNER_MAP_NAME "xdpcap_owner"
#define PROG_ALIVE_MAP_NAME "xdpcap_alive"

/* The owner map's one value. */
struct prog_owner {
	uint32_t alive_map_id;
	int32_t pid;		/* in its own pid namespace */
	uint64_t pidns_dev;	/* that namespace (stat of /proc/self/ns/pid) */
	uint64_t pidns_ino;
};

/*
 * Create this process's alive map (*alive_fd) and its owner map, frozen
 * where the kernel allows (the owner map's fd is returned), or -errno.
 */
int prog_owner_create(int *alive_fd);

/*
 * The owner of program prog_id: 0, -ENOENT for a program without an
 * owner map (not a capture's, or one of xdpcap 0.1), or -errno.
 */
int prog_owner_read(uint32_t prog_id, struct prog_owner *owner);

/* Whether the capture that owns it still runs (it or its guard). */
bool prog_owner_alive(const struct prog_owner *owner);

/*
 * Its pid as this process sees it: the same pid in our pid namespace, the
 * one /proc shows for it in a namespace below ours; 0 where it cannot be
 * seen from here (a namespace beside or above ours).
 */
int prog_owner_local_pid(const struct prog_owner *owner);

#endif
