// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/* Option values the front ends share (see args.h). */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>

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

int arg_u32(const char *opt, const char *s, uint32_t min, uint32_t max,
	    uint32_t *out)
{
	unsigned long long n;

	if (arg_number(opt, s, min, max, &n))
		return -1;
	*out = (uint32_t)n;
	return 0;
}
