// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * Random differential test: random valid cBPF programs (cbpf_gen.c) run
 * on random packets, in the kernel after translation to eBPF and in
 * libpcap's interpreter. The two u32 results must be equal.
 *
 * Every fourth program reads a copy of the packet in a map value, as a
 * capture by tracing does (xdpcap_ebpf_opts.buffer_size), the others the
 * packet in place.
 *
 * Programs with loops are unrolled by the compiler to a bound; libpcap
 * also runs the unrolled program, built here twice, giving up with 1 and
 * with 2: a packet on which the two differ is past the bound (any other
 * way through returns the same in both). Elsewhere it must equal libpcap
 * on the original, and past the bound the kernel must say 0.
 *
 * Environment:
 *   XDPCAP_SEED              the seed (default below; printed either way)
 *   XDPCAP_RANDOM_PROGRAMS   how many programs (default 20000)
 *   XDPCAP_RANDOM_PACKETS    packets per program (default 60)
 *   XDPCAP_RANDOM_FIRST      the first program's index (default 0): with
 *                            the same seed, FIRST=n PROGRAMS=1 makes
 *                            program n of a run again, with its packets
 */
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <pcap.h>

#include "xdpcap/filter.h"
#include "xdpcap/filter_prog.h"
#include "../lib/filter/cbpf.h"
#include "cbpf_gen.h"
#include "tap.h"

#define DEFAULT_SEED 0x7864706361702131ull
#define DEFAULT_PROGRAMS 20000
#define DEFAULT_PACKETS 60
#define BATCH 100
#define HUGE_EVERY 250
#define MIN_PAIRS 200000
#define MIN_NONZERO_PCT 10.0
#define MAX_PKT 1500
/* Programs whose failures are printed in full; all are counted. */
#define MAX_PRINTED_PROGS 10
#define MAX_PRINTED_PKTS 3
#define LOG_TAIL_LINES 40

struct totals {
	uint64_t pairs, nonzero, mismatches, refused, invalid, errors;
	uint64_t ret_all_ones, ret_other, tracer_differs;
	uint64_t copied, copied_pairs;	/* programs run on a copy */
	/* programs with loops; packets past the bound; packets on which
	 * the unrolled program differs from the original below it */
	uint64_t loops, gave_up, within_bound, unroll_differs;
	/* gave up with the loops' rounds within the bound, or not beyond */
	uint64_t bound_differs;
	unsigned int printed;
	double load_s, run_s;
};

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static uint64_t env_u64(const char *name, uint64_t def)
{
	const char *v = getenv(name);
	char *end;
	uint64_t n;

	if (!v || !*v)
		return def;
	errno = 0;
	n = strtoull(v, &end, 0);
	if (errno || *end)
		tap_bail("%s=%s is not a number", name, v);
	return n;
}

/* Print text as TAP diagnostics, one "# " line per line. */
static void diag_text(const char *text, const char *indent)
{
	const char *p = text;

	while (*p) {
		const char *nl = strchr(p, '\n');
		int n = nl ? (int)(nl - p) : (int)strlen(p);

		printf("# %s%.*s\n", indent, n, p);
		p += n + (nl ? 1 : 0);
	}
}

static void diag_program(const struct xdpcap_cbpf *prog)
{
	char *buf = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&buf, &size);

	if (!f)
		return;
	xdpcap_cbpf_dump(f, prog);
	fprintf(f, "as code (%zu instructions):\n", prog->len);
	for (size_t i = 0; i < prog->len; i++) {
		const struct sock_filter *s = &prog->insns[i];

		fprintf(f, "{ 0x%02x, %u, %u, 0x%08x },\n", s->code, s->jt,
			s->jf, s->k);
	}
	fclose(f);
	diag_text(buf, "  ");
	free(buf);
	fflush(stdout);
}

static void diag_packet(const uint8_t *pkt, uint32_t caplen, uint32_t wirelen)
{
	char line[16 * 3 + 1];

	tap_diag("  packet: caplen %u, wirelen %u (0x%x)", caplen, wirelen,
		 wirelen);
	for (uint32_t i = 0; i < caplen; i += 16) {
		size_t n = 0;

		for (uint32_t j = i; j < caplen && j < i + 16; j++)
			n += (size_t)snprintf(line + n, sizeof(line) - n, " %02x",
					      pkt[j]);
		tap_diag("  %04x:%s", i, line);
	}
}

