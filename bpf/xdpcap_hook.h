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

#include "xdpcap_abi.h"

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

/*
 * Entry capture: the packet as it arrived, before the program changed it.
 *
 *	XDPCAP_HOOK_WITH_ENTRY(xdpcap_hook);
 *
 *	SEC("xdp") int prog(struct xdp_md *ctx)
 *	{
 *		xdpcap_enter(ctx, &xdpcap_hook);
 *		... (read ctx->data only after it)
 *		return xdpcap_exit(ctx, &xdpcap_hook, XDP_DROP);
 *	}
 *
 * Two more slots: XDPCAP_ENTRY_SLOT for a capture program that sees each
 * packet first, XDPCAP_RERUN_SLOT for the program itself, both filled by
 * xdpcap while it captures at entry; and a per-CPU entry state, the map
 * xdpcap_entry, that xdpcap turns ON meanwhile. The entry capture copies
 * the packet, sets its CPU's state to RERUN and runs the program again
 * from its start through the rerun slot (if that tail call fails, it sets
 * it back). xdpcap_enter() finds RERUN, sets ON and returns: the program
 * goes on with the packet exactly as it arrived, untouched, metadata
 * included.
 *
 * Why a per-CPU state is enough: an XDP program runs to its end on one
 * CPU, in softirq or with bottom halves disabled, and nothing else runs
 * on that CPU between the entry capture setting RERUN and the tail call
 * reaching xdpcap_enter(). Nested runs do not share it: a cpumap's
 * program runs later on its own CPU, a devmap's program at the flush
 * after this program returned, generic XDP on a redirect target later,
 * from that device's receive path. (BPF_PROG_TEST_RUN without live frames
 * runs with softirqs on: a packet received meanwhile on that CPU could
 * see RERUN, and skip its own entry capture.) RERUN left behind, only if
 * code before xdpcap_enter() returned early on the second run, makes the
 * next packet on that CPU skip the entry capture once.
 *
 * While nobody captures at entry, xdpcap_enter() costs a per-CPU map
 * lookup and a test: no tail call, no XDP metadata, and no helper that a
 * kernel or driver may refuse.
 */
#define XDPCAP_HOOK_WITH_ENTRY(name)                                          \
	struct {                                                                \
		__uint(type, BPF_MAP_TYPE_PROG_ARRAY);                           \
		__uint(key_size, sizeof(__u32));                                 \
		__uint(value_size, sizeof(__u32));                               \
		__uint(max_entries, XDPCAP_HOOK_ENTRY_SLOTS);                    \
	} name SEC(".maps");                                                    \
	struct {                                                                \
		__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);                         \
		__uint(max_entries, 1);                                          \
		__type(key, __u32);                                              \
		__type(value, __u32);                                            \
	} xdpcap_entry SEC(".maps")

/*
 * Call first in the program, before reading ctx->data. One hook with
 * entry slots per program: the entry state's map has one name.
 */
#define xdpcap_enter(ctx, hook) xdpcap_enter_state(ctx, hook, &xdpcap_entry)

static __always_inline void xdpcap_enter_state(struct xdp_md *ctx, void *hook,
					       void *states)
{
	__u32 zero = 0;
	__u32 *state = bpf_map_lookup_elem(states, &zero);

	if (!state || *state == XDPCAP_ENTRY_OFF)
		return;
	if (*state == XDPCAP_ENTRY_RERUN) {
		/* the second run, after the entry capture: as it arrived */
		*state = XDPCAP_ENTRY_ON;
		return;
	}
	bpf_tail_call(ctx, hook, XDPCAP_ENTRY_SLOT);
}

/*
 * Redirect detail: where an XDP_REDIRECT went. Declare the notes once,
 *
 *	XDPCAP_REDIRECT_NOTES();
 *
 * and redirect through the hook with
 *
 *	return xdpcap_redirect_map(ctx, &xdpcap_hook, &tx_ports, key, 0);
 *	return xdpcap_redirect(ctx, &xdpcap_hook, ifindex, 0);
 *
 * in place of bpf_redirect_map() / bpf_redirect() followed by
 * xdpcap_exit(). Each leaves a note on its CPU (the map's type, the key,
 * the target interface where a devmap tells it, and what the helper
 * returned: XDP_REDIRECT, or the fallback action from the flags) that a
 * capture of the action reads and writes with the packet.
 */
#define XDPCAP_REDIRECT_NOTES()                                               \
	struct {                                                                \
		__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);                         \
		__uint(max_entries, 1);                                          \
		__type(key, __u32);                                              \
		__type(value, struct xdpcap_redirect_note);                      \
	} xdpcap_redir SEC(".maps")

static __always_inline int
xdpcap_redirect_noted(struct xdp_md *ctx, void *hook, void *notes,
		      __u32 map_type, __u32 key, __u32 ifindex, __u64 flags,
		      long ret)
{
	__u32 zero = 0;
	struct xdpcap_redirect_note *note = bpf_map_lookup_elem(notes, &zero);

	if (note) {
		note->map_type = map_type;
		note->key = key;
		note->ifindex = ifindex;
		note->flags = flags;
		note->ret = ret;
		note->pending = 1;
	}
	bpf_tail_call(ctx, hook, (__u32)ret);
	/* nobody captured it: leave no note for another packet */
	if (note)
		note->pending = 0;
	return (int)ret;
}

/* The map's type, known when compiling from its BTF-style definition. */
#define XDPCAP_MAP_TYPE(map) ((__u32)(sizeof(*(map)->type) / sizeof(int)))

/* A devmap's value starts with the target's ifindex. */
static __always_inline __u32 xdpcap_devmap_ifindex(void *map, __u32 map_type,
						   __u32 key)
{
	__u32 *ifindex;

	if (map_type != BPF_MAP_TYPE_DEVMAP &&
	    map_type != BPF_MAP_TYPE_DEVMAP_HASH)
		return 0;
	ifindex = bpf_map_lookup_elem(map, &key);
	return ifindex ? *ifindex : 0;
}

#define xdpcap_redirect_map(ctx, hook, map, key, flags)                       \
	({                                                                      \
		__u32 key_ = (key);                                             \
		__u64 flags_ = (flags);                                         \
		__u32 type_ = XDPCAP_MAP_TYPE(map);                             \
		xdpcap_redirect_noted(ctx, hook, &xdpcap_redir, type_, key_,    \
				      xdpcap_devmap_ifindex(map, type_, key_),  \
				      flags_,                                   \
				      bpf_redirect_map(map, key_, flags_));     \
	})

#define xdpcap_redirect(ctx, hook, ifindex, flags)                            \
	({                                                                      \
		__u32 ifindex_ = (ifindex);                                     \
		__u64 flags_ = (flags);                                         \
		xdpcap_redirect_noted(ctx, hook, &xdpcap_redir, 0, ifindex_,    \
				      ifindex_, flags_,                         \
				      bpf_redirect(ifindex_, flags_));          \
	})

#endif /* XDPCAP_HOOK_H */