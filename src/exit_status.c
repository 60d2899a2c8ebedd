// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/* The exit status of every sub-command that failed on a library call. */
#include <errno.h>

#include "cmd.h"

/*
 * What the caller fixes as they fix their input gives EXIT_USAGE: a name
 * that is not there or not a hook, a bad value, filter or input file
 * (EBADMSG: malformed), a filter too large for the kernel, slots another
 * capture holds, a refusal for lack of privileges. The rest is the
 * system's: EXIT_RUNTIME.
 */
int exit_status(int err)
{
	switch (-err) {
	case EPERM:
	case EINVAL:
	case ENOENT:
	case ENODEV:
	case ENAMETOOLONG:
	case EBUSY:
	case E2BIG:
	case EMSGSIZE:
	case EBADMSG:
		return EXIT_USAGE;
	default:
		return EXIT_RUNTIME;
	}
}
