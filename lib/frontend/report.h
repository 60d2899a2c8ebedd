/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * What the front ends (the xdpcap command and the Wireshark extcap) share
 * beyond the library: how they say what went wrong, how they stop, how
 * they read the numbers and names users give them. Not installed; linked
 * into each front end. The libpcap module takes its settings from libpcap
 * and the environment and uses the library alone.
 */
#ifndef XDPCAP_FRONTEND_REPORT_H
#define XDPCAP_FRONTEND_REPORT_H

#include <signal.h>

/* Print "xdpcap: ", the message and a newline to stderr. */
__attribute__((format(printf, 1, 2)))
void p_err(const char *fmt, ...);

/*
 * Set *flag when SIGINT, SIGTERM or SIGHUP arrives, without SA_RESTART so
 * that the wait for packets is cut short; ignore SIGPIPE, so that a
 * reader gone away shows as EPIPE on write.
 */
void stop_on_signals(volatile sig_atomic_t *flag);

#endif
