// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * The checker refuses what libpcap's interpreter cannot run to a defined
 * result, with a message that names the problem; and the translators
 * refuse what the checker refuses.
 */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xdpcap/capture.h"
#include "xdpcap/filter.h"
#include "tap.h"

#define INSN(c, t, f, kk) { .code = (c), .jt = (t), .jf = (f), .k = (kk) }
#define PROG(...) \
	((struct xdpcap_cbpf){ .insns = (struct sock_filter[]){ __VA_ARGS__ }, \
			       .len = sizeof((struct sock_filter[]){ __VA_ARGS__ }) / \
				      sizeof(struct sock_filter) })

/* Check prog; pass when it is refused exactly when refuse is set, with
 * a message containing want. The translators must agree. */
static void expect(const char *name, struct xdpcap_cbpf prog, bool refuse,
		   const char *want)
{
	char errbuf[XDPCAP_ERRBUF_SIZE] = "";
	struct xdpcap_ebpf ebpf;
	int check, to_ebpf, to_c;
	FILE *devnull = fopen("/dev/null", "w");

	check = xdpcap_cbpf_check(&prog, errbuf);
	tap_ok(refuse ? check < 0 && strstr(errbuf, want) : check == 0,
	       "%s: %s (%s)", name, refuse ? "refused" : "accepted",
	       check ? errbuf : "ok");
	to_ebpf = xdpcap_cbpf_to_ebpf(&prog, NULL, &ebpf, errbuf);
	if (!to_ebpf)
		xdpcap_ebpf_free(&ebpf);
	to_c = xdpcap_cbpf_to_c(devnull, &prog, "f", errbuf);
	fclose(devnull);
	tap_ok((to_ebpf < 0) == refuse && (to_c < 0) == refuse,
	       "%s: translators agree with the checker", name);
}

static void test_checker(void)
{
	expect("empty program", (struct xdpcap_cbpf){ .insns = NULL, .len = 0 },
	       true, "instructions");
	expect("ret k", PROG(INSN(BPF_RET | BPF_K, 0, 0, 1)), false, "");
	expect("unknown opcode", PROG(INSN(0xff, 0, 0, 0), INSN(BPF_RET | BPF_K, 0, 0, 1)),
	       true, "unknown opcode");
	expect("ldx abs is not an instruction",
	       PROG(INSN(BPF_LDX | BPF_W | BPF_ABS, 0, 0, 0), INSN(BPF_RET | BPF_K, 0, 0, 1)),
	       true, "unknown opcode");
	expect("scratch word 16", PROG(INSN(BPF_ST, 0, 0, 16), INSN(BPF_RET | BPF_K, 0, 0, 1)),
	       true, "scratch word 16");
	expect("division by constant 0",
	       PROG(INSN(BPF_ALU | BPF_DIV | BPF_K, 0, 0, 0), INSN(BPF_RET | BPF_A, 0, 0, 0)),
	       true, "division");
	expect("modulo by constant 0",
	       PROG(INSN(BPF_ALU | BPF_MOD | BPF_K, 0, 0, 0), INSN(BPF_RET | BPF_A, 0, 0, 0)),
	       true, "division");
	expect("shift by constant 32",
	       PROG(INSN(BPF_ALU | BPF_LSH | BPF_K, 0, 0, 32), INSN(BPF_RET | BPF_A, 0, 0, 0)),
	       true, "shift by the constant 32");
	expect("shift by constant 31",
	       PROG(INSN(BPF_ALU | BPF_RSH | BPF_K, 0, 0, 31), INSN(BPF_RET | BPF_A, 0, 0, 0)),
	       false, "");
	expect("conditional jump past the end",
	       PROG(INSN(BPF_JMP | BPF_JEQ | BPF_K, 0, 1, 0), INSN(BPF_RET | BPF_K, 0, 0, 1)),
	       true, "past the end");
	expect("ja past the end",
	       PROG(INSN(BPF_JMP | BPF_JA, 0, 0, 1), INSN(BPF_RET | BPF_K, 0, 0, 1)),
	       true, "past the end");
	expect("backward ja inside the program (a loop)",
	       PROG(INSN(BPF_LD | BPF_IMM, 0, 0, 1),
		    INSN(BPF_JMP | BPF_JA, 0, 0, (uint32_t)-2),
		    INSN(BPF_RET | BPF_K, 0, 0, 1)),
	       false, "");
	expect("backward ja before the start",
	       PROG(INSN(BPF_LD | BPF_IMM, 0, 0, 1),
		    INSN(BPF_JMP | BPF_JA, 0, 0, (uint32_t)-3),
		    INSN(BPF_RET | BPF_K, 0, 0, 1)),
	       true, "before the start");
	expect("no return at the end", PROG(INSN(BPF_LD | BPF_IMM, 0, 0, 1)),
	       true, "return");
	expect("jt == jf", PROG(INSN(BPF_JMP | BPF_JEQ | BPF_K, 0, 0, 0),
				INSN(BPF_RET | BPF_K, 0, 0, 1)),
	       false, "");
}

