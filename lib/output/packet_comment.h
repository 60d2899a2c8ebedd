/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * What a captured packet's pcapng comment says: its action, "XDP entry"
 * for a packet as it arrived, and where a redirect went. Not installed.
 */
#ifndef XDPCAP_PACKET_COMMENT_H
#define XDPCAP_PACKET_COMMENT_H

#include <stddef.h>

#include "xdpcap/packet.h"

/* Interface names of redirect targets, looked up once per interface. */
struct packet_comment_names {
	unsigned int ifindex;
	char name[16];
};

/*
 * The comment for pkt in buf, or NULL where the action's name says it
 * all (the writer's default).
 */
const char *packet_comment(const struct xdpcap_packet *pkt,
			   struct packet_comment_names *names, char *buf,
			   size_t len);

#endif
