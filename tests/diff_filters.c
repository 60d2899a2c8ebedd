// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * Differential test of the filter compiler on real filters: every filter
 * of tests/data/filters.txt, run on every packet of the generated corpus,
 * must give in the kernel exactly the value libpcap's interpreter gives.
 * Both outputs of the compiler are checked: the eBPF (through the
 * verifier and BPF_PROG_TEST_RUN) and the C (through clang, then the
 * same).
 *
 * Each filter's eBPF also runs on a copy of the packet, as traced
 * captures read it; XDPCAP_COPY_FILTERS=straight does that only for
 * filters without loops, and XDPCAP_COPY_EVERY=N for every Nth of them.
 *
 * clang's object may come from XDPCAP_C_CACHE, a directory where an
 * earlier run kept the C it compiled and the object: it is used when
 * the C is byte for byte the same (the guest kernels' tests run the
 * host's clang, which takes minutes there under emulation). With
 * XDPCAP_C_CACHE_FILL set, the run only compiles the C into the cache.
 *
 * Filters with loops (protochain) are unrolled by the compiler to a
 * bound. libpcap's interpreter also runs the unrolled program, built here
 * to give up with a value no filter returns: where it does not give up
 * it must equal libpcap on the original program, and where it gives up
 * the kernel must say "no match", as documented.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <pcap.h>

#include "xdpcap/filter.h"
#include "xdpcap/filter_prog.h"
#include "../lib/filter/cbpf.h"
#include "bpf_object.h"
#include "corpus.h"
#include "tap.h"

/* what the unrolled program returns where it stops following a loop */
#define GIVE_UP 0xfffffff1u

struct compiled {
	struct xdpcap_cbpf cbpf;
	uint32_t *expected;	  /* libpcap's result for each packet */
	uint32_t *in_kernel;	  /* what the kernel must return */
	size_t matched;
	uint32_t rounds;	  /* loop bound, 0 without loops */
	size_t gave_up;		  /* packets past it */
	bool unroll_exact;	  /* unrolled = original below the bound */
};

static struct packet_corpus packets;
static struct filter_corpus filters;
static struct compiled *compiled;

/* The same program as libpcap's instruction type. */
static struct bpf_insn *as_libpcap(const struct xdpcap_cbpf *prog)
{
	struct bpf_insn *o = calloc(prog->len, sizeof(*o));

	if (!o)
		tap_bail("out of memory");
	for (size_t i = 0; i < prog->len; i++) {
		o[i].code = prog->insns[i].code;
		o[i].jt = prog->insns[i].jt;
		o[i].jf = prog->insns[i].jf;
		o[i].k = prog->insns[i].k;
	}
	return o;
}

static void oracle_results(struct compiled *c)
{
	struct bpf_insn *oracle = as_libpcap(&c->cbpf), *bounded = NULL;
	char errbuf[XDPCAP_ERRBUF_SIZE];
	struct xdpcap_cbpf unrolled;

	c->expected = calloc(packets.count, sizeof(*c->expected));
	c->in_kernel = calloc(packets.count, sizeof(*c->in_kernel));
	if (!c->expected || !c->in_kernel)
		tap_bail("out of memory");
	if (cbpf_unroll(&c->cbpf, GIVE_UP, &unrolled, &c->rounds, errbuf))
		tap_bail("unroll: %s", errbuf);
	if (c->rounds)
		bounded = as_libpcap(&unrolled);
	c->unroll_exact = true;
	for (size_t p = 0; p < packets.count; p++) {
		const struct test_packet *t = &packets.pkts[p];
		uint32_t b;

		c->expected[p] = bpf_filter(oracle, t->data, t->wirelen,
					    t->caplen);
		c->in_kernel[p] = c->expected[p];
		c->matched += c->expected[p] != 0;
		if (!bounded)
			continue;
		b = bpf_filter(bounded, t->data, t->wirelen, t->caplen);
		if (b == GIVE_UP) {
			c->in_kernel[p] = 0;
			c->gave_up++;
		} else if (b != c->expected[p]) {
			tap_diag("unrolled: packet %zu: %u, libpcap %u", p + 1,
				 b, c->expected[p]);
			c->unroll_exact = false;
		}
	}
	free(oracle);
	free(bounded);
	free(unrolled.insns);
}

/* Run every packet; on the first difference describe it and fail. */
static bool same_as_libpcap(struct xdpcap_filter_prog *prog,
			    const struct compiled *c, const char *what)
{
	for (size_t p = 0; p < packets.count; p++) {
		const struct test_packet *t = &packets.pkts[p];
		uint32_t got;
		int err;

		err = xdpcap_filter_prog_run(prog, t->data, t->caplen,
					     t->wirelen, &got);
		if (err) {
			tap_diag("%s: test run of packet %zu failed: %s", what,
				 p + 1, strerror(-err));
			return false;
		}
		if (got != c->in_kernel[p]) {
			tap_diag("%s: packet %zu (caplen %u, wirelen %u): kernel %u, expected %u (libpcap %u)",
				 what, p + 1, t->caplen, t->wirelen, got,
				 c->in_kernel[p], c->expected[p]);
			return false;
		}
	}
	return true;
}

/*
 * The eBPF, reading the packet in place, or (copied) a copy of it in a
 * map value, as a capture by tracing reads it: the copy holds every
 * packet a test run can take, so the result is libpcap's either way.
 */
/* filters run on a copy shorter than the packets (their reach) */
static size_t partial_copies;

static void check_ebpf(size_t f, bool copied)
{
	XDPCAP_OPTS(xdpcap_ebpf_opts, opts,
		.wirelen_off = XDPCAP_FILTER_PROG_WIRELEN_OFF,
		.buffer_size = copied ? xdpcap_filter_prog_max_caplen() : 0);
	const char *what = copied ? "eBPF on a copy" : "eBPF";
	char errbuf[XDPCAP_ERRBUF_SIZE], reach[48] = "";
	struct compiled *c = &compiled[f];
	struct xdpcap_filter_prog *prog;
	struct xdpcap_ebpf ebpf;
	char *log = NULL;
	int err;
	bool ok;

	if (xdpcap_cbpf_to_ebpf(&c->cbpf, &opts, &ebpf, errbuf)) {
		tap_ok(false, "%s '%s': %s", what, filters.exprs[f], errbuf);
		return;
	}
	if (copied)
		err = xdpcap_filter_prog_load_copied(&ebpf, opts.buffer_size, &prog,
						     &log, errbuf);
	else
		err = xdpcap_filter_prog_load(&ebpf, &prog, &log, errbuf);
	if (err) {
		tap_ok(false, "%s '%s': %s", what, filters.exprs[f], errbuf);
		if (log)
			fprintf(stdout, "%s", log);
		free(log);
		xdpcap_ebpf_free(&ebpf);
		return;
	}
	ok = same_as_libpcap(prog, c, filters.exprs[f]);
	/* a copy holds only what the filter may read, as a capture's */
	if (copied && ebpf.reach < opts.buffer_size) {
		snprintf(reach, sizeof(reach), ", a copy of %u bytes", ebpf.reach);
		partial_copies++;
	}
	if (c->rounds)
		tap_ok(ok, "%s '%s': %zu packets as libpcap (%zu match), %zu past %u rounds, %zu insns, %u checks%s",
		       what, filters.exprs[f], packets.count, c->matched, c->gave_up,
		       c->rounds, ebpf.len, ebpf.bounds_checks, reach);
	else
		tap_ok(ok, "%s '%s': %zu packets as libpcap (%zu match), %zu insns, %u checks%s",
		       what, filters.exprs[f], packets.count, c->matched, ebpf.len,
		       ebpf.bounds_checks, reach);
	xdpcap_filter_prog_close(prog);
	xdpcap_ebpf_free(&ebpf);
}

static bool write_c_file(const char *path)
{
	char errbuf[XDPCAP_ERRBUF_SIZE];
	FILE *out = fopen(path, "w");

	if (!out)
		return false;
	fprintf(out, "#include \"c_filter_harness.h\"\n\n");
	for (size_t f = 0; f < filters.count; f++) {
		char name[32];

		fprintf(out, "/* %s */\n", filters.exprs[f]);
		snprintf(name, sizeof(name), "filter_%zu", f);
		if (xdpcap_cbpf_to_c(out, &compiled[f].cbpf, name, errbuf)) {
			fclose(out);
			tap_diag("C for '%s': %s", filters.exprs[f], errbuf);
			return false;
		}
		fprintf(out, "XDPCAP_C_FILTER_PROG(prog_%zu, filter_%zu)\n\n", f, f);
	}
	return fclose(out) == 0;
}

/*
 * Compile src into obj with clang, or take the object from cache (may be
 * NULL) if src is the C it was made from; keep both there otherwise (a
 * read-only cache stays as it is).
 */
static bool compile_c(const char *src, const char *obj, const char *cache)
{
	const char *clang = getenv("BPF_CLANG");
	const char *top = getenv("TOP_SRCDIR");
	char cmd[4096];

	if (!clang || !*clang || !strcmp(clang, "no"))
		clang = "clang";
	if (cache) {
		snprintf(cmd, sizeof(cmd),
			 "cmp -s %s %s/filters.bpf.c && cp %s/filters.bpf.o %s",
			 src, cache, cache, obj);
		if (!system(cmd)) {
			tap_diag("clang's object taken from %s: the same C", cache);
			return true;
		}
	}
	snprintf(cmd, sizeof(cmd),
		 "%s -O2 -Wall -Werror -target bpf -I/usr/include/x86_64-linux-gnu -I%s/tests/bpf -c %s -o %s",
		 clang, top && *top ? top : ".", src, obj);
	if (system(cmd))
		return false;
	if (cache) {
		/* the object first: a C file there always has its object */
		snprintf(cmd, sizeof(cmd),
			 "cp %s %s/filters.bpf.o.new && mv %s/filters.bpf.o.new %s/filters.bpf.o && "
			 "cp %s %s/filters.bpf.c.new && mv %s/filters.bpf.c.new %s/filters.bpf.c",
			 obj, cache, cache, cache, src, cache, cache, cache);
		if (system(cmd))
			tap_diag("could not keep the object in %s", cache);
	}
	return true;
}

static void check_c(const char *tmpdir)
{
	const char *cache = getenv("XDPCAP_C_CACHE");
	char src[512], obj[512], buf[512];
	struct test_object *o;

	if (cache && !*cache)
		cache = NULL;
	snprintf(src, sizeof(src), "%s/filters.bpf.c", tmpdir);
	snprintf(obj, sizeof(obj), "%s/filters.bpf.o", tmpdir);
	if (!tap_ok(write_c_file(src), "C output of %zu filters written",
		    filters.count))
		return;
	if (!tap_ok(compile_c(src, obj, cache), "clang -target bpf compiles the C of every filter"))
		return;
	if (getenv("XDPCAP_C_CACHE_FILL"))
		return;
	o = test_object_load(obj);
	if (!tap_ok(o != NULL, "the kernel accepts every C-built filter program"))
		return;
	for (size_t f = 0; f < filters.count; f++) {
		struct xdpcap_filter_prog *prog;
		char errbuf[XDPCAP_ERRBUF_SIZE];
		int fd;

		snprintf(buf, sizeof(buf), "prog_%zu", f);
		fd = test_object_prog_fd(o, buf);
		if (fd < 0 || xdpcap_filter_prog_from_fd(fd, &prog, errbuf)) {
			tap_ok(false, "C '%s': program not found", filters.exprs[f]);
			continue;
		}
		tap_ok(same_as_libpcap(prog, &compiled[f], filters.exprs[f]),
		       "C '%s': %zu packets as libpcap", filters.exprs[f],
		       packets.count);
		xdpcap_filter_prog_close(prog);
	}
	test_object_close(o);
}

int main(void)
{
	char pbuf[512], fbuf[512], tmpdir[] = "/tmp/xdpcap-diff.XXXXXX";
	size_t any_match = 0, total_matches = 0, loops = 0, gave_up = 0;
	bool unroll_exact = true, fill_only = getenv("XDPCAP_C_CACHE_FILL");
	const char *copy_filters = getenv("XDPCAP_COPY_FILTERS");
	bool copy_straight_only = copy_filters && !strcmp(copy_filters, "straight");
	size_t copy_skipped = 0, copy_every = 1;

	if (getenv("XDPCAP_COPY_EVERY") && atoi(getenv("XDPCAP_COPY_EVERY")) > 0)
		copy_every = (size_t)atoi(getenv("XDPCAP_COPY_EVERY"));

	tap_require_root();
	packet_corpus_load(&packets, test_path("CORPUS", "tests/data/corpus.pcap",
						pbuf, sizeof(pbuf)));
	filter_corpus_load(&filters, test_path("FILTERS", "tests/data/filters.txt",
					       fbuf, sizeof(fbuf)));
	tap_diag("%zu filters x %zu packets", filters.count, packets.count);
	compiled = calloc(filters.count, sizeof(*compiled));
	if (!compiled)
		tap_bail("out of memory");

	for (size_t f = 0; f < filters.count; f++) {
		char errbuf[XDPCAP_ERRBUF_SIZE];

		if (xdpcap_cbpf_from_expr(filters.exprs[f], DLT_EN10MB, 262144,
					  &compiled[f].cbpf, errbuf))
			tap_bail("libpcap rejects corpus filter '%s': %s",
				 filters.exprs[f], errbuf);
		if (fill_only)
			continue;
		oracle_results(&compiled[f]);
		any_match += compiled[f].matched > 0;
		total_matches += compiled[f].matched;
		loops += compiled[f].rounds > 0;
		gave_up += compiled[f].gave_up;
		unroll_exact &= compiled[f].unroll_exact;
		if (compiled[f].rounds != (uint32_t)xdpcap_cbpf_loop_rounds(&compiled[f].cbpf))
			tap_bail("'%s': the library's loop bound differs", filters.exprs[f]);
	}
	if (fill_only)
		goto c_only;
	/* loops: exact up to the bound, and the corpus goes past it */
	tap_ok(unroll_exact && loops > 0 && gave_up > 0,
	       "%zu filters with loops, unrolled: libpcap's result on every packet within the bound, %zu packets past it",
	       loops, gave_up);
	/* a corpus where nothing matches would prove nothing */
	tap_ok(any_match * 10 >= filters.count * 8,
	       "%zu of %zu filters match some packet (%zu matches in all)",
	       any_match, filters.count, total_matches);

	for (size_t f = 0; f < filters.count; f++)
		check_ebpf(f, false);
	/*
	 * On a copy, filters with loops take 5.10's verifier past its limit
	 * (minutes each under emulation): XDPCAP_COPY_FILTERS=straight
	 * leaves them to the kernels that take them.
	 */
	for (size_t f = 0, straight = 0; f < filters.count; f++) {
		if (compiled[f].rounds && copy_straight_only) {
			copy_skipped++;
			continue;
		}
		/* XDPCAP_COPY_EVERY=N: every Nth such filter (for time) */
		if (straight++ % copy_every) {
			copy_skipped++;
			continue;
		}
		check_ebpf(f, true);
	}
	tap_diag("on a copy: %zu filters read a copy of only the bytes they may read",
		 partial_copies);
	if (copy_skipped)
		tap_diag("on a copy: %zu filters left out (XDPCAP_COPY_FILTERS=%s, XDPCAP_COPY_EVERY=%zu)",
			 copy_skipped, copy_filters ? copy_filters : "all", copy_every);

c_only:
	if (!mkdtemp(tmpdir))
		tap_bail("mkdtemp: %s", strerror(errno));
	check_c(tmpdir);
	if (!getenv("XDPCAP_KEEP_TMP")) {
		char cmd[600];

		snprintf(cmd, sizeof(cmd), "rm -rf %s", tmpdir);
		if (system(cmd))
			tap_diag("could not remove %s", tmpdir);
	}

	for (size_t f = 0; f < filters.count; f++) {
		xdpcap_cbpf_free(&compiled[f].cbpf);
		free(compiled[f].expected);
		free(compiled[f].in_kernel);
	}
	free(compiled);
	filter_corpus_free(&filters);
	packet_corpus_free(&packets);
	return tap_done();
}
