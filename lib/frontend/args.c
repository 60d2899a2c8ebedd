// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/* Option values the front ends share (see args.h). */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <arpa/inet.h>

#include "args.h"
#include "report.h"

int arg_number(const char *opt, const char *s, unsigned long long min,
	       unsigned long long max, unsigned long long *out)
{
	char *end;

	errno = 0;
	*out = strtoull(s, &end, 10);
	/* strtoull takes a sign and leading blanks: a number is digits */
	if (!isdigit((unsigned char)*s) || *end || errno || *out < min ||
	    *out > max) {
		p_err("%s takes a number from %llu to %llu, not '%s'", opt, min,
		      max, s);
		return -1;
	}
	return 0;
}

int arg_netmask(const char *opt, const char *s, uint32_t *out)
{
	struct in_addr a;
	unsigned long long bits;
	char *end;

	errno = 0;
	bits = strtoull(s, &end, 10);
	if (inet_pton(AF_INET, s, &a) == 1) {
		*out = ntohl(a.s_addr);
	} else if (isdigit((unsigned char)*s) && !*end && !errno && bits < 32) {
		*out = bits ? ~0u << (32 - bits) : 0;
	} else {
		p_err("%s takes an IPv4 netmask (255.255.255.0) or a prefix length (0 to 31), not '%s'",
		      opt, s);
		return -1;
	}
	/* libpcap reads all ones as "netmask unknown" */
	if (*out == 0xffffffffu) {
		p_err("%s %s leaves no host part, so no broadcast address: give a shorter netmask",
		      opt, s);
		return -1;
	}
	return 0;
}

int arg_u32(const char *opt, const char *s, uint32_t min, uint32_t max,
	    uint32_t *out)
{
	unsigned long long n;

	if (arg_number(opt, s, min, max, &n))
		return -1;
	*out = (uint32_t)n;
	return 0;
}
