// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * libFuzzer target for the cBPF checker and translators (built and run by
 * tests/fuzz.sh).
 *
 * Input: an 8-byte header, 8 bytes per cBPF instruction, then the packet.
 *
 *   byte 0      flags: bits 0-1 decoding (0, 1: repair, 2: repair and
 *               define scratch reads, 3: raw),
 *               bits 2-3 wire length (see wirelen_of())
 *   byte 1      unused
 *   bytes 2-3   instruction count, little endian (cut to what follows)
 *   bytes 4-7   a u32 for the wire length, little endian
 *   8 * count   struct sock_filter as in memory: u16 code, u8 jt, u8 jf,
 *               u32 k, little endian (what "tcpdump -ddd" prints)
 *   the rest    the packet
 *
 * The raw decoding takes the instructions as they are, so most mutations
 * make programs the checker refuses. The repair decoding changes only
 * what would be refused (an unknown opcode, a jump past the end, a
 * scratch word past 15, a division by the constant 0, a last instruction
 * that does not return) and a constant shift by 32 or more, so it keeps a
 * valid program as it is and turns most inputs into valid programs. Its
 * variant 2 also turns each scratch read that may come before a write of
 * the word into an immediate load, so that libpcap's result is defined.
 *
 * For each program xdpcap_cbpf_check() accepts, libpcap's bpf_validate()
 * must accept it too and both translations must succeed. With
 * XDPCAP_FUZZ_KERNEL=1 the eBPF is also loaded (the verifier must accept
 * it) and run on the packet and on shorter cuts of it, and each result
 * must equal that of libpcap's bpf_filter(). Where libpcap 1.10's result
 * is undefined (a scratch word that may be read before it is written, a
 * shift by a constant of 32 or more), the result must instead equal that
 * of the reference interpreter cbpf_ref_run(), which follows xdpcap's
 * documented choices (zeroed scratch memory, x86's 5-bit shift count);
 * elsewhere that interpreter must agree with libpcap. A program with a
 * loop is compared as the translators run it, unrolled (a loop may never
 * end in libpcap). Any failure aborts, with the program and packet on
 * stderr.
 *
 * With XDPCAP_FUZZ_SEED_DIR=dir the binary only writes a seed corpus to
 * dir (libpcap-compiled filters and generated programs, each with a few
 * packets) and exits.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pcap.h>

#include "xdpcap/filter.h"
#include "xdpcap/filter_prog.h"
#include "filter/cbpf.h"
#include "cbpf_gen.h"

#define HDR_LEN 8
#define INSN_LEN 8
#define DECODE_FIX_SCRATCH 2
#define DECODE_RAW 3
#define MAX_CAPLEN_NO_KERNEL 1500

static bool use_kernel;
static uint32_t max_caplen = MAX_CAPLEN_NO_KERNEL;
static uint16_t known_codes[256];
static unsigned int nknown;
static uint64_t n_inputs, n_valid, n_loaded, n_compared, n_compared_ref,
	n_nonzero, n_undefined, n_too_complex;

static bool code_known(uint16_t code)
{
	return strcmp(cbpf_gen_opcode_name(code), "?") != 0;
}

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static void put_le32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static uint32_t wirelen_of(uint8_t flags, uint32_t v, uint32_t caplen)
{
	uint64_t w;

	switch ((flags >> 2) & 3) {
	case 0:
		return caplen;
	case 1:
		return caplen + (v & 0xffff);
	case 2:
		w = (uint64_t)caplen + v;
		return w > UINT32_MAX ? UINT32_MAX : (uint32_t)w;
	default:
		return v; /* may be below caplen: only "len" sees it */
	}
}

static bool is_scratch(uint16_t code)
{
	return code == (BPF_LD | BPF_MEM) || code == (BPF_LDX | BPF_MEM) ||
	       code == BPF_ST || code == BPF_STX;
}

static bool is_shift_k(uint16_t code)
{
	return code == (BPF_ALU | BPF_LSH | BPF_K) ||
	       code == (BPF_ALU | BPF_RSH | BPF_K);
}

/* Make the program valid, changing only what makes it invalid. */
static void repair(struct sock_filter *insns, size_t len)
{
	struct sock_filter *last = &insns[len - 1];

	for (size_t i = 0; i < len; i++) {
		struct sock_filter *f = &insns[i];
		uint32_t room = (uint32_t)(len - i - 1);

		if (!code_known(f->code))
			f->code = known_codes[f->code % nknown];
		if (is_scratch(f->code))
			f->k %= BPF_MEMWORDS;
		if (BPF_CLASS(f->code) == BPF_ALU && BPF_SRC(f->code) == BPF_K &&
		    (BPF_OP(f->code) == BPF_DIV || BPF_OP(f->code) == BPF_MOD) &&
		    f->k == 0)
			f->k = 1;
		if (is_shift_k(f->code))
			f->k &= 31;
		if (BPF_CLASS(f->code) != BPF_JMP || !room)
			continue;
		if (f->code == (BPF_JMP | BPF_JA)) {
			if (f->k >= room)
				f->k %= room;
		} else {
			if (f->jt >= room)
				f->jt = (uint8_t)(f->jt % room);
			if (f->jf >= room)
				f->jf = (uint8_t)(f->jf % room);
		}
	}
	if (BPF_CLASS(last->code) != BPF_RET)
		last->code = BPF_RET | (last->code & BPF_A);
}

static void dump_input(const struct xdpcap_cbpf *prog, const uint8_t *pkt,
		       uint32_t caplen, uint32_t wirelen)
{
	fprintf(stderr, "cBPF program (%zu instructions):\n", prog->len);
	xdpcap_cbpf_dump(stderr, prog);
	for (size_t i = 0; i < prog->len; i++)
		fprintf(stderr, "{ 0x%02x, %u, %u, 0x%08x },\n",
			prog->insns[i].code, prog->insns[i].jt,
			prog->insns[i].jf, prog->insns[i].k);
	if (!pkt)
		return;
	fprintf(stderr, "packet: caplen %u, wirelen %u\n", caplen, wirelen);
	for (uint32_t i = 0; i < caplen; i++)
		fprintf(stderr, "%02x%s", pkt[i],
			i % 16 == 15 || i + 1 == caplen ? "\n" : " ");
}

__attribute__((noreturn, format(printf, 2, 3)))
static void fail(const struct xdpcap_cbpf *prog, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "xdpcap-fuzz: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n");
	if (prog)
		dump_input(prog, NULL, 0, 0);
	abort();
}

