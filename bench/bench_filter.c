// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * Filter benchmark: xdpcap's eBPF against libpcap's interpreter.
 *
 * Every filter of the filter corpus is compiled for the link type of the
 * packet corpus and measured on the same fixed sample of its packets
 * (--packets of those a test run takes, evenly spaced in the file):
 *
 *   eBPF   the fragment loaded as a stand-alone XDP program and run in the
 *          kernel with BPF_PROG_TEST_RUN: xdpcap_filter_prog_time() gives
 *          the mean ns of one run over --repeat runs. The same measurement
 *          of the "empty" program (same prologue, returns 0) on the same
 *          packet, taken right before or after, is subtracted, so what is
 *          left is the cost of the filter alone. Each packet is measured
 *          --rounds times, each round on fresh copies of both programs and
 *          alternating which runs first; the packet's cost is the mean of
 *          the middle half of the rounds. A cost under --floor ns (the
 *          filter cannot be told from the empty program) is clamped to
 *          --floor.
 *   pcap   pcap_offline_filter() on the same packet: --pcap-repeat calls
 *          timed with clock_gettime(CLOCK_MONOTONIC), --rounds times, the
 *          mean of the middle half. Nothing is subtracted: the call is
 *          what using the interpreter costs.
 *
 * A filter's eBPF and pcap costs are the medians over the packets, and its
 * speed-up is pcap / eBPF. The summary gives medians over the filters and
 * the geometric mean of the speed-ups. Everything runs on one CPU
 * (sched_setaffinity). Every sampled packet's verdict is also checked
 * against libpcap's.
 *
 * Resolution: the kernel reports whole ns, and the filters of the corpus
 * mostly cost 1 to 5 ns on top of a run of some 16 ns, so a single
 * filter's number moves by a few tenths of a ns from run to run; the
 * figures over the whole corpus are steadier.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <math.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/utsname.h>
#include <pcap.h>

#include "xdpcap/filter.h"
#include "common.h"
#include "xdpcap/filter_prog.h"

#define DEFAULT_FILTERS "tests/data/filters.txt"
#define DEFAULT_PCAP "tests/data/corpus.pcap"
#define DEFAULT_REPEAT 3000
#define DEFAULT_PCAP_REPEAT 2000
#define DEFAULT_ROUNDS 8
#define DEFAULT_PACKETS 64
#define DEFAULT_FLOOR_NS 0.5
#define MIN_CAPLEN 14
#define LONGEST_ROWS 3

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/*
 * The table's rows (unless --all): these filters, when the corpus has them,
 * in this order, then the LONGEST_ROWS filters with the most eBPF
 * instructions.
 */
static const char *const table_exprs[] = {
	"ip",
	"ip6",
	"arp",
	"tcp",
	"tcp or udp",
	"host 192.0.2.1",
	"host 2001:db8::1",
	"net 192.0.2.0/24",
	"ether host 00:00:5e:00:53:01",
	"ether broadcast",
	"tcp port 80",
	"port 53",
	"ip6 and tcp port 443",
	"portrange 1000-2000",
	"vlan and tcp",
	"vlan and vlan 20 and ip6 and udp port 53",
	"pppoes and tcp port 80",
	"greater 1000",
	"ip[6:2] & 0x1fff != 0",
	"tcp[tcpflags] & (tcp-syn|tcp-ack) == tcp-syn",
	"tcp[((tcp[12] & 0xf0) >> 2):4] = 0x47455420",
	"icmp6[icmp6type] == icmp6-echo",
	"len % (ip[9] - 17) == 0",
	"7 / 2 = 3",
};

struct config {
	const char *filters_path;
	const char *pcap_path;
	const char *csv_path;
	uint32_t repeat;
	uint32_t pcap_repeat;
	unsigned int rounds;
	unsigned int packets;
	size_t max_filters;
	double floor_ns;
	int cpu;
	bool markdown;
	bool all_rows;
	bool expedite_rcu;
};

struct packet {
	uint8_t *data;
	uint32_t caplen, wirelen;
};