/* The last lines of a verifier log. */
static void diag_log_tail(const char *log)
{
	const char *p;
	int lines = 0;

	if (!log || !*log)
		return;
	p = log + strlen(log);
	while (p > log && lines <= LOG_TAIL_LINES)
		if (*--p == '\n')
			lines++;
	tap_diag("  verifier log (last lines):");
	diag_text(p == log ? p : p + 1, "    ");
}

static void to_pcap(const struct sock_filter *insns, size_t len,
		    struct bpf_insn *out)
{
	for (size_t i = 0; i < len; i++) {
		out[i].code = insns[i].code;
		out[i].jt = insns[i].jt;
		out[i].jf = insns[i].jf;
		out[i].k = insns[i].k;
	}
}

/*
 * What the kernel must answer: libpcap's result want, or 0 where the
 * unrolled programs (bounded[0] giving up with 1, bounded[1] with 2)
 * give up.
 */
static uint32_t kernel_result(struct bpf_insn *const bounded[2], uint32_t want,
			      const uint8_t *pkt, uint32_t caplen,
			      uint32_t wirelen, struct totals *t, bool *ok)
{
	uint32_t b1, b2;

	if (!bounded)
		return want;
	b1 = bpf_filter(bounded[0], pkt, wirelen, caplen);
	b2 = bpf_filter(bounded[1], pkt, wirelen, caplen);
	if (b1 != b2) {
		t->gave_up++;
		return 0;
	}
	t->within_bound++;
	if (b1 != want) {
		t->unroll_differs++;
		*ok = false;
	}
	return want;
}

/* Compare one program on npkts random packets; false on any failure. */
static bool test_program(uint64_t index, struct cbpf_rng *r,
			 struct cbpf_gen_prog *g, uint32_t npkts,
			 uint32_t maxlen, struct totals *t,
			 struct cbpf_exec_stats *es)
{
	/* clear of the wire length at XDPCAP_FILTER_PROG_WIRELEN_OFF (-68) */
	static const int16_t scratch_offs[] = { 0, -132, -512 };
	static struct bpf_insn pinsns[CBPF_GEN_MAX_INSNS];
	static struct bpf_insn bounded1[CBPF_UNROLLED_MAX];
	static struct bpf_insn bounded2[CBPF_UNROLLED_MAX];
	struct bpf_insn *const bounded[2] = { bounded1, bounded2 };
	struct xdpcap_cbpf unrolled;
	uint32_t rounds = 0;
	uint64_t gave_up_before;
	static uint8_t pkt[MAX_PKT];
	struct xdpcap_cbpf prog = { .insns = g->insns, .len = g->len };
	XDPCAP_OPTS(xdpcap_ebpf_opts, opts,
		    .wirelen_off = XDPCAP_FILTER_PROG_WIRELEN_OFF);
	struct xdpcap_filter_prog *fp = NULL;
	struct xdpcap_ebpf ebpf;
	char errbuf[XDPCAP_ERRBUF_SIZE];
	bool print = t->printed < MAX_PRINTED_PROGS, ok = true;
	unsigned int printed_pkts = 0;
	char *log = NULL;
	double t0;
	int err;

	const bool copied = index % 4 == 3;