static void test_expr_errors(void)
{
	char errbuf[XDPCAP_ERRBUF_SIZE] = "";
	struct xdpcap_cbpf prog;
	int err;

	err = xdpcap_cbpf_from_expr("tcp port", 1, 262144, &prog, errbuf);
	tap_ok(err < 0 && strstr(errbuf, "syntax error"),
	       "libpcap's message for a bad filter: %s", errbuf);
	err = xdpcap_cbpf_from_expr("ip6 protochain 6", 1, 262144, &prog, errbuf);
	tap_ok(err == 0, "libpcap compiles protochain");
	err = xdpcap_cbpf_check(&prog, errbuf);
	tap_ok(err == 0, "protochain passes the check");
	err = xdpcap_cbpf_loop_rounds(&prog);
	tap_ok(err > 100, "protochain's loop is unrolled to %d rounds", err);
	xdpcap_cbpf_free(&prog);
	err = xdpcap_cbpf_from_expr("ip6 and tcp", 1, 262144, &prog, errbuf);
	tap_ok(err == 0 && xdpcap_cbpf_loop_rounds(&prog) == 0,
	       "a filter without loops has 0 rounds");
	xdpcap_cbpf_free(&prog);
	err = xdpcap_cbpf_from_expr("", 1, 262144, &prog, errbuf);
	tap_ok(err == 0 && prog.len == 1 && prog.insns[0].k == 262144,
	       "an empty filter matches everything with the snap length");
	xdpcap_cbpf_free(&prog);
}

static void test_opts(void)
{
	struct xdpcap_cbpf prog = PROG(INSN(BPF_RET | BPF_K, 0, 0, 1));
	XDPCAP_OPTS(xdpcap_ebpf_opts, bad_scratch, .scratch_off = -60);
	XDPCAP_OPTS(xdpcap_ebpf_opts, bad_len, .wirelen_off = 3);
	XDPCAP_OPTS(xdpcap_ebpf_opts, overlap, .scratch_off = -128,
		    .wirelen_off = -68);
	char errbuf[XDPCAP_ERRBUF_SIZE];
	struct xdpcap_ebpf ebpf;

	tap_ok(xdpcap_cbpf_to_ebpf(&prog, &bad_scratch, &ebpf, errbuf) < 0,
	       "scratch area that does not fit is refused: %s", errbuf);
	tap_ok(xdpcap_cbpf_to_ebpf(&prog, &bad_len, &ebpf, errbuf) < 0,
	       "misaligned wire length slot is refused: %s", errbuf);
	tap_ok(xdpcap_cbpf_to_ebpf(&prog, &overlap, &ebpf, errbuf) < 0,
	       "wire length slot inside the scratch area is refused: %s", errbuf);
}

