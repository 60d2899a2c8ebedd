/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * Every capture option, declared once: its names, its value, where it
 * goes in struct capture_args, what it means and how Wireshark shows it.
 * The command's getopt tables and --help, the extcap's options, usage and
 * configuration dialog are all made from this table, and tests/docs.sh
 * checks the manual pages against what they print.
 */
#ifndef XDPCAP_FRONTEND_OPTIONS_H
#define XDPCAP_FRONTEND_OPTIONS_H

#include <getopt.h>
#include <stddef.h>
#include <stdio.h>

#include "capture_args.h"

/* The front ends an option belongs to (a mask). */
enum {
	FRONTEND_COMMAND = 1,	/* xdpcap */
	FRONTEND_EXTCAP = 2,	/* xdpcap-extcap */
};

/* How an option's value is read, and where it goes. */
enum option_kind {
	OPTION_FLAG,		/* no value: sets a bool */
	OPTION_LEVEL,		/* no value: counts how often it is given */
	OPTION_NUMBER,		/* a whole number in [min, max] */
	OPTION_ACTIONS,		/* XDP actions, by name or number */
	OPTION_NETMASK,		/* dotted, or a prefix length */
	OPTION_FORMAT,		/* pcapng or pcap */
	OPTION_TEXT,		/* a string, kept as given */
	OPTION_HOOK,		/* one hook more */
	OPTION_PROG,		/* one hook more: a program id to trace */
	OPTION_HELP,		/* the front end answers these */
	OPTION_VERSION,
};

struct option_def {
	const char *name;	/* long name without "--", or NULL */
	int letter;		/* short name, or 0 */
	const char *value;	/* the value's name in --help, NULL: none */
	enum option_kind kind;
	size_t field, size;	/* where the value goes in struct capture_args */
	unsigned long long min, max, initial; /* OPTION_NUMBER */
	unsigned int frontends;
	const char *text;	/* what it means: --help, tooltip, manuals */
	/* Wireshark's configuration dialog (FRONTEND_EXTCAP) */
	unsigned int place;	/* its place there, from 1; 0: not shown */
	const char *label;
	const char *tooltip_more; /* said after text in the tooltip */
	int zero_is_off;	/* the dialog takes 0 for "off" */
};

/* The table, in the order --help lists it */
extern const struct option_def option_defs[];
extern const size_t option_defs_count;

/* The largest getopt tables a front end needs (and one for the end). */
#define OPTIONS_MAX 32

/*
 * getopt_long's tables for FRONTEND: long options (the table's, then
 * extra's, ending with a zeroed entry) and short ones after prefix ("+"
 * stops at the first operand). The value getopt returns for one of the
 * table's options is option_key() of it. Keys of extra must be 512 or
 * more.
 */
void options_getopt(unsigned int frontend, const struct option *extra,
		    struct option longopts[OPTIONS_MAX], const char *prefix,
		    char shortopts[2 * OPTIONS_MAX + 2]);

/* The option of a key getopt_long returned, or NULL for another one. */
const struct option_def *option_by_key(int key);

/*
 * Take the option's value (optarg; NULL for none) into args. Returns 0,
 * 1 for OPTION_HELP and OPTION_VERSION (the front end answers), or -1
 * after saying what is wrong with the value (p_err). The extcap reads an
 * empty text as "not given" and 0 as "off" where the dialog offers it.
 */
int option_take(const struct option_def *d, unsigned int frontend,
		const char *value, struct capture_args *args);

/* The numbers' initial values (snap length...) into args. */
void options_init(struct capture_args *args);

/* FRONTEND's options as --help lists them: flags, then text beside. */
void options_help(FILE *out, unsigned int frontend);

/* FRONTEND's options in a usage line: "[--snaplen N] ...", wrapped at 78
 * columns, each line indented by indent. */
void options_synopsis(FILE *out, unsigned int frontend, int indent);

/*
 * The extcap's configuration dialog ("arg" and "value" lines): the first
 * action_slots actions offered (entry only where the hook has it), the
 * hook directory's default as given.
 */
void options_extcap_config(FILE *out, unsigned int action_slots,
			   const char *hook_dir_default);

#endif
