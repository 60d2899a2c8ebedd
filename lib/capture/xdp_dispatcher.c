// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * libxdp keeps a dispatcher's state in bpffs, in a directory named
 * after the interface and the dispatcher's program id:
 * BPFFS/xdp/dispatch-IFINDEX-ID/progN-prog is the Nth component (BPFFS is
 * $LIBXDP_BPFFS, or /sys/fs/bpf). That layout is what xdp-loader and
 * every libxdp user share, and reading it works on every kernel, where
 * the links' target ids are only told from 5.13 on.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <bpf/bpf.h>

#include "xdp_dispatcher.h"

static uint32_t pinned_prog_id(const char *path)
{
	struct bpf_prog_info info = {};
	uint32_t len = sizeof(info);
	int fd = bpf_obj_get(path);
	uint32_t id = 0;

	if (fd < 0)
		return 0;
	if (!bpf_obj_get_info_by_fd(fd, &info, &len))
		id = info.id;
	close(fd);
	return id;
}

int xdp_dispatcher_components(int ifindex, uint32_t dispatcher_id, uint32_t *ids)
{
	const char *bpffs = getenv("LIBXDP_BPFFS");
	char path[512];
	int n = 0;

	if (!bpffs || !*bpffs)
		bpffs = "/sys/fs/bpf";
	/* components are numbered from 0, with no gaps */
	for (int i = 0; i < XDP_DISPATCHER_MAX; i++) {
		uint32_t id;

		if (snprintf(path, sizeof(path), "%s/xdp/dispatch-%d-%u/prog%d-prog", bpffs,
			     ifindex, dispatcher_id, i) >= (int)sizeof(path))
			break;
		id = pinned_prog_id(path);
		if (!id)
			break;
		ids[n++] = id;
	}
	return n;
}
