/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * A captured packet, as captures deliver it and writers write it: its
 * bytes, times, lengths, action and where a redirect went.
 */
#ifndef XDPCAP_PACKET_H
#define XDPCAP_PACKET_H

#include <stdint.h>
#include <xdpcap_abi.h>

#include "xdpcap/common.h"

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Where an XDP_REDIRECT went, when the program redirected through
 * xdpcap_redirect_map() or xdpcap_redirect() (bpf/xdpcap_hook.h).
 */
struct xdpcap_redirect_info {
	uint32_t pending;	/* non-zero: the rest is set */
	uint32_t map_type;	/* BPF_MAP_TYPE_DEVMAP, ...; 0: bpf_redirect() */
	uint32_t key;		/* the map key, or bpf_redirect()'s ifindex */
	uint32_t ifindex;	/* the target interface; 0: not known */
	uint64_t flags;
	int64_t ret;		/* XDP_REDIRECT, or the fallback action */
};

struct xdpcap_packet {
	uint64_t ts_ns;		/* since the Unix epoch, from the kernel's clock */
	uint32_t caplen, wirelen;
	uint32_t ifindex, rx_queue;
	unsigned int action;	/* or XDPCAP_SLOT_ENTRY: as it arrived */
	const uint8_t *data;	/* caplen bytes, valid during the callback */
	uint64_t packet_id;	/* entry captures: the same at entry and exit; 0: none */
	const struct xdpcap_redirect_info *redirect; /* NULL: none */
	/* the redirect's map, where the program has one of its type: its
	 * id and name (0 and NULL where that cannot be told) */
	uint32_t redirect_map_id;
	const char *redirect_map_name;
};

/* Return non-zero to stop delivering (for instance, a count reached). */
typedef int (*xdpcap_packet_fn)(const struct xdpcap_packet *pkt, void *ctx);

/* "XDP_DROP" for 1, and so on, "XDP entry" for XDPCAP_ENTRY_SLOT;
 * "XDP_UNKNOWN" out of range. */
XDPCAP_API const char *xdpcap_action_name(unsigned int action);

#ifdef __cplusplus
}
#endif

#endif
