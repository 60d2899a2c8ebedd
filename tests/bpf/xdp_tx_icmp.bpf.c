// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * A second XDP program without a hook, for the tests of libxdp's
 * dispatcher: ICMP is sent back (XDP_TX), everything else passed. Its run
 * configuration (the section libxdp reads) puts it after a program of
 * the default priority (50), which passes it what that one passes.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

SEC("xdp")
int xdp_tx_icmp(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip = (void *)(eth + 1);

	if ((void *)(ip + 1) > data_end || eth->h_proto != bpf_htons(ETH_P_IP))
		return XDP_PASS;
	return ip->protocol == IPPROTO_ICMP ? XDP_TX : XDP_PASS;
}

/* libxdp's run configuration: priority 60, the next program on XDP_PASS */
struct {
	__uint(priority, 60);
	__uint(XDP_PASS, 1);
} _xdp_tx_icmp SEC(".xdp_run_config");

char LICENSE[] SEC("license") = "Dual BSD/GPL";
