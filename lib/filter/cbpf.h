/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * What the translators need to know about a cBPF program: its basic
 * blocks, which of them can still lead to a match, where packet bounds
 * checks go, and what must be zeroed before the first read.
 * Not installed.
 */
#ifndef XDPCAP_CBPF_H
#define XDPCAP_CBPF_H

#include <stdbool.h>
#include <stdint.h>

#include "xdpcap/filter.h"

/*
 * Reads end before CBPF_MAX_PKT here. The verifier tracks packet offsets
 * up to 0xffff; 64 bytes are kept for a packet pointer that already has a
 * small variable offset. XDP packets never come near this length. A need
 * of CBPF_NEVER bytes can never be met, and a block that needs it never
 * matches.
 */
#define CBPF_MAX_PKT XDPCAP_CBPF_MAX_READ
#define CBPF_NEVER 0x10000u

/* Bits of cbpf_flow.init_mask: registers and scratch words to zero. */
#define CBPF_INIT_A (1u << 0)
#define CBPF_INIT_X (1u << 1)
#define CBPF_INIT_MEM(i) (1u << (2 + (i)))

struct cbpf_block {
	uint32_t first, last;	/* instruction range, both included */
	int succ[2];		/* block indexes, -1 when absent */
	bool live;		/* reachable and can still match */
	/* Packet bytes to check at block entry (0: nothing to check). */
	uint32_t abs_guard;
	/* Bytes past data + X to check at block entry (0: nothing). */
	uint32_t x_guard;
	/* X is known to be at most this when the block is entered. */
	uint32_t x_max_in;
	/* A is read before written on some path from the block's entry */
	bool a_live_in;
	/* scratch used only by the analysis */
	uint32_t must, x_must, x_exit_need, abs_checked, x_checked;
	uint32_t defined;
};

struct cbpf_flow {
	const struct sock_filter *insns;
	size_t len;
	struct cbpf_block *blocks;
	size_t nblocks;
	int *block_of;		/* instruction -> block */
	/*
	 * For an instruction that writes X: the bytes past the new data + X
	 * to check right after it (0: nothing), and whether X may be too
	 * large for the verifier to accept data + X without a check.
	 */
	uint32_t *x_guard_after;
	uint32_t *x_max_after;
	uint32_t init_mask;	/* CBPF_INIT_* to zero at entry */
	uint32_t max_pkt;	/* no packet the filter sees is longer */
};

bool cbpf_opcode_known(uint16_t code);

/* Bytes a packet load reads (1, 2 or 4), 0 for other instructions. */
uint32_t cbpf_load_size(uint16_t code);

/* The longest program cbpf_unroll() makes. */
#define CBPF_UNROLLED_MAX (2 * BPF_MAXINSNS + 1)

/*
 * A program that passed xdpcap_cbpf_check(), with its backward jumps
 * unrolled (cbpf_unroll.c): out gives libpcap's result on packets that
 * take at most *rounds backward jumps, give_up on the others. Without
 * backward jumps out is a copy and *rounds 0. Free out with free().
 */
int cbpf_unroll(const struct xdpcap_cbpf *prog, uint32_t give_up,
		struct xdpcap_cbpf *out, uint32_t *rounds, char *errbuf);

/*
 * Check a program and unroll its loops, giving up with 0 (no match):
 * what both translators start from. *rounds (if rounds is not NULL) gets
 * the bound, as from cbpf_unroll().
 */
int cbpf_prepare(const struct xdpcap_cbpf *prog, struct xdpcap_cbpf *out,
		 uint32_t *rounds, char *errbuf);

/*
 * Analyse a program that passed xdpcap_cbpf_check() without loops, for
 * packets of at most max_pkt bytes (0: CBPF_MAX_PKT); a read past that
 * never matches.
 */
int cbpf_flow_build(struct cbpf_flow *flow, const struct xdpcap_cbpf *prog,
		    uint32_t max_pkt, char *errbuf);
void cbpf_flow_free(struct cbpf_flow *flow);

/*
 * How far into the packet the filter may read: no load of a live block
 * touches a byte at or past this offset (at most flow->max_pkt, which
 * also stands for "cannot tell": X from A or scratch memory).
 */
uint32_t cbpf_flow_reach(const struct cbpf_flow *flow);

/* The block that instruction i jumps to when the condition holds (or not). */
static inline uint32_t cbpf_jump_target(const struct sock_filter *f,
					uint32_t i, bool taken)
{
	if (f->code == (BPF_JMP | BPF_JA))
		return i + 1 + f->k;
	return i + 1 + (taken ? f->jt : f->jf);
}

#endif
