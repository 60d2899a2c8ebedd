// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
#include <fcntl.h>
#include <unistd.h>

#include "std_fds.h"

int std_fds_open(struct std_fds_closed *closed)
{
	bool *was[3] = { &closed->in, &closed->out, &closed->err };

	for (int fd = 0; fd < 3; fd++) {
		*was[fd] = fcntl(fd, F_GETFD) < 0;
		if (!*was[fd])
			continue;
		/* the lowest free fd is this one: 0, 1 and 2 fill in order */
		int got = open("/dev/null", fd ? O_WRONLY : O_RDONLY);

		if (got != fd) {
			if (got >= 0)
				close(got);
			return -1;
		}
	}
	return 0;
}