/* pinsns is NULL when libpcap's result is undefined */
static void compare(const struct xdpcap_cbpf *prog, struct xdpcap_filter_prog *fp,
		    const struct bpf_insn *pinsns, const uint8_t *pkt,
		    uint32_t caplen, uint32_t wirelen)
{
	uint32_t want, ref, got;
	int err;

	ref = cbpf_ref_run(prog->insns, pkt, wirelen, caplen, NULL);
	want = pinsns ? bpf_filter(pinsns, pkt, wirelen, caplen) : ref;
	if (ref != want) {
		fprintf(stderr, "xdpcap-fuzz: the reference interpreter (0x%08x) disagrees with libpcap (0x%08x)\n",
			ref, want);
		dump_input(prog, pkt, caplen, wirelen);
		abort();
	}
	err = xdpcap_filter_prog_run(fp, pkt, caplen, wirelen, &got);
	if (err)
		fail(prog, "running the program: %s", strerror(-err));
	if (pinsns)
		n_compared++;
	else
		n_compared_ref++;
	n_nonzero += want != 0;
	if (want != got) {
		fprintf(stderr, "xdpcap-fuzz: results differ: %s 0x%08x, xdpcap 0x%08x\n",
			pinsns ? "libpcap" : "reference (libpcap's is undefined)",
			want, got);
		dump_input(prog, pkt, caplen, wirelen);
		abort();
	}
}

