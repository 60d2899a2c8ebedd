// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * Reference programs for the capture benchmark (bench/bench_capture.c):
 *
 *   xdpcap_demo  the demo program's own logic (bpf/examples/xdpcap_demo.bpf.c,
 *                included below), but returning each verdict directly:
 *                no hook, no tail call
 *   xdp_empty    returns XDP_PASS at once: the cost of a test run itself
 *
 * The demo is compiled here unchanged: defining the hook header's include
 * guard first replaces the hook, xdpcap_enter() and xdpcap_exit() with
 * versions that make no map and no tail call, so the two programs differ
 * only by the hook.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#define XDPCAP_HOOK_H
#define XDPCAP_HOOK(name) static const char name __attribute__((unused))
#define XDPCAP_HOOK_WITH_ENTRY(name) XDPCAP_HOOK(name)

static __always_inline void xdpcap_enter(struct xdp_md *ctx, const void *hook)
{
	(void)ctx;
	(void)hook;
}

static __always_inline int xdpcap_exit(struct xdp_md *ctx, const void *hook,
				       enum xdp_action action)
{
	(void)ctx;
	(void)hook;
	return action;
}

#include "examples/xdpcap_demo.bpf.c"

SEC("xdp")
int xdp_empty(struct xdp_md *ctx)
{
	(void)ctx;
	return XDP_PASS;
}
