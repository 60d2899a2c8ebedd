// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * cBPF -> eBPF lowering. Each cBPF instruction is lowered in one place
 * (lower_insn); packet bounds checks come from the analysis in
 * cbpf_flow.c; jumps are emitted against labels and patched at the end.
 *
 * Registers (see the contract in xdpcap/filter.h):
 *   r0 result and scratch, r1 data + X (valid after an X check),
 *   r2 data, r3 data_end, r4 A, r5 X; M[] lives on the stack.
 * Reading a copy of the packet (opts->buffer_size), r3 is the copy's
 * length instead, and each check compares offsets with it.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "xdpcap/filter.h"
#include "cbpf.h"
#include "ebpf_insn.h"
#include "opts.h"
#include "util.h"

enum {
	R_TMP = BPF_REG_0,
	R_XPTR = BPF_REG_1,
	R_DATA = BPF_REG_2,
	R_END = BPF_REG_3,
	R_A = BPF_REG_4,
	R_X = BPF_REG_5,
};

/* Jump labels: a block index, or one of these. */
enum { LABEL_REJECT = -1, LABEL_END = -2 };

struct fixup {
	size_t at;
	int label;
};

struct emitter {
	const struct cbpf_flow *flow;
	struct bpf_insn *insns;
	size_t len, cap;
	struct fixup *fixups;
	size_t nfixups, cap_fixups;
	size_t *block_pos;
	int16_t scratch_off, wirelen_off;
	uint32_t buffer_size;	/* 0: packet pointers; else a copy's size */
	unsigned int checks;
	bool reads_wirelen;
	/* a conditional jump compares A with X (see emit_x_check) */
	bool compares_x;
	/* A holds packet bytes not yet swapped to host order (16 or 32) */
	int a_raw_bits;
	bool oom;
};

static void emit(struct emitter *e, struct bpf_insn insn)
{
	if (e->len == e->cap) {
		size_t cap = e->cap ? e->cap * 2 : 64;
		struct bpf_insn *n = realloc(e->insns, cap * sizeof(*n));

		if (!n) {
			e->oom = true;
			return;
		}
		e->insns = n;
		e->cap = cap;
	}
	e->insns[e->len++] = insn;
}

static void emit_jump(struct emitter *e, struct bpf_insn insn, int label)
{
	if (e->nfixups == e->cap_fixups) {
		size_t cap = e->cap_fixups ? e->cap_fixups * 2 : 64;
		struct fixup *n = realloc(e->fixups, cap * sizeof(*n));

		if (!n) {
			e->oom = true;
			return;
		}
		e->fixups = n;
		e->cap_fixups = cap;
	}
	e->fixups[e->nfixups++] = (struct fixup){ .at = e->len, .label = label };
	emit(e, insn);
}

/* The label of a block, or REJECT when it can never match. */
static int block_label(const struct emitter *e, int block)
{
	return e->flow->blocks[block].live ? block : LABEL_REJECT;
}

/* The label that follows block b in the output. */
static int next_label(const struct emitter *e, int b)
{
	for (size_t n = (size_t)b + 1; n < e->flow->nblocks; n++)
		if (e->flow->blocks[n].live)
			return (int)n;
	return LABEL_REJECT;
}

static int16_t scratch_slot(const struct emitter *e, uint32_t word)
{
	return (int16_t)(e->scratch_off + 4 * (int)word);
}

static void emit_goto(struct emitter *e, int label, int next)
{
	if (label != next)
		emit_jump(e, ebpf_insn(BPF_JMP | BPF_JA, 0, 0, 0, 0), label);
}

static void emit_reject(struct emitter *e)
{
	emit_jump(e, ebpf_insn(BPF_JMP | BPF_JA, 0, 0, 0, 0), LABEL_REJECT);
}

/*
 * if (data + need > data_end) goto reject; on a copy, if (len < need).
 * No copy holds more than buffer_size bytes.
 */
