// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * Reference program for the capture benchmark (bench/bench_capture.c):
 * the demo (bpf/examples/xdpcap_demo.bpf.c, included below) with its exit
 * hook but without xdpcap_enter(), as programs instrumented only for
 * verdicts are. Against the demo itself it shows what the entry hook
 * costs while nobody captures.
 *
 * Defining the hook header's include guard first replaces the header:
 * the hook and xdpcap_exit() as there, xdpcap_enter() doing nothing.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#define XDPCAP_HOOK_H
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
	(void)ctx;
	(void)hook;
}

#include "examples/xdpcap_demo.bpf.c"
