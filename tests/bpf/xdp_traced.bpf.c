// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * An XDP program without a hook, as most in the field are, for the tests
 * of tracing, with every verdict: UDP to port 3000 aborted, to port 4000
 * redirected back out of the interface it came in on, other UDP dropped,
 * everything else passed.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/udp.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

SEC("xdp")
int xdp_traced(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip = (void *)(eth + 1);
	struct udphdr *udp = (void *)(ip + 1);

	if ((void *)(ip + 1) > data_end || eth->h_proto != bpf_htons(ETH_P_IP) ||
	    ip->protocol != IPPROTO_UDP)
		return XDP_PASS;
	/* (no IP options in the tests' datagrams) */
	if ((void *)(udp + 1) <= data_end && ip->ihl == 5) {
		if (udp->dest == bpf_htons(3000))
			return XDP_ABORTED;
		if (udp->dest == bpf_htons(4000))
			return bpf_redirect(ctx->ingress_ifindex, 0);
	}
	return XDP_DROP;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
