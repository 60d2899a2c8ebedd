// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * Analysis of a cBPF program for translation to eBPF.
 *
 * cBPF jumps only forward, so the program is a DAG and instruction order
 * is a topological order: one backward pass and one forward pass over the
 * blocks settle every question below.
 *
 * Packet bounds checks. Within a block a failed read ends the filter with
 * 0 and nothing else is observable, so all of a block's checks can be made
 * at its entry. Across blocks a check can be hoisted to a block B for N
 * bytes when every path from B that can return non-zero reads at least N
 * bytes: a shorter packet gives 0 on each of those paths anyway. The same
 * holds for reads relative to X, as long as X is not rewritten on the way.
 * A check made on every path into a block need not be repeated there.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cbpf.h"
#include "util.h"

#define UNKNOWN_MAX 0xffffffffu

static uint32_t min_u32(uint32_t a, uint32_t b)
{
	return a < b ? a : b;
}

static uint32_t max_u32(uint32_t a, uint32_t b)
{
	return a > b ? a : b;
}

uint32_t cbpf_load_size(uint16_t code)
{
	if (code == (BPF_LDX | BPF_MSH | BPF_B))
		return 1;
	if (BPF_CLASS(code) != BPF_LD ||
	    (BPF_MODE(code) != BPF_ABS && BPF_MODE(code) != BPF_IND))
		return 0;
	switch (BPF_SIZE(code)) {
	case BPF_W:
		return 4;
	case BPF_H:
		return 2;
	default:
		return 1;
	}
}

/*
 * Bytes a read of size bytes at offset k needs, CBPF_NEVER if no packet
 * the filter sees is that long.
 */
static uint32_t read_need(const struct cbpf_flow *flow, uint32_t k, uint32_t size)
{
	uint64_t end = (uint64_t)k + size;

	return end > flow->max_pkt ? CBPF_NEVER : (uint32_t)end;
}

static bool writes_x(uint16_t code)
{
	return BPF_CLASS(code) == BPF_LDX || code == (BPF_MISC | BPF_TAX);
}

static bool is_ind(uint16_t code)
{
	return BPF_CLASS(code) == BPF_LD && BPF_MODE(code) == BPF_IND;
}

static bool is_abs(uint16_t code)
{
	return (BPF_CLASS(code) == BPF_LD && BPF_MODE(code) == BPF_ABS) ||
	       code == (BPF_LDX | BPF_MSH | BPF_B);
}

/* Registers and scratch words an instruction reads and writes. */
static void insn_uses(const struct sock_filter *f, uint32_t *reads,
		      uint32_t *writes)
{
	uint16_t code = f->code;

	*reads = 0;
	*writes = 0;
	switch (BPF_CLASS(code)) {
	case BPF_LD:
		*writes = CBPF_INIT_A;
		if (BPF_MODE(code) == BPF_IND)
			*reads = CBPF_INIT_X;
		else if (BPF_MODE(code) == BPF_MEM)
			*reads = CBPF_INIT_MEM(f->k);
		break;
	case BPF_LDX:
		*writes = CBPF_INIT_X;
		if (BPF_MODE(code) == BPF_MEM)
			*reads = CBPF_INIT_MEM(f->k);
		break;
	case BPF_ST:
		*reads = CBPF_INIT_A;
		*writes = CBPF_INIT_MEM(f->k);
		break;
	case BPF_STX:
		*reads = CBPF_INIT_X;
		*writes = CBPF_INIT_MEM(f->k);
		break;
	case BPF_ALU:
		*reads = CBPF_INIT_A;
		if (BPF_OP(code) != BPF_NEG && BPF_SRC(code) == BPF_X)
			*reads |= CBPF_INIT_X;
		*writes = CBPF_INIT_A;
		break;
	case BPF_JMP:
		if (BPF_OP(code) != BPF_JA) {
			*reads = CBPF_INIT_A;
			if (BPF_SRC(code) == BPF_X)
				*reads |= CBPF_INIT_X;
		}
		break;
	case BPF_RET:
		if (BPF_RVAL(code) == BPF_A)
			*reads = CBPF_INIT_A;
		break;
	case BPF_MISC:
		if (BPF_MISCOP(code) == BPF_TAX) {
			*reads = CBPF_INIT_A;
			*writes = CBPF_INIT_X;
		} else {
			*reads = CBPF_INIT_X;
			*writes = CBPF_INIT_A;
		}
		break;
	}
}

