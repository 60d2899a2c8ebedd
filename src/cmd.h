/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/* The xdpcap command's sub-commands; each lives in its own file. */
#ifndef XDPCAP_CMD_H
#define XDPCAP_CMD_H

#include <stdbool.h>
#include <stdint.h>

#include "xdpcap/output.h"
#include "xdpcap/session.h"
#include "frontend/capture_args.h"
#include "frontend/report.h"

/*
 * Exit codes: 0 success, 1 a failure while running, 2 bad input or a
 * refusal for lack of privileges (-EPERM from the library), which the
 * caller fixes as they fix their input.
 */
enum { EXIT_RUNTIME = 1, EXIT_USAGE = 2 };

/* EXIT_USAGE or EXIT_RUNTIME for a library call that returned err (-errno) */
int exit_status(int err);

int cmd_compile(int argc, char **argv);
int cmd_list(int argc, char **argv);
int cmd_features(int argc, char **argv);
int cmd_replay(const char *in_path, const char *out_path, char **filter,
	       int nfilter, uint32_t netmask, int verbose);
int cmd_capture(const struct capture_args *args);

#endif
