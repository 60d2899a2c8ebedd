// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/* The xdpcap command: option parsing and dispatch, nothing else. */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "xdpcap/capture.h"
#include "cmd.h"
#include "frontend/args.h"
#include "frontend/confine.h"
#include "frontend/option_text.h"
#include "frontend/std_fds.h"

static const char usage_head[] =
	"Usage: xdpcap [options] HOOK OUTPUT [FILTER...]\n"
	"       xdpcap [options] -i HOOK [-i HOOK...] OUTPUT [FILTER...]\n"
	"       xdpcap -r INPUT OUTPUT [FILTER...]\n"
	"       xdpcap list [--json] [--hook-dir DIR] [HOOK...]\n"
	"       xdpcap compile [--emit=ebpf|c|cbpf] [-y LINKTYPE] [-s SNAPLEN] [-m MASK]\n"
	"                      FILTER...\n"
	"       xdpcap features\n"
	"\n"
	"Capture the packets an XDP program returns through the xdpcap hook HOOK,\n"
	"with the verdict (XDP action) of each, into OUTPUT (a file, or - for\n"
	"stdout), keeping those that match FILTER (pcap-filter syntax, as for\n"
	"tcpdump; it runs in the kernel). Stop with Ctrl-C.\n"
	"\n"
	"HOOK is xdp:NAME or NAME (pinned under the hook directory), xdp:IFNAME or\n"
	"IFNAME (the hook of the XDP program on that interface), or a bpffs path.\n"
	"With -i, once for each, several hooks go into one pcapng file: each is\n"
	"an interface of its own, and packets are in timestamp order.\n"
	"\n"
	"Options:\n";

static const struct option_help usage_options[] = {
	{ "-i, --interface HOOK", "capture from HOOK (give it up to 16 times)" },
	{ "--actions LIST", OPTION_TEXT_ACTIONS },
	{ "--entry", "capture each packet as it arrived as well, before the "
	  "program changed it, with the same packet id as its verdict's (needs "
	  "a hook with an entry slot); FILTER applies to the packet as it arrived" },
	{ "-s, --snaplen N", OPTION_TEXT_SNAPLEN },
	{ "-c, --count N", "stop after N packets" },
	{ "-C MB", "start a new file before a packet once the file holds MB "
	  "millions of bytes: OUTPUT, OUTPUT1, OUTPUT2, ..." },
	{ "-G SECONDS", "start a new file every SECONDS; OUTPUT may hold "
	  "strftime(3) conversions (%Y%m%d-%H%M%S), as tcpdump's" },
	{ "-W COUNT", "with -C: COUNT files in turn, OUTPUT0 to OUTPUT<COUNT-1>, "
	  "the oldest overwritten; with -G alone: stop after COUNT files" },
	{ "--sample N", OPTION_TEXT_SAMPLE },
	{ "--max-rate PPS", OPTION_TEXT_MAX_RATE },
	{ "-m, --netmask MASK", "the IPv4 netmask 'ip broadcast' tests against: "
	  "255.255.255.0 or 24 (default: none, as tcpdump -r: 255.255.255.255 "
	  "and 0.0.0.0 only)" },
	{ "-F, --format FORMAT", "pcapng (default: XDP action on every packet) or pcap" },
	{ "-q, --quiet", "no statistics on stderr" },
	{ "-U, --packet-buffered", "write each packet out at once (default for -)" },
	{ "--force", "take over slots another capture keeps to itself (captures "
	  "share slots where they can)" },
	{ "-B, --buffer-size KIB", OPTION_TEXT_RING },
	{ "--hook-dir DIR", OPTION_TEXT_HOOK_DIR },
	{ "-r, --read INPUT", "replay INPUT (pcap or pcapng) through the filter in "
	  "the kernel and write the matches, as tcpdump -r INPUT -w OUTPUT FILTER would" },
	{ "-v, --verbose", "show the kernel verifier's log when it refuses" },
	{ "-h, --help", "show this help and exit" },
	{ "-V, --version", "show the version and exit" },
	{ NULL, NULL },
};

