// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>

#include "hook_watch.h"

#define WATCH_PERIOD_NS 1000000000ull
/* an XDP program with more maps than this is not looked into */
#define MAX_PROG_MAPS 64

/* Whether the pin still leads to the hook's map (not for interfaces). */
static bool still_pinned(const struct xdpcap_hook *hook)
{
	struct bpf_map_info info;
	uint32_t len = sizeof(info);
	int fd;
	bool same;

	if (!hook->path[0])
		return true;
	fd = bpf_obj_get(hook->path);
	if (fd < 0)
		return fd != -ENOENT; /* only a missing pin is news */
	memset(&info, 0, sizeof(info));
	same = bpf_obj_get_info_by_fd(fd, &info, &len) || info.id == hook->map_id;
	close(fd);
	return same;
}

/* Some XDP program uses the map: 1, none: 0, cannot tell: -1. */
static int map_in_use(uint32_t map_id)
{
	uint32_t id = 0;
	int err;

	while (!(err = bpf_prog_get_next_id(id, &id))) {
		uint32_t maps[MAX_PROG_MAPS], len;
		struct bpf_prog_info info;
		int fd = bpf_prog_get_fd_by_id(id);

		if (fd == -ENOENT)
			continue;
		if (fd < 0)
			return -1; /* not permitted: no answer */
		memset(&info, 0, sizeof(info));
		info.nr_map_ids = MAX_PROG_MAPS;
		info.map_ids = (uint64_t)(unsigned long)maps;
		len = sizeof(info);
		if (!bpf_obj_get_info_by_fd(fd, &info, &len) &&
		    info.type == BPF_PROG_TYPE_XDP)
			for (uint32_t i = 0; i < info.nr_map_ids && i < MAX_PROG_MAPS; i++)
				if (maps[i] == map_id) {
					close(fd);
					return 1;
				}
		close(fd);
	}
	return err == -ENOENT ? 0 : -1;
}

void hook_watch_check(struct hook_watch *w, const struct xdpcap_hook *hook,
		      uint64_t now_ns, void (*notice)(const char *msg, void *ctx),
		      void *ctx)
{
	char msg[320];
	int in_use;

	if (now_ns < w->next_ns)
		return;
	w->next_ns = now_ns + WATCH_PERIOD_NS;
	if (!w->unpinned && !still_pinned(hook)) {
		w->unpinned = true;
		snprintf(msg, sizeof(msg), "hook %s was unpinned: capturing on while an XDP program still uses its map",
			 hook->name);
		notice(msg, ctx);
	}
	in_use = map_in_use(hook->map_id);
	if (in_use == 0 && !w->unused) {
		w->unused = true;
		snprintf(msg, sizeof(msg), "no XDP program uses hook %s any more (detached, unloaded, or its network namespace deleted): nothing is captured until one does",
			 hook->name);
		notice(msg, ctx);
	} else if (in_use == 1 && w->unused) {
		w->unused = false;
		snprintf(msg, sizeof(msg), "an XDP program uses hook %s again", hook->name);
		notice(msg, ctx);
	}
}
