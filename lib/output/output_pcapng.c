// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * pcapng blocks (draft-ietf-opsawg-pcapng): the section header, interface
 * descriptions, enhanced packets and interface statistics. Everything is
 * in host byte order, which the section's byte-order magic tells readers.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "xdpcap/packet.h"
#include "output.h"
#include "util.h"

#define BT_SHB 0x0a0d0d0au
#define BT_IDB 1u
#define BT_ISB 5u
#define BT_EPB 6u
#define BYTE_ORDER_MAGIC 0x1a2b3c4du

#define OPT_ENDOFOPT 0
#define OPT_COMMENT 1
#define SHB_USERAPPL 4
#define IF_NAME 2
#define IF_DESCRIPTION 3
#define IF_TSRESOL 9
#define IF_FILTER 11
#define EPB_FLAGS 2
#define EPB_QUEUE 6
#define EPB_PACKETID 5
#define EPB_VERDICT 7
#define ISB_STARTTIME 2
#define ISB_ENDTIME 3
#define ISB_IFRECV 4
#define ISB_FILTERACCEPT 6
#define ISB_OSDROP 7
#define ISB_USRDELIV 8

#define TSRESOL_NS 9		/* 10^-9 s */
#define FILTER_LIBPCAP 0	/* if_filter: a libpcap filter string */
#define VERDICT_EBPF_XDP 2	/* epb_verdict: Linux eBPF XDP, an 8-byte action */
#define FLAGS_INBOUND 1u	/* epb_flags: direction bits 0-1 = 01 */
#define FLAGS_OUTBOUND 2u	/* ... = 10 */

/* The longest action name kept in a comment; real names are about 12. */
#define ACTION_NAME_MAX 32
/* An option value's length is 16 bits. */
#define OPT_VALUE_MAX 0xffff

/* Bytes an option takes: code, length, and the value padded to 32 bits. */
static size_t opt_size(size_t len)
{
	return 4 + len + OUTPUT_PAD4(len);
}

/*
 * Write at p an option whose value is a then b (either may be empty,
 * b is for values such as if_filter's type byte followed by the text);
 * return where the next one goes. The caller checks alen + blen fits in
 * 16 bits.
 */
static uint8_t *opt_put(uint8_t *p, uint16_t code, const void *a, size_t alen,
			const void *b, size_t blen)
{
	uint16_t hdr[2] = { code, (uint16_t)(alen + blen) };
	size_t pad = OUTPUT_PAD4(alen + blen);

	memcpy(p, hdr, sizeof(hdr));
	p += sizeof(hdr);
	if (alen)
		memcpy(p, a, alen);
	p += alen;
	if (blen)
		memcpy(p, b, blen);
	p += blen;
	memset(p, 0, pad);
	return p + pad;
}

static uint8_t *opt_u64(uint8_t *p, uint16_t code, uint64_t v)
{
	return opt_put(p, code, &v, sizeof(v), NULL, 0);
}

/* pcapng timestamps, in blocks and options, are the high word first. */
static uint8_t *put_ts(uint8_t *p, uint64_t ts)
{
	uint32_t w[2] = { (uint32_t)(ts >> 32), (uint32_t)ts };

	memcpy(p, w, sizeof(w));
	return p + sizeof(w);
}

static uint8_t *opt_ts(uint8_t *p, uint16_t code, uint64_t ts)
{
	uint8_t v[8];

	put_ts(v, ts);
	return opt_put(p, code, v, sizeof(v), NULL, 0);
}

static uint8_t *put32(uint8_t *p, uint32_t v)
{
	memcpy(p, &v, sizeof(v));
	return p + sizeof(v);
}

/* The end of options and the trailing copy of the block length. */
static uint8_t *end_block(uint8_t *p, uint32_t total)
{
	p = opt_put(p, OPT_ENDOFOPT, NULL, 0, NULL, 0);
	return put32(p, total);
}

static int put_block(struct xdpcap_output *out, const void *blk, size_t len,
		     char *errbuf)
{
	struct iovec iov = { .iov_base = (void *)blk, .iov_len = len };

	return output_put(out, &iov, 1, OUTPUT_NO_PACKET, errbuf);
}

