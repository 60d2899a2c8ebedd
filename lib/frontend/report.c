// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/* Errors and stop signals of the front ends (see report.h). */
#include <stdarg.h>
#include <stdio.h>

#include "report.h"

void p_err(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "xdpcap: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static volatile sig_atomic_t *stop_flag;

static void on_stop_signal(int sig)
{
	(void)sig;
	*stop_flag = 1;
}

void stop_on_signals(volatile sig_atomic_t *flag)
{
	struct sigaction sa = { .sa_handler = on_stop_signal };

	stop_flag = flag;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}
