// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include <sys/file.h>
#include <sys/stat.h>

#include "slot_lock.h"

int slot_lock_open(void)
{
	int fd;

	if (mkdir(SLOT_LOCK_DIR, 0755) && errno != EEXIST)
		return -errno;
	/* read access is all an F_RDLCK needs: root creates, others use */
	fd = open(SLOT_LOCK_FILE, O_RDONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
	return fd < 0 ? -errno : fd;
}

int slot_lock_claim_begin(int fd)
{
	while (flock(fd, LOCK_EX))
		if (errno != EINTR)
			return -errno;
	return 0;
}

void slot_lock_claim_end(int fd)
{
	flock(fd, LOCK_UN);
}

static int set_lock(int fd, short type, uint32_t prog_id)
{
	struct flock fl = {
		.l_type = type,
		.l_whence = SEEK_SET,
		.l_start = prog_id,
		.l_len = 1,
	};

	return fcntl(fd, F_OFD_SETLK, &fl) ? -errno : 0;
}

int slot_lock_hold(int fd, uint32_t prog_id)
{
	return set_lock(fd, F_RDLCK, prog_id);
}

void slot_lock_release(int fd, uint32_t prog_id)
{
	set_lock(fd, F_UNLCK, prog_id);
}

bool slot_lock_held(int fd, uint32_t prog_id)
{
	/* a write lock would conflict with any holder's read lock */
	struct flock fl = {
		.l_type = F_WRLCK,
		.l_whence = SEEK_SET,
		.l_start = prog_id,
		.l_len = 1,
	};

	if (fd < 0 || fcntl(fd, F_OFD_GETLK, &fl))
		return false;
	return fl.l_type != F_UNLCK;
}
