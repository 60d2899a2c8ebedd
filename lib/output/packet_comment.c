// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
#include <stdio.h>
#include <string.h>
#include <net/if.h>
#include <bpf/libbpf.h>

#include "packet_comment.h"

/* " veth1" for ifindex, or "" if it is not an interface here */
static const char *ifname(unsigned int ifindex, struct packet_comment_names *names)
{
	if (names->ifindex != ifindex) {
		names->ifindex = ifindex;
		if (!if_indextoname(ifindex, names->name))
			names->name[0] = '\0';
	}
	return names->name;
}

/*
 * "devmap tx_ports (id 12) key 1, ifindex 3 (veth1)", "ifindex 3
 * (veth1)", "cpumap key 1"
 */
static void target(const struct xdpcap_packet *pkt, struct packet_comment_names *names,
		   char *buf, size_t len)
{
	const struct xdpcap_redirect_info *r = pkt->redirect;
	const char *type = libbpf_bpf_map_type_str(r->map_type);
	size_t used = 0;
	int n = 0;

	buf[0] = '\0';
	if (r->map_type && pkt->redirect_map_name)
		n = snprintf(buf, len, "%s %s (id %u) key %u", type ? type : "map",
			     pkt->redirect_map_name, pkt->redirect_map_id, r->key);
	else if (r->map_type)
		n = snprintf(buf, len, "%s key %u", type ? type : "map", r->key);
	used = n > 0 ? (size_t)n : 0;
	if (used >= len)
		return;
	if (r->ifindex && used < len) {
		const char *name = ifname(r->ifindex, names);

		snprintf(buf + used, len - used, "%sifindex %u%s%s%s",
			 used ? ", " : "", r->ifindex, *name ? " (" : "", name,
			 *name ? ")" : "");
	}
}

const char *packet_comment(const struct xdpcap_packet *pkt,
			   struct packet_comment_names *names, char *buf,
			   size_t len)
{
	const struct xdpcap_redirect_info *r = pkt->redirect;
	char where[128];

	if (pkt->action == XDPCAP_ENTRY_SLOT)
		return xdpcap_action_name(XDPCAP_ENTRY_SLOT);
	if (!r)
		return NULL;
	target(pkt, names, where, sizeof(where));
	if (r->ret == XDP_REDIRECT)
		snprintf(buf, len, "%s to %s", xdpcap_action_name(pkt->action), where);
	else
		snprintf(buf, len, "%s: the redirect to %s failed (flags 0x%llx)",
			 xdpcap_action_name(pkt->action), where,
			 (unsigned long long)r->flags);
	return buf;
}
