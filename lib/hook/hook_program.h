/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * The XDP program behind a hook: the one an entry capture runs again
 * after it, and whose redirect notes (bpf/xdpcap_hook.h) a capture of
 * XDP_REDIRECT reads.
 */
#ifndef XDPCAP_HOOK_PROGRAM_H
#define XDPCAP_HOOK_PROGRAM_H

#include <stdint.h>

#include "xdpcap/hook.h"

/*
 * The XDP programs that use the hook's map, xdpcap's own left out (or,
 * where they may not be searched, the hook's interface program). Fills up to
 * max ids and returns how many there are (more than max: some left
 * out), or -errno.
 */
int hook_programs(const struct xdpcap_hook *hook, uint32_t *ids, int max);

/*
 * A hook whose program is on no interface of this network namespace
 * still has it: name it after program prog_id (no interface, though).
 */
void hook_name_program(struct xdpcap_hook *hook, uint32_t prog_id);

/*
 * The map of the program prog_id named name, of the given type and
 * value size: its fd, -ENOENT if there is none, or -errno.
 */
int hook_program_map(uint32_t prog_id, const char *name, uint32_t type,
		     uint32_t value_size);

/* A map a program can redirect through. */
struct hook_program_target_map {
	uint32_t id, type;
	char name[16];
};

/*
 * The devmaps, cpumaps and xskmaps of program prog_id, up to max: fills
 * maps and returns how many there are, or -errno.
 */
int hook_program_target_maps(uint32_t prog_id, struct hook_program_target_map *maps,
			     int max);

#endif