static const char usage_tail[] =
	"\n"
	"Statistics go to stderr once a second: received/matched packets per\n"
	"action at the hook, and packets lost when the capture ring was full.\n"
	"\n"
	"'xdpcap features' tells what the running kernel offers a capture and how\n"
	"packets are copied on it.\n"
	"\n"
	"Exit status: 0 on success, 1 when the kernel or the system fails,\n"
	"2 on a bad hook, filter, input file or usage, or a refusal for lack of\n"
	"privileges.\n";

static void print_usage(FILE *out)
{
	fputs(usage_head, out);
	option_help_print(out, usage_options);
	fputs(usage_tail, out);
}

enum { OPT_ACTIONS = 256, OPT_FORCE, OPT_HOOK_DIR, OPT_ENTRY, OPT_SAMPLE, OPT_MAX_RATE };

static const struct option long_options[] = {
	{ "interface", required_argument, NULL, 'i' },
	{ "actions", required_argument, NULL, OPT_ACTIONS },
	{ "entry", no_argument, NULL, OPT_ENTRY },
	{ "sample", required_argument, NULL, OPT_SAMPLE },
	{ "max-rate", required_argument, NULL, OPT_MAX_RATE },
	{ "snaplen", required_argument, NULL, 's' },
	{ "count", required_argument, NULL, 'c' },
	{ "format", required_argument, NULL, 'F' },
	{ "netmask", required_argument, NULL, 'm' },
	{ "quiet", no_argument, NULL, 'q' },
	{ "packet-buffered", no_argument, NULL, 'U' },
	{ "force", no_argument, NULL, OPT_FORCE },
	{ "buffer-size", required_argument, NULL, 'B' },
	{ "hook-dir", required_argument, NULL, OPT_HOOK_DIR },
	{ "read", required_argument, NULL, 'r' },
	{ "verbose", no_argument, NULL, 'v' },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 },
};

/* A capture or replay with file capabilities: see confine.h. */
static int confine_capture(struct capture_args *args, bool replay, char *errbuf)
{
	if (args->force) {
		snprintf(errbuf, XDPCAP_ERRBUF_SIZE,
			 "--force refused: with the capabilities of group xdpcap a capture cannot take slots from another; run as root for that");
		return -1;
	}
	if (replay)
		return 0; /* no hook; files are opened with the user's rights */
	if (confine_hook_dir(args->hook_dir, errbuf))
		return -1;
	for (unsigned int i = 0; i < args->n_hooks; i++)
		if (confine_hook(args->hooks[i], errbuf))
			return -1;
	return confine_ring(args->ring_kib, errbuf);
}

/* The sub-commands: the first word picks one; anything else captures. */
static const struct {
	const char *name;
	int (*run)(int argc, char **argv);
} subcommands[] = {
	{ "compile", cmd_compile },
	{ "features", cmd_features },
	{ "list", cmd_list },
};

/* What the options say beyond struct capture_args. */
struct run_mode {
	const char *in_path;	/* -r: replay this file */
	bool entry;		/* --entry */
};

/*
 * An option with a number: -1 after taking it, EXIT_USAGE after saying
 * it is out of range, 0 for another option.
 */
