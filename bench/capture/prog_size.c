// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * Capture program sizes: xdpcap_capture_open() for every filter.
 */

#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>

#include "../common.h"
#include "bench_capture.h"

/* --- capture program sizes ------------------------------------------------- */

/* The capture program's instructions for expr, 0 if it cannot be made. */
static size_t capture_insns(const char *expr)
{
	XDPCAP_OPTS(xdpcap_capture_opts, opts, .actions = 1u << XDP_DROP, .ring_kib = 8);
	char errbuf[XDPCAP_ERRBUF_SIZE];
	struct xdpcap_capture *cap;
	size_t n;

	if (xdpcap_capture_open(hook_path, expr, &opts, &cap, errbuf))
		return 0;
	n = xdpcap_capture_prog_insns(cap, XDP_DROP);
	xdpcap_capture_close(cap);
	return n;
}

void measure_sizes(struct sizes *sz)
{
	size_t n, m = 0;
	char **exprs = bench_load_filters(cfg.filters_path, &n);
	double *v;

	if (!exprs)
		die("cannot read filters from %s: %s", cfg.filters_path, strerror(errno));
	v = xcalloc(n, sizeof(double));

	memset(sz, 0, sizeof(*sz));
	sz->min = INFINITY;
	sz->max = 0;
	for (size_t i = 0; i < n; i++) {
		size_t insns = capture_insns(exprs[i]);

		if (!insns) {
			sz->failed++;
		} else {
			v[m++] = (double)insns;
			if (insns < sz->min)
				sz->min = (double)insns;
			if (insns > sz->max)
				sz->max = (double)insns;
		}
		free(exprs[i]);
	}
	free(exprs);
	sz->measured = m;
	sz->geomean = geomean(v, m);
	sz->median = median(v, m);
	free(v);
	sz->ip = capture_insns("ip");
	sz->host_pair = capture_insns("host 192.0.2.1 or host 2001:db8::1");
	sz->match_all = capture_insns("");
}

void print_sizes(const struct sizes *sz)
{
	static const char *const cols[] = {
		"capture program (eBPF insns)", "xdpcap", "Cloudflare xdpcap (reference)",
	};
	char b[3][64];

	table_start(cols, ARRAY_SIZE(cols));
	snprintf(b[0], sizeof(b[0]), "%zu", sz->ip);
	row((const char *const[]){ "`ip`", b[0], "61" }, 3);
	snprintf(b[0], sizeof(b[0]), "%zu", sz->host_pair);
	row((const char *const[]){ "`host 192.0.2.1 or host 2001:db8::1`", b[0], "121" }, 3);
	snprintf(b[0], sizeof(b[0]), "%.0f", sz->median);
	snprintf(b[1], sizeof(b[1]), "median over %zu filters", sz->measured);
	row((const char *const[]){ "median", b[0], "" }, 3);
	snprintf(b[0], sizeof(b[0]), "%.1f", sz->geomean);
	row((const char *const[]){ "geometric mean", b[0], "74 (164 real filters)" }, 3);
	snprintf(b[0], sizeof(b[0]), "%zu", sz->match_all);
	row((const char *const[]){ "no filter (everything matches)", b[0], "" }, 3);
	printf("\n%sfilters of %s: %zu loaded as capture programs, %zu refused (by the compiler or the kernel); smallest %.0f, largest %.0f instructions\n",
	       cfg.markdown ? "- " : "", cfg.filters_path, sz->measured, sz->failed,
	       sz->min, sz->max);
}