static void run_kernel(const struct xdpcap_cbpf *prog, const struct xdpcap_ebpf *ebpf,
		       const uint8_t *pkt, uint32_t caplen, uint32_t wirelen,
		       bool comparable, bool unrolled)
{
	struct bpf_insn *pinsns = NULL;
	struct xdpcap_filter_prog *fp;
	char errbuf[XDPCAP_ERRBUF_SIZE];
	char *log = NULL;
	int err;

	/* (no log for an unrolled loop: the verifier would run it twice) */
	err = xdpcap_filter_prog_load(ebpf, &fp, unrolled ? NULL : &log, errbuf);
	/*
	 * An unrolled loop whose rounds the verifier cannot tell apart may
	 * take it past its limit (libpcap's protochain does not): refused
	 * with a message, which is all that can be asked here.
	 */
	if (err == -E2BIG && unrolled && strstr(errbuf, "too complex")) {
		n_too_complex++;
		free(log);
		return;
	}
	if (err) {
		size_t n = log ? strlen(log) : 0;

		fprintf(stderr, "xdpcap-fuzz: the verifier refused the program: %s\n%s\n",
			errbuf, log ? log + (n > 8000 ? n - 8000 : 0) : "");
		fail(prog, "verifier refusal");
	}
	free(log);
	n_loaded++;
	if (comparable) {
		pinsns = calloc(prog->len, sizeof(*pinsns));
		if (!pinsns)
			fail(NULL, "out of memory");
		for (size_t i = 0; i < prog->len; i++) {
			pinsns[i].code = prog->insns[i].code;
			pinsns[i].jt = prog->insns[i].jt;
			pinsns[i].jf = prog->insns[i].jf;
			pinsns[i].k = prog->insns[i].k;
		}
	}
	/* the packet, then shorter cuts of it */
	compare(prog, fp, pinsns, pkt, caplen, wirelen);
	if (caplen) {
		compare(prog, fp, pinsns, pkt, caplen - 1, wirelen);
		compare(prog, fp, pinsns, pkt, caplen / 2, caplen);
		compare(prog, fp, pinsns, pkt, 0, wirelen);
	}
	free(pinsns);
	xdpcap_filter_prog_close(fp);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	XDPCAP_OPTS(xdpcap_ebpf_opts, opts,
		    .wirelen_off = XDPCAP_FILTER_PROG_WIRELEN_OFF);
	struct xdpcap_cbpf prog = { 0 };
	struct xdpcap_ebpf ebpf;
	char errbuf[XDPCAP_ERRBUF_SIZE];
	const uint8_t *pkt;
	uint32_t caplen, wirelen;
	size_t n, room;
	bool libpcap_valid, comparable;
	const struct xdpcap_cbpf *oracle;
	struct xdpcap_cbpf straight;
	uint32_t rounds;
	char *text = NULL;
	size_t text_len = 0;
	FILE *mem;
	int err;

	if (size < HDR_LEN)
		return 0;
	n_inputs++;
	n = (size_t)data[2] | (size_t)data[3] << 8;
	room = (size - HDR_LEN) / INSN_LEN;
	if (n > room)
		n = room;
	/* exactly n instructions, so that ASan sees any read past them */
	prog.insns = malloc(n ? n * sizeof(*prog.insns) : 1);
	if (!prog.insns)
		return 0;
	prog.len = n;
	for (size_t i = 0; i < n; i++) {
		const uint8_t *b = data + HDR_LEN + INSN_LEN * i;

		prog.insns[i].code = (uint16_t)(b[0] | b[1] << 8);
		prog.insns[i].jt = b[2];
		prog.insns[i].jf = b[3];
		prog.insns[i].k = le32(b + 4);
	}
	if ((data[0] & 3) != DECODE_RAW && n)
		repair(prog.insns, n);
	if ((data[0] & 3) == DECODE_FIX_SCRATCH && n)
		cbpf_scratch_fix(prog.insns, n);
	pkt = data + HDR_LEN + INSN_LEN * n;
	caplen = (uint32_t)(size - HDR_LEN - INSN_LEN * n);
	if (caplen > max_caplen)
		caplen = max_caplen;
	wirelen = wirelen_of(data[0], le32(data + 4), caplen);

	if (xdpcap_cbpf_check(&prog, errbuf)) {
		/* the translators must refuse it too, and cleanly */
		if (xdpcap_cbpf_to_ebpf(&prog, &opts, &ebpf, errbuf) != -EINVAL)
			fail(&prog, "xdpcap_cbpf_to_ebpf took a program the check refuses");
		mem = fopen("/dev/null", "w");
		if (mem) {
			err = xdpcap_cbpf_to_c(mem, &prog, "f", errbuf);
			fclose(mem);
			if (err != -EINVAL)
				fail(&prog, "xdpcap_cbpf_to_c took a program the check refuses");
		}
		free(prog.insns);
		return 0;
	}
	n_valid++;

	/* libpcap must agree that the program is valid */
	{
		struct bpf_insn *pi = calloc(n, sizeof(*pi));

		if (!pi)
			fail(NULL, "out of memory");
		for (size_t i = 0; i < n; i++) {
			pi[i].code = prog.insns[i].code;
			pi[i].jt = prog.insns[i].jt;
			pi[i].jf = prog.insns[i].jf;
			pi[i].k = prog.insns[i].k;
		}
		libpcap_valid = bpf_validate(pi, (int)n);
		free(pi);
	}
	if (!libpcap_valid)
		fail(&prog, "xdpcap_cbpf_check accepts a program bpf_validate refuses");

	err = xdpcap_cbpf_to_ebpf(&prog, &opts, &ebpf, errbuf);
	if (err)
		fail(&prog, "xdpcap_cbpf_to_ebpf: %s (%d)", errbuf, err);
	if (!ebpf.len)
		fail(&prog, "xdpcap_cbpf_to_ebpf made an empty fragment");

	mem = open_memstream(&text, &text_len);
	if (!mem)
		fail(NULL, "open_memstream: %s", strerror(errno));
	err = xdpcap_cbpf_to_c(mem, &prog, "fuzz_filter", errbuf);
	fclose(mem);
	if (err)
		fail(&prog, "xdpcap_cbpf_to_c: %s (%d)", errbuf, err);
	if (!text_len || !strstr(text, "fuzz_filter("))
		fail(&prog, "xdpcap_cbpf_to_c wrote no function");
	free(text);

	/* also exercise the readable dump of the eBPF */
	mem = fopen("/dev/null", "w");
	if (mem) {
		xdpcap_ebpf_dump(mem, ebpf.insns, ebpf.len);
		fclose(mem);
	}

	/*
	 * A loop (a backward jump) may never end, in libpcap as in the
	 * reference interpreter: results are compared on the program the
	 * translators make straight (cbpf_unroll.c, giving up with 0). That
	 * it equals the loop below its bound is diff_random's to show.
	 */
	if (cbpf_unroll(&prog, 0, &straight, &rounds, errbuf))
		fail(&prog, "cbpf_unroll: %s", errbuf);
	oracle = rounds ? &straight : &prog;
	comparable = cbpf_scratch_written(oracle->insns, oracle->len);
	for (size_t i = 0; i < oracle->len && comparable; i++)
		if (is_shift_k(oracle->insns[i].code) && oracle->insns[i].k >= 32)
			comparable = false;
	n_undefined += !comparable;
	if (use_kernel)
		run_kernel(oracle, &ebpf, pkt, caplen, wirelen, comparable,
			   rounds > 0);

	free(straight.insns);
	xdpcap_ebpf_free(&ebpf);
	free(prog.insns);
	return 0;
}