/* Largest value X can hold after an instruction that writes it. */
static uint32_t x_max_after(const struct sock_filter *f)
{
	if (f->code == (BPF_LDX | BPF_IMM))
		return f->k;
	if (f->code == (BPF_LDX | BPF_MSH | BPF_B))
		return 60;
	return UNKNOWN_MAX;
}

static int split_blocks(struct cbpf_flow *flow)
{
	const struct sock_filter *insns = flow->insns;
	size_t len = flow->len;
	bool *leader;
	size_t n = 0;

	leader = calloc(len + 1, sizeof(*leader));
	if (!leader)
		return -ENOMEM;
	leader[0] = true;
	for (uint32_t i = 0; i < len; i++) {
		uint16_t cls = BPF_CLASS(insns[i].code);

		if (cls == BPF_JMP) {
			leader[cbpf_jump_target(&insns[i], i, true)] = true;
			leader[cbpf_jump_target(&insns[i], i, false)] = true;
		}
		if (cls == BPF_JMP || cls == BPF_RET)
			leader[i + 1] = true;
	}
	for (size_t i = 0; i < len; i++)
		n += leader[i];
	flow->blocks = calloc(n, sizeof(*flow->blocks));
	if (!flow->blocks) {
		free(leader);
		return -ENOMEM;
	}
	flow->nblocks = 0;
	for (uint32_t i = 0; i < len; i++) {
		if (leader[i]) {
			flow->blocks[flow->nblocks].first = i;
			flow->nblocks++;
		}
		flow->block_of[i] = (int)flow->nblocks - 1;
		flow->blocks[flow->nblocks - 1].last = i;
	}
	free(leader);

	for (size_t b = 0; b < flow->nblocks; b++) {
		struct cbpf_block *blk = &flow->blocks[b];
		uint32_t last = blk->last;
		const struct sock_filter *f = &insns[last];

		blk->succ[0] = blk->succ[1] = -1;
		if (BPF_CLASS(f->code) == BPF_RET)
			continue;
		if (BPF_CLASS(f->code) == BPF_JMP) {
			blk->succ[0] = flow->block_of[cbpf_jump_target(f, last, true)];
			if (f->code != (BPF_JMP | BPF_JA))
				blk->succ[1] = flow->block_of[cbpf_jump_target(f, last, false)];
		} else {
			blk->succ[0] = flow->block_of[last + 1];
		}
	}
	return 0;
}

/*
 * Per block, from its last block back to the first: the packet bytes that
 * every matching path from its entry reads (must), the same relative to
 * the X it is entered with (x_must), and whether it can match at all.
 */
static void hoist_needs(struct cbpf_flow *flow)
{
	const struct sock_filter *insns = flow->insns;

	for (size_t b = flow->nblocks; b-- > 0;) {
		struct cbpf_block *blk = &flow->blocks[b];
		const struct sock_filter *last = &insns[blk->last];
		uint32_t abs_local = 0, epoch_need = 0, first_epoch = 0;
		uint32_t must_out = CBPF_NEVER, x_must_out = CBPF_NEVER;
		bool x_written = false, never = false;

		for (uint32_t i = blk->first; i <= blk->last; i++) {
			const struct sock_filter *f = &insns[i];
			uint32_t need = read_need(flow, f->k, cbpf_load_size(f->code));

			if (is_abs(f->code))
				abs_local = max_u32(abs_local, need);
			if (is_ind(f->code))
				epoch_need = max_u32(epoch_need, need);
			if (writes_x(f->code)) {
				if (!x_written)
					first_epoch = epoch_need;
				never |= epoch_need >= CBPF_NEVER;
				x_written = true;
				epoch_need = 0;
			}
		}
		if (!x_written)
			first_epoch = epoch_need;

		if (BPF_CLASS(last->code) == BPF_RET) {
			if (last->code == (BPF_RET | BPF_K) && last->k == 0)
				never = true;
			must_out = x_must_out = 0;
		}
		for (int s = 0; s < 2; s++) {
			if (blk->succ[s] < 0)
				continue;
			must_out = min_u32(must_out, flow->blocks[blk->succ[s]].must);
			x_must_out = min_u32(x_must_out, flow->blocks[blk->succ[s]].x_must);
		}
		blk->must = max_u32(abs_local, must_out);
		if (x_written) {
			blk->x_must = first_epoch;
			never |= max_u32(epoch_need, x_must_out) >= CBPF_NEVER;
		} else {
			blk->x_must = max_u32(first_epoch, x_must_out);
		}
		never |= blk->must >= CBPF_NEVER || blk->x_must >= CBPF_NEVER;
		blk->live = !never;
		if (never)
			blk->must = blk->x_must = CBPF_NEVER;
		blk->x_exit_need = x_written ? max_u32(epoch_need, x_must_out) : 0;
	}
}

