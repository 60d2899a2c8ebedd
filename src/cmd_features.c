// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * xdpcap features: what the running kernel offers a capture, each found
 * by a probe, and the way of copying packets that captures use here.
 */
#include <errno.h>
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
	"on it, which helpers XDP programs may call, and whether captures at\n"
	"entry work. Exit status 0 when captures work here, 1 when they cannot,\n"
	"2 when probing is refused for lack of privileges.\n";

static void row(const char *what, bool yes, const char *since)
{
	printf("  %-34s %-4s (Linux %s)\n", what, yes ? "yes" : "no", since);
}

/*
 * Each helper captures call, as the verifier answered a program calling
 * it; then what that means for entry capture.
 */
static bool print_helpers(void)
{
	const struct xdpcap_kernel_helper *h;
	bool flag = true, mark = false;

	printf("helpers an XDP program may call here (each probed by a program that calls it):\n");
	for (size_t i = 0; !xdpcap_kernel_helpers(&h, i, NULL); i++) {
		printf("  %-34s %-4s %s%s%s\n", h->name, h->allowed ? "yes" : "no", h->use,
		       h->allowed ? "" : "; refused: ", h->allowed ? "" : h->without);
		if (!strcmp(h->name, "bpf_xdp_adjust_meta"))
			mark = h->allowed;
		else if (h->required)
			flag &= h->allowed;
	}
	printf("entry capture (--entry): %s\n", flag ?
	       "yes, for programs built with this xdpcap_hook.h (a per-CPU entry state; no XDP metadata)" :
	       "no: a helper it needs is refused");
	printf("entry capture of programs built with xdpcap_hook.h 0.1 (XDP metadata mark): %s\n",
	       mark ? "yes, where the driver gives XDP metadata room" :
	       "no: the verifier refuses bpf_xdp_adjust_meta (such programs do not load here either)");
	return flag;
}

int cmd_features(int argc, char **argv)
{
	char errbuf[XDPCAP_ERRBUF_SIZE] = "";
	XDPCAP_OPTS(xdpcap_kernel, k);
	struct utsname uts;
	int err;

	if (argc > 1) {
		if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
			fputs(features_usage, stdout);
			return 0;
		}
		fputs(features_usage, stderr);
		return EXIT_USAGE;
	}
	err = xdpcap_kernel_probe(&k, errbuf);
	if (err) {
		p_err("%s", errbuf);
		return exit_status(err);
	}
	if (!uname(&uts))
		printf("kernel %s\n", uts.release);
	row("BPF ring buffer", k.ring_buffer, "5.8");
	row("bounded loops in the verifier", k.bounded_loops, "5.3");
	row("bpf_xdp_load_bytes, get_buff_len", k.load_bytes, "5.18");
	row("multi-buffer XDP (frags)", k.frags, "5.18");
	row("coarse clock (for --max-rate)", k.coarse_time, "5.11");
	printf("tracing XDP programs (fentry/fexit): %s: %s\n", k.trace_xdp ? "yes" : "no",
	       k.trace_reason);
	if (!print_helpers()) {
		printf("copy: none: a helper no capture can do without is refused (no above): xdpcap cannot capture here\n");
		return EXIT_RUNTIME;
	}
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
