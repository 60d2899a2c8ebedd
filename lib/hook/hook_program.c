// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>

#include "hook_program.h"

/* an XDP program with more maps than this is not looked into */
#define MAX_PROG_MAPS 64

/* The program's info and map ids; its fd closed. */
static int prog_info(uint32_t id, struct bpf_prog_info *info, uint32_t *maps)
{
	uint32_t len = sizeof(*info);
	int fd, err;

	fd = bpf_prog_get_fd_by_id(id);
	if (fd < 0)
		return fd;
	memset(info, 0, sizeof(*info));
	info->nr_map_ids = MAX_PROG_MAPS;
	info->map_ids = (uint64_t)(unsigned long)maps;
	err = bpf_obj_get_info_by_fd(fd, info, &len);
	close(fd);
	if (!err && info->nr_map_ids > MAX_PROG_MAPS)
		info->nr_map_ids = MAX_PROG_MAPS;
	return err;
}

static bool uses_map(const struct bpf_prog_info *info, const uint32_t *maps,
		     uint32_t map_id)
{
	for (uint32_t i = 0; i < info->nr_map_ids; i++)
		if (maps[i] == map_id)
			return true;
	return false;
}

int hook_programs(const struct xdpcap_hook *hook, uint32_t *ids, int max)
{
	uint32_t maps[MAX_PROG_MAPS], id = 0;
	struct bpf_prog_info info;
	int n = 0, err;

	while (!(err = bpf_prog_get_next_id(id, &id))) {
		err = prog_info(id, &info, maps);
		if (err == -ENOENT)
			continue;
		if (err)
			return err;
		/* capture programs of xdpcap refer to the hook too */
		if (info.type != BPF_PROG_TYPE_XDP || xdpcap_prog_name_owner(info.name) ||
		    !strcmp(info.name, "xdpcap_probe") || !uses_map(&info, maps, hook->map_id))
			continue;
		if (n < max)
			ids[n] = id;
		n++;
	}
	if ((err == -EPERM || err == -EACCES) && hook->prog_id) {
		/* only CAP_SYS_ADMIN may look at every program */
		if (max > 0)
			ids[0] = hook->prog_id;
		return 1;
	}
	return err == -ENOENT ? n : err;
}

/*
 * The info of each map of program prog_id, to fn, until fn returns
 * non-zero, which is returned; 0 after the last, or -errno.
 */
static int for_each_map(uint32_t prog_id,
			int (*fn)(const struct bpf_map_info *mi, void *ctx), void *ctx)
{
	uint32_t maps[MAX_PROG_MAPS];
	struct bpf_prog_info info;
	int ret = prog_info(prog_id, &info, maps);

	for (uint32_t i = 0; !ret && i < info.nr_map_ids; i++) {
		struct bpf_map_info mi;
		uint32_t len = sizeof(mi);
		int fd = bpf_map_get_fd_by_id(maps[i]);

		if (fd < 0)
			continue;
		memset(&mi, 0, sizeof(mi));
		if (!bpf_obj_get_info_by_fd(fd, &mi, &len))
			ret = fn(&mi, ctx);
		close(fd);
	}
	return ret;
}

struct map_wanted {
	const char *name;
	uint32_t type, value_size, id;
};

static int is_wanted(const struct bpf_map_info *mi, void *ctx)
{
	struct map_wanted *w = ctx;

	if (mi->type != w->type || mi->value_size != w->value_size || strcmp(mi->name, w->name))
		return 0;
	w->id = mi->id;
	return 1;
}

int hook_program_map(uint32_t prog_id, const char *name, uint32_t type,
		     uint32_t value_size)
{
	struct map_wanted w = { .name = name, .type = type, .value_size = value_size };
	int ret = for_each_map(prog_id, is_wanted, &w);

	if (ret < 0)
		return ret;
	return ret ? bpf_map_get_fd_by_id(w.id) : -ENOENT;
}

struct target_maps {
	struct hook_program_target_map *out;
	int max, n;
};

static int add_target(const struct bpf_map_info *mi, void *ctx)
{
	struct target_maps *t = ctx;

	if (mi->type != BPF_MAP_TYPE_DEVMAP && mi->type != BPF_MAP_TYPE_DEVMAP_HASH &&
	    mi->type != BPF_MAP_TYPE_CPUMAP && mi->type != BPF_MAP_TYPE_XSKMAP)
		return 0;
	if (t->n < t->max) {
		t->out[t->n].id = mi->id;
		t->out[t->n].type = mi->type;
		snprintf(t->out[t->n].name, sizeof(t->out[t->n].name), "%s", mi->name);
	}
	t->n++;
	return 0;
}

int hook_program_target_maps(uint32_t prog_id, struct hook_program_target_map *out,
			     int max)
{
	struct target_maps t = { .out = out, .max = max };
	int err = for_each_map(prog_id, add_target, &t);

	return err < 0 ? err : t.n;
}

void hook_name_program(struct xdpcap_hook *hook, uint32_t prog_id)
{
	struct bpf_prog_info info = {};
	uint32_t len = sizeof(info);
	int fd = bpf_prog_get_fd_by_id(prog_id);

	if (fd < 0)
		return;
	if (!bpf_obj_get_info_by_fd(fd, &info, &len)) {
		hook->prog_id = prog_id;
		snprintf(hook->prog_name, sizeof(hook->prog_name), "%s", info.name);
	}
	close(fd);
}