static int take_number(int opt, struct capture_args *args)
{
	unsigned long long n;

	switch (opt) {
	case 's':
		if (arg_number("-s", optarg, 1, ARG_SNAPLEN_MAX, &n))
			return EXIT_USAGE;
		args->snaplen = (uint32_t)n;
		return -1;
	case 'c':
		return arg_number("-c", optarg, 1, ~0ull, &args->count) ? EXIT_USAGE : -1;
	case 'C':
		return arg_number("-C", optarg, 1, 1000000000ull, &args->rotate_mb) ? EXIT_USAGE : -1;
	case 'G':
		if (arg_number("-G", optarg, 1, 0x7fffffff, &n))
			return EXIT_USAGE;
		args->rotate_seconds = (unsigned int)n;
		return -1;
	case 'W':
		if (arg_number("-W", optarg, 1, 0x7fffffff, &n))
			return EXIT_USAGE;
		args->rotate_count = (unsigned int)n;
		return -1;
	case OPT_SAMPLE:
		if (arg_number("--sample", optarg, 1, ARG_SAMPLE_MAX, &n))
			return EXIT_USAGE;
		args->sample = (uint32_t)n;
		return -1;
	case OPT_MAX_RATE:
		if (arg_number("--max-rate", optarg, 1, XDPCAP_MAX_RATE, &n))
			return EXIT_USAGE;
		args->max_rate = (uint32_t)n;
		return -1;
	case 'B':
		if (arg_number("-B", optarg, ARG_RING_KIB_MIN, ARG_RING_KIB_MAX, &n))
			return EXIT_USAGE;
		args->ring_kib = (unsigned int)n;
		return -1;
	default:
		return 0;
	}
}

/*
 * One option into args: -1 to go on, or the exit status (after --help,
 * --version, or a bad value, said).
 */
static int take_option(int opt, struct capture_args *args, struct run_mode *m)
{
	char errbuf[XDPCAP_ERRBUF_SIZE];
	int ret = take_number(opt, args);

	if (ret)
		return ret;
	switch (opt) {
	case 'i':
		if (args->n_hooks == XDPCAP_SESSION_MAX_HOOKS) {
			p_err("-i: at most %d hooks in one capture", XDPCAP_SESSION_MAX_HOOKS);
			return EXIT_USAGE;
		}
		args->hooks[args->n_hooks++] = optarg;
		return -1;
	case OPT_ACTIONS:
		if (xdpcap_parse_actions(optarg, &args->actions, errbuf)) {
			p_err("%s", errbuf);
			return EXIT_USAGE;
		}
		return -1;
	case 'F':
		if (!strcmp(optarg, "pcapng") || !strcmp(optarg, "pcap")) {
			args->format = optarg[4] ? XDPCAP_FORMAT_PCAPNG : XDPCAP_FORMAT_PCAP;
			return -1;
		}
		p_err("-F takes pcapng or pcap, not '%s'", optarg);
		return EXIT_USAGE;
	case 'm':
		return arg_netmask("-m", optarg, &args->netmask) ? EXIT_USAGE : -1;
	case 'q':
		args->quiet = true;
		return -1;
	case 'U':
		args->flush_each = true;
		return -1;
	case OPT_FORCE:
		args->force = true;
		return -1;
	case OPT_ENTRY:
		m->entry = true;
		return -1;
	case OPT_HOOK_DIR:
		args->hook_dir = optarg;
		return -1;
	case 'r':
		m->in_path = optarg;
		return -1;
	case 'v':
		args->verbose++;
		return -1;
	case 'h':
		print_usage(stdout);
		return 0;
	case 'V':
		printf("xdpcap %s\n", PACKAGE_VERSION);
		return 0;
	default:
		print_usage(stderr);
		return EXIT_USAGE;
	}
}

/* Options that do not go together: 0, or EXIT_USAGE after saying why. */
static int check_options(const struct capture_args *args, const struct run_mode *m)
{
	const char *why = NULL;

	if (args->rotate_count && !args->rotate_mb && !args->rotate_seconds)
		why = "-W counts the files of -C or -G: give one of them";
	else if (m->in_path && args->n_hooks)
		why = "-r replays a file: -i is for live hooks";
	else if (args->n_hooks > 1 && args->format == XDPCAP_FORMAT_PCAP)
		why = "a pcap file holds one interface: several hooks (-i) need pcapng";
	else if (m->in_path && (args->rotate_mb || args->rotate_seconds))
		why = "-r writes one file: -C, -G and -W are for live captures";
	else if (m->in_path && (args->sample || args->max_rate))
		why = "-r replays files: --sample and --max-rate are for live hooks";
	else if (m->in_path && (args->actions & 1u << XDPCAP_SLOT_ENTRY))
		why = "-r replays files: capturing at entry (--entry, --actions entry) is for live hooks";
	if (why)
		p_err("%s", why);
	return why ? EXIT_USAGE : 0;
}

