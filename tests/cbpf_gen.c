// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * Random valid cBPF programs and packets (see cbpf_gen.h).
 *
 * A program is built front to back. Jumps go forward, so by the time
 * instruction i is generated every path into it is known: the scratch
 * words written on all of them are the intersection of what each
 * predecessor had written. A read of scratch memory picks one of those
 * words, so every read follows a write on every path. The one backward
 * jump is the loop idiom's, which nothing else jumps into and which
 * writes no scratch word, so it changes none of this.
 *
 * Programs are made of single instructions and of short idioms (a way to
 * set X followed by [x+k] loads, an ldx #v right before an ALU op on X,
 * ...), so that the interesting cases happen often, not once per run.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "cbpf_gen.h"

#define ALL_WORDS 0xffffu
#define MAX_PKT_HINT 1600

void cbpf_rng_seed(struct cbpf_rng *r, uint64_t seed)
{
	r->s = seed;
}

uint64_t cbpf_rng_next(struct cbpf_rng *r)
{
	uint64_t z = (r->s += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

uint32_t cbpf_rng_below(struct cbpf_rng *r, uint32_t n)
{
	return (uint32_t)(((cbpf_rng_next(r) >> 32) * n) >> 32);
}

uint32_t cbpf_rng_range(struct cbpf_rng *r, uint32_t lo, uint32_t hi)
{
	uint64_t span = (uint64_t)hi - lo + 1;

	if (span > UINT32_MAX)
		return (uint32_t)cbpf_rng_next(r);
	return lo + cbpf_rng_below(r, (uint32_t)span);
}

int cbpf_rng_pct(struct cbpf_rng *r, unsigned int pct)
{
	return cbpf_rng_below(r, 100) < pct;
}

struct gen {
	struct cbpf_rng *r;
	struct cbpf_gen_prog *p;
	struct cbpf_gen_stats *st;
	size_t len;	/* program length; the last instruction returns */
	size_t pos;	/* the next instruction to generate */
	/* scratch words written on every path seen so far into an insn */
	uint16_t pending[CBPF_GEN_MAX_INSNS + 1];
	bool reached[CBPF_GEN_MAX_INSNS + 1];
	uint16_t cur;	/* scratch words written on every path into pos */
	/*
	 * Few returns and few reads that always fail: most of the program
	 * stays live, for large translations and long verifier runs.
	 */
	bool deep;
};

static void feature(struct gen *g, enum cbpf_gen_feature f)
{
	if (g->st)
		g->st->feature[f]++;
}

static uint32_t below(struct gen *g, uint32_t n)
{
	return cbpf_rng_below(g->r, n);
}

static uint32_t range(struct gen *g, uint32_t lo, uint32_t hi)
{
	return cbpf_rng_range(g->r, lo, hi);
}

static bool pct(struct gen *g, unsigned int p)
{
	return cbpf_rng_pct(g->r, p);
}

/* Instructions that may still be generated before the final return. */
static size_t room(const struct gen *g)
{
	return g->len - 1 - g->pos;
}

static void flow_to(struct gen *g, size_t target, uint16_t defined)
{
	if (!g->reached[target]) {
		g->reached[target] = true;
		g->pending[target] = defined;
	} else {
		g->pending[target] &= defined;
	}
}

static void emit(struct gen *g, uint16_t code, uint8_t jt, uint8_t jf,
		 uint32_t k)
{
	size_t i = g->pos;
	uint16_t out = g->cur;

	g->p->insns[i] = (struct sock_filter){ .code = code, .jt = jt,
					       .jf = jf, .k = k };
	if (code == BPF_ST || code == BPF_STX)
		out |= (uint16_t)(1u << k);
	if (code == (BPF_JMP | BPF_JA)) {
		/* a backward jump (the loop idiom) adds nothing to its head */
		if ((int32_t)k >= 0)
			flow_to(g, i + 1 + k, out);
	} else if (BPF_CLASS(code) == BPF_JMP) {
		flow_to(g, i + 1 + jt, out);
		flow_to(g, i + 1 + jf, out);
	} else if (BPF_CLASS(code) != BPF_RET) {
		flow_to(g, i + 1, out);
	}
	if (g->st) {
		g->st->opcode[code & 0xff]++;
		g->st->insns++;
	}
	g->pos++;
	if (g->pos < g->len) {
		if (g->reached[g->pos]) {
			g->cur = g->pending[g->pos];
		} else {
			/* no path gets here: any read is as good as another */
			g->cur = ALL_WORDS;
			feature(g, CBPF_FEAT_UNREACHABLE);
		}
	}
}

static void add_hint(struct gen *g, uint64_t len)
{
	struct cbpf_gen_prog *p = g->p;

	if (len > MAX_PKT_HINT)
		return;
	for (size_t i = 0; i < p->nhints; i++)
		if (p->hints[i] == len)
			return;
	if (p->nhints < CBPF_GEN_MAX_HINTS)
		p->hints[p->nhints++] = (uint32_t)len;
	else
		p->hints[below(g, CBPF_GEN_MAX_HINTS)] = (uint32_t)len;
}

/* A packet length, as cbpf_gen_packet() draws them. */
static uint32_t pick_len(struct cbpf_rng *r)
{
	uint32_t c = cbpf_rng_below(r, 100);

	if (c < 10)
		return cbpf_rng_range(r, 0, 16);
	if (c < 65)
		return cbpf_rng_range(r, 17, 200);
	if (c < 85)
		return cbpf_rng_range(r, 200, 600);
	return cbpf_rng_range(r, 600, 1500);
}

static uint32_t load_size(uint16_t code)
{
	switch (BPF_SIZE(code)) {
	case BPF_W:
		return 4;
	case BPF_H:
		return 2;
	default:
		return 1;
	}
}

static uint16_t pick_size(struct gen *g)
{
	static const uint16_t sizes[] = { BPF_W, BPF_H, BPF_B };

	return sizes[below(g, 3)];
}

/* Offsets past 0x7fff: the verifier's and the lowering's limits. */
static uint32_t pick_huge_64k(struct gen *g, uint32_t size)
{
	static const uint32_t bases[] = {
		0x7fff, 0x8000, 0xffbf /* CBPF_MAX_PKT */, 0xffff, 0x10000,
	};
	uint32_t base = bases[below(g, 5)];

	if (pct(g, 30))
		base -= size;
	return base - 4 + below(g, 9);
}

static uint32_t pick_huge_top(struct gen *g)
{
	switch (below(g, 4)) {
	case 0:
		return 0xffffff00u + below(g, 256);
	case 1:
		return 0xffffffffu - below(g, 8);
	case 2:
		return 0x80000000u - 4 + below(g, 9);
	default:
		return (uint32_t)cbpf_rng_next(g->r) | 0x10000;
	}
}

/* An absolute offset for a read of size bytes; remembers nearby lengths. */
static uint32_t pick_abs_offset(struct gen *g, uint32_t size)
{
	uint32_t c = below(g, 100), k;

	if (c < 35) {
		k = below(g, 21);
		feature(g, CBPF_FEAT_ABS_NEAR_ZERO);
	} else if (c < 62) {
		/* k + size within 2 bytes of a packet length */
		int64_t end = (int64_t)pick_len(g->r) + (int64_t)below(g, 5) - 2;

		k = end > size ? (uint32_t)(end - size) : 0;
		feature(g, CBPF_FEAT_ABS_NEAR_LEN);
	} else if (c < 80 || (g->deep && pct(g, 90))) {
		k = pct(g, 70) ? below(g, 261) : below(g, 1501);
		feature(g, CBPF_FEAT_ABS_MID);
	} else if (c < 90) {
		k = pick_huge_64k(g, size);
		feature(g, CBPF_FEAT_ABS_HUGE_64K);
	} else {
		k = pick_huge_top(g);
		feature(g, CBPF_FEAT_ABS_HUGE_TOP);
	}
	add_hint(g, (uint64_t)k + size - 1);
	add_hint(g, (uint64_t)k + size);
	add_hint(g, (uint64_t)k + size + 1);
	return k;
}

/* k of an [x+k] load */
static uint32_t pick_ind_k(struct gen *g, uint32_t size)
{
	uint32_t c = below(g, 100);

	if (c < 55)
		return below(g, 21);
	if (c < 70)
		return below(g, 65);
	if (c < 80 || g->deep)
		return pick_abs_offset(g, size);
	if (c < 90) {
		feature(g, CBPF_FEAT_IND_K_WRAP);
		return pct(g, 50) ? 0xffffffffu - below(g, 8) :
				    0xffffff00u + below(g, 256);
	}
	return pick_huge_64k(g, size);
}

/* A value for X (ldx #k) or A (ld #k) */
static uint32_t pick_value(struct gen *g)
{
	static const uint32_t edges[] = {
		0, 1, 2, 31, 32, 33, 0x7fff, 0x8000, 0xffbf, 0xffff, 0x10000,
		0x7fffffff, 0x80000000, 0xfffffffe, 0xffffffff,
	};
	uint32_t c = below(g, 100);

	if (c < 45)
		return below(g, 65);
	if (c < 60)
		return pick_len(g->r) - below(g, 3);
	if (c < 80)
		return edges[below(g, sizeof(edges) / sizeof(edges[0]))];
	return (uint32_t)cbpf_rng_next(g->r);
}

/* A constant to compare A with */
static uint32_t pick_cmp_const(struct gen *g)
{
	static const uint32_t known[] = {
		0x0800, 0x86dd, 0x0806, 0x8100, 6, 17, 0x45, 0xffff, 0x11,
	};
	uint32_t c = below(g, 100);

	if (c < 25)
		return below(g, 17);
	if (c < 45)
		return below(g, 256);
	if (c < 55)
		return below(g, 0x10000);
	if (c < 65)
		return known[below(g, sizeof(known) / sizeof(known[0]))];
	if (c < 80)
		return (uint32_t)cbpf_rng_next(g->r);
	if (c < 90)
		return pick_value(g);
	return pick_len(g->r) + below(g, 5) - 2;
}

static uint32_t pick_mask(struct gen *g)
{
	switch (below(g, 5)) {
	case 0:
		return 1u << below(g, 32);
	case 1:
		return 0xffu >> below(g, 8);
	case 2:
		return 0x1fff;
	case 3:
		return 0xffffffffu;
	default:
		return (uint32_t)cbpf_rng_next(g->r);
	}
}

static uint32_t pick_alu_k(struct gen *g, uint16_t op)
{
	switch (op) {
	case BPF_LSH:
	case BPF_RSH:
		return below(g, 32);
	case BPF_DIV:
	case BPF_MOD: {
		static const uint32_t d[] = {
			1, 2, 3, 4, 7, 10, 16, 255, 256, 0x10000, 0x7fffffff,
			0x80000000, 0xffffffff,
		};

		if (pct(g, 70))
			return d[below(g, sizeof(d) / sizeof(d[0]))];
		return (uint32_t)cbpf_rng_next(g->r) | 1;
	}
	case BPF_AND:
	case BPF_OR:
	case BPF_XOR:
		return pick_mask(g);
	default:
		return pct(g, 60) ? below(g, 300) : (uint32_t)cbpf_rng_next(g->r);
	}
}

static uint16_t pick_alu_op(struct gen *g)
{
	static const uint16_t ops[] = {
		BPF_ADD, BPF_SUB, BPF_MUL, BPF_DIV, BPF_MOD, BPF_AND, BPF_OR,
		BPF_XOR, BPF_LSH, BPF_RSH,
	};

	return ops[below(g, sizeof(ops) / sizeof(ops[0]))];
}

/* A jump offset from pos that stays inside the program, at most lim. */
static uint32_t pick_jump_off(struct gen *g, uint32_t lim)
{
	uint32_t max = (uint32_t)(g->len - 2 - g->pos), off;
	uint32_t c = below(g, 100);

	if (max > lim)
		max = lim;
	if (c < 45)
		off = below(g, (max < 3 ? max : 3) + 1);
	else if (c < 75)
		off = below(g, (max < 20 ? max : 20) + 1);
	else
		off = below(g, max + 1);
	if (off >= 64)
		feature(g, CBPF_FEAT_JUMP_LONG);
	return off;
}

static uint32_t pick_ret_k(struct gen *g)
{
	uint32_t c = below(g, 100);

	if (c < 30)
		return 0;
	if (c < 45)
		return range(g, 1, 100);
	if (c < 60)
		return pct(g, 50) ? 262144 : 65535;
	if (c < 80)
		return 0xffffffffu;
	return (uint32_t)cbpf_rng_next(g->r);
}

/* A scratch word that is written on every path here, or -1. */
static int pick_defined_word(struct gen *g)
{
	int n = __builtin_popcount(g->cur), pick;

	if (!n)
		return -1;
	pick = (int)below(g, (uint32_t)n);
	for (int w = 0; w < BPF_MEMWORDS; w++)
		if ((g->cur >> w) & 1 && pick-- == 0)
			return w;
	return -1;
}

static void gen_ret(struct gen *g)
{
	if (pct(g, 35))
		emit(g, BPF_RET | BPF_A, 0, 0, 0);
	else
		emit(g, BPF_RET | BPF_K, 0, 0, pick_ret_k(g));
}

static void gen_cond_jump(struct gen *g)
{
	static const uint16_t ops[] = { BPF_JEQ, BPF_JGT, BPF_JGE, BPF_JSET };
	uint16_t op = ops[below(g, 4)];
	uint16_t src = pct(g, 30) ? BPF_X : BPF_K;
	uint32_t k = 0;
	uint8_t jt, jf;

	if (src == BPF_K && op == BPF_JSET)
		k = pick_mask(g);
	else if (src == BPF_K && op == BPF_JEQ && pct(g, 30))
		k = below(g, 2); /* packets hold many zeros: often equal */
	else if (src == BPF_K)
		k = pick_cmp_const(g);
	jt = (uint8_t)pick_jump_off(g, 255);
	if (pct(g, 10)) {
		jf = jt;
		feature(g, CBPF_FEAT_JT_EQ_JF);
	} else {
		jf = (uint8_t)pick_jump_off(g, 255);
		if (jf == jt)
			feature(g, CBPF_FEAT_JT_EQ_JF);
	}
	emit(g, BPF_JMP | op | src, jt, jf, k);
}

static void gen_ja(struct gen *g)
{
	uint32_t max = (uint32_t)(g->len - 2 - g->pos), off;

	if (max > 255 && pct(g, 40))
		off = range(g, 256, max);
	else
		off = pick_jump_off(g, pct(g, 30) ? UINT32_MAX : 255);

	if (off > 255)
		feature(g, CBPF_FEAT_JA_LONG);
	emit(g, BPF_JMP | BPF_JA, 0, 0, off);
}

static void gen_abs_load(struct gen *g)
{
	uint16_t size = pick_size(g);

	emit(g, BPF_LD | size | BPF_ABS, 0, 0,
	     pick_abs_offset(g, load_size(size)));
}

static void gen_ind_load(struct gen *g)
{
	uint16_t size = pick_size(g);

	emit(g, BPF_LD | size | BPF_IND, 0, 0, pick_ind_k(g, load_size(size)));
}

static void gen_msh(struct gen *g)
{
	uint32_t k;

	if (pct(g, 40))
		k = 14;
	else if (pct(g, 50))
		k = below(g, 41);
	else
		k = pick_abs_offset(g, 1);
	emit(g, BPF_LDX | BPF_B | BPF_MSH, 0, 0, k);
}

static void gen_store(struct gen *g)
{
	emit(g, pct(g, 50) ? BPF_ST : BPF_STX, 0, 0, below(g, BPF_MEMWORDS));
}

/* ld M[] or ldx M[] of a word written on every path, else a store */
static void gen_mem_read(struct gen *g, bool to_x)
{
	int w = pick_defined_word(g);

	if (w < 0) {
		gen_store(g);
		return;
	}
	feature(g, CBPF_FEAT_MEM_READ);
	emit(g, (to_x ? BPF_LDX : BPF_LD) | BPF_MEM, 0, 0, (uint32_t)w);
}

/* X from somewhere, then one or two [x+k] loads. */
static void gen_ind_idiom(struct gen *g)
{
	size_t loads = pct(g, 30) ? 2 : 1;

	if (room(g) < 4 + loads) {
		gen_ind_load(g);
		return;
	}
	switch (below(g, 6)) {
	case 0:
		feature(g, CBPF_FEAT_IND_X_MSH);
		gen_msh(g);
		break;
	case 1:
		feature(g, CBPF_FEAT_IND_X_IMM);
		emit(g, BPF_LDX | BPF_IMM, 0, 0, pick_value(g));
		break;
	case 2:
		feature(g, CBPF_FEAT_IND_X_PKT);
		emit(g, BPF_LD | (pct(g, 70) ? BPF_B : BPF_H) | BPF_ABS, 0, 0,
		     pct(g, 70) ? below(g, 41) : pick_abs_offset(g, 2));
		if (pct(g, 50))
			emit(g, BPF_ALU | BPF_AND | BPF_K, 0, 0,
			     0xffu >> below(g, 8));
		emit(g, BPF_MISC | BPF_TAX, 0, 0, 0);
		break;
	case 3: {
		int w = pick_defined_word(g);

		feature(g, CBPF_FEAT_IND_X_MEM);
		if (w < 0 || pct(g, 30)) {
			w = (int)below(g, BPF_MEMWORDS);
			if (pct(g, 50)) {
				emit(g, BPF_LD | BPF_IMM, 0, 0, pick_value(g));
				emit(g, BPF_ST, 0, 0, (uint32_t)w);
			} else {
				emit(g, BPF_LDX | BPF_IMM, 0, 0, pick_value(g));
				emit(g, BPF_STX, 0, 0, (uint32_t)w);
			}
		}
		/*
		 * A jump made earlier may land between the store and this
		 * read: the word must be written on that path too.
		 */
		if (!((g->cur >> w) & 1))
			w = pick_defined_word(g);
		if (w < 0) {
			emit(g, BPF_LDX | BPF_IMM, 0, 0, pick_value(g));
			break;
		}
		feature(g, CBPF_FEAT_MEM_READ);
		emit(g, BPF_LDX | BPF_MEM, 0, 0, (uint32_t)w);
		break;
	}
	case 4:
		feature(g, CBPF_FEAT_IND_X_ARITH);
		if (pct(g, 40))
			emit(g, BPF_MISC | BPF_TXA, 0, 0, 0);
		else if (pct(g, 50))
			emit(g, BPF_LD | BPF_B | BPF_ABS, 0, 0, below(g, 41));
		else
			emit(g, BPF_LD | BPF_IMM, 0, 0, pick_value(g));
		{
			uint16_t op = pick_alu_op(g);

			emit(g, BPF_ALU | op | BPF_K, 0, 0, pick_alu_k(g, op));
		}
		emit(g, BPF_MISC | BPF_TAX, 0, 0, 0);
		break;
	default:
		feature(g, CBPF_FEAT_IND_X_LEN);
		if (pct(g, 50)) {
			emit(g, BPF_LDX | BPF_W | BPF_LEN, 0, 0, 0);
		} else {
			/* X = len - c: the last bytes of the packet */
			emit(g, BPF_LD | BPF_W | BPF_LEN, 0, 0, 0);
			emit(g, BPF_ALU | BPF_SUB | BPF_K, 0, 0, below(g, 6));
			emit(g, BPF_MISC | BPF_TAX, 0, 0, 0);
			emit(g, BPF_LD | BPF_B | BPF_IND, 0, 0,
			     pct(g, 80) ? 0 : 0xffffffffu - below(g, 4));
			loads--;
		}
		break;
	}
	while (loads--)
		gen_ind_load(g);
}

static void gen_alu(struct gen *g)
{
	uint16_t op;

	if (pct(g, 8)) {
		emit(g, BPF_ALU | BPF_NEG, 0, 0, 0);
		return;
	}
	op = pick_alu_op(g);
	if (pct(g, 55)) {
		emit(g, BPF_ALU | op | BPF_K, 0, 0, pick_alu_k(g, op));
		return;
	}
	if (room(g) >= 2 && pct(g, 50)) {
		static const uint32_t xs[] = {
			0, 0, 1, 2, 3, 31, 32, 33, 63, 64, 0x80000000, 0xffffffff,
		};
		uint32_t x = pct(g, 75) ? xs[below(g, sizeof(xs) / sizeof(xs[0]))] :
					  pick_value(g);

		emit(g, BPF_LDX | BPF_IMM, 0, 0, x);
		if (x <= 2)
			feature(g, CBPF_FEAT_ALU_X_SMALL);
		if ((op == BPF_LSH || op == BPF_RSH) && x >= 32)
			feature(g, CBPF_FEAT_ALU_X_SHIFT_BIG);
		if ((op == BPF_DIV || op == BPF_MOD) && x == 0)
			feature(g, CBPF_FEAT_DIV_X_ZERO);
	}
	emit(g, BPF_ALU | op | BPF_X, 0, 0, 0);
}

/*
 * A walk along the packet, like libpcap's protochain: read a tag at
 * [x+k1], leave when it matches, else X += [x+k2] * m + step and go round.
 * X grows by step >= 1 each round and every round reads at X, so the loop
 * ends with the packet (a failed read) at the latest.
 */
static void gen_loop_idiom(struct gen *g)
{
	static const uint32_t mul[] = { 1, 2, 4, 8 };
	const size_t body = 8;
	size_t head = g->pos;

	/* room for the loop and its exit; nothing may jump into its middle */
	if (room(g) < body + 1)
		goto plain;
	for (size_t i = head + 1; i < head + body; i++)
		if (g->reached[i])
			goto plain;
	feature(g, CBPF_FEAT_LOOP);
	emit(g, BPF_LD | BPF_B | BPF_IND, 0, 0, below(g, 41));
	emit(g, BPF_JMP | (pct(g, 70) ? BPF_JEQ : BPF_JGT) | BPF_K,
	     (uint8_t)(body - 2), 0, below(g, 4));
	emit(g, BPF_LD | BPF_B | BPF_IND, 0, 0, below(g, 41));
	emit(g, BPF_ALU | BPF_MUL | BPF_K, 0, 0, mul[below(g, 4)]);
	emit(g, BPF_ALU | BPF_ADD | BPF_K, 0, 0, range(g, 1, 16));
	emit(g, BPF_ALU | BPF_ADD | BPF_X, 0, 0, 0);
	emit(g, BPF_MISC | BPF_TAX, 0, 0, 0);
	emit(g, BPF_JMP | BPF_JA, 0, 0, (uint32_t)-(int32_t)body);
	return;
plain:
	gen_ind_load(g);
}

/* A typical filter head: load, compare, jump. */
static void gen_head(struct gen *g)
{
	gen_abs_load(g);
	if (room(g) >= 1)
		gen_cond_jump(g);
}

/* A computed value stored now, so that later reads have words to use. */
static void gen_store_idiom(struct gen *g)
{
	if (room(g) < 2) {
		gen_store(g);
		return;
	}
	if (pct(g, 50))
		gen_abs_load(g);
	else
		gen_alu(g);
	if (room(g) >= 1)
		emit(g, BPF_ST, 0, 0, below(g, BPF_MEMWORDS));
}

/* One instruction or idiom at g->pos, leaving the last slot free. */
static void gen_step(struct gen *g)
{
	uint32_t c = below(g, 111);

	if (c < 11)
		gen_abs_load(g);
	else if (c < 19)
		gen_ind_idiom(g);
	else if (c < 23)
		gen_ind_load(g);
	else if (c < 26)
		gen_msh(g);
	else if (c < 29)
		emit(g, BPF_LD | BPF_IMM, 0, 0, pick_value(g));
	else if (c < 31)
		emit(g, BPF_LDX | BPF_IMM, 0, 0, pick_value(g));
	else if (c < 33)
		emit(g, BPF_LD | BPF_W | BPF_LEN, 0, 0, 0);
	else if (c < 34)
		emit(g, BPF_LDX | BPF_W | BPF_LEN, 0, 0, 0);
	else if (c < 36)
		emit(g, BPF_MISC | BPF_TAX, 0, 0, 0);
	else if (c < 38)
		emit(g, BPF_MISC | BPF_TXA, 0, 0, 0);
	else if (c < 43)
		gen_store(g);
	else if (c < 48)
		gen_mem_read(g, pct(g, 50));
	else if (c < 66)
		gen_alu(g);
	else if (c < 88)
		gen_cond_jump(g);
	else if (c < 92)
		gen_ja(g);
	else if (c < 100 && (!g->deep || pct(g, 10)))
		gen_ret(g);
	else if (c < 100)
		gen_cond_jump(g);
	else if (c < 105)
		gen_head(g);
	else if (c < 109)
		gen_store_idiom(g);
	else
		gen_loop_idiom(g);
}

static size_t pick_prog_len(struct gen *g)
{
	uint32_t c = below(g, 100);

	if (c < 40)
		return range(g, 1, 16);
	if (c < 75)
		return range(g, 16, 60);
	if (c < 92)
		return range(g, 60, 150);
	return range(g, 150, 400);
}

void cbpf_gen_program(struct cbpf_rng *r, struct cbpf_gen_prog *p,
		      size_t len, struct cbpf_gen_stats *st)
{
	struct gen g;

	memset(&g, 0, sizeof(g));
	memset(p, 0, sizeof(*p));
	g.r = r;
	g.p = p;
	g.st = st;
	g.deep = pct(&g, len > 400 ? 70 : 25);
	g.len = len ? len : pick_prog_len(&g);
	if (g.len > CBPF_GEN_MAX_INSNS)
		g.len = CBPF_GEN_MAX_INSNS;
	g.reached[0] = true;
	while (g.pos < g.len - 1)
		gen_step(&g);
	/* the last return: mostly one that can match */
	if (pct(&g, 30))
		emit(&g, BPF_RET | BPF_A, 0, 0, 0);
	else if (pct(&g, 80))
		emit(&g, BPF_RET | BPF_K, 0, 0, pct(&g, 50) ? 0xffffffffu :
						 range(&g, 1, 0x40000));
	else
		emit(&g, BPF_RET | BPF_K, 0, 0, 0);
	p->len = g.len;
	if (st) {
		st->programs++;
		if (g.len >= 150 && g.len <= 400)
			st->feature[CBPF_FEAT_PROG_LONG]++;
		if (g.len > 400)
			st->feature[CBPF_FEAT_PROG_HUGE]++;
	}
}

void cbpf_gen_packet(struct cbpf_rng *r, const struct cbpf_gen_prog *p,
		     uint8_t *pkt, uint32_t maxlen, uint32_t *caplen,
		     uint32_t *wirelen)
{
	uint32_t len, c;

	if (p && p->nhints && cbpf_rng_pct(r, 35))
		len = p->hints[cbpf_rng_below(r, (uint32_t)p->nhints)];
	else
		len = pick_len(r);
	if (len > maxlen)
		len = maxlen;

	c = cbpf_rng_below(r, 100);
	for (uint32_t i = 0; i < len; i++) {
		uint8_t b = (uint8_t)cbpf_rng_next(r);

		if (c < 35)
			pkt[i] = b;
		else if (c < 55)
			pkt[i] = b & 0x0f; /* small X from tax or msh */
		else if (c < 85)
			pkt[i] = cbpf_rng_pct(r, 80) ? 0 : b;
		else
			pkt[i] = b & 1 ? 0xff : 0;
	}
	if (c >= 55 && c < 75) {
		/* Ethernet + IPv4/IPv6 + TCP/UDP-ish headers */
		static const uint8_t ihl[] = { 0x45, 0x46, 0x4f, 0x40, 0x60 };

		if (len > 13) {
			bool v6 = cbpf_rng_pct(r, 25);

			pkt[12] = v6 ? 0x86 : 0x08;
			pkt[13] = v6 ? 0xdd : 0x00;
		}
		if (len > 14)
			pkt[14] = ihl[cbpf_rng_below(r, 5)];
		if (len > 23)
			pkt[23] = cbpf_rng_pct(r, 50) ? 6 : 17;
		if (len > 20)
			pkt[20] = cbpf_rng_pct(r, 80) ? 0 : (uint8_t)cbpf_rng_next(r);
	}

	c = cbpf_rng_below(r, 100);
	if (c < 75)
		*wirelen = len;
	else if (c < 85)
		*wirelen = len + cbpf_rng_range(r, 1, 64);
	else if (c < 95)
		*wirelen = len + cbpf_rng_below(r, 0x10000);
	else if (c < 98)
		*wirelen = 0xffffffffu;
	else
		*wirelen = cbpf_rng_range(r, len, 0xffffffffu);
	*caplen = len;
}

static bool flow_into(uint16_t *in, bool *reach, size_t len, uint64_t target,
		      uint16_t defined)
{
	if (target >= len)
		return false;
	in[target] = reach[target] ? in[target] & defined : defined;
	reach[target] = true;
	return true;
}

/*
 * Walk the paths from the entry; a read of a word not written on every
 * path to it is refused, or with fix turned into an immediate load.
 * Returns the number of such reads, or -1 for a jump out of the program.
 */
static long scratch_walk(struct sock_filter *insns, size_t len, bool fix)
{
	uint16_t *in;
	bool *reach;
	long bad = 0;

	if (!len)
		return -1;
	in = calloc(len, sizeof(*in));
	reach = calloc(len, sizeof(*reach));
	if (!in || !reach) {
		free(in);
		free(reach);
		return -1;
	}
	reach[0] = true;
	for (size_t i = 0; i < len && bad >= 0; i++) {
		struct sock_filter *f = &insns[i];
		uint16_t cur = in[i];
		bool ok = true;

		if (!reach[i])
			continue;
		switch (f->code) {
		case BPF_LD | BPF_MEM:
		case BPF_LDX | BPF_MEM:
			if (f->k < BPF_MEMWORDS && ((cur >> f->k) & 1))
				break;
			bad++;
			if (!fix)
				goto out;
			f->code = BPF_CLASS(f->code) | BPF_IMM;
			break;
		case BPF_ST:
		case BPF_STX:
			if (f->k >= BPF_MEMWORDS) {
				bad = -1;
				goto out;
			}
			cur |= (uint16_t)(1u << f->k);
			break;
		}
		if (f->code == (BPF_JMP | BPF_JA) && (int32_t)f->k < 0) {
			/*
			 * Backward: fine if it brings at least the words its
			 * target had already, so that no read there changes.
			 */
			int64_t to = (int64_t)i + 1 + (int32_t)f->k;

			ok = to >= 0 && reach[to] && (in[to] & cur) == in[to];
		} else if (f->code == (BPF_JMP | BPF_JA)) {
			ok = flow_into(in, reach, len, (uint64_t)i + 1 + f->k, cur);
		} else if (BPF_CLASS(f->code) == BPF_JMP) {
			ok = flow_into(in, reach, len, (uint64_t)i + 1 + f->jt, cur) &&
			     flow_into(in, reach, len, (uint64_t)i + 1 + f->jf, cur);
		} else if (BPF_CLASS(f->code) != BPF_RET) {
			ok = flow_into(in, reach, len, (uint64_t)i + 1, cur);
		}
		if (!ok)
			bad = -1;
	}
out:
	free(in);
	free(reach);
	return bad;
}

bool cbpf_scratch_written(const struct sock_filter *insns, size_t len)
{
	/* without fix, the walk does not write */
	return scratch_walk((struct sock_filter *)insns, len, false) == 0;
}

long cbpf_scratch_fix(struct sock_filter *insns, size_t len)
{
	return scratch_walk(insns, len, true);
}

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

/* libpcap's bounds rules: a read of size bytes at k, plus x */
static bool fits(uint32_t x, uint32_t k, uint32_t size, uint32_t buflen)
{
	return k <= buflen && x <= buflen - k && size <= buflen - k - x;
}

uint32_t cbpf_ref_run(const struct sock_filter *insns, const uint8_t *p,
		      uint32_t wirelen, uint32_t buflen,
		      struct cbpf_exec_stats *es)
{
	uint32_t A = 0, X = 0, mem[BPF_MEMWORDS] = { 0 };
	bool cond;

	if (es)
		es->last_backward_jumps = 0;

	for (size_t pc = 0;; pc++) {
		const struct sock_filter *f = &insns[pc];
		uint16_t code = f->code;
		uint32_t k = f->k;

		if (es)
			es->executed[code & 0xff]++;
		switch (BPF_CLASS(code)) {
		case BPF_RET:
			return BPF_RVAL(code) == BPF_A ? A : k;
		case BPF_LD:
		case BPF_LDX: {
			uint32_t v, size = 0, base = 0;

			switch (BPF_MODE(code)) {
			case BPF_IMM:
				v = k;
				break;
			case BPF_LEN:
				v = wirelen;
				break;
			case BPF_MEM:
				v = mem[k];
				break;
			case BPF_IND:
				base = X;
				/* fall through */
			default: /* ABS, MSH */
				size = BPF_SIZE(code) == BPF_W ? 4 :
				       BPF_SIZE(code) == BPF_H ? 2 : 1;
				if (!fits(base, k, size, buflen)) {
					if (es)
						es->failed[code & 0xff]++;
					return 0;
				}
				v = size == 4 ? be32(p + base + k) :
				    size == 2 ? (uint32_t)p[base + k] << 8 | p[base + k + 1] :
						p[base + k];
				if (BPF_MODE(code) == BPF_MSH)
					v = (v & 0xf) << 2;
			}
			if (BPF_CLASS(code) == BPF_LD)
				A = v;
			else
				X = v;
			break;
		}
		case BPF_ST:
			mem[k] = A;
			break;
		case BPF_STX:
			mem[k] = X;
			break;
		case BPF_JMP: {
			uint32_t v = BPF_SRC(code) == BPF_X ? X : k;

			if (BPF_OP(code) == BPF_JA) {
				/* signed: libpcap's loops jump backwards */
				pc += (size_t)(int64_t)(int32_t)k;
				if (es && (int32_t)k < 0)
					es->last_backward_jumps++;
				break;
			}
			switch (BPF_OP(code)) {
			case BPF_JEQ:
				cond = A == v;
				break;
			case BPF_JGT:
				cond = A > v;
				break;
			case BPF_JGE:
				cond = A >= v;
				break;
			default:
				cond = (A & v) != 0;
			}
			if (es)
				es->special[code & 0xff] += cond;
			pc += cond ? f->jt : f->jf;
			break;
		}
		case BPF_ALU: {
			uint32_t v = BPF_SRC(code) == BPF_X ? X : k;

			switch (BPF_OP(code)) {
			case BPF_ADD: A += v; break;
			case BPF_SUB: A -= v; break;
			case BPF_MUL: A *= v; break;
			case BPF_AND: A &= v; break;
			case BPF_OR: A |= v; break;
			case BPF_XOR: A ^= v; break;
			case BPF_NEG: A = 0u - A; break;
			case BPF_DIV:
			case BPF_MOD:
				if (!v) {
					if (es)
						es->failed[code & 0xff]++;
					return 0;
				}
				A = BPF_OP(code) == BPF_DIV ? A / v : A % v;
				break;
			case BPF_LSH:
			case BPF_RSH:
				/*
				 * By a constant: undefined C in libpcap 1.10,
				 * masked by x86 (and by xdpcap) to 0..31.
				 */
				if (BPF_SRC(code) == BPF_K)
					v &= 31;
				if (v >= 32) {
					if (es)
						es->special[code & 0xff]++;
					A = 0;
				} else {
					A = BPF_OP(code) == BPF_LSH ? A << v : A >> v;
				}
				break;
			}
			break;
		}
		case BPF_MISC:
			if (BPF_MISCOP(code) == BPF_TAX)
				X = A;
			else
				A = X;
			break;
		}
	}
}

const char *cbpf_gen_opcode_name(uint16_t code)
{
	switch (code) {
	case BPF_RET | BPF_K: return "ret #k";
	case BPF_RET | BPF_A: return "ret a";
	case BPF_LD | BPF_W | BPF_ABS: return "ld [k]";
	case BPF_LD | BPF_H | BPF_ABS: return "ldh [k]";
	case BPF_LD | BPF_B | BPF_ABS: return "ldb [k]";
	case BPF_LD | BPF_W | BPF_LEN: return "ld len";
	case BPF_LDX | BPF_W | BPF_LEN: return "ldx len";
	case BPF_LD | BPF_W | BPF_IND: return "ld [x+k]";
	case BPF_LD | BPF_H | BPF_IND: return "ldh [x+k]";
	case BPF_LD | BPF_B | BPF_IND: return "ldb [x+k]";
	case BPF_LDX | BPF_MSH | BPF_B: return "ldxb 4*([k]&0xf)";
	case BPF_LD | BPF_IMM: return "ld #k";
	case BPF_LDX | BPF_IMM: return "ldx #k";
	case BPF_LD | BPF_MEM: return "ld M[k]";
	case BPF_LDX | BPF_MEM: return "ldx M[k]";
	case BPF_ST: return "st M[k]";
	case BPF_STX: return "stx M[k]";
	case BPF_JMP | BPF_JA: return "ja";
	case BPF_JMP | BPF_JGT | BPF_K: return "jgt #k";
	case BPF_JMP | BPF_JGE | BPF_K: return "jge #k";
	case BPF_JMP | BPF_JEQ | BPF_K: return "jeq #k";
	case BPF_JMP | BPF_JSET | BPF_K: return "jset #k";
	case BPF_JMP | BPF_JGT | BPF_X: return "jgt x";
	case BPF_JMP | BPF_JGE | BPF_X: return "jge x";
	case BPF_JMP | BPF_JEQ | BPF_X: return "jeq x";
	case BPF_JMP | BPF_JSET | BPF_X: return "jset x";
	case BPF_ALU | BPF_ADD | BPF_K: return "add #k";
	case BPF_ALU | BPF_SUB | BPF_K: return "sub #k";
	case BPF_ALU | BPF_MUL | BPF_K: return "mul #k";
	case BPF_ALU | BPF_DIV | BPF_K: return "div #k";
	case BPF_ALU | BPF_MOD | BPF_K: return "mod #k";
	case BPF_ALU | BPF_AND | BPF_K: return "and #k";
	case BPF_ALU | BPF_OR | BPF_K: return "or #k";
	case BPF_ALU | BPF_XOR | BPF_K: return "xor #k";
	case BPF_ALU | BPF_LSH | BPF_K: return "lsh #k";
	case BPF_ALU | BPF_RSH | BPF_K: return "rsh #k";
	case BPF_ALU | BPF_ADD | BPF_X: return "add x";
	case BPF_ALU | BPF_SUB | BPF_X: return "sub x";
	case BPF_ALU | BPF_MUL | BPF_X: return "mul x";
	case BPF_ALU | BPF_DIV | BPF_X: return "div x";
	case BPF_ALU | BPF_MOD | BPF_X: return "mod x";
	case BPF_ALU | BPF_AND | BPF_X: return "and x";
	case BPF_ALU | BPF_OR | BPF_X: return "or x";
	case BPF_ALU | BPF_XOR | BPF_X: return "xor x";
	case BPF_ALU | BPF_LSH | BPF_X: return "lsh x";
	case BPF_ALU | BPF_RSH | BPF_X: return "rsh x";
	case BPF_ALU | BPF_NEG: return "neg";
	case BPF_MISC | BPF_TAX: return "tax";
	case BPF_MISC | BPF_TXA: return "txa";
	}
	return "?";
}

const char *cbpf_gen_feature_name(enum cbpf_gen_feature f)
{
	static const char *const names[CBPF_FEAT__COUNT] = {
		[CBPF_FEAT_ABS_NEAR_ZERO] = "absolute load at 0..20",
		[CBPF_FEAT_ABS_NEAR_LEN] = "absolute load around a packet length",
		[CBPF_FEAT_ABS_MID] = "absolute load at 0..1500",
		[CBPF_FEAT_ABS_HUGE_64K] = "absolute load at 0x7fff..0x10004",
		[CBPF_FEAT_ABS_HUGE_TOP] = "absolute load at 0x7ffffffc.. or 0xffffff00..",
		[CBPF_FEAT_IND_X_MSH] = "[x+k] with X from ldxb msh",
		[CBPF_FEAT_IND_X_IMM] = "[x+k] with X from ldx #k",
		[CBPF_FEAT_IND_X_PKT] = "[x+k] with X from packet data",
		[CBPF_FEAT_IND_X_MEM] = "[x+k] with X from scratch memory",
		[CBPF_FEAT_IND_X_ARITH] = "[x+k] with X from arithmetic",
		[CBPF_FEAT_IND_X_LEN] = "[x+k] with X from the packet length",
		[CBPF_FEAT_IND_K_WRAP] = "[x+k] with k >= 0xffffff00",
		[CBPF_FEAT_ALU_X_SMALL] = "ALU op on X just set to 0..2",
		[CBPF_FEAT_ALU_X_SHIFT_BIG] = "shift by X just set to >= 32",
		[CBPF_FEAT_DIV_X_ZERO] = "div/mod by X just set to 0",
		[CBPF_FEAT_JT_EQ_JF] = "conditional jump with jt == jf",
		[CBPF_FEAT_JUMP_LONG] = "jump offset >= 64",
		[CBPF_FEAT_JA_LONG] = "ja offset > 255",
		[CBPF_FEAT_MEM_READ] = "scratch read (written on every path)",
		[CBPF_FEAT_UNREACHABLE] = "unreachable instruction",
		[CBPF_FEAT_PROG_LONG] = "program of 150..400 instructions",
		[CBPF_FEAT_PROG_HUGE] = "program of 401..4096 instructions",
		[CBPF_FEAT_LOOP] = "loop (backward ja)",
	};

	return f < CBPF_FEAT__COUNT ? names[f] : "?";
}
