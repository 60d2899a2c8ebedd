// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * Redirects through the hook, for the redirect notes' tests:
 *
 *   UDP to port 10    devmap key 0 (the test puts an interface there)
 *   UDP to port 11    devmap key 7, left empty: falls back to XDP_PASS
 *   anything else     XDP_PASS
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/udp.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#include "xdpcap_hook.h"

XDPCAP_HOOK(xdpcap_hook);
XDPCAP_REDIRECT_NOTES();

struct {
	__uint(type, BPF_MAP_TYPE_DEVMAP);
	__uint(max_entries, 8);
	__type(key, __u32);
	__type(value, __u32);
} tx_ports SEC(".maps");

SEC("xdp")
int xdp_redirect_test(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip = (void *)(eth + 1);
	struct udphdr *udp = (void *)(ip + 1);

	if ((void *)(udp + 1) > end || eth->h_proto != bpf_htons(ETH_P_IP) ||
	    ip->ihl != 5 || ip->protocol != IPPROTO_UDP)
		return xdpcap_exit(ctx, &xdpcap_hook, XDP_PASS);
	if (udp->dest == bpf_htons(10))
		return xdpcap_redirect_map(ctx, &xdpcap_hook, &tx_ports, 0, 0);
	if (udp->dest == bpf_htons(11))
		return xdpcap_redirect_map(ctx, &xdpcap_hook, &tx_ports, 7, XDP_PASS);
	return xdpcap_exit(ctx, &xdpcap_hook, XDP_PASS);
}

char _license[] SEC("license") = "Dual BSD/GPL";
