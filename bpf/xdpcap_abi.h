/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * The contract between XDP programs built with xdpcap_hook.h and xdpcap:
 * the hook's slots, the entry state, the maps xdpcap looks for by name,
 * and the redirect note. Both sides include this header, and nothing
 * else of the other's: the BPF side through xdpcap_hook.h, the library
 * through <xdpcap/hook.h>. Only kernel types, so it builds for either.
 */
#ifndef XDPCAP_ABI_H
#define XDPCAP_ABI_H

#include <linux/types.h>

/*
 * The hook: a BPF_MAP_TYPE_PROG_ARRAY, 4-byte keys and values, one slot
 * per XDP action, the action's value its index (XDP_ABORTED 0, XDP_DROP 1,
 * XDP_PASS 2, XDP_TX 3, XDP_REDIRECT 4): Cloudflare's xdpcap's layout.
 */
#define XDPCAP_HOOK_SLOTS 5
/* with entry capture, two more: the entry capture, the program again */
#define XDPCAP_ENTRY_SLOT 5
#define XDPCAP_RERUN_SLOT 6
#define XDPCAP_HOOK_ENTRY_SLOTS 7

/* The name xdp:IFNAME finds a hook by among an XDP program's maps. */
#define XDPCAP_HOOK_MAP_NAME "xdpcap_hook"

/*
 * A program with entry slots has a per-CPU entry state, a PERCPU_ARRAY
 * of one __u32 of this name. OFF: nobody captures at entry, and
 * xdpcap_enter() returns at once; ON: an entry capture is in the entry
 * slot; RERUN: the entry capture runs the program again.
 */
#define XDPCAP_ENTRY_MAP_NAME "xdpcap_entry"
#define XDPCAP_ENTRY_OFF 0
#define XDPCAP_ENTRY_ON 1
#define XDPCAP_ENTRY_RERUN 2

/*
 * Programs built with xdpcap_hook.h of xdpcap 0.1 have no entry state:
 * the entry capture marks their packets with this XDP metadata word.
 */
#define XDPCAP_ENTRY_MARK 0x78647063u

/*
 * Redirect notes: a PERCPU_ARRAY of one struct xdpcap_redirect_note of
 * this name, where xdpcap_redirect_map() and xdpcap_redirect() tell a
 * capture of the action where the packet went.
 */
#define XDPCAP_REDIRECT_NOTES_MAP_NAME "xdpcap_redir"

struct xdpcap_redirect_note {
	__u32 pending;		/* 1 from the redirect to the capture */
	__u32 map_type;		/* BPF_MAP_TYPE_DEVMAP, ...; 0: bpf_redirect() */
	__u32 key;		/* the map key, or bpf_redirect()'s ifindex */
	__u32 ifindex;		/* the target interface; 0 if not known */
	__u64 flags;
	__s64 ret;		/* what the redirect helper returned */
};

#endif /* XDPCAP_ABI_H */
