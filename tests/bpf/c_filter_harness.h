/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * Wraps a filter from `xdpcap compile --emit=c` into an XDP program that
 * reads its packet the way xdpcap_filter_prog_run() lays it out: the XDP
 * data is a u32 wire length, 28 bytes of zeros, then the packet (0 bytes
 * or more) up to data_end.
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
		const __u8 *data = (const __u8 *)(long)ctx->data;               \
		const __u8 *end = (const __u8 *)(long)ctx->data_end;            \
                                                                                \
		if (data + 32 > end)                                            \
			return 0;                                               \
		return filter(data + 32, end, *(const __u32 *)data);            \
	}

char _license[] SEC("license") = "Dual BSD/GPL";

#endif
