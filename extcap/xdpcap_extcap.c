// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * Wireshark extcap for xdpcap hooks: every hook xdpcap finds is a capture
 * interface (xdp:NAME, xdp:IFNAME). Wireshark asks, in separate runs:
 *
 *   --extcap-interfaces                      which interfaces exist
 *   --extcap-interface I --extcap-dlts       their link type
 *   --extcap-interface I --extcap-config     their options
 *   --extcap-interface I --extcap-capture-filter F
 *                                            is F a good filter? (nothing
 *                                            printed: yes; a line: why not)
 *   --extcap-interface I --capture --fifo P [--extcap-capture-filter F]
 *                                            capture into P until SIGTERM
 *
 * The capture itself is the library's session, as for the xdpcap command.
 */
#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "xdpcap/capture.h"
#include "xdpcap/hook.h"
#include "xdpcap/session.h"
#include "frontend/args.h"
#include "frontend/confine.h"
#include "frontend/options.h"
#include "frontend/report.h"
#include "frontend/std_fds.h"

struct extcap_args {
	const char *interface;
	const char *fifo;
	const char *filter;
	/* the capture's settings (--sample and --max-rate: 0 is off) */
	struct capture_args set;
	bool list_interfaces, list_dlts, list_config, capture;
};

static volatile sig_atomic_t stop_requested;

/* Errors are one line on stderr (p_err): Wireshark shows it to the user. */
#define fail p_err

/*
 * The XDP programs without a hook that a capture can trace: each
 * interface's, and those libxdp's dispatcher runs. Those that cannot be
 * traced here are not offered (xdpcap list says why).
 */
static void print_traced_programs(void)
{
	char errbuf[XDPCAP_ERRBUF_SIZE];
	struct xdpcap_hookless *progs;
	size_t count;

	if (xdpcap_hookless_list(&progs, &count, errbuf))
		return;
	for (size_t i = 0; i < count; i++) {
		const struct xdpcap_hookless *h = &progs[i];

		if (!h->traceable)
			continue;
		printf("interface {value=%s}{display=XDP verdicts of program %s on %s (traced, no hook",
		       h->name, h->prog_name, h->ifname);
		if (h->dispatcher_id)
			printf("; run by dispatcher %u", h->dispatcher_id);
		printf(")}\n");
	}
	xdpcap_hookless_list_free(progs);
}

static void print_interfaces(const char *hook_dir)
{
	char errbuf[XDPCAP_ERRBUF_SIZE];
	struct xdpcap_hook *hooks;
	size_t count;

	printf("extcap {version=%s}{display=xdpcap: packets and verdicts at XDP hooks}\n",
	       PACKAGE_VERSION);
	if (confine_active() && confine_hook_dir(hook_dir, errbuf)) {
		fail("%s", errbuf);
		return;
	}
	if (xdpcap_hook_list(hook_dir, &hooks, &count, errbuf)) {
		/* no hooks here is not an error for Wireshark, but say why */
		if (confine_active())
			fail("%s", errbuf);
		return;
	}
	for (size_t i = 0; i < count; i++) {
		const struct xdpcap_hook *h = &hooks[i];

		printf("interface {value=%s}{display=XDP verdicts at %s", h->name,
		       h->name);
		if (h->prog_id)
			printf(" (program %s", h->prog_name[0] ? h->prog_name : "?");
		if (h->prog_id && h->ifname[0])
			printf(" on %s", h->ifname);
		printf("%s}\n", h->prog_id ? ")" : "");
	}
	xdpcap_hook_list_free(hooks, count);
	if (!confine_active())
		print_traced_programs();
}

/*
 * Whether the hook has entry slots (XDPCAP_HOOK_WITH_ENTRY); true where
 * it cannot be opened now, as a capture would then say why.
 */
static bool hook_has_entry(const struct extcap_args *a)
{
	struct xdpcap_hook hook;
	bool entry;

	if (xdpcap_hook_open(a->interface, a->set.hook_dir, &hook, NULL))
		return true;
	entry = hook.max_entries >= XDPCAP_ENTRY_HOOK_SLOTS;
	xdpcap_hook_close(&hook);
	return entry;
}

