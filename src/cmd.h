/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/* The xdpcap command's sub-commands; each lives in its own file. */
#ifndef XDPCAP_CMD_H
#define XDPCAP_CMD_H

/* Exit codes: 0 success, 1 a failure while running, 2 bad input. */
enum { EXIT_RUNTIME = 1, EXIT_USAGE = 2 };

int cmd_compile(int argc, char **argv);
int cmd_replay(const char *in_path, const char *out_path, char **filter,
	       int nfilter, int verbose);

/* Print "xdpcap: " and the message to stderr. */
__attribute__((format(printf, 1, 2)))
void p_err(const char *fmt, ...);

#endif
