// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * Reference program for the capture benchmark (bench/bench_capture.c):
 * the demo with xdpcap_enter() as xdpcap_hook.h 0.1 had it, a look for
 * the entry capture's mark in the packet's XDP metadata, to time against
 * today's per-CPU rerun flag while nobody captures.
 *
 * 0.1 took the mark away with bpf_xdp_adjust_meta, which some kernels
 * refuse in XDP programs; here that branch calls bpf_xdp_adjust_head
 * with 0 instead (no change), so the program loads everywhere. The
 * benchmark's frames carry no metadata: the branch is never taken, and
 * the path timed is 0.1's, instruction for instruction.
 *
 * Defining the hook header's include guard first replaces the header.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#define XDPCAP_HOOK_H
#define XDPCAP_ENTRY_MARK 0x78647063u
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
	void *meta = (void *)(long)ctx->data_meta;
	__u32 *mark = meta;

	if ((void *)(mark + 1) <= (void *)(long)ctx->data &&
	    *mark == XDPCAP_ENTRY_MARK) {
		bpf_xdp_adjust_head(ctx, 0);
		return;
	}
	bpf_tail_call(ctx, hook, 5);
}

#include "examples/xdpcap_demo.bpf.c"