	/* scratch memory where the default puts it, or further down */
	opts.scratch_off = scratch_offs[index % 3];
	opts.buffer_size = copied ? xdpcap_filter_prog_max_caplen() : 0;
	to_pcap(g->insns, g->len, pinsns);
	if (!bpf_validate(pinsns, (int)g->len) ||
	    xdpcap_cbpf_check(&prog, errbuf) ||
	    !cbpf_scratch_written(g->insns, g->len)) {
		t->invalid++;
		if (print) {
			t->printed++;
			tap_diag("program %" PRIu64 " is not valid: bpf_validate %d, scratch written before read %d, %s",
				 index, bpf_validate(pinsns, (int)g->len),
				 cbpf_scratch_written(g->insns, g->len),
				 xdpcap_cbpf_check(&prog, errbuf) ? errbuf : "xdpcap_cbpf_check passes");
			diag_program(&prog);
		}
		return false;
	}
	err = 0;
	for (uint32_t give_up = 1; give_up <= 2 && !err; give_up++) {
		err = cbpf_unroll(&prog, give_up, &unrolled, &rounds, errbuf);
		if (!err) {
			to_pcap(unrolled.insns, unrolled.len, bounded[give_up - 1]);
			free(unrolled.insns);
		}
	}
	t->loops += rounds > 0;
	if (!err)
		err = xdpcap_cbpf_to_ebpf(&prog, &opts, &ebpf, errbuf);
	if (err) {
		t->errors++;
		if (print) {
			t->printed++;
			tap_diag("program %" PRIu64 ": xdpcap_cbpf_to_ebpf: %s",
				 index, errbuf);
			diag_program(&prog);
		}
		return false;
	}
	t0 = now_s();
	if (copied)
		err = xdpcap_filter_prog_load_copied(&ebpf, opts.buffer_size, &fp,
						     &log, errbuf);
	else
		err = xdpcap_filter_prog_load(&ebpf, &fp, &log, errbuf);
	t->load_s += now_s() - t0;
	t->copied += copied;
	if (err == -EPERM)
		tap_bail("%s", errbuf);
	if (err) {
		t->refused++;
		if (print) {
			t->printed++;
			tap_diag("program %" PRIu64 ": the verifier refused it%s: %s",
				 index, copied ? " (on a copy)" : "", errbuf);
			diag_program(&prog);
			diag_log_tail(log);
		}
		free(log);
		xdpcap_ebpf_free(&ebpf);
		return false;
	}

	t0 = now_s();
	gave_up_before = t->gave_up;
	for (uint32_t n = 0; n < npkts; n++) {
		uint32_t caplen, wirelen, want, expect, got;

		cbpf_gen_packet(r, g, pkt, maxlen, &caplen, &wirelen);
		want = bpf_filter(pinsns, pkt, wirelen, caplen);
		expect = kernel_result(rounds ? bounded : NULL, want, pkt,
				       caplen, wirelen, t, &ok);
		if (cbpf_ref_run(g->insns, pkt, wirelen, caplen, es) != want) {
			/* a fault of this test, not of the compiler */
			if (!t->tracer_differs++)
				tap_diag("program %" PRIu64 ": the reference interpreter disagrees with libpcap",
					 index);
			ok = false;
		}
		/* it gives up exactly where the loops go round too often */
		if (rounds && (t->gave_up > gave_up_before) !=
			      (es->last_backward_jumps > rounds)) {
			if (!t->bound_differs++)
				tap_diag("program %" PRIu64 ": %s after %" PRIu64 " backward jumps, bound %u",
					 index, t->gave_up > gave_up_before ?
					 "gave up" : "did not give up",
					 es->last_backward_jumps, rounds);
			ok = false;
		}
		gave_up_before = t->gave_up;
		err = xdpcap_filter_prog_run(fp, pkt, caplen, wirelen, &got);
		if (err) {
			t->errors++;
			ok = false;
			if (print && !printed_pkts++)
				tap_diag("program %" PRIu64 ": run: %s", index,
					 strerror(-err));
			continue;
		}
		t->pairs++;
		t->copied_pairs += copied;
		t->nonzero += want != 0;
		t->ret_all_ones += want == 0xffffffffu;
		t->ret_other += want != 0 && want != 0xffffffffu;
		if (expect == got)
			continue;
		t->mismatches++;
		ok = false;
		if (!print || printed_pkts >= MAX_PRINTED_PKTS)
			continue;
		if (!printed_pkts++) {
			tap_diag("program %" PRIu64 ": results differ (scratch_off %d%s)",
				 index, opts.scratch_off, copied ? ", on a copy" : "");
			diag_program(&prog);
		}
		tap_diag("  libpcap 0x%08x (%u), expected 0x%08x, xdpcap 0x%08x (%u)",
			 want, want, expect, got, got);
		diag_packet(pkt, caplen, wirelen);
	}
	t->run_s += now_s() - t0;
	if (printed_pkts)
		t->printed++;
	xdpcap_filter_prog_close(fp);
	xdpcap_ebpf_free(&ebpf);
	return ok;
}

