// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * Who holds a hook's slots: the capture programs in them, the xdpcap
 * processes that own them, and whether those still run; and the names of
 * the actions the slots stand for.
 */
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>

#include "xdpcap/hook.h"
#include "hook_int.h"
#include "prog_owner.h"
#include "slot_chain.h"
#include "slot_lock.h"
#include "util.h"

static const char *const action_names[XDPCAP_SLOTS] = {
	"XDP_ABORTED", "XDP_DROP", "XDP_PASS", "XDP_TX", "XDP_REDIRECT",
	"XDP entry",
};

const char *xdpcap_action_name(unsigned int action)
{
	return action < XDPCAP_SLOTS ? action_names[action] : "XDP_UNKNOWN";
}

int xdpcap_prog_name_owner(const char *prog_name)
{
	static const char prefix[] = "xdpcap_";
	const char *p;
	long pid = 0;

	if (!prog_name || strncmp(prog_name, prefix, sizeof(prefix) - 1))
		return 0;
	p = prog_name + sizeof(prefix) - 1;
	if (!*p)
		return 0;
	for (; *p; p++) {
		if (*p < '0' || *p > '9')
			return 0;
		pid = pid * 10 + (*p - '0');
		if (pid > INT_MAX)
			return 0;
	}
	return (int)pid;
}

/* --- slots ------------------------------------------------------------ */

/* A process that exited but was not reaped yet (a zombie) is gone too. */
static bool pid_alive(int pid)
{
	char path[64], stat[256], *state;
	FILE *f;

	if (kill(pid, 0) && errno != EPERM)
		return false;
	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	f = fopen(path, "re");
	if (!f)
		return true;
	state = fgets(stat, sizeof(stat), f) ? strrchr(stat, ')') : NULL;
	fclose(f);
	return !(state && state[1] == ' ' && state[2] == 'Z');
}

/*
 * The owner of capture program prog_id named prog_name: its pid as we see
 * it (0: not xdpcap's), and whether it still runs. The kernel tells that
 * by the capture's alive map (prog_owner.h), in any namespace; for
 * programs of xdpcap 0.1, which have none, its slot lock, or else its pid
 * as a pid of ours.
 */
static int read_owner(uint32_t prog_id, const char *prog_name, int lock_fd, bool *alive)
{
	int pid = xdpcap_prog_name_owner(prog_name);
	struct prog_owner owner;
	int local;

	*alive = false;
	if (!pid)
		return 0;
	if (!prog_owner_read(prog_id, &owner)) {
		*alive = prog_owner_alive(&owner);
		local = prog_owner_local_pid(&owner);
		return local ? local : owner.pid;
	}
	*alive = slot_lock_held(lock_fd, prog_id) || pid_alive(pid);
	return pid;
}

bool xdpcap_prog_owner_elsewhere(uint32_t prog_id)
{
	struct prog_owner owner;

	return !prog_owner_read(prog_id, &owner) && !prog_owner_local_pid(&owner);
}

/* The captures after the slot's own in its chain (slot_chain.h). */
static void read_sharers(const struct xdpcap_hook *hook, uint32_t key, int lock_fd,
			 struct xdpcap_slot *slot)
{
	uint32_t ids[SLOT_CHAIN_MAX];
	int n = slot_chain_read(hook->map_fd, key, ids, NULL);

	for (int i = 1; i < n && slot->n_shared < XDPCAP_SLOT_SHARED_MAX - 1; i++) {
		struct xdpcap_slot_sharer *sh = &slot->shared[slot->n_shared++];
		struct bpf_prog_info info = {};
		__u32 len = sizeof(info);
		int fd = bpf_prog_get_fd_by_id(ids[i]);

		sh->prog_id = ids[i];
		if (fd >= 0 && !bpf_obj_get_info_by_fd(fd, &info, &len))
			sh->owner_pid = read_owner(ids[i], info.name, lock_fd, &sh->owner_alive);
		if (fd >= 0)
			close(fd);
	}
}

/* Who holds slot key; lock_fd as slot_lock_open() gave it. */
static int read_slot(const struct xdpcap_hook *hook, uint32_t key, int lock_fd,
		     struct xdpcap_slot *slot, char *errbuf)
{
	struct bpf_prog_info info;
	__u32 id, len;
	int fd, err;

	memset(slot, 0, sizeof(*slot));
	err = bpf_map_lookup_elem(hook->map_fd, &key, &id);
	if (err == -ENOENT)
		return 0;
	if (!err) {
		fd = bpf_prog_get_fd_by_id(id);
		if (fd == -ENOENT)
			return 0; /* emptied meanwhile */
		if (hook_is_perm(fd)) {
			/* the id is all we may know without CAP_SYS_ADMIN */
			slot->prog_id = id;
			slot->unreadable = true;
			return 0;
		}
		err = fd < 0 ? fd : 0;
	}
	if (!err) {
		len = sizeof(info);
		memset(&info, 0, sizeof(info));
		err = bpf_obj_get_info_by_fd(fd, &info, &len);
		close(fd);
	}
	if (err) {
		if (hook_is_perm(err)) {
			xdpcap_err(errbuf, "reading slot %s of %s: %s",
				   xdpcap_action_name(key), hook->name,
				   hook_not_permitted);
			return -EPERM;
		}
		xdpcap_err(errbuf, "cannot read slot %s of %s: %s",
			   xdpcap_action_name(key), hook->name, strerror(-err));
		return err;
	}
	slot->prog_id = id;
	snprintf(slot->prog_name, sizeof(slot->prog_name), "%s", info.name);
	slot->owner_pid = read_owner(id, slot->prog_name, lock_fd, &slot->owner_alive);
	read_sharers(hook, key, lock_fd, slot);
	return 0;
}

int xdpcap_hook_slot(const struct xdpcap_hook *hook, uint32_t key,
		     struct xdpcap_slot *slot, char *errbuf)
{
	int lock_fd, err;

	memset(slot, 0, sizeof(*slot));
	if (hook->map_fd < 0) {
		xdpcap_err(errbuf, "hook %s is not open", hook->name);
		return -EBADF;
	}
	if (key >= hook->max_entries)
		return 0;
	lock_fd = slot_lock_open();
	err = read_slot(hook, key, lock_fd, slot, errbuf);
	if (lock_fd >= 0)
		close(lock_fd);
	return err;
}

int xdpcap_hook_slots(const struct xdpcap_hook *hook,
		      struct xdpcap_slot slots[XDPCAP_ACTIONS], char *errbuf)
{
	int lock_fd, err = 0;

	memset(slots, 0, XDPCAP_ACTIONS * sizeof(*slots));
	if (hook->map_fd < 0) {
		xdpcap_err(errbuf, "hook %s is not open", hook->name);
		return -EBADF;
	}
	lock_fd = slot_lock_open();
	for (uint32_t key = 0; key < XDPCAP_ACTIONS && !err; key++)
		err = read_slot(hook, key, lock_fd, &slots[key], errbuf);
	if (lock_fd >= 0)
		close(lock_fd);
	return err;
}
