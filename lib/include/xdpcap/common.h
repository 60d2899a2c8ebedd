/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * What every header of the library shares: how its functions are
 * exported, the size of the error buffers they fill, and how options
 * structs are declared.
 */
#ifndef XDPCAP_COMMON_H
#define XDPCAP_COMMON_H

#include <string.h> /* memset, for XDPCAP_OPTS */

#define XDPCAP_API __attribute__((visibility("default")))

/* Error messages are written to a caller buffer of this size. */
#define XDPCAP_ERRBUF_SIZE 512

/*
 * Structs the library fills (statistics, results, what the kernel
 * offers) also start with their size, set by the caller, so that a
 * newer library writes no more than an older caller has room for:
 * declare them with XDPCAP_OPTS too. A function given one whose size
 * cannot hold its own size fails with -EINVAL.
 *
 * Declare and size an options struct: XDPCAP_OPTS(xdpcap_ebpf_opts, o, ...).
 * Every options struct starts with its size, so that a program and the
 * library may be built against different versions: fields the program
 * does not know take their default (0); fields the library does not know
 * must be 0, or the call fails with -EINVAL. The macro zeroes the padding
 * too, where a later version may put a field.
 */
#define XDPCAP_OPTS(TYPE, NAME, ...)					\
	struct TYPE NAME = ({						\
		memset(&NAME, 0, sizeof(struct TYPE));			\
		(struct TYPE){ .sz = sizeof(struct TYPE), __VA_ARGS__ };	\
	})

#endif