/* ---- seed corpus ---- */

static const char *const seed_filters[] = {
	"",
	"tcp port 80",
	"ip and udp",
	"ip6 and tcp",
	"arp or icmp",
	"host 10.0.0.1 and not port 22",
	"net 192.168.0.0/16",
	"vlan and ip",
	"ether broadcast or ether multicast",
	"tcp[tcpflags] & (tcp-syn|tcp-ack) == tcp-syn",
	"ip[2:2] > 576",
	"len > 100",
	"greater 64 and less 1000",
	"portrange 1000-2000",
	"ip[0] & 0xf > 5",
	"udp[8:4] == 0x12345678",
	"tcp[((tcp[12] & 0xf0) >> 2):4] = 0x47455420",
	"ip[2:2] / 4 * 4 - ip[2:2] % 3 == 0",
	"ip[6:2] & 0x1fff != 0 or ip[2:2] - ((ip[0] & 0xf) << 2) > 1400",
	"len - 14 >= ip[2:2] + 4",
	"ip6 protochain 6",
	"icmp6 and ip6[40] == 128",
	"ip proto 47 or ip proto 50",
	"ether[12:2] = 0x88cc",
};

static size_t make_packet(int kind, uint8_t *p, size_t max)
{
	static const uint8_t eth_ip[] = {
		0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 0x08, 0x00,
		0x45, 0, 0, 60, 0x12, 0x34, 0x40, 0, 64, 6, 0, 0,
		10, 0, 0, 1, 10, 0, 0, 2,
		0x30, 0x39, 0, 80, 0, 0, 0, 1, 0, 0, 0, 0, 0x50, 0x02, 0x72, 0x10,
		0, 0, 0, 0,
		'G', 'E', 'T', ' ', '/', ' ', 'H', 'T', 'T', 'P', '/', '1',
	};
	static const uint8_t eth_ip6[] = {
		0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 6, 7, 8, 9, 10, 11, 0x86, 0xdd,
		0x60, 0, 0, 0, 0, 16, 17, 64,
		0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1,
		0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2,
		0x04, 0xd2, 0x00, 0x35, 0, 16, 0, 0, 0x12, 0x34, 0x56, 0x78,
		0, 0, 0, 0,
	};
	static const uint8_t eth_vlan_arp[] = {
		0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 6, 7, 8, 9, 10, 11, 0x81, 0x00,
		0, 5, 0x08, 0x06, 0, 1, 8, 0, 6, 4, 0, 1,
		6, 7, 8, 9, 10, 11, 10, 0, 0, 1, 0, 0, 0, 0, 0, 0, 10, 0, 0, 2,
	};
	size_t n;

	switch (kind) {
	case 0:
		n = sizeof(eth_ip) < max ? sizeof(eth_ip) : max;
		memcpy(p, eth_ip, n);
		return n;
	case 1:
		n = sizeof(eth_ip6) < max ? sizeof(eth_ip6) : max;
		memcpy(p, eth_ip6, n);
		return n;
	case 2:
		n = sizeof(eth_vlan_arp) < max ? sizeof(eth_vlan_arp) : max;
		memcpy(p, eth_vlan_arp, n);
		return n;
	default:
		n = 10 < max ? 10 : max; /* a runt */
		memset(p, 0x45, n);
		return n;
	}
}