static int pcapng_start(struct xdpcap_output *out, char *errbuf)
{
	static const char appl[] = "xdpcap " PACKAGE_VERSION;
	/* type, length, magic, version, section length; options; trailer */
	uint8_t blk[24 + 4 + sizeof(appl) + 3 + 4 + 4], *p = blk;
	uint16_t version[2] = { 1, 0 };
	int64_t section_len = -1;	/* not known while writing */
	uint32_t total;

	total = 24 + opt_size(sizeof(appl) - 1) + 4 + 4;
	p = put32(p, BT_SHB);
	p = put32(p, total);
	p = put32(p, BYTE_ORDER_MAGIC);
	memcpy(p, version, sizeof(version));
	p += sizeof(version);
	memcpy(p, &section_len, sizeof(section_len));
	p += sizeof(section_len);
	p = opt_put(p, SHB_USERAPPL, appl, sizeof(appl) - 1, NULL, 0);
	p = end_block(p, total);
	return put_block(out, blk, p - blk, errbuf);
}

static int pcapng_add_iface(struct xdpcap_output *out,
			    const struct xdpcap_output_iface *iface,
			    char *errbuf)
{
	size_t name_len = iface->name ? strlen(iface->name) : 0;
	size_t desc_len = iface->description ? strlen(iface->description) : 0;
	size_t filter_len = iface->filter ? strlen(iface->filter) : 0;
	const uint8_t filter_type = FILTER_LIBPCAP, tsresol = TSRESOL_NS;
	uint16_t link[2] = { iface->linktype, 0 };
	uint8_t *blk, *p;
	size_t total;
	int err;

	char note[128];
	size_t note_len = 0;

	if (name_len > OPT_VALUE_MAX || desc_len > OPT_VALUE_MAX) {
		xdpcap_err(errbuf, "interface name or description longer than %u bytes",
			   OPT_VALUE_MAX);
		return -EINVAL;
	}
	/* a longer filter is kept in part, and a comment says so */
	if (filter_len + 1 > OPT_VALUE_MAX) {
		note_len = (size_t)snprintf(note, sizeof(note),
					    "if_filter holds the first %u of the capture filter's %zu bytes",
					    OPT_VALUE_MAX - 1, filter_len);
		filter_len = OPT_VALUE_MAX - 1;
	}
	/*
	 * type, length, link type, reserved, snap length; if_tsresol; end of
	 * options; trailer. Options with no value are left out, not empty.
	 */
	total = 16 + opt_size(1) + 4 + 4;
	if (name_len)
		total += opt_size(name_len);
	if (desc_len)
		total += opt_size(desc_len);
	if (filter_len)
		total += opt_size(filter_len + 1);
	if (note_len)
		total += opt_size(note_len);
	blk = malloc(total);
	if (!blk) {
		xdpcap_err(errbuf, "out of memory");
		return -ENOMEM;
	}
	p = put32(blk, BT_IDB);
	p = put32(p, total);
	memcpy(p, link, sizeof(link));
	p += sizeof(link);
	p = put32(p, iface->snaplen);
	if (note_len)
		p = opt_put(p, OPT_COMMENT, note, note_len, NULL, 0);
	if (name_len)
		p = opt_put(p, IF_NAME, iface->name, name_len, NULL, 0);
	if (desc_len)
		p = opt_put(p, IF_DESCRIPTION, iface->description, desc_len, NULL, 0);
	if (filter_len)
		p = opt_put(p, IF_FILTER, &filter_type, 1, iface->filter, filter_len);
	p = opt_put(p, IF_TSRESOL, &tsresol, 1, NULL, 0);
	end_block(p, total);
	err = put_block(out, blk, total, errbuf);
	free(blk);
	return err ? err : (int)out->n_ifaces;
}

/*
 * The fixed part and the data come first; the tail holds the data's
 * padding, the options and the trailing length, at most: 3 + comment
 * (4 + 160) + flags (8) + queue (8) + packet id (12) + verdict (4 + 12)
 * + 4 + 4.
 */
#define EPB_HEAD 28
#define EPB_TAIL_MAX 240