static void emit_abs_check(struct emitter *e, uint32_t need)
{
	e->checks++;
	if (e->buffer_size && need > e->buffer_size) {
		emit_reject(e);
	} else if (e->buffer_size) {
		/* need - len > 0, on a scratch register: see emit_x_check */
		emit(e, alu64_imm(BPF_MOV, R_TMP, (int32_t)need));
		emit(e, alu64_reg(BPF_SUB, R_TMP, R_END));
		emit_jump(e, ebpf_insn(BPF_JMP | BPF_JSGT | BPF_K, R_TMP, 0, 0, 0),
			  LABEL_REJECT);
	} else {
		emit(e, alu64_reg(BPF_MOV, R_TMP, R_DATA));
		emit(e, alu64_imm(BPF_ADD, R_TMP, (int32_t)need));
		emit_jump(e, ebpf_insn(BPF_JMP | BPF_JGT | BPF_X, R_TMP, R_END, 0, 0),
			  LABEL_REJECT);
	}
}

/*
 * r1 = data + X, and reject unless need bytes follow it. The verifier
 * only tracks packet offsets up to 0xffff, so a large X is rejected first
 * (such a read fails in libpcap too) unless X is known to be small. On a
 * copy, X is first bounded by the buffer's size, which is what the
 * verifier needs, then compared with the copy's length.
 */
static void emit_x_check(struct emitter *e, uint32_t need, uint32_t x_max)
{
	uint32_t limit = e->buffer_size ? e->buffer_size : CBPF_MAX_PKT;

	e->checks++;
	if (need > limit) {
		emit_reject(e);
		return;
	}
	emit(e, alu32_reg(BPF_MOV, R_XPTR, R_X));
	if (e->compares_x) {
		/*
		 * On a branch an older verifier (5.10's) cannot rule out, such
		 * as A > X with A a constant above every X possible there, it
		 * gives X contradicting bounds (minimum above maximum) and
		 * then refuses X as a packet offset. Negating twice leaves X
		 * as it is but makes the verifier forget what it believed;
		 * the test below bounds it again.
		 */
		emit(e, ebpf_insn(BPF_ALU | BPF_NEG, R_XPTR, 0, 0, 0));
		emit(e, ebpf_insn(BPF_ALU | BPF_NEG, R_XPTR, 0, 0, 0));
		x_max = UINT32_MAX;
	}
	if ((uint64_t)x_max + need > limit)
		emit_jump(e, ebpf_insn(BPF_JMP | BPF_JGT | BPF_K, R_XPTR, 0, 0,
				       (int32_t)(limit - need)),
			  LABEL_REJECT);
	if (e->buffer_size) {
		/*
		 * len - X < need, on a scratch register that a subtraction
		 * unlinks from both: a verifier that narrows registers on
		 * comparisons (and those a move linked to them) would
		 * otherwise narrow X and the length at each check, and the
		 * rounds of an unrolled loop would never look alike to it.
		 */
		emit(e, alu64_reg(BPF_MOV, R_TMP, R_END));
		emit(e, alu64_reg(BPF_SUB, R_TMP, R_XPTR));
		emit_jump(e, ebpf_insn(BPF_JMP | BPF_JSLT | BPF_K, R_TMP, 0, 0,
				       (int32_t)need),
			  LABEL_REJECT);
		emit(e, alu64_reg(BPF_ADD, R_XPTR, R_DATA));
		return;
	}
	emit(e, alu64_reg(BPF_ADD, R_XPTR, R_DATA));
	emit(e, alu64_reg(BPF_MOV, R_TMP, R_XPTR));
	emit(e, alu64_imm(BPF_ADD, R_TMP, (int32_t)need));
	emit_jump(e, ebpf_insn(BPF_JMP | BPF_JGT | BPF_X, R_TMP, R_END, 0, 0),
		  LABEL_REJECT);
}

static uint8_t ebpf_size(uint16_t cbpf_code)
{
	switch (BPF_SIZE(cbpf_code)) {
	case BPF_W:
		return BPF_W;
	case BPF_H:
		return BPF_H;
	default:
		return BPF_B;
	}
}