static void write_seed(const char *dir, unsigned int *count,
		       const struct sock_filter *insns, size_t len,
		       uint8_t flags, uint32_t wire, const uint8_t *pkt,
		       size_t caplen)
{
	char path[4096];
	uint8_t hdr[HDR_LEN] = { flags, 0, (uint8_t)len, (uint8_t)(len >> 8) };
	FILE *f;

	put_le32(hdr + 4, wire);
	snprintf(path, sizeof(path), "%s/seed-%04u", dir, (*count)++);
	f = fopen(path, "wb");
	if (!f) {
		perror(path);
		exit(1);
	}
	fwrite(hdr, 1, sizeof(hdr), f);
	for (size_t i = 0; i < len; i++) {
		uint8_t b[INSN_LEN] = { (uint8_t)insns[i].code,
					(uint8_t)(insns[i].code >> 8),
					insns[i].jt, insns[i].jf };

		put_le32(b + 4, insns[i].k);
		fwrite(b, 1, sizeof(b), f);
	}
	fwrite(pkt, 1, caplen, f);
	if (fclose(f)) {
		perror(path);
		exit(1);
	}
}

static void write_seeds(const char *dir)
{
	static struct cbpf_gen_prog g;
	uint8_t pkt[1600];
	unsigned int count = 0;
	char errbuf[XDPCAP_ERRBUF_SIZE];
	struct cbpf_rng r;

	for (size_t i = 0; i < sizeof(seed_filters) / sizeof(seed_filters[0]); i++) {
		struct xdpcap_cbpf prog;

		if (xdpcap_cbpf_from_expr(seed_filters[i], DLT_EN10MB, 262144,
					  &prog, errbuf)) {
			fprintf(stderr, "%s: %s\n", seed_filters[i], errbuf);
			exit(1);
		}
		for (int kind = 0; kind < 4; kind++) {
			size_t caplen = make_packet(kind, pkt, sizeof(pkt));

			write_seed(dir, &count, prog.insns, prog.len,
				   (uint8_t)(kind == 3 ? DECODE_RAW : 0),
				   (uint32_t)caplen, pkt, caplen);
		}
		xdpcap_cbpf_free(&prog);
	}
	cbpf_rng_seed(&r, 0x5eed);
	for (int i = 0; i < 64; i++) {
		uint32_t caplen, wirelen;

		cbpf_gen_program(&r, &g, i % 4 ? 0 : cbpf_rng_range(&r, 2, 24), NULL);
		cbpf_gen_packet(&r, &g, pkt, 300, &caplen, &wirelen);
		write_seed(dir, &count, g.insns, g.len,
			   (uint8_t)((i & 1 ? DECODE_FIX_SCRATCH : 0) |
				     (wirelen == caplen ? 0 : 3 << 2)), wirelen,
			   pkt, caplen);
	}
	printf("%u seeds written to %s\n", count, dir);
}

