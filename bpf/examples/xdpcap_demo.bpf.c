// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * A small XDP program instrumented for xdpcap, to try it on:
 *
 *   UDP to port 9 (discard)         XDP_DROP
 *   ICMP / ICMPv6 echo requests     answered in place, XDP_TX
 *   anything else                   XDP_PASS
 *
 * Every verdict goes through the hook, and so does every packet as it
 * arrived (xdpcap_enter), so a capture can show an echo request before
 * and after it was turned into the reply.
 *
 * Built twice: plain, and with -DXDPCAP_DEMO_FRAGS as a frags-aware
 * program (SEC("xdp.frags")) for multi-buffer (jumbo) packets.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/udp.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#include "xdpcap_hook.h"

#define DEMO_DROP_PORT 9

/* The first bytes of ICMP and ICMPv6 headers (linux/icmp.h pulls in libc). */
struct echo_hdr {
	__u8 type;
	__u8 code;
	__sum16 checksum;
};

#define ICMP_ECHO_REPLY 0
#define ICMP_ECHO_REQUEST 8
#define ICMPV6_ECHO_REQUEST 128
#define ICMPV6_ECHO_REPLY 129

/* exit and entry slots: xdpcap can show each packet as it arrived, too */
XDPCAP_HOOK_WITH_ENTRY(xdpcap_hook);

/* Add a 16-bit value to a ones' complement checksum. */
static __always_inline __sum16 csum_add16(__sum16 csum, __u16 addend)
{
	__u32 sum = (__u32)csum + addend;

	return (__sum16)((sum & 0xffff) + (sum >> 16));
}

static __always_inline void swap_macs(struct ethhdr *eth)
{
	__u8 tmp[ETH_ALEN];

	__builtin_memcpy(tmp, eth->h_source, ETH_ALEN);
	__builtin_memcpy(eth->h_source, eth->h_dest, ETH_ALEN);
	__builtin_memcpy(eth->h_dest, tmp, ETH_ALEN);
}

static __always_inline int udp_verdict(struct udphdr *udp, void *end)
{
	if ((void *)(udp + 1) > end)
		return XDP_PASS;
	return udp->dest == bpf_htons(DEMO_DROP_PORT) ? XDP_DROP : XDP_PASS;
}

static __always_inline int ipv4_verdict(struct ethhdr *eth, void *end)
{
	struct iphdr *ip = (void *)(eth + 1);
	struct echo_hdr *icmp;
	__be32 addr;

	if ((void *)(ip + 1) > end || ip->ihl < 5)
		return XDP_PASS;
	if (ip->protocol == IPPROTO_UDP)
		return udp_verdict((void *)ip + ip->ihl * 4, end);
	if (ip->protocol != IPPROTO_ICMP)
		return XDP_PASS;
	icmp = (void *)ip + ip->ihl * 4;
	if ((void *)(icmp + 1) > end || icmp->type != ICMP_ECHO_REQUEST)
		return XDP_PASS;
	/* echo request -> reply: type 8 -> 0 raises the checksum by 0x0800 */
	icmp->type = ICMP_ECHO_REPLY;
	icmp->checksum = csum_add16(icmp->checksum, bpf_htons(0x0800));
	addr = ip->saddr;
	ip->saddr = ip->daddr;
	ip->daddr = addr;
	swap_macs(eth);
	return XDP_TX;
}

static __always_inline int ipv6_verdict(struct ethhdr *eth, void *end)
{
	struct ipv6hdr *ip6 = (void *)(eth + 1);
	struct echo_hdr *icmp6;
	struct in6_addr addr;

	if ((void *)(ip6 + 1) > end)
		return XDP_PASS;
	if (ip6->nexthdr == IPPROTO_UDP)
		return udp_verdict((void *)(ip6 + 1), end);
	if (ip6->nexthdr != IPPROTO_ICMPV6)
		return XDP_PASS;
	icmp6 = (void *)(ip6 + 1);
	if ((void *)(icmp6 + 1) > end || icmp6->type != ICMPV6_ECHO_REQUEST)
		return XDP_PASS;
	/* type 128 -> 129 lowers the checksum by 0x0100 */
	icmp6->type = ICMPV6_ECHO_REPLY;
	icmp6->checksum = csum_add16(icmp6->checksum, bpf_htons(0xfeff));
	addr = ip6->saddr;
	ip6->saddr = ip6->daddr;
	ip6->daddr = addr;
	swap_macs(eth);
	return XDP_TX;
}

#ifdef XDPCAP_DEMO_FRAGS
SEC("xdp.frags")
#else
SEC("xdp")
#endif
int xdpcap_demo(struct xdp_md *ctx)
{
	xdpcap_enter(ctx, &xdpcap_hook);

	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	int action = XDP_PASS;

	if ((void *)(eth + 1) <= end) {
		if (eth->h_proto == bpf_htons(ETH_P_IP))
			action = ipv4_verdict(eth, end);
		else if (eth->h_proto == bpf_htons(ETH_P_IPV6))
			action = ipv6_verdict(eth, end);
	}
	return xdpcap_exit(ctx, &xdpcap_hook, action);
}

char _license[] SEC("license") = "Dual BSD/GPL";
