/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * The hook as xdpcap_hook.h of xdpcap 0.1 declared it, for the tests and
 * benchmarks of programs built with it: seven slots and no entry state;
 * its xdpcap_enter() looks for the entry capture's mark in the packet's
 * XDP metadata and takes it away with bpf_xdp_adjust_meta, a helper some
 * kernels refuse in XDP programs. Include it in place of xdpcap_hook.h
 * (same include guard). Before it:
 *
 *   XDPCAP_V01_NO_ENTER      xdpcap_enter() does nothing (a program that
 *                            loads on any kernel; the exits alone)
 *   XDPCAP_V01_UNMARK(ctx)   what takes the mark away (default 0.1's
 *                            bpf_xdp_adjust_meta(ctx, 4))
 */
#ifndef XDPCAP_HOOK_H
#define XDPCAP_HOOK_H

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#define XDPCAP_ENTRY_SLOT 5
#define XDPCAP_ENTRY_MARK 0x78647063u
#ifndef XDPCAP_V01_UNMARK
#define XDPCAP_V01_UNMARK(ctx) bpf_xdp_adjust_meta(ctx, 4)
#endif

#define XDPCAP_HOOK_WITH_ENTRY(name)                                          \
	struct {                                                                \
		__uint(type, BPF_MAP_TYPE_PROG_ARRAY);                           \
		__uint(key_size, sizeof(__u32));                                 \
		__uint(value_size, sizeof(__u32));                               \
		__uint(max_entries, 7);                                          \
	} name SEC(".maps")

static __always_inline int xdpcap_exit(struct xdp_md *ctx, void *hook,
				       enum xdp_action action)
{
	bpf_tail_call(ctx, hook, action);
	return action;
}

static __always_inline void xdpcap_enter(struct xdp_md *ctx, void *hook)
{
#ifdef XDPCAP_V01_NO_ENTER
	(void)ctx;
	(void)hook;
#else
	void *meta = (void *)(long)ctx->data_meta;
	__u32 *mark = meta;

	if ((void *)(mark + 1) <= (void *)(long)ctx->data &&
	    *mark == XDPCAP_ENTRY_MARK) {
		XDPCAP_V01_UNMARK(ctx);
		return;
	}
	bpf_tail_call(ctx, hook, XDPCAP_ENTRY_SLOT);
#endif
}

#endif /* XDPCAP_HOOK_H */
