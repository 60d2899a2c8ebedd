/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * Writing a capture program's instructions: the buffer, the registers the
 * parts of a capture program agree on, and the few instructions every
 * part puts. Not installed.
 */
#ifndef XDPCAP_CAPTURE_ASM_H
#define XDPCAP_CAPTURE_ASM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/bpf.h>

#include "ebpf_insn.h"

enum {
	R_CTX = BPF_REG_6,
	R_AREA = BPF_REG_7,	/* this CPU's area */
	R_CAPLEN = BPF_REG_8,	/* the result, then the bytes to copy */
	R_AT = BPF_REG_9,	/* the direct copy's offset in the packet */
};

#define MAX_PENDING 32

struct asm_buf {
	struct bpf_insn *insns;
	size_t len;
	bool too_long;		/* a jump over the filter does not reach */
	size_t pending[MAX_PENDING]; /* jumps to the ring output */
	size_t npending;
};

static inline void put(struct asm_buf *b, struct bpf_insn insn)
{
	b->insns[b->len++] = insn;
}

/* dst = address of the map behind fd (two instruction slots) */
static inline void put_map_fd(struct asm_buf *b, uint8_t dst, int fd)
{
	put(b, ebpf_insn(BPF_LD | BPF_DW | BPF_IMM, dst, BPF_PSEUDO_MAP_FD, 0, fd));
	put(b, ebpf_insn(0, 0, 0, 0, 0));
}

static inline void put_ctx_load(struct asm_buf *b, uint8_t dst, int16_t off)
{
	put(b, load_mem(BPF_W, dst, R_CTX, off));
}

/* Patch the jump at index at to land on the current end. */
static inline void land_here(struct asm_buf *b, size_t at)
{
	size_t span = b->len - at - 1;

	if (span > INT16_MAX)
		b->too_long = true;
	b->insns[at].off = (int16_t)span;
}

/*
 * Copy R_CAPLEN (1..max_caplen) bytes from the packet's first buffer to
 * the area's packet, after the record (capture_copy_loop.c); its jumps to
 * the ring output are left in b->pending.
 */
void capture_put_direct_copy(struct asm_buf *b, uint32_t max_caplen);

#endif
