// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * Validation of cBPF before translation. The rules are those of libpcap's
 * interpreter (bpf_filter.c): an opcode it does not implement would abort
 * it, so we refuse it; jumps must land inside the program; scratch memory
 * has 16 words; the last instruction must return; a shift by a constant
 * of 32 or more, undefined in libpcap's C, is refused as newer libpcap
 * versions refuse it.
 *
 * An unconditional jump may go backwards, as in libpcap, which emits such
 * loops for "protochain"; cbpf_unroll.c makes them straight before
 * translation.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>

#include "xdpcap/filter.h"
#include "cbpf.h"
#include "util.h"

bool cbpf_opcode_known(uint16_t code)
{
	switch (code) {
	case BPF_RET | BPF_K:
	case BPF_RET | BPF_A:
	case BPF_LD | BPF_W | BPF_ABS:
	case BPF_LD | BPF_H | BPF_ABS:
	case BPF_LD | BPF_B | BPF_ABS:
	case BPF_LD | BPF_W | BPF_LEN:
	case BPF_LDX | BPF_W | BPF_LEN:
	case BPF_LD | BPF_W | BPF_IND:
	case BPF_LD | BPF_H | BPF_IND:
	case BPF_LD | BPF_B | BPF_IND:
	case BPF_LDX | BPF_MSH | BPF_B:
	case BPF_LD | BPF_IMM:
	case BPF_LDX | BPF_IMM:
	case BPF_LD | BPF_MEM:
	case BPF_LDX | BPF_MEM:
	case BPF_ST:
	case BPF_STX:
	case BPF_JMP | BPF_JA:
	case BPF_JMP | BPF_JGT | BPF_K:
	case BPF_JMP | BPF_JGE | BPF_K:
	case BPF_JMP | BPF_JEQ | BPF_K:
	case BPF_JMP | BPF_JSET | BPF_K:
	case BPF_JMP | BPF_JGT | BPF_X:
	case BPF_JMP | BPF_JGE | BPF_X:
	case BPF_JMP | BPF_JEQ | BPF_X:
	case BPF_JMP | BPF_JSET | BPF_X:
	case BPF_ALU | BPF_NEG:
	case BPF_MISC | BPF_TAX:
	case BPF_MISC | BPF_TXA:
		return true;
	}
	if (BPF_CLASS(code) == BPF_ALU && BPF_OP(code) != BPF_NEG &&
	    code == (BPF_ALU | BPF_OP(code) | BPF_SRC(code))) {
		switch (BPF_OP(code)) {
		case BPF_ADD: case BPF_SUB: case BPF_MUL: case BPF_DIV:
		case BPF_MOD: case BPF_AND: case BPF_OR: case BPF_XOR:
		case BPF_LSH: case BPF_RSH:
			return true;
		}
	}
	return false;
}

static bool uses_scratch(uint16_t code)
{
	return code == (BPF_LD | BPF_MEM) || code == (BPF_LDX | BPF_MEM) ||
	       code == BPF_ST || code == BPF_STX;
}

