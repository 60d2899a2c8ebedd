/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/* The xdpcap command's sub-commands; each lives in its own file. */
#ifndef XDPCAP_CMD_H
#define XDPCAP_CMD_H

#include <stdbool.h>
#include <stdint.h>

#include "xdpcap/output.h"
#include "xdpcap/session.h"
#include "frontend/report.h"

/*
 * Exit codes: 0 success, 1 a failure while running, 2 bad input or a
 * refusal for lack of privileges (-EPERM from the library), which the
 * caller fixes as they fix their input.
 */
enum { EXIT_RUNTIME = 1, EXIT_USAGE = 2 };

/* EXIT_USAGE or EXIT_RUNTIME for a library call that returned err (-errno) */
int exit_status(int err);

/*
 * What `xdpcap [options] HOOK OUTPUT [FILTER...]` (or with -i HOOK, once
 * or more, `xdpcap [options] OUTPUT [FILTER...]`) was asked to do.
 */
struct capture_args {
	const char *hooks[XDPCAP_SESSION_MAX_HOOKS];
	unsigned int n_hooks;
	const char *output;	/* a file name, or "-" for stdout */
	char *filter;		/* joined FILTER words */
	unsigned int actions;	/* bit per XDP action */
	uint32_t snaplen;
	unsigned long long count; /* stop after this many packets; 0: never */
	enum xdpcap_format format;
	bool quiet;
	bool flush_each;	/* -U */
	bool force;
	int verbose;
	const char *hook_dir;
	unsigned int ring_kib;
	uint32_t sample;	/* --sample: keep 1 in N matches; 0: all */
	uint32_t max_rate;	/* --max-rate: packets a second; 0: no cap */
	uint32_t netmask;	/* -m, host byte order; 0: none */
	/* -C (millions of bytes), -G (seconds), -W (files); 0: none */
	unsigned long long rotate_mb;
	unsigned int rotate_seconds, rotate_count;
};

int cmd_compile(int argc, char **argv);
int cmd_list(int argc, char **argv);
int cmd_features(int argc, char **argv);
int cmd_replay(const char *in_path, const char *out_path, char **filter,
	       int nfilter, uint32_t netmask, int verbose);
int cmd_capture(const struct capture_args *args);

#endif