struct result {
	const char *expr;
	bool ok;
	char *error;
	size_t cbpf_len, ebpf_len;
	unsigned int bounds;
	double ebpf_ns;  /* median over packets, after subtraction */
	double pcap_ns;  /* median over packets */
	double empty_ns; /* median over packets */
	double ratio;    /* pcap_ns / ebpf_ns */
	unsigned int packets;  /* packets measured */
	unsigned int clamped;  /* packets at the floor */
	unsigned int matched;  /* packets the filter accepts */
	unsigned int mismatch; /* packets where eBPF and libpcap disagree */
};

static volatile unsigned int sink;

static void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

static void die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("bench_filter: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	exit(1);
}

static void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);

	if (!p)
		die("out of memory");
	return p;
}

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* Median of n values; sorts them. */
static double median(double *v, size_t n)
{
	if (!n)
		return NAN;
	qsort(v, n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static double geomean(const double *v, size_t n)
{
	double s = 0;

	if (!n)
		return NAN;
	for (size_t i = 0; i < n; i++)
		s += log(v[i]);
	return exp(s / (double)n);
}

/* --- inputs ---------------------------------------------------------------- */

/*
 * The packets of the corpus that a test run takes (MIN_CAPLEN to max_caplen
 * bytes), then want of them at evenly spaced positions: the same packets
 * for every filter and every run.
 */
static struct packet *load_packets(const char *path, unsigned int want,
				   uint32_t max_caplen, size_t *count,
				   size_t *total, size_t *eligible,
				   int *linktype, uint32_t *snaplen)
{
	char errbuf[PCAP_ERRBUF_SIZE];
	struct packet *all = NULL, *pick;
	struct pcap_pkthdr *hdr;
	const u_char *data;
	size_t n = 0, cap = 0;
	pcap_t *p;

	p = pcap_open_offline(path, errbuf);
	if (!p)
		die("%s", errbuf);
	*linktype = pcap_datalink(p);
	*snaplen = (uint32_t)pcap_snapshot(p);
	*total = 0;
	while (pcap_next_ex(p, &hdr, &data) == 1) {
		++*total;
		if (hdr->caplen < MIN_CAPLEN || hdr->caplen > max_caplen)
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 1024;
			all = realloc(all, cap * sizeof(*all));
			if (!all)
				die("out of memory");
		}
		all[n].caplen = hdr->caplen;
		all[n].wirelen = hdr->len;
		all[n].data = xcalloc(1, hdr->caplen);
		memcpy(all[n].data, data, hdr->caplen);
		n++;
	}
	pcap_close(p);
	*eligible = n;
	if (!n)
		die("%s has no packets of %d to %u bytes", path, MIN_CAPLEN,
		    max_caplen);
	if (want > n)
		want = (unsigned int)n;
	pick = xcalloc(want, sizeof(*pick));
	for (size_t i = 0, j = 0; i < n; i++) {
		/* packet i is taken when it is the middle of its stretch */
		if (j < want && i == (2 * j + 1) * n / (2 * (size_t)want))
			pick[j++] = all[i];
		else
			free(all[i].data);
	}
	free(all);
	*count = want;
	return pick;
}

/* --- measuring ------------------------------------------------------------- */

static double kernel_time(struct xdpcap_filter_prog *prog,
			  const struct packet *pkt, uint32_t repeat)
{
	uint32_t ns;
	int err;

	err = xdpcap_filter_prog_time(prog, pkt->data, pkt->caplen,
				      pkt->wirelen, repeat, &ns);
	if (err)
		die("BPF_PROG_TEST_RUN failed: %s", strerror(-err));
	return ns;
}

static double pcap_time(const struct bpf_program *bp,
			const struct pcap_pkthdr *hdr, const u_char *data,
			uint32_t repeat)
{
	unsigned int acc = 0;
	double t0, t1;

	/* untimed: a kernel run just before may have cooled the caches */
	for (uint32_t i = 0; i < repeat / 16; i++)
		acc += (unsigned int)pcap_offline_filter(bp, hdr, data);
	t0 = now_ns();
	for (uint32_t i = 0; i < repeat; i++)
		acc += (unsigned int)pcap_offline_filter(bp, hdr, data);
	t1 = now_ns();
	sink += acc;
	return (t1 - t0) / repeat;
}

/*
 * The mean of the middle half of n values (sorts them): a per-packet
 * cost that keeps the sub-ns information of several whole-ns readings
 * but not the odd reading a host interrupt or a steal of the CPU spoilt.
 */
static double trimmed_mean(double *v, size_t n)
{
	size_t cut = n / 4;
	double s = 0;

	qsort(v, n, sizeof(*v), cmp_double);
	for (size_t i = cut; i < n - cut; i++)
		s += v[i];
	return s / (double)(n - 2 * cut);
}

static void close_progs(struct xdpcap_filter_prog **progs, unsigned int n)
{
	for (unsigned int k = 0; k < n; k++)
		xdpcap_filter_prog_close(progs[k]);
}

/*
 * Measure one filter. Each round runs on its own copy of the filter
 * program and of the empty program: where the JIT places a program moves
 * its cost by up to a ns or so, as much as many filters cost, so the
 * rounds average over placements rather than repeat one.
 */
static void bench_one(const struct config *cfg, struct result *r,
		      const struct packet *pkts, size_t npkts, int linktype,
		      uint32_t snaplen, double *empty_all)
{
	XDPCAP_OPTS(xdpcap_ebpf_opts, eopts,
		.wirelen_off = XDPCAP_FILTER_PROG_WIRELEN_OFF);
	unsigned int rounds = cfg->rounds;
	char errbuf[XDPCAP_ERRBUF_SIZE];
	struct xdpcap_filter_prog **progs, **empties;
	struct xdpcap_cbpf cbpf = { 0 };
	struct xdpcap_ebpf ebpf = { 0 };
	struct bpf_program bp = { 0 };
	double *eb, *pc, *em, *d, *u, *e;
	int err;

	progs = xcalloc(rounds, sizeof(*progs));
	empties = xcalloc(rounds, sizeof(*empties));
	err = xdpcap_cbpf_from_expr(r->expr, linktype, snaplen, &cbpf, errbuf);
	if (!err)
		err = xdpcap_cbpf_to_ebpf(&cbpf, &eopts, &ebpf, errbuf);
	for (unsigned int k = 0; !err && k < rounds; k++) {
		err = xdpcap_filter_prog_load(&ebpf, &progs[k], NULL, errbuf);
		if (!err)
			err = xdpcap_filter_prog_load(NULL, &empties[k], NULL,
						      errbuf);
	}
	if (err) {
		r->error = strdup(errbuf);
		goto out;
	}
	r->cbpf_len = cbpf.len;
	r->ebpf_len = ebpf.len;
	r->bounds = ebpf.bounds_checks;

	/* libpcap's own instruction type, filled field by field */
	bp.bf_len = (u_int)cbpf.len;
	bp.bf_insns = xcalloc(cbpf.len, sizeof(*bp.bf_insns));
	for (size_t i = 0; i < cbpf.len; i++) {
		bp.bf_insns[i].code = cbpf.insns[i].code;
		bp.bf_insns[i].jt = cbpf.insns[i].jt;
		bp.bf_insns[i].jf = cbpf.insns[i].jf;
		bp.bf_insns[i].k = cbpf.insns[i].k;
	}

	eb = xcalloc(npkts, sizeof(*eb));
	pc = xcalloc(npkts, sizeof(*pc));
	em = xcalloc(npkts, sizeof(*em));
	d = xcalloc(rounds, sizeof(*d));
	u = xcalloc(rounds, sizeof(*u));
	e = xcalloc(rounds, sizeof(*e));
	for (size_t i = 0; i < npkts; i++) {
		const struct packet *pkt = &pkts[i];
		struct pcap_pkthdr hdr = { .caplen = pkt->caplen,
					   .len = pkt->wirelen };
		uint32_t kres, pres;
		double net;

		/* the verdicts must agree; this also warms both paths up */
		pres = (uint32_t)pcap_offline_filter(&bp, &hdr, pkt->data);
		for (unsigned int k = 0; k < rounds; k++) {
			err = xdpcap_filter_prog_run(progs[k], pkt->data,
						     pkt->caplen, pkt->wirelen,
						     &kres);
			if (err)
				die("BPF_PROG_TEST_RUN failed: %s",
				    strerror(-err));
			if (kres != pres) {
				r->mismatch++;
				break;
			}
		}
		if (pres)
			r->matched++;

		for (unsigned int k = 0; k < rounds; k++) {
			double tf, te;

			/* alternate which of the two goes first */
			if (k % 2) {
				tf = kernel_time(progs[k], pkt, cfg->repeat);
				te = kernel_time(empties[k], pkt, cfg->repeat);
			} else {
				te = kernel_time(empties[k], pkt, cfg->repeat);
				tf = kernel_time(progs[k], pkt, cfg->repeat);
			}
			d[k] = tf - te;
			e[k] = te;
			u[k] = pcap_time(&bp, &hdr, pkt->data, cfg->pcap_repeat);
		}
		net = trimmed_mean(d, rounds);
		if (net < cfg->floor_ns) {
			net = cfg->floor_ns;
			r->clamped++;
		}
		eb[i] = net;
		pc[i] = trimmed_mean(u, rounds);
		em[i] = trimmed_mean(e, rounds);
		empty_all[i] = em[i];
	}
	r->packets = (unsigned int)npkts;
	r->ebpf_ns = median(eb, npkts);
	r->pcap_ns = median(pc, npkts);
	r->empty_ns = median(em, npkts);
	r->ratio = r->pcap_ns / r->ebpf_ns;
	r->ok = true;
	free(eb);
	free(pc);
	free(em);
	free(d);
	free(u);
	free(e);
out:
	free(bp.bf_insns);
	close_progs(progs, rounds);
	close_progs(empties, rounds);
	free(progs);
	free(empties);
	xdpcap_ebpf_free(&ebpf);
	xdpcap_cbpf_free(&cbpf);
}

/* --- output ---------------------------------------------------------------- */

/* The filter's median is the floor, or next to it: its speed-up is a guess. */
static bool at_floor(const struct result *r)
{
	return r->clamped * 2 >= r->packets;
}

/* An expression as markdown table code: '|' must be escaped even there. */
static void print_md_expr(const char *s)
{
	putchar('`');
	for (; *s; s++) {
		if (*s == '|')
			putchar('\\');
		putchar(*s);
	}
	putchar('`');
}

static void print_header(const struct config *cfg)
{
	if (cfg->markdown) {
		printf("| filter | cBPF insns | eBPF insns | bounds checks | eBPF ns/pkt | libpcap ns/pkt | speed-up |\n");
		printf("|---|--:|--:|--:|--:|--:|--:|\n");
	} else {
		printf("%-46s %5s %5s %6s %9s %9s %8s\n", "filter", "cBPF",
		       "eBPF", "bounds", "eBPF ns", "pcap ns", "speed-up");
	}
}

static void print_row(const struct config *cfg, const struct result *r)
{
	const char *mark = !at_floor(r) ? "" : cfg->markdown ? "\\*" : "*";

	if (cfg->markdown) {
		printf("| ");
		print_md_expr(r->expr);
		printf(" | %zu | %zu | %u | %.1f%s | %.1f | %.1fx |\n",
		       r->cbpf_len, r->ebpf_len, r->bounds, r->ebpf_ns, mark,
		       r->pcap_ns, r->ratio);
	} else {
		printf("%-46.46s %5zu %5zu %6u %8.1f%1s %9.1f %7.1fx\n",
		       r->expr, r->cbpf_len, r->ebpf_len, r->bounds, r->ebpf_ns,
		       mark, r->pcap_ns, r->ratio);
	}
}

/* Whether the table lists the filter by name. */
static bool listed(const char *expr)
{
	for (size_t t = 0; t < ARRAY_SIZE(table_exprs); t++)
		if (!strcmp(expr, table_exprs[t]))
			return true;
	return false;
}

static void print_table(const struct config *cfg, const struct result *res,
			size_t n)
{
	bool *longest = xcalloc(n, sizeof(*longest));

	/* the longest filters by eBPF instructions, first in corpus order on ties */
	for (int k = 0; k < LONGEST_ROWS; k++) {
		size_t best = n;

		for (size_t i = 0; i < n; i++) {
			if (!res[i].ok || longest[i] || listed(res[i].expr))
				continue;
			if (best == n || res[i].ebpf_len > res[best].ebpf_len)
				best = i;
		}
		if (best < n)
			longest[best] = true;
	}

	print_header(cfg);
	if (cfg->all_rows) {
		for (size_t i = 0; i < n; i++)
			if (res[i].ok)
				print_row(cfg, &res[i]);
	} else {
		for (size_t t = 0; t < ARRAY_SIZE(table_exprs); t++)
			for (size_t i = 0; i < n; i++)
				if (res[i].ok && !strcmp(res[i].expr, table_exprs[t])) {
					print_row(cfg, &res[i]);
					break;
				}
		for (size_t i = 0; i < n; i++)
			if (longest[i])
				print_row(cfg, &res[i]);
	}
	free(longest);
}

static void write_csv(const char *path, const struct result *res, size_t n)
{
	FILE *f = fopen(path, "w");

	if (!f)
		die("cannot write %s: %s", path, strerror(errno));
	fprintf(f, "filter,cbpf_insns,ebpf_insns,bounds_checks,ebpf_ns,pcap_ns,speedup,empty_ns,clamped_pkts,matched_pkts,mismatches\n");
	for (size_t i = 0; i < n; i++) {
		const struct result *r = &res[i];

		if (!r->ok)
			continue;
		fputc('"', f);
		for (const char *s = r->expr; *s; s++) {
			if (*s == '"')
				fputc('"', f);
			fputc(*s, f);
		}
		fprintf(f, "\",%zu,%zu,%u,%.3f,%.3f,%.3f,%.3f,%u,%u,%u\n",
			r->cbpf_len, r->ebpf_len, r->bounds, r->ebpf_ns,
			r->pcap_ns, r->ratio, r->empty_ns, r->clamped,
			r->matched, r->mismatch);
	}
	fclose(f);
}

static void print_summary(const struct config *cfg, const struct result *res,
			  size_t n, double *empty_all, size_t nempty,
			  double seconds)
{
	double *eb = xcalloc(n, sizeof(double)), *pc = xcalloc(n, sizeof(double));
	double *ra = xcalloc(n, sizeof(double)), *ei = xcalloc(n, sizeof(double));
	double *ra_res = xcalloc(n, sizeof(double)), *ci = xcalloc(n, sizeof(double));
	double *bc = xcalloc(n, sizeof(double)), sum_eb = 0, sum_pc = 0;
	size_t m = 0, m_res = 0, failed = 0, clamped = 0, slower = 0;
	size_t imin = n, imax = n;
	unsigned long mismatch = 0;
	double empty_lo = INFINITY, empty_hi = -INFINITY;
	const char *b = cfg->markdown ? "- " : "";
	const char *q = cfg->markdown ? "`" : "'";

	for (size_t i = 0; i < n; i++) {
		const struct result *r = &res[i];

		if (!r->ok) {
			failed++;
			continue;
		}
		eb[m] = r->ebpf_ns;
		pc[m] = r->pcap_ns;
		ra[m] = r->ratio;
		ei[m] = (double)r->ebpf_len;
		ci[m] = (double)r->cbpf_len;
		bc[m] = r->bounds;
		sum_eb += r->ebpf_ns;
		sum_pc += r->pcap_ns;
		m++;
		mismatch += r->mismatch;
		if (at_floor(r))
			clamped++;
		else
			ra_res[m_res++] = r->ratio;
		if (r->ratio < 1)
			slower++;
		if (imin == n || r->ratio < res[imin].ratio)
			imin = i;
		if (imax == n || r->ratio > res[imax].ratio)
			imax = i;
		if (r->empty_ns < empty_lo)
			empty_lo = r->empty_ns;
		if (r->empty_ns > empty_hi)
			empty_hi = r->empty_ns;
	}
	if (!m)
		die("no filter could be measured");

	printf("\n");
	printf("%sfilters measured: %zu (failed to compile or load: %zu); verdict mismatches: %lu\n",
	       b, m, failed, mismatch);
	printf("%smedian eBPF ns/packet: %.2f (empty program subtracted; floor %.2f ns)\n",
	       b, median(eb, m), cfg->floor_ns);
	printf("%smedian libpcap interpreter ns/packet: %.2f\n", b, median(pc, m));
	printf("%sempty program (prologue + test-run loop) ns/run: median %.2f, per-filter medians %.1f to %.1f\n",
	       b, median(empty_all, nempty), empty_lo, empty_hi);
	printf("%sspeed-up (interpreter ns / eBPF ns), per filter: median %.2fx, GEOMETRIC MEAN %.2fx\n",
	       b, median(ra, m), geomean(ra, m));
	printf("%sspeed-up of the sums (all interpreter ns / all eBPF ns): %.2fx\n",
	       b, sum_pc / sum_eb);
	printf("%sspeed-up min %.2fx (%s%s%s), max %.2fx (%s%s%s)\n", b,
	       res[imin].ratio, q, res[imin].expr, q, res[imax].ratio, q,
	       res[imax].expr, q);
	printf("%sfilters at the floor on half the packets or more (marked %s): %zu; geometric mean without them: %.2fx\n",
	       b, cfg->markdown ? "\\*" : "*", clamped, geomean(ra_res, m_res));
	printf("%sfilters where eBPF is not faster: %zu\n", b, slower);
	printf("%seBPF instructions: median %.0f, geometric mean %.1f; cBPF instructions: median %.0f, geometric mean %.1f; bounds checks: median %.0f\n",
	       b, median(ei, m), geomean(ei, m), median(ci, m), geomean(ci, m),
	       median(bc, m));
	printf("%srun time: %.1f s\n", b, seconds);
	free(eb);
	free(pc);
	free(ra);
	free(ei);
	free(ra_res);
	free(ci);
	free(bc);
}

/* --- setup ----------------------------------------------------------------- */

/*
 * Every BPF_PROG_TEST_RUN of an XDP program with repeat > 1 adds the
 * program to the kernel's XDP dispatcher and removes it afterwards, and
 * each of the two updates waits for an RCU grace period: some 16 ms of
 * waiting per call on a 2-CPU VM, outside the timed loop but far longer
 * than it.
 * With expedited grace periods a call costs well under a millisecond, so
 * /sys/kernel/rcu_expedited is set for the run (unless --no-expedite-rcu)
 * and put back at exit, also on SIGINT, SIGTERM and SIGHUP.
 */
static void rcu_restore_on_signal(int sig)
{
	bench_rcu_restore();
	signal(sig, SIG_DFL);
	raise(sig);
}

/* Returns a word for the report: what the run does with the knob. */
static const char *rcu_expedite(bool want)
{
	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP };

	if (!want)
		return bench_rcu_is_on() ? "already on" : "off (--no-expedite-rcu)";
	for (size_t i = 0; i < ARRAY_SIZE(sigs); i++)
		signal(sigs[i], rcu_restore_on_signal);
	switch (bench_rcu_expedite()) {
	case 0:
		return "already on";
	case 1:
		return "on for this run";
	default:
		fprintf(stderr, "bench_filter: warning: cannot set /sys/kernel/rcu_expedited"
			": every test run will wait for RCU, the run will be slow\n");
		return "off (cannot set it)";
	}
}

