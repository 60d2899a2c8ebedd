// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * tests/pcapng_fields FILE FIELD...: the fields of each packet of a pcap
 * or pcapng file, tab-separated, one packet a line, as
 * `tshark -r FILE -T fields -e FIELD...` prints them, for the fields the
 * shell tests read (see tests/lib/capture.sh). It starts in a
 * millisecond where tshark takes seconds in an emulated guest. On the
 * host, every read is made by both and compared: tshark stays the judge
 * of what a file says, this only repeats it. Exit status 2 for a field it
 * does not know (the caller then asks tshark), 1 for a file it cannot
 * read to its end: cut short, or a block whose lengths disagree.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum field {
	F_NUMBER, F_COMMENT, F_PACKET_ID, F_VERDICT, F_LEN, F_CAP_LEN,
	F_TIME_EPOCH, F_IF_ID, F_IF_NAME, F_IF_QUEUE, F_ETH_SRC, F_ETH_DST,
	F_IP_SRC, F_IP_DST, F_ICMP_TYPE, F_UDP_SRC, F_UDP_DST, F_DATA,
	F_DIRECTION, F_COUNT
};

static const char *const field_names[F_COUNT] = {
	"frame.number", "frame.comment", "frame.packet_id",
	"frame.verdict.ebpf_xdp", "frame.len", "frame.cap_len",
	"frame.time_epoch", "frame.interface_id", "frame.interface_name",
	"frame.interface_queue", "eth.src", "eth.dst", "ip.src", "ip.dst",
	"icmp.type", "udp.srcport", "udp.dstport", "data.data",
	"frame.packet_flags_direction",
};

#define MAX_IFACES 64
#define VALUE_MAX 600000	/* data.data of a jumbo frame, in hex */

struct iface {
	char name[256];
	uint64_t units;		/* timestamp units a second */
};

struct reader {
	FILE *f;
	bool swap;		/* the file's byte order is not ours */
	bool pcapng;
	uint32_t pcap_units;
	struct iface ifs[MAX_IFACES];
	unsigned int n_ifs;
};

/* One packet, as the fields see it. */
struct packet {
	unsigned int number, iface;
	bool has_iface;
	uint32_t len, cap_len;
	uint64_t ts, units;
	const uint8_t *data;
	const char *if_name;
	bool has_id, has_verdict, has_queue, has_flags;
	uint64_t id, verdict;
	uint32_t queue, flags;
	char comment[4096];	/* last: what comes before is cleared a packet */
};

static char *values[F_COUNT];

static uint16_t get16(const struct reader *r, const uint8_t *p)
{
	uint16_t v;

	memcpy(&v, p, 2);
	return r->swap ? __builtin_bswap16(v) : v;
}

static uint32_t get32(const struct reader *r, const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return r->swap ? __builtin_bswap32(v) : v;
}

static uint64_t get64(const struct reader *r, const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, 8);
	return r->swap ? __builtin_bswap64(v) : v;
}

