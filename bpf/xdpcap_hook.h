/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * xdpcap hook for XDP programs (clang -target bpf, libbpf >= 1.0).
 *
 * Declare a hook once, and return every verdict through it:
 *
 *	#include <xdpcap_hook.h>
 *
 *	XDPCAP_HOOK(xdpcap_hook);
 *
 *	SEC("xdp") int prog(struct xdp_md *ctx)
 *	{
 *		...
 *		return xdpcap_exit(ctx, &xdpcap_hook, XDP_DROP);
 *	}
 *
 * The hook is a program array with one slot per XDP action. While nobody
 * captures, its slots are empty and xdpcap_exit() returns the action. While
 * xdpcap captures, the slot of each captured action holds a program that
 * copies matching packets to xdpcap and then returns that same action:
 * the verdict never changes.
 *
 * Name the map xdpcap_hook and xdpcap finds it through the interface the
 * program is attached to (xdp:eth0); or pin it under /sys/fs/bpf/xdpcap/
 * (xdp:NAME). Programs built for Cloudflare's xdpcap use the same layout.
 */
#ifndef XDPCAP_HOOK_H
#define XDPCAP_HOOK_H

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

/* XDP_ABORTED, XDP_DROP, XDP_PASS, XDP_TX, XDP_REDIRECT */
#define XDPCAP_HOOK_SLOTS 5

#define XDPCAP_HOOK(name)                                                     \
	struct {                                                                \
		__uint(type, BPF_MAP_TYPE_PROG_ARRAY);                           \
		__uint(key_size, sizeof(__u32));                                 \
		__uint(value_size, sizeof(__u32));                               \
		__uint(max_entries, XDPCAP_HOOK_SLOTS);                          \
	} name SEC(".maps")

/*
 * Return action through the hook: the capture program in the action's slot
 * (if any) runs and returns the action itself; an empty slot falls
 * through, and the action is returned here.
 */
static __always_inline int xdpcap_exit(struct xdp_md *ctx, void *hook,
				       enum xdp_action action)
{
	bpf_tail_call(ctx, hook, action);
	return action;
}

#endif /* XDPCAP_HOOK_H */
