/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * A front end started with stdin, stdout or stderr closed (a daemon, a
 * careless service file, `<&- >&-`) must not let the kernel hand out 0,
 * 1 or 2 for its own files and pipes: something would then write capture
 * data to "stdout", or close a pipe believing it closes stdin.
 */
#ifndef XDPCAP_STD_FDS_H
#define XDPCAP_STD_FDS_H

#include <stdbool.h>

struct std_fds_closed {
	bool in, out, err;
};

/*
 * Open /dev/null onto each of fds 0, 1 and 2 that is closed, and say
 * which were. Returns 0, or -1 if one could not be opened (the caller
 * cannot even complain on a closed stderr: it just exits).
 */
int std_fds_open(struct std_fds_closed *closed);

#endif
