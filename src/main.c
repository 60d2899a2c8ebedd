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
#include "frontend/options.h"
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
	"IFNAME (the hook of the XDP program on that interface, or, for a program\n"
	"without one, the program itself, traced with fentry/fexit where the\n"
	"kernel allows it), xdp:prog:ID (XDP program ID, traced: one that\n"
	"libxdp's dispatcher runs, for instance), or a bpffs path.\n"
	"With -i, once for each, several hooks go into one pcapng file: each is\n"
	"an interface of its own, and packets are in timestamp order.\n"
	"\n"
	"Options:\n";

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
	options_help(out, FRONTEND_COMMAND);
	fputs(usage_tail, out);
}

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

/*
 * What getopt refused (opterr is 0), in one line and where to look: the
 * whole usage would bury it.
 */
static void bad_option(const char *arg)
{
	const struct option_def *d = optopt ? option_by_key(optopt) : NULL;
	int len = (int)strcspn(arg, "=");

	if (d)
		p_err("option %.*s needs a value", len, arg);
	else if (optopt > 0 && optopt < 128)
		p_err("unknown option -%c", optopt);
	else
		p_err("unknown option %.*s", len, arg);
	p_err("try 'xdpcap --help'");
}

/*
 * One option into args: -1 to go on, or the exit status (after --help,
 * --version, or a bad value, said).
 */
static int take_option(int key, char **argv, struct capture_args *args)
{
	const struct option_def *d = option_by_key(key);

	if (!d) {
		bad_option(argv[optind - 1]);
		return EXIT_USAGE;
	}
	switch (option_take(d, FRONTEND_COMMAND, optarg, args)) {
	case 0:
		return -1;
	case 1:
		break;
	default:
		return EXIT_USAGE;
	}
	if (d->kind == OPTION_HELP)
		print_usage(stdout);
	else
		printf("xdpcap %s\n", PACKAGE_VERSION);
	return 0;
}

/* Options that do not go together: 0, or EXIT_USAGE after saying why. */
static int check_options(const struct capture_args *args)
{
	const char *why = NULL;

	if (args->rotate_count && !args->rotate_mb && !args->rotate_seconds)
		why = "-W counts the files of -C or -G: give one of them";
	else if (args->read_path && args->n_hooks)
		why = "-r replays a file: -i is for live hooks";
	else if (args->n_hooks > 1 && args->format == XDPCAP_FORMAT_PCAP)
		why = "a pcap file holds one interface: several hooks (-i) need pcapng";
	else if (args->read_path && (args->rotate_mb || args->rotate_seconds))
		why = "-r writes one file: -C, -G and -W are for live captures";
	else if (args->read_path && (args->sample || args->max_rate))
		why = "-r replays files: --sample and --max-rate are for live hooks";
	else if (args->read_path && (args->actions & 1u << XDPCAP_SLOT_ENTRY))
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
			 const struct std_fds_closed *closed)
{
	char errbuf[XDPCAP_ERRBUF_SIZE];
	/* without -i, the first operand is the hook */
	bool hook_operand = !args->read_path && !args->n_hooks;
	const char *out;

	if (hook_operand && optind < argc)
		args->hooks[args->n_hooks++] = argv[optind];
	for (unsigned int i = 0; i < args->n_hooks; i++)
		for (unsigned int j = 0; j < i; j++)
			if (!strcmp(args->hooks[i], args->hooks[j])) {
				p_err("hook %s is given twice", args->hooks[i]);
				return EXIT_USAGE;
			}
	if (confine_active() && confine_capture(args, args->read_path != NULL, errbuf)) {
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
	if (!args->read_path && !args->n_hooks) {
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
	struct capture_args args = { .format = XDPCAP_FORMAT_PCAPNG };
	struct option longopts[OPTIONS_MAX];
	char shortopts[2 * OPTIONS_MAX + 2];
	struct std_fds_closed closed;
	int opt, ret;

	if (std_fds_open(&closed))
		return EXIT_RUNTIME;
	for (size_t i = 0; argc > 1 && i < sizeof(subcommands) / sizeof(subcommands[0]); i++)
		if (!strcmp(argv[1], subcommands[i].name))
			return subcommands[i].run(argc - 1, argv + 1);
	options_init(&args);
	/* "+": stop at the first operand, filters may look like options */
	options_getopt(FRONTEND_COMMAND, NULL, longopts, "+", shortopts);
	opterr = 0;
	while ((opt = getopt_long(argc, argv, shortopts, longopts, NULL)) != -1)
		if ((ret = take_option(opt, argv, &args)) >= 0)
			return ret;
	if (args.entry)
		args.actions = (args.actions ? args.actions : (1u << XDPCAP_ACTIONS) - 1) |
			       1u << XDPCAP_SLOT_ENTRY;
	ret = check_options(&args);
	if (ret)
		return ret;
	ret = take_operands(argc, argv, &args, &closed);
	if (ret >= 0)
		return ret;
	if (args.read_path)
		return cmd_replay(args.read_path, args.output, argv + optind, argc - optind,
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
