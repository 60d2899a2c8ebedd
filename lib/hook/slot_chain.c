// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
#include <errno.h>
#include <unistd.h>
#include <bpf/bpf.h>

#include "xdpcap/hook.h"
#include "hook_program.h"
#include "slot_chain.h"

int slot_chain_create(void)
{
	int fd = bpf_map_create(BPF_MAP_TYPE_PROG_ARRAY, SLOT_CHAIN_MAP_NAME, sizeof(uint32_t),
				sizeof(uint32_t), XDPCAP_ACTIONS, NULL);

	return fd < 0 ? -errno : fd;
}

int slot_chain_next_map(uint32_t prog_id)
{
	return hook_program_map(prog_id, SLOT_CHAIN_MAP_NAME, BPF_MAP_TYPE_PROG_ARRAY,
				sizeof(uint32_t));
}

/* The id at slot of a program array; 0 if empty. */
static uint32_t id_at(int map_fd, uint32_t slot)
{
	uint32_t id = 0;

	return bpf_map_lookup_elem(map_fd, &slot, &id) ? 0 : id;
}

int slot_chain_read(int hook_fd, uint32_t slot, uint32_t ids[SLOT_CHAIN_MAX],
		    int *chainable)
{
	int n = 0;

	if (chainable)
		*chainable = 0;
	ids[0] = id_at(hook_fd, slot);
	while (ids[n]) {
		int fd = slot_chain_next_map(ids[n]);
		uint32_t next;

		if (fd < 0)
			return fd == -ENOENT || !n ? n + 1 : fd;
		if (!n && chainable)
			*chainable = 1;
		next = id_at(fd, slot);
		close(fd);
		n++;
		if (!next)
			break;
		for (int i = 0; i < n; i++)
			if (ids[i] == next)
				return -ELOOP;
		if (n == SLOT_CHAIN_MAX)
			return -E2BIG;
		ids[n] = next;
	}
	return n;
}

/* Point index slot of map_fd at program id, or empty it (id 0). */
static int point_at(int map_fd, uint32_t slot, uint32_t id)
{
	int fd, err;

	if (!id)
		return bpf_map_delete_elem(map_fd, &slot) && errno != ENOENT ? -errno : 0;
	fd = bpf_prog_get_fd_by_id(id);
	if (fd < 0)
		return -errno;
	err = bpf_map_update_elem(map_fd, &slot, &fd, BPF_ANY) ? -errno : 0;
	close(fd);
	return err;
}

int slot_chain_join(int hook_fd, uint32_t slot, int prog_fd, int next_fd)
{
	int err = point_at(next_fd, slot, id_at(hook_fd, slot));

	if (!err && bpf_map_update_elem(hook_fd, &slot, &prog_fd, BPF_ANY))
		err = -errno;
	return err;
}

int slot_chain_leave(int hook_fd, uint32_t slot, uint32_t prog_id, int next_fd)
{
	int own = next_fd >= 0 ? next_fd : slot_chain_next_map(prog_id);
	uint32_t after = own >= 0 ? id_at(own, slot) : 0, cur = id_at(hook_fd, slot);
	int err = 0, found = 0;

	if (own < 0 && own != -ENOENT)
		return own;
	if (cur == prog_id) {
		found = 1;
		err = point_at(hook_fd, slot, after);
	}
	/* the one before it: whose next is prog_id */
	for (int i = 0; !found && cur && i < SLOT_CHAIN_MAX; i++) {
		int fd = slot_chain_next_map(cur);

		if (fd < 0)
			break;
		cur = id_at(fd, slot);
		if (cur == prog_id) {
			found = 1;
			err = point_at(fd, slot, after);
		}
		close(fd);
	}
	if (own >= 0 && own != next_fd)
		close(own);
	return err ? err : found;
}