static int pcapng_write(struct xdpcap_output *out,
			const struct xdpcap_output_packet *pkt, char *errbuf)
{
	uint8_t head[EPB_HEAD], tail[EPB_TAIL_MAX], *p = tail, *q;
	const uint8_t verdict_type = VERDICT_EBPF_XDP;
	uint32_t flags = pkt->direction == XDPCAP_DIRECTION_IN ? FLAGS_INBOUND : FLAGS_OUTBOUND;
	uint64_t total, action;
	const char *name;
	size_t name_len;
	size_t pad = OUTPUT_PAD4(pkt->caplen);

	memset(p, 0, pad);
	p += pad;
	if (pkt->comment) {
		name_len = strnlen(pkt->comment, XDPCAP_OUTPUT_COMMENT_MAX);
		p = opt_put(p, OPT_COMMENT, pkt->comment, name_len, NULL, 0);
	} else if (pkt->action >= 0) {
		name = xdpcap_action_name(pkt->action);
		name_len = strnlen(name, ACTION_NAME_MAX);
		p = opt_put(p, OPT_COMMENT, name, name_len, NULL, 0);
	}
	if (pkt->direction)
		p = opt_put(p, EPB_FLAGS, &flags, sizeof(flags), NULL, 0);
	if (pkt->has_queue)
		p = opt_put(p, EPB_QUEUE, &pkt->queue, sizeof(pkt->queue), NULL, 0);
	if (pkt->packet_id)
		p = opt_u64(p, EPB_PACKETID, pkt->packet_id);
	if (pkt->action >= 0) {
		action = (uint64_t)pkt->action;
		p = opt_put(p, EPB_VERDICT, &verdict_type, 1, &action, sizeof(action));
	}
	total = EPB_HEAD + (uint64_t)pkt->caplen + (p - tail) + 8;
	if (total > UINT32_MAX) {
		xdpcap_err(errbuf, "packet of %u bytes is too large for pcapng",
			   pkt->caplen);
		return -EINVAL;
	}
	p = end_block(p, (uint32_t)total);

	q = put32(head, BT_EPB);
	q = put32(q, (uint32_t)total);
	q = put32(q, pkt->iface);
	q = put_ts(q, pkt->ts_ns);
	q = put32(q, pkt->caplen);
	put32(q, pkt->wirelen);
	return output_put(out, (struct iovec[]){
		{ .iov_base = head, .iov_len = EPB_HEAD },
		{ .iov_base = (void *)pkt->data, .iov_len = pkt->caplen },
		{ .iov_base = tail, .iov_len = p - tail },
	}, 3, pkt->iface, errbuf);
}

static int pcapng_write_stats(struct xdpcap_output *out, uint32_t iface,
			      const struct xdpcap_output_stats *st,
			      char *errbuf)
{
	/* 20 fixed, a comment, six 12-byte options, end of options, trailer */
	uint8_t blk[20 + 4 + 256 + 6 * 12 + 4 + 4], *p = blk;
	char note[256];
	size_t note_len = 0, total;
	int n;

	if (st->discarded) {
		n = snprintf(note, sizeof(note),
			     "%llu packets matched but were not written: the capture ended first (count reached, or the output gone or full)",
			     (unsigned long long)st->discarded);
		note_len = n > 0 ? (size_t)n : 0;
	}
	if (st->skipped && note_len < sizeof(note)) {
		n = snprintf(note + note_len, sizeof(note) - note_len,
			     "%s%llu packets matched but were left out in the kernel by sampling or the rate cap",
			     note_len ? "; " : "", (unsigned long long)st->skipped);
		note_len += n > 0 ? (size_t)n : 0;
	}
	if (note_len >= sizeof(note))
		note_len = sizeof(note) - 1;
	total = 20 + (note_len ? opt_size(note_len) : 0) + 6 * 12 + 4 + 4;
	p = put32(p, BT_ISB);
	p = put32(p, (uint32_t)total);
	p = put32(p, iface);
	p = put_ts(p, st->end_ns);
	if (note_len)
		p = opt_put(p, OPT_COMMENT, note, note_len, NULL, 0);
	p = opt_ts(p, ISB_STARTTIME, st->start_ns);
	p = opt_ts(p, ISB_ENDTIME, st->end_ns);
	p = opt_u64(p, ISB_IFRECV, st->received);
	p = opt_u64(p, ISB_FILTERACCEPT, st->matched);
	p = opt_u64(p, ISB_OSDROP, st->dropped);
	p = opt_u64(p, ISB_USRDELIV, st->delivered);
	p = end_block(p, total);
	return put_block(out, blk, p - blk, errbuf);
}

const struct output_ops output_pcapng_ops = {
	.start = pcapng_start,
	.add_iface = pcapng_add_iface,
	.write = pcapng_write,
	.write_stats = pcapng_write_stats,
};