static void usage(FILE *out)
{
	fprintf(out,
"usage: bench_filter [options]\n"
"  --filters FILE     filter corpus, one per line (default " DEFAULT_FILTERS ")\n"
"  --pcap FILE        packet corpus (default " DEFAULT_PCAP ")\n"
"  --repeat N         kernel runs per BPF_PROG_TEST_RUN (default %d)\n"
"  --pcap-repeat N    pcap_offline_filter calls per timing (default %d)\n"
"  --rounds N         timings per packet, averaged (default %d)\n"
"  --packets N        packets sampled from the corpus (default %d)\n"
"  --max-filters N    measure N filters evenly spaced in the corpus (default all)\n"
"  --floor NS         smallest eBPF cost after subtraction (default %.2f)\n"
"  --cpu N            CPU to run on (default the last allowed one)\n"
"  --markdown         print the table and summary as GitHub markdown\n"
"  --all              a table row for every filter\n"
"  --csv FILE         write every filter's numbers to FILE\n"
"  --no-expedite-rcu  leave /sys/kernel/rcu_expedited alone (much slower)\n",
		DEFAULT_REPEAT, DEFAULT_PCAP_REPEAT, DEFAULT_ROUNDS,
		DEFAULT_PACKETS, DEFAULT_FLOOR_NS);
}

