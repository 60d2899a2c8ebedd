/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/* Constructors for eBPF instructions, as functions rather than macros. */
#ifndef XDPCAP_EBPF_INSN_H
#define XDPCAP_EBPF_INSN_H

#include <stdint.h>
#include <linux/bpf.h>

static inline struct bpf_insn ebpf_insn(uint8_t code, uint8_t dst, uint8_t src,
					int16_t off, int32_t imm)
{
	return (struct bpf_insn){ .code = code, .dst_reg = dst, .src_reg = src,
				  .off = off, .imm = imm };
}

/* 32-bit ALU (upper half zeroed), register or immediate source */
static inline struct bpf_insn alu32_reg(uint8_t op, uint8_t dst, uint8_t src)
{
	return ebpf_insn(BPF_ALU | op | BPF_X, dst, src, 0, 0);
}

static inline struct bpf_insn alu32_imm(uint8_t op, uint8_t dst, int32_t imm)
{
	return ebpf_insn(BPF_ALU | op | BPF_K, dst, 0, 0, imm);
}

static inline struct bpf_insn alu64_reg(uint8_t op, uint8_t dst, uint8_t src)
{
	return ebpf_insn(BPF_ALU64 | op | BPF_X, dst, src, 0, 0);
}

static inline struct bpf_insn alu64_imm(uint8_t op, uint8_t dst, int32_t imm)
{
	return ebpf_insn(BPF_ALU64 | op | BPF_K, dst, 0, 0, imm);
}

/* dst = *(size *)(src + off) */
static inline struct bpf_insn load_mem(uint8_t size, uint8_t dst, uint8_t src,
				       int16_t off)
{
	return ebpf_insn(BPF_LDX | BPF_MEM | size, dst, src, off, 0);
}

/* *(size *)(dst + off) = src */
static inline struct bpf_insn store_reg(uint8_t size, uint8_t dst, int16_t off,
					uint8_t src)
{
	return ebpf_insn(BPF_STX | BPF_MEM | size, dst, src, off, 0);
}

static inline struct bpf_insn store_imm(uint8_t size, uint8_t dst, int16_t off,
					int32_t imm)
{
	return ebpf_insn(BPF_ST | BPF_MEM | size, dst, 0, off, imm);
}

/* convert the low bits of dst from big endian to host order */
static inline struct bpf_insn to_host_from_be(uint8_t dst, int32_t bits)
{
	return ebpf_insn(BPF_ALU | BPF_END | BPF_TO_BE, dst, 0, 0, bits);
}

static inline struct bpf_insn call_helper(int32_t helper)
{
	return ebpf_insn(BPF_JMP | BPF_CALL, 0, 0, 0, helper);
}

static inline struct bpf_insn exit_insn(void)
{
	return ebpf_insn(BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
}

#endif