/* Loads that can fail: from the packet */
static bool is_packet_load(unsigned int code)
{
	return (BPF_CLASS(code) == BPF_LD &&
		(BPF_MODE(code) == BPF_ABS || BPF_MODE(code) == BPF_IND)) ||
	       code == (BPF_LDX | BPF_MSH | BPF_B);
}

static void report_coverage(const struct cbpf_gen_stats *st,
			    const struct cbpf_exec_stats *es, bool check)
{
	unsigned int missing_ops = 0, missing_features = 0, unexercised = 0;

	tap_diag("opcode histogram (%" PRIu64 " instructions in %" PRIu64 " programs):",
		 st->insns, st->programs);
	tap_diag("  code name                generated    %%      executed   ended run  cond true/X>=32");
	for (unsigned int code = 0; code < 256; code++) {
		const char *name = cbpf_gen_opcode_name((uint16_t)code);
		bool can_fail = is_packet_load(code), cond = false;

		if (!strcmp(name, "?"))
			continue;
		if (BPF_CLASS(code) == BPF_ALU && BPF_SRC(code) == BPF_X &&
		    (BPF_OP(code) == BPF_DIV || BPF_OP(code) == BPF_MOD))
			can_fail = true;
		if ((BPF_CLASS(code) == BPF_JMP && BPF_OP(code) != BPF_JA) ||
		    (BPF_CLASS(code) == BPF_ALU && BPF_SRC(code) == BPF_X &&
		     (BPF_OP(code) == BPF_LSH || BPF_OP(code) == BPF_RSH)))
			cond = true;
		tap_diag("  0x%02x %-18s %9" PRIu64 " %5.2f%% %12" PRIu64 " %11" PRIu64 " %11" PRIu64,
			 code, name, st->opcode[code],
			 100.0 * (double)st->opcode[code] / (double)st->insns,
			 es->executed[code], es->failed[code], es->special[code]);
		missing_ops += !st->opcode[code];
		/* each way through an instruction must have been taken */
		unexercised += !es->executed[code];
		if (can_fail)
			unexercised += !es->failed[code] ||
				       es->failed[code] == es->executed[code];
		if (cond)
			unexercised += !es->special[code] ||
				       es->special[code] == es->executed[code];
	}
	tap_diag("generator features:");
	for (int f = 0; f < CBPF_FEAT__COUNT; f++) {
		tap_diag("  %-48s %9" PRIu64,
			 cbpf_gen_feature_name((enum cbpf_gen_feature)f),
			 st->feature[f]);
		missing_features += !st->feature[f];
	}
	if (!check)
		return;
	tap_ok(!missing_ops, "every cBPF opcode was generated (%u missing)",
	       missing_ops);
	tap_ok(!missing_features, "every generator feature was used (%u missing)",
	       missing_features);
	tap_ok(!unexercised, "every opcode ran, every load both in and out of the packet, every condition both ways (%u gaps)",
	       unexercised);
}

