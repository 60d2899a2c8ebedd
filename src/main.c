// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/* The xdpcap command: option parsing and dispatch, nothing else. */
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "config.h"
#include "cmd.h"

static const char usage_text[] =
	"Usage: xdpcap -r INPUT OUTPUT [FILTER...]\n"
	"       xdpcap compile [--emit=ebpf|c|cbpf] [-y LINKTYPE] [-s SNAPLEN] FILTER...\n"
	"\n"
	"Replay (-r): run every packet of INPUT (pcap or pcapng) through FILTER\n"
	"compiled to eBPF and loaded into the kernel as an XDP program, and write\n"
	"the matching packets to OUTPUT (a pcap file, or - for stdout) exactly as\n"
	"tcpdump -r INPUT -w OUTPUT FILTER would.\n"
	"\n"
	"compile: print FILTER (pcap-filter syntax, as for tcpdump) as eBPF\n"
	"assembly (default), as a C function for clang -target bpf, or as\n"
	"libpcap's cBPF (like tcpdump -d).\n"
	"\n"
	"Options:\n"
	"  -r, --read INPUT   replay INPUT through the in-kernel filter\n"
	"  -v, --verbose      show the kernel verifier's log when it refuses\n"
	"  -h, --help         show this help and exit\n"
	"  -V, --version      show the version and exit\n"
	"\n"
	"Exit status: 0 on success, 1 when the kernel or the system fails,\n"
	"2 on a bad filter, bad input file or bad usage.\n";

static const struct option long_options[] = {
	{ "read", required_argument, NULL, 'r' },
	{ "verbose", no_argument, NULL, 'v' },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 },
};

void p_err(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "xdpcap: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

int main(int argc, char **argv)
{
	const char *in_path = NULL;
	int verbose = 0, opt;

	if (argc > 1 && !strcmp(argv[1], "compile"))
		return cmd_compile(argc - 1, argv + 1);

	/* "+": stop at the first operand, filters may look like options */
	while ((opt = getopt_long(argc, argv, "+r:vhV", long_options, NULL)) != -1) {
		switch (opt) {
		case 'r':
			in_path = optarg;
			break;
		case 'v':
			verbose++;
			break;
		case 'h':
			fputs(usage_text, stdout);
			return 0;
		case 'V':
			printf("xdpcap %s\n", PACKAGE_VERSION);
			return 0;
		default:
			fputs(usage_text, stderr);
			return EXIT_USAGE;
		}
	}
	if (!in_path) {
		p_err("nothing to do: give -r INPUT OUTPUT [FILTER...] or 'compile FILTER' (see --help)");
		return EXIT_USAGE;
	}
	if (optind >= argc) {
		p_err("missing OUTPUT (a file name, or - for stdout)");
		return EXIT_USAGE;
	}
	return cmd_replay(in_path, argv[optind], argv + optind + 1,
			  argc - optind - 1, verbose);
}
