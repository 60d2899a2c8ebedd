// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <bpf/bpf.h>

#include "hook_program.h"
#include "prog_owner.h"

static int pidns_of(const char *proc_dir, uint64_t *dev, uint64_t *ino)
{
	char path[96];
	struct stat st;

	snprintf(path, sizeof(path), "%s/ns/pid", proc_dir);
	if (stat(path, &st))
		return -errno;
	*dev = st.st_dev;
	*ino = st.st_ino;
	return 0;
}

int prog_owner_create(int *alive_fd)
{
	struct prog_owner owner = { .pid = (int32_t)getpid() };
	struct bpf_map_info info = { 0 };
	uint32_t len = sizeof(info), key = 0;
	int fd, err;

	*alive_fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, PROG_ALIVE_MAP_NAME, sizeof(uint32_t),
				   sizeof(uint32_t), 1, NULL);
	if (*alive_fd < 0)
		return -errno;
	if (bpf_obj_get_info_by_fd(*alive_fd, &info, &len)) {
		err = -errno;
		goto fail;
	}
	owner.alive_map_id = info.id;
	pidns_of("/proc/self", &owner.pidns_dev, &owner.pidns_ino);
	fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, PROG_OWNER_MAP_NAME, sizeof(uint32_t),
			    sizeof(owner), 1, NULL);
	if (fd < 0) {
		err = -errno;
		goto fail;
	}
	if (bpf_map_update_elem(fd, &key, &owner, BPF_ANY)) {
		err = -errno;
		close(fd);
		goto fail;
	}
	/* read-only from now on, where the kernel lets us (CAP_SYS_ADMIN
	 * before 5.8) */
	bpf_map_freeze(fd);
	return fd;
fail:
	close(*alive_fd);
	*alive_fd = -1;
	return err;
}

int prog_owner_read(uint32_t prog_id, struct prog_owner *owner)
{
	uint32_t key = 0;
	int fd, err;

	fd = hook_program_map(prog_id, PROG_OWNER_MAP_NAME, BPF_MAP_TYPE_ARRAY,
			      sizeof(*owner));
	if (fd < 0)
		return fd;
	err = bpf_map_lookup_elem(fd, &key, owner) ? -errno : 0;
	close(fd);
	return err;
}

bool prog_owner_alive(const struct prog_owner *owner)
{
	struct bpf_map_info info = { 0 };
	uint32_t len = sizeof(info);
	bool alive;
	int fd;

	fd = bpf_map_get_fd_by_id(owner->alive_map_id);
	if (fd < 0)
		/* gone; but one we may not open is still there */
		return errno != ENOENT;
	/* ids come round again only after 2^31 maps: check it is one */
	alive = !bpf_obj_get_info_by_fd(fd, &info, &len) && info.type == BPF_MAP_TYPE_ARRAY &&
		!strcmp(info.name, PROG_ALIVE_MAP_NAME);
	close(fd);
	return alive;
}

/* The last pid of a NSpid line: the process's pid in its own namespace. */
static int innermost_pid(const char *proc_dir)
{
	char path[96], line[256];
	int pid = 0;
	FILE *f;

	snprintf(path, sizeof(path), "%s/status", proc_dir);
	f = fopen(path, "re");
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f)) {
		char *p, *end;

		if (strncmp(line, "NSpid:", 6))
			continue;
		for (p = line + 6; ; p = end) {
			long v = strtol(p, &end, 10);

			if (end == p)
				break;
			pid = (int)v;
		}
		break;
	}
	fclose(f);
	return pid;
}

int prog_owner_local_pid(const struct prog_owner *owner)
{
	uint64_t dev = 0, ino = 0;
	struct dirent *de;
	int found = 0;
	DIR *d;

	if (!pidns_of("/proc/self", &dev, &ino) && dev == owner->pidns_dev &&
	    ino == owner->pidns_ino)
		return owner->pid;
	d = opendir("/proc");
	if (!d)
		return 0;
	while (!found && (de = readdir(d))) {
		char dir[64];
		int pid = atoi(de->d_name);

		if (pid <= 0)
			continue;
		snprintf(dir, sizeof(dir), "/proc/%d", pid);
		if (!pidns_of(dir, &dev, &ino) && dev == owner->pidns_dev &&
		    ino == owner->pidns_ino && innermost_pid(dir) == owner->pid)
			found = pid;
	}
	closedir(d);
	return found;
}