/*
 * The operands after the options: the hook (without -i), OUTPUT, the
 * filter. Returns -1 to go on, or the exit status after saying why not.
 */
static int take_operands(int argc, char **argv, struct capture_args *args,
			 const struct run_mode *m, const struct std_fds_closed *closed)
{
	char errbuf[XDPCAP_ERRBUF_SIZE];
	/* without -i, the first operand is the hook */
	bool hook_operand = !m->in_path && !args->n_hooks;
	const char *out;

	if (hook_operand && optind < argc)
		args->hooks[args->n_hooks++] = argv[optind];
	for (unsigned int i = 0; i < args->n_hooks; i++)
		for (unsigned int j = 0; j < i; j++)
			if (!strcmp(args->hooks[i], args->hooks[j])) {
				p_err("hook %s is given twice", args->hooks[i]);
				return EXIT_USAGE;
			}
	if (confine_active() && confine_capture(args, m->in_path, errbuf)) {
		p_err("%s", errbuf);
		return EXIT_USAGE;
	}
	out = optind + hook_operand < argc ? argv[optind + hook_operand] : NULL;
	if (out && closed->out && !strcmp(out, "-")) {
		p_err("OUTPUT is - but standard output is closed: give a file name");
		return EXIT_USAGE;
	}
	if (out && (args->rotate_mb || args->rotate_seconds) && !strcmp(out, "-")) {
		p_err("-C and -G write files in turn: OUTPUT must be a file name, not -");
		return EXIT_USAGE;
	}
	if (!m->in_path && !args->n_hooks) {
		p_err("nothing to do: give HOOK OUTPUT [FILTER...], -r INPUT OUTPUT, 'list', 'compile' or 'features' (see --help)");
		return EXIT_USAGE;
	}
	if (!out) {
		p_err("missing OUTPUT (a file name, or - for stdout)");
		return EXIT_USAGE;
	}
	args->output = out;
	optind += hook_operand + 1;
	return -1;
}

int main(int argc, char **argv)
{
	struct capture_args args = {
		.snaplen = XDPCAP_DEFAULT_SNAPLEN,
		.format = XDPCAP_FORMAT_PCAPNG,
	};
	struct std_fds_closed closed;
	struct run_mode m = { 0 };
	int opt, ret;

	if (std_fds_open(&closed))
		return EXIT_RUNTIME;
	for (size_t i = 0; argc > 1 && i < sizeof(subcommands) / sizeof(subcommands[0]); i++)
		if (!strcmp(argv[1], subcommands[i].name))
			return subcommands[i].run(argc - 1, argv + 1);
	/* "+": stop at the first operand, filters may look like options */
	while ((opt = getopt_long(argc, argv, "+i:s:c:C:G:W:F:m:qUB:r:vhV", long_options, NULL)) != -1)
		if ((ret = take_option(opt, &args, &m)) >= 0)
			return ret;
	if (m.entry)
		args.actions = (args.actions ? args.actions : (1u << XDPCAP_ACTIONS) - 1) |
			       1u << XDPCAP_SLOT_ENTRY;
	ret = check_options(&args, &m);
	if (ret)
		return ret;
	ret = take_operands(argc, argv, &args, &m, &closed);
	if (ret >= 0)
		return ret;
	if (m.in_path)
		return cmd_replay(m.in_path, args.output, argv + optind, argc - optind,
				  args.netmask, args.verbose);
	args.filter = xdpcap_expr_join(argv + optind, argc - optind);
	if (!args.filter) {
		p_err("out of memory");
		return EXIT_RUNTIME;
	}
	if (!strcmp(args.output, "-"))
		args.flush_each = true;
	ret = cmd_capture(&args);
	free(args.filter);
	return ret;
}