static void print_stats(void)
{
	fprintf(stderr,
		"xdpcap-fuzz: %" PRIu64 " inputs, %" PRIu64 " valid programs, %" PRIu64
		" loaded, %" PRIu64 " with undefined libpcap results, %" PRIu64
		" runs compared with libpcap, %" PRIu64
		" with the reference only, %" PRIu64 " non-zero, %" PRIu64
		" loops too complex for the verifier\n",
		n_inputs, n_valid, n_loaded, n_undefined, n_compared,
		n_compared_ref, n_nonzero, n_too_complex);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *seed_dir = getenv("XDPCAP_FUZZ_SEED_DIR");
	const char *kernel = getenv("XDPCAP_FUZZ_KERNEL");

	(void)argc;
	(void)argv;
	for (unsigned int code = 0; code < 256; code++)
		if (code_known((uint16_t)code))
			known_codes[nknown++] = (uint16_t)code;
	if (seed_dir && *seed_dir) {
		write_seeds(seed_dir);
		exit(0);
	}
	use_kernel = kernel && !strcmp(kernel, "1");
	if (use_kernel) {
		max_caplen = xdpcap_filter_prog_max_caplen();
		if (max_caplen > MAX_CAPLEN_NO_KERNEL)
			max_caplen = MAX_CAPLEN_NO_KERNEL;
	}
	fprintf(stderr, "xdpcap-fuzz: kernel runs %s, packets up to %u bytes\n",
		use_kernel ? "on" : "off", max_caplen);
	atexit(print_stats);
	return 0;
}