static unsigned long parse_num(const char *opt, const char *s, unsigned long lo,
			       unsigned long hi)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || end == s || *end || v < lo || v > hi)
		die("%s wants a number from %lu to %lu, not '%s'", opt, lo, hi, s);
	return v;
}

static void parse_args(int argc, char **argv, struct config *cfg)
{
	enum { O_FILTERS = 256, O_PCAP, O_REPEAT, O_PCAP_REPEAT, O_ROUNDS,
	       O_PACKETS, O_MAX, O_FLOOR, O_CPU, O_MD, O_ALL, O_CSV, O_NO_RCU, O_HELP };
	static const struct option longopts[] = {
		{ "filters", required_argument, NULL, O_FILTERS },
		{ "pcap", required_argument, NULL, O_PCAP },
		{ "repeat", required_argument, NULL, O_REPEAT },
		{ "pcap-repeat", required_argument, NULL, O_PCAP_REPEAT },
		{ "rounds", required_argument, NULL, O_ROUNDS },
		{ "packets", required_argument, NULL, O_PACKETS },
		{ "max-filters", required_argument, NULL, O_MAX },
		{ "floor", required_argument, NULL, O_FLOOR },
		{ "cpu", required_argument, NULL, O_CPU },
		{ "markdown", no_argument, NULL, O_MD },
		{ "all", no_argument, NULL, O_ALL },
		{ "csv", required_argument, NULL, O_CSV },
		{ "no-expedite-rcu", no_argument, NULL, O_NO_RCU },
		{ "help", no_argument, NULL, O_HELP },
		{ NULL, 0, NULL, 0 },
	};
	char *end;
	int c;

	*cfg = (struct config){
		.filters_path = DEFAULT_FILTERS,
		.pcap_path = DEFAULT_PCAP,
		.repeat = DEFAULT_REPEAT,
		.pcap_repeat = DEFAULT_PCAP_REPEAT,
		.rounds = DEFAULT_ROUNDS,
		.packets = DEFAULT_PACKETS,
		.floor_ns = DEFAULT_FLOOR_NS,
		.cpu = -1,
		.expedite_rcu = true,
	};
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case O_FILTERS: cfg->filters_path = optarg; break;
		case O_PCAP: cfg->pcap_path = optarg; break;
		case O_CSV: cfg->csv_path = optarg; break;
		case O_REPEAT:
			cfg->repeat = (uint32_t)parse_num("--repeat", optarg, 1, 100000000);
			break;
		case O_PCAP_REPEAT:
			cfg->pcap_repeat = (uint32_t)parse_num("--pcap-repeat", optarg, 1, 100000000);
			break;
		case O_ROUNDS:
			cfg->rounds = (unsigned int)parse_num("--rounds", optarg, 1, 1000);
			break;
		case O_PACKETS:
			cfg->packets = (unsigned int)parse_num("--packets", optarg, 1, 1000000);
			break;
		case O_MAX:
			cfg->max_filters = parse_num("--max-filters", optarg, 1, 1000000);
			break;
		case O_CPU:
			cfg->cpu = (int)parse_num("--cpu", optarg, 0, CPU_SETSIZE - 1);
			break;
		case O_FLOOR:
			cfg->floor_ns = strtod(optarg, &end);
			if (*end || end == optarg || !(cfg->floor_ns > 0))
				die("--floor wants a positive number of ns");
			break;
		case O_MD: cfg->markdown = true; break;
		case O_ALL: cfg->all_rows = true; break;
		case O_NO_RCU: cfg->expedite_rcu = false; break;
		case 'h':
		case O_HELP:
			usage(stdout);
			exit(0);
		default:
			usage(stderr);
			exit(2);
		}
	}
	if (optind != argc) {
		usage(stderr);
		exit(2);
	}
}

