/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * Capture files in turn, as tcpdump's -C, -G and -W make them: the file
 * names and the switch from one file to the next.
 */
#ifndef XDPCAP_ROTATION_H
#define XDPCAP_ROTATION_H

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>

struct rotation {
	const char *pattern;	/* OUTPUT; with -G, strftime(3) conversions */
	uint64_t bytes;		/* -C, in bytes; 0: none */
	unsigned int seconds;	/* -G; 0: none */
	unsigned int count;	/* -W; 0: none */
	/* state */
	unsigned int number;	/* the -C number of the file being written */
	unsigned int timed_files; /* files begun by -G so far */
	time_t begun;		/* when the file being written began */
	int fd;			/* the file being written */
	char name[PATH_MAX + 16];	/* the pattern's, and a number */
};

/* The first file's name into r->name (begun now). */
void rotation_first(struct rotation *r);

/*
 * The session's rotate(): close done_fd, open the next file (its name in
 * r->name) and return its fd; -ECANCELED when -W files of -G are done;
 * another -errno with a message.
 */
int rotation_next(void *ctx, int done_fd, char *errbuf);

#endif