/* The options of the interface; "XDP entry" only where its hook has it. */
static void print_config(const struct extcap_args *a)
{
	options_extcap_config(stdout, hook_has_entry(a) ? XDPCAP_SLOTS : XDPCAP_ACTIONS,
			      xdpcap_hook_dir(NULL));
}

/* With file capabilities, for a user who is not root: see confine.h. */
static int confine_capture(const struct extcap_args *a, char *errbuf)
{
	return confine_hook_dir(a->set.hook_dir, errbuf) ||
	       confine_hook(a->interface, errbuf) ? -1 : 0;
}

/*
 * Compile and load without attaching: what Wireshark's filter bar asks.
 * Who holds the slots now does not make a filter good or bad.
 */
static int check_filter(const struct extcap_args *a)
{
	XDPCAP_OPTS(xdpcap_capture_opts, opts,
		.hook_dir = a->set.hook_dir,
		.actions = a->set.actions,
		.snaplen = a->set.snaplen,
		.force = true,
		.sample = a->set.sample,
		.max_rate = a->set.max_rate,
	);
	char errbuf[XDPCAP_ERRBUF_SIZE];
	struct xdpcap_capture *cap;

	if (confine_active() && confine_capture(a, errbuf)) {
		printf("%s\n", errbuf);
		return 0;
	}
	if (xdpcap_capture_open(a->interface, a->filter, &opts, &cap, errbuf)) {
		/* the line is the answer; the exit status stays 0 */
		printf("%s\n", errbuf);
		return 0;
	}
	xdpcap_capture_close(cap);
	return 0;
}

/* dumpcap waits to open the fifo: let it see the end at once */
static void close_fifo_early(const struct extcap_args *a)
{
	if (a->capture && a->fifo)
		close(open(a->fifo, O_WRONLY | O_NONBLOCK | O_CLOEXEC));
}

static int capture(const struct extcap_args *a)
{
	XDPCAP_OPTS(xdpcap_capture_opts, opts,
		.hook_dir = a->set.hook_dir,
		.actions = a->set.actions,
		.snaplen = a->set.snaplen,
		.sample = a->set.sample,
		.max_rate = a->set.max_rate,
	);
	XDPCAP_OPTS(xdpcap_session_opts, sopts,
		.format = XDPCAP_FORMAT_PCAPNG,
		.flush_each = true,	/* Wireshark shows packets as they come */
		.stop = &stop_requested,
	);
	char errbuf[XDPCAP_ERRBUF_SIZE];
	XDPCAP_OPTS(xdpcap_session_result, res);
	struct xdpcap_capture *cap;
	int err;

	if (!a->fifo) {
		fail("--capture needs --fifo PATH");
		return 1;
	}
	if (confine_active() && confine_capture(a, errbuf)) {
		fail("%s", errbuf);
		close_fifo_early(a);
		return 1;
	}
	err = xdpcap_capture_open(a->interface, a->filter, &opts, &cap, errbuf);
	if (err) {
		fail("%s", errbuf);
		close_fifo_early(a);
		return 1;
	}
	sopts.out_fd = open(a->fifo, O_WRONLY | O_CLOEXEC);
	if (sopts.out_fd < 0) {
		fail("cannot open %s: %s", a->fifo, strerror(errno));
		xdpcap_capture_close(cap);
		return 1;
	}
	/* Wireshark stops extcaps with SIGTERM; a closed fifo is EPIPE */
	stop_on_signals(&stop_requested);
	err = xdpcap_session_run(cap, &sopts, &res, errbuf);
	if (err)
		fail("%s", errbuf);
	close(sopts.out_fd);
	xdpcap_capture_close(cap);
	return err ? 1 : 0;
}

/* the extcap protocol's own options; the capture's are in options.h */
enum {
	OPT_INTERFACES = 512, OPT_VERSION, OPT_INTERFACE, OPT_DLTS, OPT_CONFIG,
	OPT_CAPTURE, OPT_FIFO, OPT_FILTER,
};

