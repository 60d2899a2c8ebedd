// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * An XDP program as a user outside this project writes one: it includes
 * the installed header and uses nothing else of xdpcap's. It drops UDP
 * to port 9 and passes the rest; every packet enters and leaves through
 * the hook, so xdpcap can show it as it arrived and with its verdict.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/udp.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#include <xdpcap_hook.h>

XDPCAP_HOOK_WITH_ENTRY(xdpcap_hook);

SEC("xdp")
int user_prog(struct xdp_md *ctx)
{
	void *data, *end;
	struct ethhdr *eth;
	struct iphdr *ip;
	struct udphdr *udp;

	xdpcap_enter(ctx, &xdpcap_hook);
	data = (void *)(long)ctx->data;
	end = (void *)(long)ctx->data_end;
	eth = data;
	ip = (void *)(eth + 1);
	if ((void *)(ip + 1) > end || eth->h_proto != bpf_htons(ETH_P_IP) ||
	    ip->ihl != 5 || ip->protocol != IPPROTO_UDP)
		return xdpcap_exit(ctx, &xdpcap_hook, XDP_PASS);
	udp = (void *)(ip + 1);
	if ((void *)(udp + 1) > end)
		return xdpcap_exit(ctx, &xdpcap_hook, XDP_PASS);
	if (udp->dest == bpf_htons(9))
		return xdpcap_exit(ctx, &xdpcap_hook, XDP_DROP);
	return xdpcap_exit(ctx, &xdpcap_hook, XDP_PASS);
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