/* dst = packet bytes at base + k (checked already), in host order */
static void emit_packet_load(struct emitter *e, uint16_t code, uint8_t dst,
			     uint8_t base, uint32_t k, bool keep_raw)
{
	uint8_t size = ebpf_size(code);

	if (k > INT16_MAX) {
		emit(e, alu64_reg(BPF_MOV, R_TMP, base));
		emit(e, alu64_imm(BPF_ADD, R_TMP, (int32_t)k));
		emit(e, load_mem(size, dst, R_TMP, 0));
	} else {
		emit(e, load_mem(size, dst, base, (int16_t)k));
	}
	if (keep_raw && size != BPF_B)
		e->a_raw_bits = size == BPF_W ? 32 : 16;
	else if (size == BPF_W)
		emit(e, to_host_from_be(dst, 32));
	else if (size == BPF_H)
		emit(e, to_host_from_be(dst, 16));
}

/*
 * A load of A that only feeds the equality or bit test right after it,
 * with A dead afterwards, can skip the byte swap: the test uses the
 * swapped constant instead.
 */
static bool compare_in_network_order(const struct emitter *e, int b, uint32_t i)
{
	const struct cbpf_flow *flow = e->flow;
	const struct cbpf_block *blk = &flow->blocks[b];
	const struct sock_filter *next = &flow->insns[i + 1];
	uint8_t op = BPF_OP(next->code);

	if (i + 1 != blk->last || BPF_CLASS(next->code) != BPF_JMP ||
	    BPF_SRC(next->code) != BPF_K || (op != BPF_JEQ && op != BPF_JSET))
		return false;
	if (BPF_SIZE(flow->insns[i].code) == BPF_H && op == BPF_JEQ &&
	    next->k > 0xffff)
		return false;
	for (int s = 0; s < 2; s++)
		if (blk->succ[s] >= 0 && flow->blocks[blk->succ[s]].a_live_in)
			return false;
	return true;
}

static uint8_t inverse_jump(uint8_t op)
{
	switch (op) {
	case BPF_JEQ:
		return BPF_JNE;
	case BPF_JGT:
		return BPF_JLE;
	case BPF_JGE:
		return BPF_JLT;
	default:
		return 0; /* JSET has none */
	}
}

static void lower_cond_jump(struct emitter *e, const struct sock_filter *f,
			    int jt, int jf, int next)
{
	uint8_t op = BPF_OP(f->code), inv = inverse_jump(op);
	uint8_t src = BPF_SRC(f->code) == BPF_X ? R_X : 0;
	int32_t imm = BPF_SRC(f->code) == BPF_X ? 0 : (int32_t)f->k;
	uint8_t srcbit = BPF_SRC(f->code);

	if (e->a_raw_bits == 32)
		imm = (int32_t)__builtin_bswap32(f->k);
	else if (e->a_raw_bits == 16)
		imm = __builtin_bswap16((uint16_t)f->k);
	e->a_raw_bits = 0;

	if (jt == jf) {
		emit_goto(e, jt, next);
	} else if (jf == next) {
		emit_jump(e, ebpf_insn(BPF_JMP32 | op | srcbit, R_A, src, 0, imm), jt);
	} else if (jt == next && inv) {
		emit_jump(e, ebpf_insn(BPF_JMP32 | inv | srcbit, R_A, src, 0, imm), jf);
	} else {
		emit_jump(e, ebpf_insn(BPF_JMP32 | op | srcbit, R_A, src, 0, imm), jt);
		emit_goto(e, jf, next);
	}
}

static void lower_alu(struct emitter *e, const struct sock_filter *f)
{
	uint8_t op = BPF_OP(f->code);

	if (op == BPF_NEG) {
		emit(e, ebpf_insn(BPF_ALU | BPF_NEG, R_A, 0, 0, 0));
		return;
	}
	if (BPF_SRC(f->code) == BPF_K) {
		uint32_t k = f->k;

		/* the checker keeps constant shifts below 32 */
		if ((op == BPF_LSH || op == BPF_RSH) && !k)
			return;
		emit(e, alu32_imm(op, R_A, (int32_t)k));
		return;
	}
	switch (op) {
	case BPF_DIV:
	case BPF_MOD:
		/* libpcap ends the filter with 0 on a division by zero */
		emit_jump(e, ebpf_insn(BPF_JMP32 | BPF_JEQ | BPF_K, R_X, 0, 0, 0),
			  LABEL_REJECT);
		emit(e, alu32_reg(op, R_A, R_X));
		break;
	case BPF_LSH:
	case BPF_RSH:
		/* libpcap: a shift by 32 or more gives 0 */
		emit(e, ebpf_insn(BPF_JMP32 | BPF_JGT | BPF_K, R_X, 0, 2, 31));
		emit(e, alu32_reg(op, R_A, R_X));
		emit(e, ebpf_insn(BPF_JMP | BPF_JA, 0, 0, 1, 0));
		emit(e, alu32_imm(BPF_MOV, R_A, 0));
		break;
	default:
		emit(e, alu32_reg(op, R_A, R_X));
	}
}