static const struct option protocol_options[] = {
	{ "extcap-interfaces", no_argument, NULL, OPT_INTERFACES },
	{ "extcap-version", optional_argument, NULL, OPT_VERSION },
	{ "extcap-interface", required_argument, NULL, OPT_INTERFACE },
	{ "extcap-dlts", no_argument, NULL, OPT_DLTS },
	{ "extcap-config", no_argument, NULL, OPT_CONFIG },
	{ "capture", no_argument, NULL, OPT_CAPTURE },
	{ "fifo", required_argument, NULL, OPT_FIFO },
	{ "extcap-capture-filter", required_argument, NULL, OPT_FILTER },
	{ NULL, 0, NULL, 0 },
};

static const char usage_text[] =
	"Usage: xdpcap-extcap --extcap-interfaces\n"
	"       xdpcap-extcap --extcap-interface xdp:NAME --extcap-dlts|--extcap-config\n"
	"       xdpcap-extcap --extcap-interface xdp:NAME --extcap-capture-filter FILTER\n"
	"       xdpcap-extcap --extcap-interface xdp:NAME --capture --fifo PATH\n"
	"                     [--extcap-capture-filter FILTER]\n";

static const char usage_tail[] =
	"\n"
	"The Wireshark extcap of xdpcap: Wireshark runs it to list XDP hooks as\n"
	"capture interfaces and to capture from them, each packet with its XDP\n"
	"verdict. Install it in Wireshark's extcap folder.\n";

static void print_usage(FILE *out)
{
	fputs(usage_text, out);
	options_synopsis(out, FRONTEND_EXTCAP, 21);
	fputs(usage_tail, out);
}

/* Parse everything, so a capture that fails still knows its fifo. */
static int parse(int argc, char **argv, struct extcap_args *a)
{
	struct option longopts[OPTIONS_MAX];
	char shortopts[2 * OPTIONS_MAX + 2];
	const struct option_def *d;
	int opt, err = 0;

	options_getopt(FRONTEND_EXTCAP, protocol_options, longopts, "", shortopts);
	opterr = 0; /* Wireshark may pass options of newer versions: ignore */
	while ((opt = getopt_long(argc, argv, shortopts, longopts, NULL)) != -1) {
		switch (opt) {
		case OPT_INTERFACES: a->list_interfaces = true; continue;
		case OPT_VERSION: continue;
		case OPT_INTERFACE: a->interface = optarg; continue;
		case OPT_DLTS: a->list_dlts = true; continue;
		case OPT_CONFIG: a->list_config = true; continue;
		case OPT_CAPTURE: a->capture = true; continue;
		case OPT_FIFO: a->fifo = optarg; continue;
		case OPT_FILTER: a->filter = optarg; continue;
		}
		d = option_by_key(opt);
		if (!d) {
			fprintf(stderr, "xdpcap-extcap: ignoring unknown option %s\n",
				argv[optind - 1]);
			continue;
		}
		switch (option_take(d, FRONTEND_EXTCAP, optarg, &a->set)) {
		case 1:		/* the extcap has --help, not --version */
			print_usage(stdout);
			exit(0);
		case -1:
			err = -1;
		}
	}
	return err;
}


int main(int argc, char **argv)
{
	struct extcap_args a = { 0 };
	struct std_fds_closed closed;

	/* the fifo Wireshark names must not be opened as fd 0 or 1 */
	if (std_fds_open(&closed))
		return 1;
	if (parse(argc, argv, &a)) {
		close_fifo_early(&a);
		return 1;
	}
	if (a.list_interfaces) {
		print_interfaces(a.set.hook_dir);
		return 0;
	}
	if (!a.interface) {
		print_usage(stderr);
		close_fifo_early(&a);
		return 1;
	}
	if (a.list_dlts) {
		printf("dlt {number=1}{name=EN10MB}{display=Ethernet}\n");
		return 0;
	}
	if (a.list_config) {
		print_config(&a);
		return 0;
	}
	if (a.capture)
		return capture(&a);
	if (a.filter)
		return check_filter(&a);
	print_usage(stderr);
	return 1;
}
