// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * xdpcap features: what the running kernel offers a capture, each found
 * by a probe, and the way of copying packets that captures use here.
 */
#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>

#include "xdpcap/kernel.h"
#include "cmd.h"

static const char features_usage[] =
	"Usage: xdpcap features\n"
	"\n"
	"Probe the running kernel for what a capture uses (loading small BPF\n"
	"programs and maps, which needs root) and say how captures copy packets\n"
	"on it. Exit status 0 when captures work here, 1 when they cannot.\n";

static void row(const char *what, bool yes, const char *since)
{
	printf("  %-34s %-4s (Linux %s)\n", what, yes ? "yes" : "no", since);
}

int cmd_features(int argc, char **argv)
{
	char errbuf[XDPCAP_ERRBUF_SIZE] = "";
	struct xdpcap_kernel k;
	struct utsname uts;

	if (argc > 1) {
		if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
			fputs(features_usage, stdout);
			return 0;
		}
		fputs(features_usage, stderr);
		return EXIT_USAGE;
	}
	if (xdpcap_kernel_probe(&k, errbuf)) {
		p_err("%s", errbuf);
		return EXIT_RUNTIME;
	}
	if (!uname(&uts))
		printf("kernel %s\n", uts.release);
	row("BPF ring buffer", k.ring_buffer, "5.8");
	row("bounded loops in the verifier", k.bounded_loops, "5.3");
	row("bpf_xdp_load_bytes, get_buff_len", k.load_bytes, "5.18");
	row("multi-buffer XDP (frags)", k.frags, "5.18");
	row("coarse clock (for --max-rate)", k.coarse_time, "5.11");
	switch (k.copy) {
	case XDPCAP_COPY_LOAD_BYTES:
		printf("copy: load-bytes%s: bpf_xdp_load_bytes copies whole frames, the fragments of multi-buffer frames included\n",
		       k.copy_forced ? " (XDPCAP_COPY)" : "");
		return 0;
	case XDPCAP_COPY_DIRECT:
		printf("copy: direct%s: a loop copies each packet from its XDP buffer (data to data_end)%s\n",
		       k.copy_forced ? " (XDPCAP_COPY)" : "",
		       k.frags ? "; fragments of multi-buffer frames are left out" :
		       "; without multi-buffer XDP that is the whole frame");
		return 0;
	default:
		printf("copy: none: %s\n", errbuf);
		return EXIT_RUNTIME;
	}
}
