// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * The program of xdp_user_entry.bpf.c as xdpcap_hook.h 0.1 built it: a
 * hook of seven slots and no rerun flag; xdpcap_enter() looks for the
 * entry capture's mark in the packet's XDP metadata and takes it away
 * with bpf_xdp_adjust_meta. Programs built so are still in use; xdpcap
 * captures them at entry where the kernel allows that helper.
 *
 * With -DXDPCAP_V01_NO_ENTER the hook is the same but xdpcap_enter()
 * does nothing, so the program loads on any kernel.
 *
 * Defining the hook header's include guard first replaces the header.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#define XDPCAP_HOOK_H
#define XDPCAP_ENTRY_SLOT 5
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
#ifdef XDPCAP_V01_NO_ENTER
	(void)ctx;
	(void)hook;
#else
	void *meta = (void *)(long)ctx->data_meta;
	__u32 *mark = meta;

	if ((void *)(mark + 1) <= (void *)(long)ctx->data &&
	    *mark == XDPCAP_ENTRY_MARK) {
		bpf_xdp_adjust_meta(ctx, (int)sizeof(*mark));
		return;
	}
	bpf_tail_call(ctx, hook, XDPCAP_ENTRY_SLOT);
#endif
}

#include "xdp_user_entry.bpf.c"