int main(int argc, char **argv)
{
	char errbuf[XDPCAP_ERRBUF_SIZE];
	struct xdpcap_filter_prog *empty;
	struct packet *pkts;
	struct result *res;
	struct config cfg;
	struct utsname uts;
	size_t nfilters, nall, npkts, total, eligible, nmeasure;
	char **exprs;
	double t_start, *empty_all;
	uint32_t max_caplen, snaplen, min_len = UINT32_MAX, max_len = 0;
	const char *rcu;
	char loadavg[64];
	int linktype, cpu, err;

	parse_args(argc, argv, &cfg);
	t_start = now_ns();
	{
		cpu_set_t allowed;

		if (sched_getaffinity(0, sizeof(allowed), &allowed))
			die("sched_getaffinity: %s", strerror(errno));
		cpu = bench_pin_cpu(cfg.cpu, &allowed);
		if (cpu < 0)
			die("cannot pin to CPU %d: %s", cfg.cpu, strerror(errno));
	}
	rcu = rcu_expedite(cfg.expedite_rcu);

	err = xdpcap_filter_prog_load(NULL, &empty, NULL, errbuf);
	if (err)
		die("cannot load the empty program: %s", errbuf);
	xdpcap_filter_prog_close(empty);
	max_caplen = xdpcap_filter_prog_max_caplen();
	exprs = bench_load_filters(cfg.filters_path, &nall);
	if (!exprs)
		die("cannot read filters from %s: %s", cfg.filters_path, strerror(errno));
	pkts = load_packets(cfg.pcap_path, cfg.packets, max_caplen, &npkts,
			    &total, &eligible, &linktype, &snaplen);
	for (size_t i = 0; i < npkts; i++) {
		if (pkts[i].caplen < min_len)
			min_len = pkts[i].caplen;
		if (pkts[i].caplen > max_len)
			max_len = pkts[i].caplen;
	}

	/* --max-filters: evenly spaced, so every part of the corpus is in */
	nfilters = cfg.max_filters && cfg.max_filters < nall ? cfg.max_filters : nall;
	res = xcalloc(nfilters, sizeof(*res));
	for (size_t i = 0; i < nfilters; i++)
		res[i].expr = exprs[i * nall / nfilters];

	uname(&uts);
	if (cfg.markdown)
		printf("<!--\n");
	printf("xdpcap filter benchmark: kernel %s, CPU %d, bpf_jit_enable=%ld, rcu_expedited %s\n",
	       uts.release, cpu,
	       bench_read_sysctl("/proc/sys/net/core/bpf_jit_enable"), rcu);
	bench_read_loadavg(loadavg, sizeof(loadavg));
	printf("load average at start: %s\n", loadavg);
	printf("%zu of %zu filters from %s\n", nfilters, nall, cfg.filters_path);
	printf("%zu of %zu packets from %s (%zu have %d to %u bytes), %u to %u bytes\n",
	       npkts, total, cfg.pcap_path, eligible, MIN_CAPLEN, max_caplen,
	       min_len, max_len);
	printf("kernel: %u runs x %u rounds per packet and program; libpcap: %u calls x %u rounds per packet\n",
	       cfg.repeat, cfg.rounds, cfg.pcap_repeat, cfg.rounds);
	printf(cfg.markdown ? "-->\n\n" : "\n");
	if (bench_read_sysctl("/proc/sys/kernel/bpf_stats_enabled") > 0)
		fprintf(stderr, "bench_filter: warning: kernel.bpf_stats_enabled is on; it adds to every run\n");
	fflush(stdout);

	nmeasure = 0;
	empty_all = xcalloc(nfilters * npkts, sizeof(*empty_all));
	for (size_t i = 0; i < nfilters; i++) {
		bench_one(&cfg, &res[i], pkts, npkts, linktype, snaplen,
			  &empty_all[nmeasure]);
		if (res[i].ok)
			nmeasure += npkts;
		else
			fprintf(stderr, "bench_filter: skipped '%s': %s\n",
				res[i].expr, res[i].error);
		if (isatty(STDERR_FILENO) && (i + 1) % 25 == 0)
			fprintf(stderr, "\r%zu/%zu filters", i + 1, nfilters);
	}
	if (isatty(STDERR_FILENO))
		fprintf(stderr, "\r%40s\r", "");

	print_table(&cfg, res, nfilters);
	printf("\neBPF ns: in the kernel, minus the empty program, median over the packets;\n"
	       "%s = at the %.2f ns floor on half the packets or more. pcap ns:\n"
	       "pcap_offline_filter, median over the packets. speed-up: pcap ns / eBPF ns.\n",
	       cfg.markdown ? "\\*" : "*", cfg.floor_ns);
	print_summary(&cfg, res, nfilters, empty_all, nmeasure,
		      (now_ns() - t_start) / 1e9);
	if (cfg.csv_path)
		write_csv(cfg.csv_path, res, nfilters);

	for (size_t i = 0; i < nfilters; i++)
		free(res[i].error);
	free(res);
	free(empty_all);
	for (size_t i = 0; i < npkts; i++)
		free(pkts[i].data);
	free(pkts);
	for (size_t i = 0; i < nall; i++)
		free(exprs[i]);
	free(exprs);
	return 0;
}