/* Backward: is A read, before it is written, on some path from a block? */
static void find_live_a(struct cbpf_flow *flow)
{
	for (size_t b = flow->nblocks; b-- > 0;) {
		struct cbpf_block *blk = &flow->blocks[b];
		bool live = false;

		for (int s = 0; s < 2; s++)
			if (blk->succ[s] >= 0)
				live |= flow->blocks[blk->succ[s]].a_live_in;
		for (uint32_t i = blk->last + 1; i-- > blk->first;) {
			uint32_t reads, writes;

			insn_uses(&flow->insns[i], &reads, &writes);
			if (writes & CBPF_INIT_A)
				live = false;
			if (reads & CBPF_INIT_A)
				live = true;
		}
		blk->a_live_in = live;
	}
}

/*
 * One reached block: its guards from what is checked on entry, what it
 * leaves checked, bounded and defined, passed on to its successors.
 */
static void place_block(struct cbpf_flow *flow, size_t b, bool *reached)
{
	const struct sock_filter *insns = flow->insns;
	struct cbpf_block *blk = &flow->blocks[b];
	uint32_t abs_checked, x_checked, x_max, defined;

	abs_checked = blk->abs_checked;
	blk->abs_guard = 0;
	if (blk->must > abs_checked) {
		blk->abs_guard = blk->must;
		abs_checked = blk->must;
	}
	x_checked = blk->x_checked;
	blk->x_guard = 0;
	if (blk->x_must > x_checked) {
		blk->x_guard = blk->x_must;
		x_checked = blk->x_must;
	}
	x_max = blk->x_max_in;
	defined = blk->defined;
	for (uint32_t i = blk->first; i <= blk->last; i++) {
		uint32_t reads, writes;

		insn_uses(&insns[i], &reads, &writes);
		flow->init_mask |= reads & ~defined;
		defined |= writes;
		if (writes_x(insns[i].code)) {
			x_max = x_max_after(&insns[i]);
			flow->x_max_after[i] = x_max;
			flow->x_guard_after[i] = 0;
			x_checked = 0;
		}
	}
	/* The check for the last X written here goes after its write. */
	for (uint32_t i = blk->last + 1; i-- > blk->first;) {
		if (writes_x(insns[i].code)) {
			flow->x_guard_after[i] = blk->x_exit_need;
			x_checked = blk->x_exit_need;
			break;
		}
	}
	for (int s = 0; s < 2; s++) {
		int n = blk->succ[s];
		struct cbpf_block *succ;

		if (n < 0 || !flow->blocks[n].live)
			continue;
		succ = &flow->blocks[n];
		if (!reached[n]) {
			reached[n] = true;
			succ->x_max_in = x_max;
		}
		succ->abs_checked = min_u32(succ->abs_checked, abs_checked);
		succ->x_checked = min_u32(succ->x_checked, x_checked);
		succ->x_max_in = max_u32(succ->x_max_in, x_max);
		succ->defined &= defined;
	}
}

/*
 * Middle X epochs (X written again later in the same block) check their
 * own reads right after the write that starts them.
 */