static void set(enum field f, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void set(enum field f, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(values[f], VALUE_MAX, fmt, ap);
	va_end(ap);
}

static void set_mac(enum field f, const uint8_t *m)
{
	set(f, "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3], m[4], m[5]);
}

static void set_ip(enum field f, const uint8_t *a)
{
	set(f, "%u.%u.%u.%u", a[0], a[1], a[2], a[3]);
}

static uint16_t be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static void udp_fields(const uint8_t *p, uint32_t len)
{
	if (len < 4)
		return;
	set(F_UDP_SRC, "%u", be16(p));
	set(F_UDP_DST, "%u", be16(p + 2));
	if (len <= 8)
		return;
	for (uint32_t i = 8; i < len && 2 * (i - 8) + 2 < VALUE_MAX; i++)
		sprintf(values[F_DATA] + 2 * (i - 8), "%02x", p[i]);
}

static void ipv4_fields(const uint8_t *p, uint32_t len)
{
	uint32_t hlen;

	if (len < 20)
		return;
	set_ip(F_IP_SRC, p + 12);
	set_ip(F_IP_DST, p + 16);
	hlen = (p[0] & 0x0f) * 4u;
	/* a fragment: its transport header is only in a reassembly */
	if ((be16(p + 6) & 0x3fff) || hlen > len)
		return;
	if (p[9] == 1 && len > hlen)
		set(F_ICMP_TYPE, "%u", p[hlen]);
	else if (p[9] == 17)
		udp_fields(p + hlen, len - hlen);
}

static void ipv6_fields(const uint8_t *p, uint32_t len)
{
	uint32_t off = 40;
	uint8_t next;

	if (len < 40)
		return;
	next = p[6];
	/* hop-by-hop, routing, destination options */
	while ((next == 0 || next == 43 || next == 60) && off + 8 <= len) {
		next = p[off];
		off += (p[off + 1] + 1u) * 8;
	}
	if (next == 17 && off <= len)
		udp_fields(p + off, len - off);
}

static void packet_fields(const struct packet *pk)
{
	const uint8_t *p = pk->data;
	uint32_t len = pk->cap_len, off = 12;
	uint16_t type;

	for (int i = 0; i < F_COUNT; i++)
		values[i][0] = '\0';
	set(F_NUMBER, "%u", pk->number);
	set(F_COMMENT, "%s", pk->comment);
	if (pk->has_id)
		set(F_PACKET_ID, "%" PRIu64, pk->id);
	if (pk->has_verdict)
		set(F_VERDICT, "%" PRIu64, pk->verdict);
	set(F_LEN, "%u", pk->len);
	set(F_CAP_LEN, "%u", pk->cap_len);
	set(F_TIME_EPOCH, "%" PRIu64 ".%09" PRIu64, pk->ts / pk->units,
	    (uint64_t)(pk->ts % pk->units * 1000000000ull / pk->units));
	if (pk->has_iface)
		set(F_IF_ID, "%u", pk->iface);
	if (pk->if_name)
		set(F_IF_NAME, "%s", pk->if_name);
	if (pk->has_queue)
		set(F_IF_QUEUE, "%u", pk->queue);
	if (pk->has_flags)	/* as tshark shows it */
		set(F_DIRECTION, "0x%08x", pk->flags & 3u);
	if (len < 14)
		return;
	set_mac(F_ETH_DST, p);
	set_mac(F_ETH_SRC, p + 6);
	type = be16(p + 12);
	while ((type == 0x8100 || type == 0x88a8) && off + 6 <= len) {
		type = be16(p + off + 2);
		off += 4;
	}
	off += 2;
	if (type == 0x0800)
		ipv4_fields(p + off, len - off);
	else if (type == 0x86dd)
		ipv6_fields(p + off, len - off);
}

static void print_packet(const struct packet *pk, const enum field *want, int n)
{
	packet_fields(pk);
	for (int i = 0; i < n; i++)
		printf("%s%s", i ? "\t" : "", values[want[i]]);
	putchar('\n');
}

/* units a second from if_tsresol: 10^-v, or 2^-v with the top bit set */
static uint64_t tsresol_units(uint8_t v)
{
	uint64_t units = 1;

	for (unsigned int i = 0; i < (v & 0x7f); i++)
		units *= v & 0x80 ? 2 : 10;
	return units;
}

static void read_idb(struct reader *r, const uint8_t *b, uint32_t len)
{
	struct iface *ifc;

	if (r->n_ifs == MAX_IFACES)
		return;
	ifc = &r->ifs[r->n_ifs++];
	ifc->name[0] = '\0';
	ifc->units = 1000000;
	for (uint32_t off = 8; off + 4 <= len;) {
		uint16_t code = get16(r, b + off), olen = get16(r, b + off + 2);

		if (code == 0 || off + 4 + olen > len)
			break;
		if (code == 2)
			snprintf(ifc->name, sizeof(ifc->name), "%.*s", (int)olen, b + off + 4);
		if (code == 9 && olen >= 1)
			ifc->units = tsresol_units(b[off + 4]);
		off += 4 + ((olen + 3u) & ~3u);
	}
}

static void append_comment(struct packet *pk, const uint8_t *s, uint16_t len)
{
	size_t used = strlen(pk->comment);

	snprintf(pk->comment + used, sizeof(pk->comment) - used, "%s%.*s",
		 used ? "," : "", (int)len, s);
}

static void epb_options(const struct reader *r, struct packet *pk,
			const uint8_t *b, uint32_t off, uint32_t len)
{
	while (off + 4 <= len) {
		uint16_t code = get16(r, b + off), olen = get16(r, b + off + 2);
		const uint8_t *v = b + off + 4;

		if (code == 0 || off + 4 + olen > len)
			break;
		if (code == 1)
			append_comment(pk, v, olen);
		else if (code == 2 && olen == 4)
			pk->has_flags = true, pk->flags = get32(r, v);
		else if (code == 5 && olen == 8)
			pk->has_id = true, pk->id = get64(r, v);
		else if (code == 6 && olen == 4)
			pk->has_queue = true, pk->queue = get32(r, v);
		else if (code == 7 && olen == 9 && v[0] == 2)
			pk->has_verdict = true, pk->verdict = get64(r, v + 1);
		off += 4 + ((olen + 3u) & ~3u);
	}
}

/* one pcapng block (body b of len bytes) of type; packets are printed */
static int pcapng_block(struct reader *r, uint32_t type, const uint8_t *b,
			uint32_t len, struct packet *pk, const enum field *want, int n)
{
	unsigned int number = pk->number;

	memset(pk, 0, offsetof(struct packet, comment));
	pk->comment[0] = '\0';
	pk->number = number;
	if (type == 1) {
		read_idb(r, b, len);
		return 0;
	}
	if (type == 6 && len >= 20) {
		pk->iface = get32(r, b);
		pk->cap_len = get32(r, b + 12);
		pk->len = get32(r, b + 16);
		if (pk->iface >= r->n_ifs || 20 + pk->cap_len > len)
			return -1;
		pk->has_iface = true;
		pk->ts = (uint64_t)get32(r, b + 4) << 32 | get32(r, b + 8);
		pk->units = r->ifs[pk->iface].units;
		pk->if_name = r->ifs[pk->iface].name[0] ? r->ifs[pk->iface].name : NULL;
		pk->data = b + 20;
		epb_options(r, pk, b, 20 + ((pk->cap_len + 3u) & ~3u), len);
	} else if (type == 3 && len >= 4 && r->n_ifs) {
		pk->len = get32(r, b);
		pk->cap_len = len - 4 < pk->len ? len - 4 : pk->len;
		pk->has_iface = true;
		pk->units = r->ifs[0].units;
		pk->if_name = r->ifs[0].name[0] ? r->ifs[0].name : NULL;
		pk->data = b + 4;
	} else {
		return 0;
	}
	print_packet(pk, want, n);
	pk->number++;
	return 0;
}

static int read_pcapng(struct reader *r, const enum field *want, int n)
{
	static uint8_t buf[1 << 20];
	static struct packet pk;
	uint8_t head[12];
	unsigned int number = 1;

	for (;;) {
		size_t got = fread(head, 1, 8, r->f);
		uint32_t type, len;

		if (got != 8)
			return got || ferror(r->f) ? -1 : 0;

		memcpy(&type, head, 4);
		if (type == 0x0a0d0d0a) {
			/* a section: its byte order, and no interfaces yet */
			if (fread(head + 8, 1, 4, r->f) != 4)
				return -1;
			r->swap = head[8] != 0x4d;
			r->n_ifs = 0;
		}
		type = get32(r, head);
		len = get32(r, head + 4);
		if (len < 12 || len > sizeof(buf) || len % 4)
			return -1;
		if (type == 0x0a0d0d0a) {
			if (fread(buf, 1, len - 12, r->f) != len - 12)
				return -1;
			continue;
		}
		/* the body and the trailing copy of the length */
		if (fread(buf, 1, len - 8, r->f) != len - 8 || get32(r, buf + len - 12) != len)
			return -1;
		pk.number = number;
		if (pcapng_block(r, type, buf, len - 12, &pk, want, n))
			return -1;
		number = pk.number > number ? pk.number : number;
	}
}

static int read_pcap(struct reader *r, const enum field *want, int n)
{
	static uint8_t buf[1 << 20];
	static struct packet pk;
	uint8_t rec[16];

	for (unsigned int number = 1;; number++) {
		size_t got = fread(rec, 1, 16, r->f);

		if (got != 16)
			return got || ferror(r->f) ? -1 : 0;
		memset(&pk, 0, offsetof(struct packet, comment));
		pk.comment[0] = '\0';
		pk.number = number;
		pk.cap_len = get32(r, rec + 8);
		pk.len = get32(r, rec + 12);
		if (pk.cap_len > sizeof(buf) || fread(buf, 1, pk.cap_len, r->f) != pk.cap_len)
			return -1;
		pk.units = r->pcap_units;
		pk.ts = (uint64_t)get32(r, rec) * pk.units + get32(r, rec + 4);
		pk.data = buf;	/* a pcap file has no interface id */
		print_packet(&pk, want, n);
	}
}

int main(int argc, char **argv)
{
	enum field want[64];
	struct reader r = { 0 };
	uint32_t magic;
	uint8_t head[24];
	int n = argc - 2, err;

	if (argc < 3 || n > 64) {
		fprintf(stderr, "usage: pcapng_fields FILE FIELD...\n");
		return 2;
	}
	for (int i = 0; i < n; i++) {
		int f = 0;

		while (f < F_COUNT && strcmp(field_names[f], argv[i + 2]))
			f++;
		if (f == F_COUNT) {
			fprintf(stderr, "pcapng_fields: unknown field %s\n", argv[i + 2]);
			return 2;
		}
		want[i] = (enum field)f;
	}
	for (int i = 0; i < F_COUNT; i++)
		if (!(values[i] = malloc(VALUE_MAX)))
			return 1;
	r.f = fopen(argv[1], "rb");
	if (!r.f) {
		perror(argv[1]);
		return 1;
	}
	/* tshark reads an empty file as one without packets */
	if (fread(&magic, 1, 4, r.f) != 4)
		return ftell(r.f) ? 1 : 0;
	if (magic == 0x0a0d0d0a) {
		rewind(r.f);
		err = read_pcapng(&r, want, n);
	} else {
		r.swap = magic == 0xd4c3b2a1 || magic == 0x4d3cb2a1;
		r.pcap_units = magic == 0xa1b23c4d || magic == 0x4d3cb2a1 ? 1000000000 : 1000000;
		if (fread(head, 1, 20, r.f) != 20 ||
		    (magic != 0xa1b2c3d4 && magic != 0xa1b23c4d && !r.swap))
			return 1;
		err = read_pcap(&r, want, n);
	}
	fflush(stdout);
	if (err)
		fprintf(stderr, "pcapng_fields: %s is cut short or malformed\n", argv[1]);
	return err ? 1 : 0;
}