static void lower_wirelen(struct emitter *e, uint8_t dst)
{
	e->reads_wirelen = true;
	if (e->wirelen_off) {
		emit(e, load_mem(BPF_W, dst, BPF_REG_10, e->wirelen_off));
	} else if (e->buffer_size) {
		emit(e, alu64_reg(BPF_MOV, dst, R_END));
	} else {
		emit(e, alu64_reg(BPF_MOV, dst, R_END));
		emit(e, alu64_reg(BPF_SUB, dst, R_DATA));
	}
}

/* Lower instruction i of block b, including the block's exit. */
/* A load into A: instruction i of block b. */
static void lower_load_a(struct emitter *e, int b, uint32_t i)
{
	const struct sock_filter *f = &e->flow->insns[i];

	switch (BPF_MODE(f->code)) {
	case BPF_ABS:
		emit_packet_load(e, f->code, R_A, R_DATA, f->k,
				 compare_in_network_order(e, b, i));
		break;
	case BPF_IND:
		emit_packet_load(e, f->code, R_A, R_XPTR, f->k,
				 compare_in_network_order(e, b, i));
		break;
	case BPF_LEN:
		lower_wirelen(e, R_A);
		break;
	case BPF_IMM:
		emit(e, alu32_imm(BPF_MOV, R_A, (int32_t)f->k));
		break;
	case BPF_MEM:
		emit(e, load_mem(BPF_W, R_A, BPF_REG_10, scratch_slot(e, f->k)));
		break;
	}
}

/* A load into X (its check, where one follows it, is the caller's). */
static void lower_load_x(struct emitter *e, const struct sock_filter *f)
{
	switch (BPF_MODE(f->code)) {
	case BPF_MSH:
		emit_packet_load(e, f->code, R_X, R_DATA, f->k, false);
		emit(e, alu32_imm(BPF_AND, R_X, 0xf));
		emit(e, alu32_imm(BPF_LSH, R_X, 2));
		break;
	case BPF_LEN:
		lower_wirelen(e, R_X);
		break;
	case BPF_IMM:
		emit(e, alu32_imm(BPF_MOV, R_X, (int32_t)f->k));
		break;
	case BPF_MEM:
		emit(e, load_mem(BPF_W, R_X, BPF_REG_10, scratch_slot(e, f->k)));
		break;
	}
}

