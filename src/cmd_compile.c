// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/* xdpcap compile: show what a filter becomes. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pcap.h>

#include "xdpcap/filter.h"
#include "frontend/args.h"
#include "cmd.h"

enum emit_kind { EMIT_EBPF, EMIT_C, EMIT_CBPF };

static const char compile_usage[] =
	"Usage: xdpcap compile [--emit=ebpf|c|cbpf] [-y LINKTYPE] [-s SNAPLEN] [-m MASK]\n"
	"                      FILTER...\n"
	"\n"
	"  --emit=ebpf    eBPF assembly of the in-kernel filter (default)\n"
	"  --emit=c       a C function for clang -target bpf\n"
	"  --emit=cbpf    libpcap's classic BPF, as tcpdump -d prints it\n"
	"  -y LINKTYPE    link type name, as for tcpdump -y (default EN10MB)\n"
	"  -s SNAPLEN     snap length, 1 to 262144 (default 262144)\n"
	"  -m MASK        IPv4 netmask for 'ip broadcast' (255.255.255.0 or 24)\n";

static const struct option compile_options[] = {
	{ "emit", required_argument, NULL, 'e' },
	{ "linktype", required_argument, NULL, 'y' },
	{ "snaplen", required_argument, NULL, 's' },
	{ "netmask", required_argument, NULL, 'm' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

static int parse_emit(const char *s, enum emit_kind *kind)
{
	if (!strcmp(s, "ebpf"))
		*kind = EMIT_EBPF;
	else if (!strcmp(s, "c"))
		*kind = EMIT_C;
	else if (!strcmp(s, "cbpf"))
		*kind = EMIT_CBPF;
	else
		return -1;
	return 0;
}

static int print_ebpf(const struct xdpcap_cbpf *cbpf, const char *expr,
		      char *errbuf)
{
	struct xdpcap_ebpf ebpf;
	int err, rounds;

	err = xdpcap_cbpf_to_ebpf(cbpf, NULL, &ebpf, errbuf);
	if (err)
		return err;
	printf("; \"%s\": %zu eBPF instructions from %zu cBPF, %u packet bounds check%s\n",
	       expr, ebpf.len, cbpf->len, ebpf.bounds_checks, ebpf.bounds_checks == 1 ? "" : "s");
	printf("; in: r2 = data, r3 = data_end; out: w0 = result (0 = no match)\n");
	if (!ebpf.reach)
		printf("; reads no byte of the packet\n");
	else if (ebpf.reach < XDPCAP_CBPF_MAX_READ)
		printf("; reads no byte past the packet's first %u (a traced capture copies those before the filter)\n",
		       ebpf.reach);
	else
		printf("; may read any byte of the packet (a traced capture copies it whole before the filter)\n");
	rounds = xdpcap_cbpf_loop_rounds(cbpf);
	if (rounds > 0)
		printf("; its loop is unrolled: libpcap's result where libpcap jumps back at most %d times (protochain: headers walked), else no match\n",
		       rounds);
	xdpcap_ebpf_dump(stdout, ebpf.insns, ebpf.len);
	xdpcap_ebpf_free(&ebpf);
	return 0;
}

int cmd_compile(int argc, char **argv)
{
	char errbuf[XDPCAP_ERRBUF_SIZE];
	enum emit_kind kind = EMIT_EBPF;
	int linktype = DLT_EN10MB, opt, err = 0, past;
	uint32_t snaplen = XDPCAP_DEFAULT_SNAPLEN, netmask = 0;
	struct xdpcap_cbpf cbpf;
	char *expr;

	optind = 1;
	while ((opt = getopt_long(argc, argv, "+y:s:m:h", compile_options, NULL)) != -1) {
		switch (opt) {
		case 'e':
			if (parse_emit(optarg, &kind)) {
				p_err("--emit takes ebpf, c or cbpf, not '%s'", optarg);
				return EXIT_USAGE;
			}
			break;
		case 'y':
			linktype = pcap_datalink_name_to_val(optarg);
			if (linktype < 0) {
				p_err("unknown link type '%s' (try EN10MB, RAW, LINUX_SLL)", optarg);
				return EXIT_USAGE;
			}
			break;
		case 's':
			if (arg_u32("-s", optarg, 1, ARG_SNAPLEN_MAX, &snaplen))
				return EXIT_USAGE;
			break;
		case 'm':
			if (arg_netmask("-m", optarg, &netmask))
				return EXIT_USAGE;
			break;
		case 'h':
			fputs(compile_usage, stdout);
			return 0;
		default:
			fputs(compile_usage, stderr);
			return EXIT_USAGE;
		}
	}
	expr = xdpcap_expr_join(argv + optind, argc - optind);
	if (!expr) {
		p_err("out of memory");
		return EXIT_RUNTIME;
	}
	err = xdpcap_cbpf_from_expr_mask(expr, linktype, snaplen, netmask, &cbpf,
					 errbuf);
	if (err)
		goto out;
	if (xdpcap_cbpf_reads_metadata(&cbpf))
		p_err("warning: the filter tests what XDP cannot know yet (inbound, outbound, or other socket metadata): a packet that reaches such a test is not captured");
	past = xdpcap_cbpf_read_past_packet(&cbpf);
	if (past >= 0)
		p_err("warning: cBPF instruction %d reads the packet at offset %s%u, beyond the end of any XDP packet: a packet that reaches that read does not match",
		      past, BPF_MODE(cbpf.insns[past].code) == BPF_IND ? "x + " : "",
		      cbpf.insns[past].k);
	switch (kind) {
	case EMIT_CBPF:
		xdpcap_cbpf_dump(stdout, &cbpf);
		break;
	case EMIT_C:
		err = xdpcap_cbpf_to_c(stdout, &cbpf, "xdpcap_filter", errbuf);
		break;
	case EMIT_EBPF:
		err = print_ebpf(&cbpf, expr, errbuf);
		break;
	}
	xdpcap_cbpf_free(&cbpf);
out:
	free(expr);
	if (err) {
		p_err("%s", errbuf);
		return EXIT_USAGE;
	}
	return 0;
}