int xdpcap_cbpf_check(const struct xdpcap_cbpf *prog, char *errbuf)
{
	size_t len = prog->len;

	if (len == 0 || len > BPF_MAXINSNS) {
		xdpcap_err(errbuf, "cBPF program has %zu instructions; 1 to %d are allowed",
			   len, BPF_MAXINSNS);
		return -EINVAL;
	}
	for (size_t i = 0; i < len; i++) {
		const struct sock_filter *f = &prog->insns[i];

		if (!cbpf_opcode_known(f->code)) {
			xdpcap_err(errbuf, "cBPF instruction %zu: unknown opcode 0x%02x",
				   i, f->code);
			return -EINVAL;
		}
		if (uses_scratch(f->code) && f->k >= BPF_MEMWORDS) {
			xdpcap_err(errbuf, "cBPF instruction %zu: scratch word %u does not exist (0 to %d)",
				   i, f->k, BPF_MEMWORDS - 1);
			return -EINVAL;
		}
		if (BPF_CLASS(f->code) == BPF_ALU && BPF_SRC(f->code) == BPF_K &&
		    (BPF_OP(f->code) == BPF_DIV || BPF_OP(f->code) == BPF_MOD) &&
		    f->k == 0) {
			xdpcap_err(errbuf, "cBPF instruction %zu: division by the constant 0", i);
			return -EINVAL;
		}
		/* libpcap shifts with C's <<, undefined from 32 bits on */
		if (BPF_CLASS(f->code) == BPF_ALU && BPF_SRC(f->code) == BPF_K &&
		    (BPF_OP(f->code) == BPF_LSH || BPF_OP(f->code) == BPF_RSH) &&
		    f->k > 31) {
			xdpcap_err(errbuf, "cBPF instruction %zu: shift by the constant %u; at most 31 is allowed",
				   i, f->k);
			return -EINVAL;
		}
		if (f->code == (BPF_JMP | BPF_JA)) {
			if ((int32_t)f->k < 0) {
				if ((int64_t)i + 1 + (int32_t)f->k < 0) {
					xdpcap_err(errbuf, "cBPF instruction %zu jumps before the start", i);
					return -EINVAL;
				}
			} else if (f->k >= len - i - 1) {
				xdpcap_err(errbuf, "cBPF instruction %zu jumps past the end", i);
				return -EINVAL;
			}
		} else if (BPF_CLASS(f->code) == BPF_JMP) {
			if (f->jt >= len - i - 1 || f->jf >= len - i - 1) {
				xdpcap_err(errbuf, "cBPF instruction %zu jumps past the end", i);
				return -EINVAL;
			}
		}
	}
	if (BPF_CLASS(prog->insns[len - 1].code) != BPF_RET) {
		xdpcap_err(errbuf, "cBPF program does not end with a return");
		return -EINVAL;
	}
	return 0;
}

/*
 * Whether in is what Linux takes for a load of ancillary data: absolute,
 * at SKF_AD_OFF + one of the SKF_AD_* offsets, every fourth byte below
 * SKF_AD_MAX. libpcap emits such loads for inbound, outbound and ifindex
 * (and for vlan on live captures only). Past SKF_AD_MAX the kernel loads
 * packet bytes: the offset is then only one beyond any packet.
 */
static bool loads_ancillary(const struct sock_filter *in)
{
	uint32_t off = in->k - (uint32_t)SKF_AD_OFF;

	return BPF_CLASS(in->code) == BPF_LD && BPF_MODE(in->code) == BPF_ABS &&
	       in->k >= (uint32_t)SKF_AD_OFF && off < SKF_AD_MAX && !(off % 4);
}

bool xdpcap_cbpf_reads_metadata(const struct xdpcap_cbpf *prog)
{
	for (size_t i = 0; i < prog->len; i++)
		if (loads_ancillary(&prog->insns[i]))
			return true;
	return false;
}

int xdpcap_cbpf_read_past_packet(const struct xdpcap_cbpf *prog)
{
	for (size_t i = 0; i < prog->len; i++) {
		const struct sock_filter *in = &prog->insns[i];
		uint32_t size = cbpf_load_size(in->code);

		if (size && !loads_ancillary(in) &&
		    (uint64_t)in->k + size > CBPF_MAX_PKT)
			return (int)i;
	}
	return -1;
}

int cbpf_prepare(const struct xdpcap_cbpf *prog, struct xdpcap_cbpf *out,
		 uint32_t *rounds, char *errbuf)
{
	uint32_t ignored;
	int err;

	err = xdpcap_cbpf_check(prog, errbuf);
	if (!err)
		err = cbpf_unroll(prog, 0, out, rounds ? rounds : &ignored, errbuf);
	return err;
}

/* Loops are made straight by cbpf_unroll.c; the bound is its copies. */
int xdpcap_cbpf_loop_rounds(const struct xdpcap_cbpf *prog)
{
	char errbuf[XDPCAP_ERRBUF_SIZE];
	struct xdpcap_cbpf out;
	uint32_t rounds;
	int err;

	err = cbpf_prepare(prog, &out, &rounds, errbuf);
	if (err)
		return err;
	free(out.insns);
	return (int)rounds;
}