static void lower_insn(struct emitter *e, int b, uint32_t i)
{
	const struct cbpf_flow *flow = e->flow;
	const struct cbpf_block *blk = &flow->blocks[b];
	const struct sock_filter *f = &flow->insns[i];
	int next = next_label(e, b);

	switch (BPF_CLASS(f->code)) {
	case BPF_RET:
		if (BPF_RVAL(f->code) == BPF_A)
			emit(e, alu32_reg(BPF_MOV, BPF_REG_0, R_A));
		else
			emit(e, alu32_imm(BPF_MOV, BPF_REG_0, (int32_t)f->k));
		emit_jump(e, ebpf_insn(BPF_JMP | BPF_JA, 0, 0, 0, 0), LABEL_END);
		return;
	case BPF_JMP:
		if (f->code == (BPF_JMP | BPF_JA))
			emit_goto(e, block_label(e, blk->succ[0]), next);
		else
			lower_cond_jump(e, f, block_label(e, blk->succ[0]),
					block_label(e, blk->succ[1]), next);
		return;
	case BPF_LD:
		lower_load_a(e, b, i);
		break;
	case BPF_LDX:
		lower_load_x(e, f);
		if (flow->x_guard_after[i])
			emit_x_check(e, flow->x_guard_after[i], flow->x_max_after[i]);
		break;
	case BPF_ST:
		emit(e, store_reg(BPF_W, BPF_REG_10, scratch_slot(e, f->k), R_A));
		break;
	case BPF_STX:
		emit(e, store_reg(BPF_W, BPF_REG_10, scratch_slot(e, f->k), R_X));
		break;
	case BPF_ALU:
		lower_alu(e, f);
		break;
	case BPF_MISC:
		if (BPF_MISCOP(f->code) == BPF_TAX) {
			emit(e, alu32_reg(BPF_MOV, R_X, R_A));
			if (flow->x_guard_after[i])
				emit_x_check(e, flow->x_guard_after[i],
					     flow->x_max_after[i]);
		} else {
			emit(e, alu32_reg(BPF_MOV, R_A, R_X));
		}
		break;
	}
	/* a block that ends without a jump falls into the next one */
	if (i == blk->last)
		emit_goto(e, block_label(e, blk->succ[0]), next);
}

static void emit_zero_init(struct emitter *e)
{
	uint32_t mask = e->flow->init_mask;

	if (mask & CBPF_INIT_A)
		emit(e, alu32_imm(BPF_MOV, R_A, 0));
	if (mask & CBPF_INIT_X)
		emit(e, alu32_imm(BPF_MOV, R_X, 0));
	for (uint32_t w = 0; w < BPF_MEMWORDS; w++)
		if (mask & CBPF_INIT_MEM(w))
			emit(e, store_imm(BPF_W, BPF_REG_10, scratch_slot(e, w), 0));
}

static bool jumps_to(const struct emitter *e, int label)
{
	for (size_t n = 0; n < e->nfixups; n++)
		if (e->fixups[n].label == label)
			return true;
	return false;
}

static int resolve_jumps(struct emitter *e, size_t reject_pos, size_t end_pos,
			 char *errbuf)
{
	for (size_t n = 0; n < e->nfixups; n++) {
		const struct fixup *fx = &e->fixups[n];
		size_t target;
		long off;

		if (fx->label == LABEL_REJECT)
			target = reject_pos;
		else if (fx->label == LABEL_END)
			target = end_pos;
		else
			target = e->block_pos[fx->label];
		off = (long)target - (long)fx->at - 1;
		if (off < INT16_MIN || off > INT16_MAX) {
			xdpcap_err(errbuf, "filter too large: a jump spans %ld eBPF instructions",
				   off);
			return -E2BIG;
		}
		e->insns[fx->at].off = (int16_t)off;
	}
	return 0;
}

static int check_opts(const struct xdpcap_ebpf_opts *opts, char *errbuf)
{
	if (opts->buffer_size > CBPF_MAX_PKT) {
		xdpcap_err(errbuf, "buffer_size %u: at most %u", opts->buffer_size,
			   CBPF_MAX_PKT);
		return -EINVAL;
	}
	if (opts->scratch_off &&
	    (opts->scratch_off > -64 || opts->scratch_off < -512 ||
	     opts->scratch_off % 4)) {
		xdpcap_err(errbuf, "scratch_off %d: need a multiple of 4 in -512..-64",
			   opts->scratch_off);
		return -EINVAL;
	}
	if (opts->wirelen_off &&
	    (opts->wirelen_off > -4 || opts->wirelen_off < -512 ||
	     opts->wirelen_off % 4)) {
		xdpcap_err(errbuf, "wirelen_off %d: need a multiple of 4 in -512..-4",
			   opts->wirelen_off);
		return -EINVAL;
	}
	if (opts->wirelen_off) {
		int scratch = opts->scratch_off ? opts->scratch_off : -64;

		if (opts->wirelen_off >= scratch &&
		    opts->wirelen_off < scratch + 4 * BPF_MEMWORDS) {
			xdpcap_err(errbuf, "wirelen_off %d lies inside the scratch area at %d..%d",
				   opts->wirelen_off, scratch,
				   scratch + 4 * BPF_MEMWORDS - 1);
			return -EINVAL;
		}
	}
	return 0;
}

