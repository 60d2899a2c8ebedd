// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * The direct copy, for kernels without bpf_xdp_load_bytes: a loop over
 * the packet's first buffer, with direct packet access, that every
 * verifier from 5.10 takes.
 */
#include "capture_asm.h"
#include "capture_prog.h"

/* A jump, patched later, to the ring output after the copy. */
static void put_jump_to_output(struct asm_buf *b, struct bpf_insn jump)
{
	if (b->npending == MAX_PENDING) {
		b->too_long = true; /* never: the copy makes a fixed number */
		return;
	}
	b->pending[b->npending++] = b->len;
	put(b, jump);
}

/*
 * Copy size bytes at offset R_AT of the packet (r2 = data, r3 = data_end)
 * to the area's packet (r4). The verifier wants the packet bounds checked
 * before the read; it never fails, since caplen <= data_end - data.
 */
static void put_chunk_copy(struct asm_buf *b, int32_t size)
{
	uint8_t width = size >= 8 ? BPF_DW : BPF_B;
	int16_t step = size >= 8 ? 8 : 1;

	put(b, alu64_reg(BPF_MOV, BPF_REG_1, BPF_REG_2));
	put(b, alu64_reg(BPF_ADD, BPF_REG_1, R_AT));
	put(b, alu64_reg(BPF_MOV, BPF_REG_5, BPF_REG_1));
	put(b, alu64_imm(BPF_ADD, BPF_REG_5, size));
	put_jump_to_output(b, ebpf_insn(BPF_JMP | BPF_JGT | BPF_X, BPF_REG_5,
					BPF_REG_3, 0, 0));
	put(b, alu64_reg(BPF_MOV, BPF_REG_5, BPF_REG_4));
	put(b, alu64_reg(BPF_ADD, BPF_REG_5, R_AT));
	for (int16_t at = 0; at < size; at += step) {
		put(b, load_mem(width, BPF_REG_0, BPF_REG_1, at));
		put(b, store_reg(width, BPF_REG_5, at, BPF_REG_0));
	}
}

/*
 * For caplen >= size: chunks of size bytes at 0, size, ... while a whole
 * chunk ends before caplen, then the last chunk, ending at caplen.
 *
 * Each round first compares the offset with the constant max_caplen -
 * size: the verifier then knows the offset exactly (and tells rounds
 * apart), and never follows a whole chunk that could only end past
 * max_caplen; at run time an offset that high leaves room for the last
 * chunk only. Whether a whole chunk fits is then asked as "caplen - at >
 * size", a comparison with a constant: verifiers before 6.8 decide only
 * those from a register's range, and would otherwise follow a branch
 * that cannot be taken with caplen's minimum above its maximum, and
 * refuse the program there.
 */
static void put_chunk_loop(struct asm_buf *b, int32_t size, uint32_t max_caplen)
{
	size_t loop, to_last, to_body;

	put(b, alu64_imm(BPF_MOV, R_AT, 0));
	loop = b->len;
	to_last = b->len;
	put(b, ebpf_insn(BPF_JMP | BPF_JGE | BPF_K, R_AT, 0, 0,
			 (int32_t)max_caplen - size));
	/* what is left, compared with a constant, which old verifiers
	 * decide from the range of what is left alone */
	put(b, alu64_reg(BPF_MOV, BPF_REG_5, R_CAPLEN));
	put(b, alu64_reg(BPF_SUB, BPF_REG_5, R_AT));
	to_body = b->len;
	put(b, ebpf_insn(BPF_JMP | BPF_JGT | BPF_K, BPF_REG_5, 0, 0, size));
	/* the last chunk, ending at caplen */
	land_here(b, to_last);
	put(b, alu64_reg(BPF_MOV, R_AT, R_CAPLEN));
	put(b, alu64_imm(BPF_ADD, R_AT, -size));
	put_chunk_copy(b, size);
	put_jump_to_output(b, ebpf_insn(BPF_JMP | BPF_JA, 0, 0, 0, 0));
	land_here(b, to_body);
	put_chunk_copy(b, size);
	put(b, alu64_imm(BPF_ADD, R_AT, size));
	put(b, ebpf_insn(BPF_JMP | BPF_JA, 0, 0, (int16_t)(loop - b->len - 1), 0));
}

void capture_put_direct_copy(struct asm_buf *b, uint32_t max_caplen)
{
	size_t small, tiny;

	put_ctx_load(b, BPF_REG_2, offsetof(struct xdp_md, data));
	put_ctx_load(b, BPF_REG_3, offsetof(struct xdp_md, data_end));
	put(b, alu64_reg(BPF_MOV, BPF_REG_4, R_AREA));
	put(b, alu64_imm(BPF_ADD, BPF_REG_4, sizeof(struct capture_record)));
	if (max_caplen >= 64) {
		small = b->len;
		put(b, ebpf_insn(BPF_JMP | BPF_JLT | BPF_K, R_CAPLEN, 0, 0, 64));
		put_chunk_loop(b, 64, max_caplen);
		land_here(b, small);
	}
	if (max_caplen >= 8) {
		tiny = b->len;
		put(b, ebpf_insn(BPF_JMP | BPF_JLT | BPF_K, R_CAPLEN, 0, 0, 8));
		put_chunk_loop(b, 8, max_caplen < 63 ? max_caplen : 63);
		land_here(b, tiny);
	}
	/* 1 to 7 bytes, one at a time */
	for (int32_t at = 0; at < 7; at++) {
		put_jump_to_output(b, ebpf_insn(BPF_JMP | BPF_JLE | BPF_K, R_CAPLEN,
						0, 0, at));
		put(b, alu64_imm(BPF_MOV, R_AT, at));
		put_chunk_copy(b, 1);
	}
}