static void place_middle_x_checks(struct cbpf_flow *flow)
{
	const struct sock_filter *insns = flow->insns;

	for (size_t b = 0; b < flow->nblocks; b++) {
		struct cbpf_block *blk = &flow->blocks[b];
		uint32_t start = UINT32_MAX, need = 0;

		if (!blk->live)
			continue;
		for (uint32_t i = blk->first; i <= blk->last; i++) {
			const struct sock_filter *f = &insns[i];

			if (is_ind(f->code))
				need = max_u32(need, read_need(flow, f->k, cbpf_load_size(f->code)));
			if (writes_x(f->code)) {
				if (start != UINT32_MAX)
					flow->x_guard_after[start] = need;
				start = i;
				need = 0;
			}
		}
	}
}

/*
 * Forward over live, reachable blocks: place the checks, and find what is
 * read before it is written.
 */
static int place_checks(struct cbpf_flow *flow)
{
	bool *reached;

	reached = calloc(flow->nblocks, sizeof(*reached));
	if (!reached)
		return -ENOMEM;
	for (size_t b = 0; b < flow->nblocks; b++) {
		flow->blocks[b].abs_checked = CBPF_NEVER;
		flow->blocks[b].x_checked = CBPF_NEVER;
		flow->blocks[b].x_max_in = 0;
		flow->blocks[b].defined = ~0u;
	}
	reached[0] = flow->blocks[0].live;
	flow->blocks[0].abs_checked = 0;
	flow->blocks[0].x_checked = 0;
	flow->blocks[0].defined = 0;
	for (size_t b = 0; b < flow->nblocks; b++) {
		if (reached[b])
			place_block(flow, b, reached);
		else
			flow->blocks[b].live = false;
	}
	place_middle_x_checks(flow);
	free(reached);
	return 0;
}

int cbpf_flow_build(struct cbpf_flow *flow, const struct xdpcap_cbpf *prog,
		    uint32_t max_pkt, char *errbuf)
{
	int err;

	memset(flow, 0, sizeof(*flow));
	flow->max_pkt = max_pkt && max_pkt < CBPF_MAX_PKT ? max_pkt : CBPF_MAX_PKT;
	flow->insns = prog->insns;
	flow->len = prog->len;
	flow->block_of = calloc(prog->len, sizeof(*flow->block_of));
	flow->x_guard_after = calloc(prog->len, sizeof(*flow->x_guard_after));
	flow->x_max_after = calloc(prog->len, sizeof(*flow->x_max_after));
	if (!flow->block_of || !flow->x_guard_after || !flow->x_max_after) {
		err = -ENOMEM;
		goto err;
	}
	err = split_blocks(flow);
	if (err)
		goto err;
	hoist_needs(flow);
	find_live_a(flow);
	err = place_checks(flow);
	if (err)
		goto err;
	return 0;
err:
	xdpcap_err(errbuf, "out of memory");
	cbpf_flow_free(flow);
	return err;
}

void cbpf_flow_free(struct cbpf_flow *flow)
{
	if (!flow)
		return;
	free(flow->blocks);
	free(flow->block_of);
	free(flow->x_guard_after);
	free(flow->x_max_after);
	memset(flow, 0, sizeof(*flow));
}

uint32_t cbpf_flow_reach(const struct cbpf_flow *flow)
{
	uint64_t reach = 0;

	for (size_t b = 0; b < flow->nblocks; b++) {
		const struct cbpf_block *blk = &flow->blocks[b];
		uint64_t x_max = blk->x_max_in;

		for (uint32_t i = blk->first; blk->live && i <= blk->last; i++) {
			const struct sock_filter *f = &flow->insns[i];
			uint64_t end = (uint64_t)f->k + cbpf_load_size(f->code);

			if (is_ind(f->code))
				end += x_max;
			if (cbpf_load_size(f->code) && end > reach)
				reach = end;
			if (writes_x(f->code))
				x_max = x_max_after(f);
		}
	}
	return reach < flow->max_pkt ? (uint32_t)reach : flow->max_pkt;
}