/*
 * The live blocks, each with its checks, then the shared "no match"
 * return: returns where that return is.
 */
static size_t emit_blocks(struct emitter *e, const struct xdpcap_cbpf *straight)
{
	const struct cbpf_flow *flow = e->flow;
	size_t reject_pos;

	for (size_t i = 0; i < straight->len; i++) {
		uint16_t code = straight->insns[i].code;

		if (BPF_CLASS(code) == BPF_JMP && BPF_OP(code) != BPF_JA &&
		    BPF_SRC(code) == BPF_X)
			e->compares_x = true;
	}
	if (flow->blocks[0].live)
		emit_zero_init(e);
	for (size_t b = 0; b < flow->nblocks; b++) {
		const struct cbpf_block *blk = &flow->blocks[b];

		if (!blk->live)
			continue;
		e->block_pos[b] = e->len;
		if (blk->abs_guard)
			emit_abs_check(e, blk->abs_guard);
		if (blk->x_guard)
			emit_x_check(e, blk->x_guard, blk->x_max_in);
		for (uint32_t i = blk->first; i <= blk->last; i++)
			lower_insn(e, (int)b, i);
	}
	reject_pos = e->len;
	if (!flow->blocks[0].live || jumps_to(e, LABEL_REJECT)) {
		emit(e, alu32_imm(BPF_MOV, BPF_REG_0, 0));
	} else if (e->nfixups && e->fixups[e->nfixups - 1].at == e->len - 1 &&
		   e->fixups[e->nfixups - 1].label == LABEL_END) {
		/* the last return needs no jump to the end */
		e->nfixups--;
		e->len--;
	}
	return reject_pos;
}

int xdpcap_cbpf_to_ebpf(const struct xdpcap_cbpf *prog,
			const struct xdpcap_ebpf_opts *opts,
			struct xdpcap_ebpf *out, char *errbuf)
{
	struct cbpf_flow flow;
	struct emitter e = { .flow = &flow, .scratch_off = -64 };
	struct xdpcap_ebpf_opts known;
	struct xdpcap_cbpf straight;
	size_t reject_pos;
	int err;

	memset(out, 0, sizeof(*out));
	err = opts_copy(&known, sizeof(known),
			OPTS_KNOWN(xdpcap_ebpf_opts), opts,
			"xdpcap_ebpf_opts", errbuf);
	if (!err)
		err = check_opts(&known, errbuf);
	if (err)
		return err;
	if (known.scratch_off)
		e.scratch_off = known.scratch_off;
	e.wirelen_off = known.wirelen_off;
	e.buffer_size = known.buffer_size;
	err = cbpf_prepare(prog, &straight, NULL, errbuf);
	if (err)
		return err;
	err = cbpf_flow_build(&flow, &straight, e.buffer_size, errbuf);
	if (err) {
		free(straight.insns);
		return err;
	}
	e.block_pos = calloc(flow.nblocks, sizeof(*e.block_pos));
	if (!e.block_pos) {
		err = -ENOMEM;
		goto out;
	}

	reject_pos = emit_blocks(&e, &straight);
	if (e.oom) {
		err = -ENOMEM;
		goto out;
	}
	err = resolve_jumps(&e, reject_pos, e.len, errbuf);
	if (err)
		goto out;

	out->insns = e.insns;
	out->len = e.len;
	out->bounds_checks = e.checks;
	out->reads_wirelen = e.reads_wirelen;
	out->reach = cbpf_flow_reach(&flow);
	e.insns = NULL;
out:
	if (err == -ENOMEM)
		xdpcap_err(errbuf, "out of memory");
	free(e.insns);
	free(e.fixups);
	free(e.block_pos);
	cbpf_flow_free(&flow);
	free(straight.insns);
	return err;
}

void xdpcap_ebpf_free(struct xdpcap_ebpf *prog)
{
	if (!prog)
		return;
	free(prog->insns);
	prog->insns = NULL;
	prog->len = 0;
}