int main(void)
{
	uint64_t seed = env_u64("XDPCAP_SEED", DEFAULT_SEED);
	uint64_t nprogs = env_u64("XDPCAP_RANDOM_PROGRAMS", DEFAULT_PROGRAMS);
	uint64_t base = env_u64("XDPCAP_RANDOM_FIRST", 0);
	uint32_t npkts = (uint32_t)env_u64("XDPCAP_RANDOM_PACKETS", DEFAULT_PACKETS);
	static struct cbpf_gen_stats stats;
	static struct cbpf_exec_stats exec;
	static struct cbpf_gen_prog g;
	struct totals t = { 0 };
	uint32_t maxlen = xdpcap_filter_prog_max_caplen();
	double start = now_s(), elapsed, nz_pct;
	bool full;

	tap_require_root();
	if (maxlen > MAX_PKT)
		maxlen = MAX_PKT;
	tap_diag("seed 0x%" PRIx64 " (set XDPCAP_SEED to change), %" PRIu64
		 " programs x %u packets, packets up to %u bytes",
		 seed, nprogs, npkts, maxlen);

	for (uint64_t first = base; first < base + nprogs; first += BATCH) {
		uint64_t last = first + BATCH < base + nprogs ? first + BATCH :
							       base + nprogs;
		struct totals before = t;
		unsigned int failed = 0;

		for (uint64_t i = first; i < last; i++) {
			struct cbpf_rng r;

			/* each program has its own stream: seed and index */
			cbpf_rng_seed(&r, seed ^ (i * 0xd1342543de82ef95ull));
			cbpf_rng_next(&r);
			/* now and then a program up to the cBPF maximum */
			cbpf_gen_program(&r, &g, i % HUGE_EVERY == HUGE_EVERY - 1 ?
					 cbpf_rng_range(&r, 401, CBPF_GEN_MAX_INSNS) : 0,
					 &stats);
			failed += !test_program(i, &r, &g, npkts, maxlen, &t,
						&exec);
		}
		tap_ok(!failed,
		       "programs %" PRIu64 "..%" PRIu64 ": %" PRIu64
		       " pairs compared, %" PRIu64 " mismatches, %" PRIu64
		       " refused, %" PRIu64 " invalid, %" PRIu64 " errors",
		       first, last - 1, t.pairs - before.pairs,
		       t.mismatches - before.mismatches,
		       t.refused - before.refused, t.invalid - before.invalid,
		       t.errors - before.errors);
	}
	elapsed = now_s() - start;

	/* a short run (to make one program again) checks only results */
	full = nprogs * npkts >= MIN_PAIRS;
	report_coverage(&stats, &exec, full);
	nz_pct = t.pairs ? 100.0 * (double)t.nonzero / (double)t.pairs : 0;
	tap_diag("results: %" PRIu64 " zero, %" PRIu64 " 0xffffffff, %" PRIu64
		 " other non-zero",
		 t.pairs - t.nonzero, t.ret_all_ones, t.ret_other);
	if (full) {
		tap_ok(t.pairs >= MIN_PAIRS,
		       "%" PRIu64 " (program, packet) pairs compared (want >= %d)",
		       t.pairs, MIN_PAIRS);
		tap_ok(t.copied * 5 >= nprogs && t.copied_pairs * 5 >= t.pairs,
		       "%" PRIu64 " programs and %" PRIu64 " pairs on a copy of the packet",
		       t.copied, t.copied_pairs);
		tap_ok(nz_pct > MIN_NONZERO_PCT,
		       "%.1f%% of pairs give a non-zero result (want > %.0f%%)",
		       nz_pct, MIN_NONZERO_PCT);
	} else {
		tap_diag("a short run: no checks of size, coverage and non-zero results (%.1f%%)",
			 nz_pct);
	}
	tap_diag("loops: %" PRIu64 " programs; %" PRIu64 " runs within the bound, %" PRIu64 " past it",
		 t.loops, t.within_bound, t.gave_up);
	if (full)
		tap_ok(t.loops && t.within_bound && t.gave_up && !t.unroll_differs &&
		       !t.bound_differs,
		       "unrolled loops: libpcap's result on %" PRIu64 " runs within the bound (%" PRIu64 " differ), %" PRIu64 " runs past it, each exactly where the reference interpreter counts more backward jumps than the bound (%" PRIu64 " not)",
		       t.within_bound, t.unroll_differs, t.gave_up, t.bound_differs);
	tap_ok(!t.mismatches && !t.refused && !t.invalid && !t.errors &&
	       !t.tracer_differs && !t.unroll_differs && !t.bound_differs,
	       "%" PRIu64 " mismatches, %" PRIu64 " verifier refusals, %" PRIu64
	       " invalid programs, %" PRIu64 " errors, %" PRIu64
	       " reference interpreter disagreements",
	       t.mismatches, t.refused, t.invalid, t.errors, t.tracer_differs);
	tap_diag("%.1f s: %.1f s loading programs, %.1f s running packets; %.0f pairs/s",
		 elapsed, t.load_s, t.run_s,
		 elapsed > 0 ? (double)t.pairs / elapsed : 0.0);
	return tap_done();
}
