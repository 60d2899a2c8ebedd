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
#include "capture_prog.h"

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

/* Offsets from R_AREA, which points at the record. */
#define REC(field) (int16_t)offsetof(struct capture_record, field)
int16_t capture_counter_off(const struct capture_prog_spec *s, size_t field);
#define CNT(field) capture_counter_off(s, offsetof(struct capture_counters, field))
int16_t capture_entry_off(const struct capture_prog_spec *s, size_t field);
#define ENTRY(field) capture_entry_off(s, offsetof(struct capture_entry_state, field))

/*
 * Parts of capture programs (capture_prog.c) that traced ones share
 * (capture_trace_prog.c):
 *   capture_put_count        *(u64 *)(R_AREA + off) += 1
 *   capture_put_entry_match  the exit of an entry capture: r0 = max_caplen
 *                            if the entry matched this packet, else 0
 *   capture_put_keep         a match (r0 = the filter's result) kept or
 *                            left out: R_CAPLEN, time, packet id; jumps
 *                            to the skipped count at *sampled, *capped
 *   capture_put_ring         r1 = this CPU's ring
 *   capture_put_ring_output  the record and R_CAPLEN packet bytes into
 *                            it; returns the jump taken when it took them
 *                            (what follows it counts a full ring)
 */
void capture_put_count(struct asm_buf *b, int16_t off);
void capture_put_entry_match(struct asm_buf *b, const struct capture_prog_spec *s);
void capture_put_keep(struct asm_buf *b, const struct capture_prog_spec *s,
		      size_t *sampled, size_t *capped);
void capture_put_ring(struct asm_buf *b, const struct capture_prog_spec *s);
size_t capture_put_ring_output(struct asm_buf *b, const struct capture_prog_spec *s);

/*
 * A traced capture program (capture_trace_prog.c): into b, which holds
 * CAPTURE_EXTRA_INSNS more than the filter.
 */
void capture_build_traced(struct asm_buf *b, const struct capture_prog_spec *s);

/*
 * Copy R_CAPLEN (1..max_caplen) bytes from the packet's first buffer to
 * the area's packet, after the record (capture_copy_loop.c); its jumps to
 * the ring output are left in b->pending.
 */
void capture_put_direct_copy(struct asm_buf *b, uint32_t max_caplen);

#endif
