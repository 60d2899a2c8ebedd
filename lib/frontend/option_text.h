/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * What an option means, written once for every front end that has it:
 * `xdpcap --help` prints these, the extcap shows them as Wireshark
 * tooltips, and tests/docs.sh checks that the manual pages say the same.
 */
#ifndef XDPCAP_FRONTEND_OPTION_TEXT_H
#define XDPCAP_FRONTEND_OPTION_TEXT_H

#include <stdio.h>

#define OPTION_TEXT_ACTIONS \
	"XDP actions to capture: aborted, drop, pass, tx, redirect or 0-4, " \
	"all, comma-separated (default: all), and entry: each packet as it " \
	"arrived too"
#define OPTION_TEXT_SNAPLEN \
	"bytes to keep of each packet, 1 to 262144 (default 262144; at most " \
	"65000 are copied from the kernel)"
#define OPTION_TEXT_SAMPLE \
	"keep 1 in N of the packets the filter matches (each CPU keeps the " \
	"first of every N it sees), in the kernel"
#define OPTION_TEXT_MAX_RATE \
	"keep at most PPS matching packets a second, in the kernel (each CPU " \
	"an equal share, and as many in a burst after a quiet second); " \
	"packets left out are counted as skipped"
#define OPTION_TEXT_HOOK_DIR \
	"where xdp:NAME hooks are pinned (default $XDPCAP_HOOK_DIR or " \
	"/sys/fs/bpf/xdpcap)"
#define OPTION_TEXT_RING \
	"capture ring shared by all CPUs, in KiB, rounded down to a power " \
	"of two (default: 65536, 64 MiB); one per hook"

/* One option of a --help: its flags and what it means. */
struct option_help {
	const char *flags;	/* e.g. "-s, --snaplen N" */
	const char *text;
};

/*
 * Print options as --help lists them: flags in a column of their own,
 * text wrapped beside them to 78 columns. The list ends with flags NULL.
 */
void option_help_print(FILE *out, const struct option_help *options);

#endif
