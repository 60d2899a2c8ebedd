/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * Random valid cBPF programs and packets for differential testing.
 *
 * Every program the generator makes passes libpcap's bpf_validate() and
 * xdpcap_cbpf_check(), jumps only forward, and writes each scratch word
 * on every path before reading it (libpcap leaves unwritten words
 * undefined, so such reads could not be compared). A and X may be read
 * before they are written: both start at 0 everywhere.
 */
#ifndef XDPCAP_TESTS_CBPF_GEN_H
#define XDPCAP_TESTS_CBPF_GEN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/filter.h>

/* A small, fast, deterministic PRNG (splitmix64). */
struct cbpf_rng {
	uint64_t s;
};

void cbpf_rng_seed(struct cbpf_rng *r, uint64_t seed);
uint64_t cbpf_rng_next(struct cbpf_rng *r);
/* Uniform in 0..n-1 (n > 0). */
uint32_t cbpf_rng_below(struct cbpf_rng *r, uint32_t n);
/* Uniform in lo..hi, both included. */
uint32_t cbpf_rng_range(struct cbpf_rng *r, uint32_t lo, uint32_t hi);
/* True with probability pct percent. */
int cbpf_rng_pct(struct cbpf_rng *r, unsigned int pct);

#define CBPF_GEN_MAX_INSNS 4096 /* BPF_MAXINSNS */
#define CBPF_GEN_MAX_HINTS 64

/* What the generator did, beyond opcodes, to show what a run covered. */
enum cbpf_gen_feature {
	CBPF_FEAT_ABS_NEAR_ZERO,	/* absolute load at offset 0..20 */
	CBPF_FEAT_ABS_NEAR_LEN,		/* ... around a packet length */
	CBPF_FEAT_ABS_MID,		/* ... anywhere up to 1500 */
	CBPF_FEAT_ABS_HUGE_64K,		/* ... at 0x7fff..0x10010 */
	CBPF_FEAT_ABS_HUGE_TOP,		/* ... at 0x80000000 or 0xffffff00.. */
	CBPF_FEAT_IND_X_MSH,		/* [x+k] with X from ldxb 4*([k]&0xf) */
	CBPF_FEAT_IND_X_IMM,		/* ... X from ldx #k */
	CBPF_FEAT_IND_X_PKT,		/* ... X from packet data (tax) */
	CBPF_FEAT_IND_X_MEM,		/* ... X from ldx M[] */
	CBPF_FEAT_IND_X_ARITH,		/* ... X from arithmetic on A (tax) */
	CBPF_FEAT_IND_X_LEN,		/* ... X from ldx len / ld len */
	CBPF_FEAT_IND_K_WRAP,		/* ... k so large that X + k wraps */
	CBPF_FEAT_ALU_X_SMALL,		/* ALU op with X set to 0..2 right before */
	CBPF_FEAT_ALU_X_SHIFT_BIG,	/* shift by X set to >= 32 right before */
	CBPF_FEAT_DIV_X_ZERO,		/* div/mod by X set to 0 right before */
	CBPF_FEAT_JT_EQ_JF,		/* conditional jump with jt == jf */
	CBPF_FEAT_JUMP_LONG,		/* jump offset >= 64 */
	CBPF_FEAT_JA_LONG,		/* ja offset > 255 */
	CBPF_FEAT_MEM_READ,		/* ld/ldx M[] (written on every path) */
	CBPF_FEAT_UNREACHABLE,		/* an instruction no path reaches */
	CBPF_FEAT_PROG_LONG,		/* a program of 150..400 insns */
	CBPF_FEAT_PROG_HUGE,		/* a program of over 400 insns */
	CBPF_FEAT_LOOP,			/* a loop: a walk along the packet with
					 * a backward ja, as in protochain */
	CBPF_FEAT__COUNT
};

struct cbpf_gen_stats {
	uint64_t opcode[256];
	uint64_t feature[CBPF_FEAT__COUNT];
	uint64_t programs, insns;
};

struct cbpf_gen_prog {
	struct sock_filter insns[CBPF_GEN_MAX_INSNS];
	size_t len;
	/* Packet lengths worth trying: where a load just fits or fails. */
	uint32_t hints[CBPF_GEN_MAX_HINTS];
	size_t nhints;
};

/*
 * Make a random program of len instructions (0: a random length, mostly
 * under 60, sometimes up to 400); st (may be NULL) counts what was made.
 */
void cbpf_gen_program(struct cbpf_rng *r, struct cbpf_gen_prog *p,
		      size_t len, struct cbpf_gen_stats *st);

/*
 * Make a random packet of at most maxlen bytes for program p (its hints
 * steer the length): *caplen bytes in pkt, wire length *wirelen >= caplen.
 */
void cbpf_gen_packet(struct cbpf_rng *r, const struct cbpf_gen_prog *p,
		     uint8_t *pkt, uint32_t maxlen, uint32_t *caplen,
		     uint32_t *wirelen);

/*
 * Whether every scratch read (ld M[k], ldx M[k]) that the entry reaches
 * follows a write of that word on every path to it, so that libpcap's
 * result does not depend on undefined memory. Paths are taken as the
 * jumps allow, whatever the values, so this errs on the side of false.
 * The program must jump only forward and stay inside (as checked by
 * xdpcap_cbpf_check()); false for anything else.
 */
bool cbpf_scratch_written(const struct sock_filter *insns, size_t len);

/*
 * Turn each scratch read that cbpf_scratch_written() objects to into an
 * immediate load of the same k (ld M[k] -> ld #k), so that the program
 * passes it. Returns how many were changed, -1 for an invalid program.
 */
long cbpf_scratch_fix(struct sock_filter *insns, size_t len);

/*
 * What ran, counted by cbpf_ref_run(): per opcode, how often it was
 * executed, how often it ended the run with 0 (a load out of the packet,
 * a division by 0), and for conditional jumps how often the condition
 * held, for shifts by X how often X was 32 or more.
 */
struct cbpf_exec_stats {
	uint64_t executed[256];
	uint64_t failed[256];
	uint64_t special[256];
	/* backward jumps the last run took (rounds of its loops) */
	uint64_t last_backward_jumps;
};

/*
 * A reference interpreter of a valid program, with libpcap's semantics
 * where they are defined, and where they are not with xdpcap's: scratch
 * memory starts zeroed, and a shift by a constant uses its low 5 bits.
 * es (may be NULL) counts what ran.
 */
uint32_t cbpf_ref_run(const struct sock_filter *insns, const uint8_t *pkt,
		      uint32_t wirelen, uint32_t caplen,
		      struct cbpf_exec_stats *es);

/* "ldh [x+k]"-style name of a known opcode, "?" for others. */
const char *cbpf_gen_opcode_name(uint16_t code);
const char *cbpf_gen_feature_name(enum cbpf_gen_feature f);

#endif
