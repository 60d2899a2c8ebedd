// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * Classic pcap with nanosecond timestamps: a file header, then one record
 * per packet. The format has room for one link type and snap length, so
 * one interface, and for no action or statistics.
 */
#include <errno.h>
#include <string.h>

#include "output.h"
#include "util.h"

#define PCAP_NSEC_MAGIC 0xa1b23c4du
#define PCAP_VERSION_MAJOR 2
#define PCAP_VERSION_MINOR 4
#define NSEC_PER_SEC 1000000000ull

struct pcap_file_header_ns {
	uint32_t magic;
	uint16_t version_major, version_minor;
	int32_t thiszone;	/* always 0: timestamps are UTC */
	uint32_t sigfigs;	/* always 0 */
	uint32_t snaplen;
	uint32_t linktype;
};

struct pcap_record_ns {
	uint32_t ts_sec, ts_nsec;
	uint32_t caplen, len;
};

static int pcap_add_iface(struct xdpcap_output *out,
			  const struct xdpcap_output_iface *iface, char *errbuf)
{
	struct pcap_file_header_ns hdr = {
		.magic = PCAP_NSEC_MAGIC,
		.version_major = PCAP_VERSION_MAJOR,
		.version_minor = PCAP_VERSION_MINOR,
		.snaplen = iface->snaplen,
		.linktype = iface->linktype,
	};
	struct iovec iov = { .iov_base = &hdr, .iov_len = sizeof(hdr) };

	if (out->n_ifaces) {
		xdpcap_err(errbuf, "a pcap file holds one interface, cannot add %s: use pcapng for several",
			   iface->name ? iface->name : "another");
		return -EINVAL;
	}
	return output_put(out, &iov, 1, OUTPUT_NO_PACKET, errbuf);
}

static int pcap_write(struct xdpcap_output *out,
		      const struct xdpcap_output_packet *pkt, char *errbuf)
{
	struct pcap_record_ns rec = {
		.ts_sec = (uint32_t)(pkt->ts_ns / NSEC_PER_SEC),
		.ts_nsec = (uint32_t)(pkt->ts_ns % NSEC_PER_SEC),
		.caplen = pkt->caplen,
		.len = pkt->wirelen,
	};

	return output_put(out, (struct iovec[]){
		{ .iov_base = &rec, .iov_len = sizeof(rec) },
		{ .iov_base = (void *)pkt->data, .iov_len = pkt->caplen },
	}, 2, pkt->iface, errbuf);
}

/*
 * No start: the header needs the interface's link type, so add_iface
 * writes it. No write_stats: the format has nowhere to put them.
 */
const struct output_ops output_pcap_ops = {
	.add_iface = pcap_add_iface,
	.write = pcap_write,
};
