/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * Option values the front ends share, read the same way everywhere: whole
 * decimal numbers (no sign, no octal or hex), in the same ranges, with the
 * same message when they are not.
 */
#ifndef XDPCAP_FRONTEND_ARGS_H
#define XDPCAP_FRONTEND_ARGS_H

#include <stdint.h>

#include "xdpcap/capture.h"

/* The snap length: 1 to libpcap's maximum, which is also the default. */
#define ARG_SNAPLEN_MAX XDPCAP_DEFAULT_SNAPLEN
/* The capture ring in KiB: 8 KiB to 1 GiB (the library rounds down to a
 * power of two, and makes a ring of less than 64 KiB 64 KiB). */
#define ARG_RING_KIB_MIN 8
#define ARG_RING_KIB_MAX (1u << 20)
/* --sample N: keep 1 in N */
#define ARG_SAMPLE_MAX 0x7fffffffu

/*
 * A whole number in [min, max]. Returns 0, or -1 after saying
 * "OPT takes a number from MIN to MAX, not 'S'" (p_err).
 */
int arg_number(const char *opt, const char *s, unsigned long long min,
	       unsigned long long max, unsigned long long *out);

/*
 * An IPv4 netmask, dotted (255.255.255.0) or as a prefix length (24), in
 * host byte order, as pcap_compile() wants it. Returns 0, or -1 after
 * saying what is wrong (p_err).
 */
int arg_netmask(const char *opt, const char *s, uint32_t *out);

/* The same for a value that fits 32 bits. */
int arg_u32(const char *opt, const char *s, uint32_t min, uint32_t max,
	    uint32_t *out);

#endif
