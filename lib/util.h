/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/* Small helpers shared by the library's files; not installed. */
#ifndef XDPCAP_UTIL_H
#define XDPCAP_UTIL_H

#include <stdarg.h>
#include <stdio.h>

#include "xdpcap/filter.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* Write a message into a caller's XDPCAP_ERRBUF_SIZE buffer (NULL is fine). */
__attribute__((format(printf, 2, 3)))
static inline void xdpcap_err(char *errbuf, const char *fmt, ...)
{
	va_list ap;

	if (!errbuf)
		return;
	va_start(ap, fmt);
	vsnprintf(errbuf, XDPCAP_ERRBUF_SIZE, fmt, ap);
	va_end(ap);
}

#endif
