/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * Wraps a filter from `xdpcap compile --emit=c` into an XDP program that
 * reads its packet the way xdpcap_filter_prog_run() lays it out:
 *
 *   32 bytes of metadata: u32 wire length, then zeros; the packet is the
 *                         XDP data.
 *   16 bytes of metadata: a packet of 0 to 13 bytes at the end of the
 *                         metadata; the XDP data is u32 wire length and
 *                         u32 packet length.
 *
 * XDPCAP_C_FILTER_PROG(prog_name, filter_function) defines the program.
 */
#ifndef XDPCAP_C_FILTER_HARNESS_H
#define XDPCAP_C_FILTER_HARNESS_H

#include <linux/bpf.h>
#include <linux/types.h>
#include <bpf/bpf_helpers.h>

#define XDPCAP_C_FILTER_PROG(name, filter)                                    \
	SEC("xdp") int name(struct xdp_md *ctx)                                \
	{                                                                       \
		const __u8 *meta = (const __u8 *)(long)ctx->data_meta;          \
		const __u8 *data = (const __u8 *)(long)ctx->data;               \
		const __u8 *end = (const __u8 *)(long)ctx->data_end;            \
		__u32 wirelen, skip;                                            \
                                                                                \
		if (meta + 32 <= data)                                          \
			return filter(data, end, *(const __u32 *)meta);         \
		if (data + 8 > end)                                             \
			return 0;                                               \
		wirelen = *(const __u32 *)data;                                 \
		skip = 16 - (*(const __u32 *)(data + 4) & 15);                  \
		/* keep clang from folding this into a negative offset */       \
		asm volatile("" : "+r"(skip));                                  \
		return filter(meta + skip, data, wirelen);                      \
	}

char _license[] SEC("license") = "Dual BSD/GPL";

#endif
