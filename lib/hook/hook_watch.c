// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>

#include "hook_program.h"
#include "hook_watch.h"

#define WATCH_PERIOD_NS 1000000000ull

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

/*
 * Some XDP program uses the hook: 1, none: 0, cannot tell: -1. xdpcap's
 * own capture programs, which refer to the hook too, do not count.
 */
static int hook_in_use(const struct xdpcap_hook *hook)
{
	uint32_t id;
	int n = hook_programs(hook, &id, 1);

	return n < 0 ? -1 : n > 0;
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
	in_use = hook_in_use(hook);
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
