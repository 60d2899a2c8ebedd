/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * A capture goes on while the hook's map lives, but a hook that was
 * unpinned, or that no XDP program uses any more (detached, unloaded,
 * its network namespace deleted), delivers nothing: say so once, and
 * again when a program uses it anew. Not installed.
 */
#ifndef XDPCAP_HOOK_WATCH_H
#define XDPCAP_HOOK_WATCH_H

#include <stdbool.h>
#include <stdint.h>

#include "xdpcap/hook.h"

struct hook_watch {
	uint64_t next_ns;	/* CLOCK_MONOTONIC of the next look */
	bool unpinned;		/* said */
	bool unused;		/* said */
};

/*
 * Look at most once a second (now_ns on CLOCK_MONOTONIC); say what
 * changed through notice(msg, ctx).
 */
void hook_watch_check(struct hook_watch *w, const struct xdpcap_hook *hook,
		      uint64_t now_ns, void (*notice)(const char *msg, void *ctx),
		      void *ctx);

#endif
