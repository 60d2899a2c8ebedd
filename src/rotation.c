// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * File names as tcpdump gives them: with -G the pattern goes through
 * strftime(3) at each file's start; with -C a number follows, from 1 for
 * the second file on, or, with -W, from 0 for every file, padded to the
 * digits of W - 1 and going round after W - 1. With -G and -W (without
 * -C) the capture ends after W files.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "xdpcap/capture.h"
#include "rotation.h"

/* Digits of the highest -W number, the width numbers are padded to. */
static int number_width(const struct rotation *r)
{
	int width = 1;

	if (!r->bytes || !r->count)
		return 0;
	for (unsigned int n = r->count - 1; n >= 10; n /= 10)
		width++;
	return width;
}

/* r->name for r->number and r->begun; too long a name is cut */
static void make_name(struct rotation *r)
{
	char base[PATH_MAX];
	struct tm tm;
	int width = number_width(r), n;

	if (!r->seconds || !localtime_r(&r->begun, &tm) ||
	    !strftime(base, sizeof(base), r->pattern, &tm)) {
		n = snprintf(base, sizeof(base), "%s", r->pattern);
		if (n < 0 || (size_t)n >= sizeof(base))
			base[sizeof(base) - 1] = '\0';
	}
	if (!r->number && !width)
		n = snprintf(r->name, sizeof(r->name), "%s", base);
	else
		n = snprintf(r->name, sizeof(r->name), "%s%0*u", base, width, r->number);
	if (n < 0 || (size_t)n >= sizeof(r->name))
		r->name[sizeof(r->name) - 1] = '\0';
}

void rotation_first(struct rotation *r)
{
	r->number = 0;
	r->timed_files = 1;
	r->begun = time(NULL);
	make_name(r);
}

int rotation_next(void *ctx, int done_fd, char *errbuf)
{
	struct rotation *r = ctx;
	time_t now = time(NULL);
	int fd;

	close(done_fd);
	r->fd = -1;
	if (r->seconds && now - r->begun >= (time_t)r->seconds) {
		if (r->count && !r->bytes && r->timed_files >= r->count)
			return -ECANCELED;
		r->timed_files++;
		r->number = 0;
		r->begun = now;
	} else {
		r->number++;
		if (r->count && r->number >= r->count)
			r->number = 0;
	}
	make_name(r);
	fd = open(r->name, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0) {
		int err = -errno;

		snprintf(errbuf, XDPCAP_ERRBUF_SIZE, "cannot write %.300s: %s", r->name,
			 strerror(errno));
		return err;
	}
	r->fd = fd;
	return fd;
}
