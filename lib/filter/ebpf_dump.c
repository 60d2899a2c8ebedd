// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * eBPF instructions as text, in the notation of the kernel verifier's log
 * (r0 = r1, w4 = be16 w4, if w4 != 0x800 goto pc+3, ...), with jump
 * targets also given as absolute instruction numbers.
 */
#include <inttypes.h>
#include <stdbool.h>
#include <linux/bpf.h>

#include "xdpcap/filter.h"

static const char *alu_op(uint8_t op)
{
	switch (op) {
	case BPF_ADD: return "+=";
	case BPF_SUB: return "-=";
	case BPF_MUL: return "*=";
	case BPF_DIV: return "/=";
	case BPF_MOD: return "%=";
	case BPF_OR: return "|=";
	case BPF_AND: return "&=";
	case BPF_LSH: return "<<=";
	case BPF_RSH: return ">>=";
	case BPF_XOR: return "^=";
	case BPF_ARSH: return "s>>=";
	case BPF_MOV: return "=";
	default: return "?=";
	}
}

static const char *jmp_op(uint8_t op)
{
	switch (op) {
	case BPF_JEQ: return "==";
	case BPF_JNE: return "!=";
	case BPF_JGT: return ">";
	case BPF_JGE: return ">=";
	case BPF_JLT: return "<";
	case BPF_JLE: return "<=";
	case BPF_JSET: return "&";
	case BPF_JSGT: return "s>";
	case BPF_JSGE: return "s>=";
	case BPF_JSLT: return "s<";
	case BPF_JSLE: return "s<=";
	default: return "?";
	}
}

static const char *size_name(uint8_t size)
{
	switch (size) {
	case BPF_B: return "u8";
	case BPF_H: return "u16";
	case BPF_W: return "u32";
	default: return "u64";
	}
}

static void dump_alu(FILE *out, const struct bpf_insn *in)
{
	char r = BPF_CLASS(in->code) == BPF_ALU64 ? 'r' : 'w';
	uint8_t op = BPF_OP(in->code);

	if (op == BPF_END) {
		fprintf(out, "%c%d = %s%d %c%d", r, in->dst_reg,
			BPF_SRC(in->code) == BPF_TO_BE ? "be" : "le", in->imm,
			r, in->dst_reg);
	} else if (op == BPF_NEG) {
		fprintf(out, "%c%d = -%c%d", r, in->dst_reg, r, in->dst_reg);
	} else if (BPF_SRC(in->code) == BPF_X) {
		fprintf(out, "%c%d %s %c%d", r, in->dst_reg, alu_op(op), r,
			in->src_reg);
	} else if (r == 'w' && (op == BPF_MOV || op == BPF_AND || op == BPF_OR ||
				op == BPF_XOR)) {
		fprintf(out, "%c%d %s %#" PRIx32, r, in->dst_reg, alu_op(op),
			(uint32_t)in->imm);
	} else {
		fprintf(out, "%c%d %s %" PRId32, r, in->dst_reg, alu_op(op), in->imm);
	}
}

static void dump_jmp(FILE *out, const struct bpf_insn *in, size_t pc)
{
	bool is32 = BPF_CLASS(in->code) == BPF_JMP32;
	uint8_t op = BPF_OP(in->code);
	char r = is32 ? 'w' : 'r';
	long target = (long)pc + 1 + in->off;

	switch (op) {
	case BPF_JA:
		fprintf(out, "goto pc%+d <%ld>", in->off, target);
		return;
	case BPF_CALL:
		fprintf(out, "call %d", in->imm);
		return;
	case BPF_EXIT:
		fprintf(out, "exit");
		return;
	}
	if (BPF_SRC(in->code) == BPF_X)
		fprintf(out, "if %c%d %s %c%d", r, in->dst_reg, jmp_op(op), r,
			in->src_reg);
	else if (is32)
		fprintf(out, "if %c%d %s %#" PRIx32, r, in->dst_reg, jmp_op(op),
			(uint32_t)in->imm);
	else
		fprintf(out, "if %c%d %s %" PRId32, r, in->dst_reg, jmp_op(op),
			in->imm);
	fprintf(out, " goto pc%+d <%ld>", in->off, target);
}

void xdpcap_ebpf_dump(FILE *out, const struct bpf_insn *insns, size_t len)
{
	for (size_t pc = 0; pc < len; pc++) {
		const struct bpf_insn *in = &insns[pc];
		uint8_t size = BPF_SIZE(in->code);

		fprintf(out, "%4zu: ", pc);
		switch (BPF_CLASS(in->code)) {
		case BPF_ALU:
		case BPF_ALU64:
			dump_alu(out, in);
			break;
		case BPF_JMP:
		case BPF_JMP32:
			dump_jmp(out, in, pc);
			break;
		case BPF_LDX:
			fprintf(out, "%c%d = *(%s *)(r%d %+d)",
				size == BPF_DW ? 'r' : 'w', in->dst_reg,
				size_name(size), in->src_reg, in->off);
			break;
		case BPF_STX:
			fprintf(out, "*(%s *)(r%d %+d) = %c%d", size_name(size),
				in->dst_reg, in->off, size == BPF_DW ? 'r' : 'w',
				in->src_reg);
			break;
		case BPF_ST:
			fprintf(out, "*(%s *)(r%d %+d) = %d", size_name(size),
				in->dst_reg, in->off, in->imm);
			break;
		case BPF_LD:
			if (in->code == (BPF_LD | BPF_IMM | BPF_DW) && pc + 1 < len) {
				fprintf(out, "r%d = %#" PRIx64 " ll", in->dst_reg,
					((uint64_t)(uint32_t)insns[pc + 1].imm << 32) |
						(uint32_t)in->imm);
				if (in->src_reg)
					fprintf(out, " (pseudo %d)", in->src_reg);
				fputc('\n', out);
				pc++;
				continue;
			}
			/* fall through */
		default:
			fprintf(out, "(code %#04x)", in->code);
		}
		fputc('\n', out);
	}
}