/* The size rule of options structs, shared by every one of them. */
static void test_opts_size(void)
{
	struct xdpcap_cbpf prog = PROG(INSN(BPF_LD | BPF_W | BPF_LEN, 0, 0, 0),
				       INSN(BPF_RET | BPF_A, 0, 0, 0));
	struct newer {
		struct xdpcap_ebpf_opts known;
		uint64_t unknown;
	} newer = { .known.sz = sizeof(struct newer) };
	/* an older caller knew scratch_off only: wirelen_off is past its
	 * size, so its (bad) value is not read */
	XDPCAP_OPTS(xdpcap_ebpf_opts, older, .wirelen_off = 3);
	char errbuf[XDPCAP_ERRBUF_SIZE];
	struct xdpcap_ebpf ebpf;
	int err;

	older.sz = offsetof(struct xdpcap_ebpf_opts, wirelen_off);
	err = xdpcap_cbpf_to_ebpf(&prog, &older, &ebpf, errbuf);
	tap_ok(err == 0, "a smaller size (an older caller) is accepted, the fields past it are defaults");
	if (!err)
		xdpcap_ebpf_free(&ebpf);
	err = xdpcap_cbpf_to_ebpf(&prog, &newer.known, &ebpf, errbuf);
	tap_ok(err == 0, "a larger size (a newer caller) whose unknown tail is 0 is accepted");
	if (!err)
		xdpcap_ebpf_free(&ebpf);
	newer.unknown = 1;
	err = xdpcap_cbpf_to_ebpf(&prog, &newer.known, &ebpf, errbuf);
	tap_ok(err == -EINVAL && strstr(errbuf, "past the"),
	       "a larger size with a field set that this library does not know is refused: %s",
	       errbuf);
	/* a copy of the packet larger than any packet XDP reads */
	newer.unknown = 0;
	newer.known.sz = sizeof(struct xdpcap_ebpf_opts);
	newer.known.buffer_size = 65472;
	err = xdpcap_cbpf_to_ebpf(&prog, &newer.known, &ebpf, errbuf);
	tap_ok(err == -EINVAL && strstr(errbuf, "buffer_size"),
	       "a copy's buffer larger than any packet is refused: %s", errbuf);
	newer.known.buffer_size = 0;
	newer.known.sz = 4;
	err = xdpcap_cbpf_to_ebpf(&prog, &newer.known, &ebpf, errbuf);
	tap_ok(err == -EINVAL, "a size that cannot hold the size is refused: %s", errbuf);
}

/*
 * A struct the library fills is written only as far as the caller's size
 * says: an older caller's smaller one is left alone past its end.
 */
static void test_output_size(void)
{
	union {
		struct xdpcap_capture_stats st;
		unsigned char bytes[sizeof(struct xdpcap_capture_stats)];
	} older;
	XDPCAP_OPTS(xdpcap_capture_stats, add);
	const size_t known = offsetof(struct xdpcap_capture_stats, delivered);
	bool untouched = true;

	memset(&older, 0xa5, sizeof(older));
	older.st.sz = known;
	older.st.received[1] = 1;
	add.received[1] = 2;
	add.delivered = 7;
	add.entry_skipped = 9;
	xdpcap_capture_stats_add(&older.st, &add);
	for (size_t i = known; i < sizeof(older); i++)
		untouched &= older.bytes[i] == 0xa5;
	tap_ok(older.st.received[1] == 3 && older.st.sz == known && untouched,
	       "an output struct of an older caller (sz %zu of %zu) is filled to its size and no further",
	       known, sizeof(older));
	add.sz = 2;
	xdpcap_capture_stats_add(&add, &older.st);
	tap_ok(add.received[1] == 2, "one whose size cannot hold its size is left as it is");
}

int main(void)
{
	test_checker();
	test_expr_errors();
	test_opts();
	test_opts_size();
	test_output_size();
	return tap_done();
}
