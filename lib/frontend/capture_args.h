/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * What a user asked of a capture, in the words of the options: filled by
 * the option table (options.h) in the command and the extcap alike.
 */
#ifndef XDPCAP_FRONTEND_CAPTURE_ARGS_H
#define XDPCAP_FRONTEND_CAPTURE_ARGS_H

#include <stdbool.h>
#include <stdint.h>

#include "xdpcap/output.h"
#include "xdpcap/session.h"

struct capture_args {
	const char *hooks[XDPCAP_SESSION_MAX_HOOKS];
	unsigned int n_hooks;
	char prog_hooks[XDPCAP_SESSION_MAX_HOOKS][24]; /* --prog ID: xdp:prog:ID */
	const char *output;	/* a file name, or "-" for stdout */
	char *filter;		/* joined FILTER words */
	const char *read_path;	/* -r: replay this file */
	bool entry;		/* --entry */
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
	unsigned int rings;		/* 0: one per 4 CPUs */
	uint32_t sample;	/* --sample: keep 1 in N matches; 0: all */
	uint32_t max_rate;	/* --max-rate: packets a second; 0: no cap */
	uint32_t netmask;	/* -m, host byte order; 0: none */
	/* -C (millions of bytes), -G (seconds), -W (files); 0: none */
	unsigned long long rotate_mb;
	unsigned int rotate_seconds, rotate_count;
};

#endif
