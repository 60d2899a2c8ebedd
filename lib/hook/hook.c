// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * Opening xdpcap hooks by name and reading who holds their slots.
 *
 * A hook is held as a map fd from the moment it is found: program and
 * map ids are only used to get there, so an id reused after its object
 * is freed is never mistaken for the hook.
 */
#include <errno.h>
#include <limits.h>
#include <net/if.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>
#include <linux/magic.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "xdpcap/hook.h"
#include "slot_chain.h"
#include "prog_owner.h"
#include "slot_lock.h"
#include "hook_int.h"
#include "util.h"

#define BPFFS_ROOT "/sys/fs/bpf"
#define XDP_PREFIX "xdp:"

/* How many XDP programs an interface can have: driver, generic, offloaded. */
#define XDP_MODES 3


const char *xdpcap_hook_dir(const char *hook_dir)
{
	const char *env;

	if (hook_dir && *hook_dir)
		return hook_dir;
	env = getenv("XDPCAP_HOOK_DIR");
	if (env && *env)
		return env;
	return XDPCAP_DEFAULT_HOOK_DIR;
}

static void hook_init(struct xdpcap_hook *hook)
{
	memset(hook, 0, sizeof(*hook));
	hook->map_fd = -1;
}

void xdpcap_hook_close(struct xdpcap_hook *hook)
{
	if (!hook)
		return;
	if (hook->map_fd >= 0)
		close(hook->map_fd);
	hook->map_fd = -1;
}

/* --- BPF objects ------------------------------------------------------ */

enum fd_kind { FD_UNKNOWN, FD_MAP, FD_PROG, FD_LINK };

/* What a BPF fd is: its /proc link reads "anon_inode:bpf-map" and so on. */
static enum fd_kind fd_kind(int fd)
{
	char path[64], target[64];
	ssize_t len;

	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	len = readlink(path, target, sizeof(target) - 1);
	if (len < 0)
		return FD_UNKNOWN;
	target[len] = '\0';
	if (!strcmp(target, "anon_inode:bpf-map"))
		return FD_MAP;
	if (!strcmp(target, "anon_inode:bpf-prog"))
		return FD_PROG;
	if (!strcmp(target, "anon_inode:bpf_link"))
		return FD_LINK;
	return FD_UNKNOWN;
}

/* The program type a program array is bound to, -1 while unbound. */
static int owner_prog_type(int map_fd)
{
	char path[64], line[128];
	int type = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", map_fd);
	f = fopen(path, "re");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "owner_prog_type: %d", &type) == 1)
			break;
	fclose(f);
	return type;
}

static int map_info(int fd, struct bpf_map_info *info)
{
	__u32 len = sizeof(*info);

	memset(info, 0, sizeof(*info));
	return bpf_obj_get_info_by_fd(fd, info, &len);
}

/*
 * A program's info with the ids of the maps it uses: asked for twice,
 * first for how many maps, then with room for their ids. *map_ids is
 * malloc'ed (NULL when there are none).
 */
static int prog_info(int prog_fd, struct bpf_prog_info *info,
		     __u32 **map_ids, __u32 *nr_map_ids)
{
	__u32 len = sizeof(*info), n;
	__u32 *ids;
	int err;

	*map_ids = NULL;
	*nr_map_ids = 0;
	memset(info, 0, sizeof(*info));
	err = bpf_obj_get_info_by_fd(prog_fd, info, &len);
	if (err || !info->nr_map_ids)
		return err;
	n = info->nr_map_ids;
	ids = calloc(n, sizeof(*ids));
	if (!ids)
		return -ENOMEM;
	memset(info, 0, sizeof(*info));
	info->nr_map_ids = n;
	info->map_ids = (__u64)(unsigned long)ids;
	len = sizeof(*info);
	err = bpf_obj_get_info_by_fd(prog_fd, info, &len);
	if (err) {
		free(ids);
		return err;
	}
	*map_ids = ids;
	*nr_map_ids = info->nr_map_ids < n ? info->nr_map_ids : n;
	return 0;
}

/* The programs attached to an interface; unused modes are 0. */
static int xdp_prog_ids(int ifindex, uint32_t ids[XDP_MODES])
{
	LIBBPF_OPTS(bpf_xdp_query_opts, opts);
	int err;

	err = bpf_xdp_query(ifindex, 0, &opts);
	if (err)
		return err;
	ids[0] = opts.drv_prog_id;
	ids[1] = opts.skb_prog_id;
	ids[2] = opts.hw_prog_id;
	if (!ids[0] && !ids[1] && !ids[2])
		ids[0] = opts.prog_id;
	return 0;
}

/*
 * Open the map named XDPCAP_HOOK_MAP_NAME among a program's maps (a
 * program array if there are several) and copy the program's name.
 * Returns the map fd, -ENOENT when the program has no such map, or
 * another -errno.
 */
static int prog_hook_map(uint32_t prog_id, char prog_name[16])
{
	struct bpf_prog_info info;
	struct bpf_map_info minfo;
	int prog_fd, fd, found = -ENOENT, err;
	__u32 *ids, n, i;

	prog_fd = bpf_prog_get_fd_by_id(prog_id);
	if (prog_fd < 0)
		return prog_fd;
	err = prog_info(prog_fd, &info, &ids, &n);
	close(prog_fd);
	if (err)
		return err;
	snprintf(prog_name, 16, "%s", info.name);
	for (i = 0; i < n; i++) {
		fd = bpf_map_get_fd_by_id(ids[i]);
		if (fd < 0) {
			if (hook_is_perm(fd)) {
				if (found >= 0)
					close(found);
				found = fd;
				break;
			}
			continue; /* freed meanwhile */
		}
		if (map_info(fd, &minfo) ||
		    strcmp(minfo.name, XDPCAP_HOOK_MAP_NAME)) {
			close(fd);
			continue;
		}
		if (found >= 0) {
			if (minfo.type != BPF_MAP_TYPE_PROG_ARRAY) {
				close(fd);
				continue;
			}
			close(found);
		}
		found = fd;
		if (minfo.type == BPF_MAP_TYPE_PROG_ARRAY)
			break;
	}
	free(ids);
	return found;
}

/* Whether program prog_id uses map map_id; copies the program's name. */
static bool prog_uses_map(uint32_t prog_id, uint32_t map_id, char prog_name[16])
{
	struct bpf_prog_info info;
	bool uses = false;
	__u32 *ids, n, i;
	int fd;

	fd = bpf_prog_get_fd_by_id(prog_id);
	if (fd < 0)
		return false;
	if (!prog_info(fd, &info, &ids, &n)) {
		for (i = 0; i < n && !uses; i++)
			uses = ids[i] == map_id;
		if (uses)
			snprintf(prog_name, 16, "%s", info.name);
		free(ids);
	}
	close(fd);
	return uses;
}

/* For a pinned hook: the first interface whose XDP program uses it. */
static void find_user(struct xdpcap_hook *hook)
{
	struct if_nameindex *ifs, *i;
	uint32_t ids[XDP_MODES];
	int m;

	ifs = if_nameindex();
	if (!ifs)
		return;
	for (i = ifs; i->if_index && !hook->prog_id; i++) {
		if (xdp_prog_ids(i->if_index, ids))
			continue;
		for (m = 0; m < XDP_MODES; m++) {
			if (!ids[m] || !prog_uses_map(ids[m], hook->map_id,
						      hook->prog_name))
				continue;
			snprintf(hook->ifname, sizeof(hook->ifname), "%s",
				 i->if_name);
			hook->ifindex = i->if_index;
			hook->prog_id = ids[m];
			break;
		}
	}
	if_freenameindex(ifs);
}

/* --- checking that a map is a hook ------------------------------------ */

#define HOOK_NEEDS_FMT "need a program array with 4-byte keys and values and at least %d slots"

/* Check the map fd is a hook, and fill map_id and max_entries. */
static int check_hook_map(int fd, const char *what, struct xdpcap_hook *hook,
			  char *errbuf)
{
	struct bpf_map_info info;
	const char *type;
	int owner, err;

	switch (fd_kind(fd)) {
	case FD_PROG:
		xdpcap_err(errbuf, "%s is a BPF program, not an xdpcap hook (" HOOK_NEEDS_FMT ")",
			   what, XDPCAP_ACTIONS);
		return -EINVAL;
	case FD_LINK:
		xdpcap_err(errbuf, "%s is a BPF link, not an xdpcap hook (" HOOK_NEEDS_FMT ")",
			   what, XDPCAP_ACTIONS);
		return -EINVAL;
	default:
		break;
	}
	err = map_info(fd, &info);
	if (err) {
		if (hook_is_perm(err)) {
			xdpcap_err(errbuf, "reading %s: %s", what, hook_not_permitted);
			return -EPERM;
		}
		xdpcap_err(errbuf, "cannot read %s: %s", what, strerror(-err));
		return err;
	}
	if (info.type != BPF_MAP_TYPE_PROG_ARRAY) {
		type = libbpf_bpf_map_type_str(info.type);
		if (!type)
			type = "unknown";
		xdpcap_err(errbuf, "%s is %s %s map, not an xdpcap hook (" HOOK_NEEDS_FMT ")",
			   what, strchr("aeiou", type[0]) ? "an" : "a", type,
			   XDPCAP_ACTIONS);
		return -EINVAL;
	}
	if (info.key_size != 4 || info.value_size != 4) {
		xdpcap_err(errbuf, "%s is a program array with %u-byte keys and %u-byte values, not an xdpcap hook (" HOOK_NEEDS_FMT ")",
			   what, info.key_size, info.value_size, XDPCAP_ACTIONS);
		return -EINVAL;
	}
	if (info.max_entries < XDPCAP_ACTIONS) {
		xdpcap_err(errbuf, "%s is a program array with %u slot%s, not an xdpcap hook (" HOOK_NEEDS_FMT ")",
			   what, info.max_entries,
			   info.max_entries == 1 ? "" : "s", XDPCAP_ACTIONS);
		return -EINVAL;
	}
	owner = owner_prog_type(fd);
	if (owner >= 0 && owner != BPF_PROG_TYPE_XDP) {
		type = libbpf_bpf_prog_type_str(owner);
		xdpcap_err(errbuf, "%s is a program array of %s programs, not an xdpcap hook (need one that XDP programs tail-call)",
			   what, type ? type : "non-XDP");
		return -EINVAL;
	}
	hook->map_id = info.id;
	hook->max_entries = info.max_entries;
	return 0;
}

/* --- hooks of interfaces ---------------------------------------------- */

int xdpcap_hook_open_ifindex(int ifindex, struct xdpcap_hook *hook,
			     char *errbuf)
{
	char ifname[IF_NAMESIZE], prog_name[16] = "", what[128];
	uint32_t ids[XDP_MODES], prog_id = 0;
	int fd = -ENOENT, err, m;

	hook_init(hook);
	if (ifindex <= 0 || !if_indextoname(ifindex, ifname)) {
		xdpcap_err(errbuf, "no network interface has index %d", ifindex);
		return -ENOENT;
	}
	err = xdp_prog_ids(ifindex, ids);
	if (err) {
		xdpcap_err(errbuf, "cannot ask which XDP program %s has: %s",
			   ifname, strerror(-err));
		return err;
	}
	for (m = 0; m < XDP_MODES; m++) {
		if (!ids[m] || (m && ids[m] == ids[m - 1]))
			continue;
		prog_id = ids[m];
		fd = prog_hook_map(prog_id, prog_name);
		if (fd >= 0)
			break;
		if (hook_is_perm(fd)) {
			xdpcap_err(errbuf, "reading the XDP program of %s: not permitted: run as root (finding an interface's hook needs CAP_SYS_ADMIN)",
				   ifname);
			return -EPERM;
		}
		if (fd != -ENOENT) {
			xdpcap_err(errbuf, "cannot read XDP program %u of %s: %s",
				   ids[m], ifname, strerror(-fd));
			return fd;
		}
	}
	if (!prog_id) {
		xdpcap_err(errbuf, "%s has no XDP program, so no xdpcap hook: attach an XDP program that uses bpf/xdpcap_hook.h",
			   ifname);
		return -ENOENT;
	}
	if (fd < 0) {
		xdpcap_err(errbuf,
			   "XDP program %u (%s) of %s has no map named " XDPCAP_HOOK_MAP_NAME
			   ": build it with XDPCAP_HOOK(" XDPCAP_HOOK_MAP_NAME
			   ") from bpf/xdpcap_hook.h, or pin its hook and name that",
			   prog_id, prog_name, ifname);
		return -ENOENT;
	}
	snprintf(what, sizeof(what), "map " XDPCAP_HOOK_MAP_NAME " of XDP program %u (%s) of %s",
		 prog_id, prog_name, ifname);
	err = check_hook_map(fd, what, hook, errbuf);
	if (err) {
		close(fd);
		return err;
	}
	hook->map_fd = fd;
	hook->source = XDPCAP_HOOK_INTERFACE;
	snprintf(hook->name, sizeof(hook->name), XDP_PREFIX "%s", ifname);
	snprintf(hook->ifname, sizeof(hook->ifname), "%s", ifname);
	hook->ifindex = ifindex;
	hook->prog_id = prog_id;
	snprintf(hook->prog_name, sizeof(hook->prog_name), "%s", prog_name);
	return 0;
}

/* --- pinned hooks ----------------------------------------------------- */

/*
 * Whether the filesystem holding path (or its nearest existing parent)
 * is not bpffs; if so, why holds what to do about it.
 */
static bool bpffs_missing(const char *path, char *why, size_t size)
{
	char probe[PATH_MAX];
	struct statfs sfs;
	char *slash;

	if (snprintf(probe, sizeof(probe), "%s", path) >= (int)sizeof(probe))
		return false;
	while (statfs(probe, &sfs)) {
		if (errno != ENOENT && errno != ENOTDIR)
			return false;
		slash = strrchr(probe, '/');
		if (!slash) {
			if (!strcmp(probe, "."))
				return false;
			strcpy(probe, ".");
		} else if (slash == probe) {
			probe[1] = '\0';
		} else {
			*slash = '\0';
		}
	}
	if (sfs.f_type == BPF_FS_MAGIC)
		return false;
	if (!strncmp(path, BPFFS_ROOT, strlen(BPFFS_ROOT)) &&
	    (!path[strlen(BPFFS_ROOT)] || path[strlen(BPFFS_ROOT)] == '/'))
		snprintf(why, size, "bpffs is not mounted at " BPFFS_ROOT ": mount -t bpf bpf " BPFFS_ROOT);
	else
		snprintf(why, size, "%s is not on bpffs: hooks are pinned on bpffs (mount -t bpf bpf " BPFFS_ROOT ")",
			 path);
	return true;
}

/* Whether the resolved path lies inside the resolved directory dir. */
static bool path_within(const char *path, const char *dir)
{
	size_t len = strlen(dir);

	if (len == 1 && dir[0] == '/')
		return path[0] == '/' && path[1];
	return !strncmp(path, dir, len) && path[len] == '/' && path[len + 1];
}

/* Open the object pinned at the resolved path real as a hook. */
static int open_pinned(const char *real, const char *what,
		       struct xdpcap_hook *hook, char *errbuf)
{
	struct statfs sfs;
	struct stat st;
	int fd, err;

	if (stat(real, &st) || statfs(real, &sfs)) {
		err = -errno;
		if (hook_is_perm(err)) {
			xdpcap_err(errbuf, "opening %s: %s", real, hook_not_permitted);
			return -EPERM;
		}
		xdpcap_err(errbuf, "cannot open %s: %s", real, strerror(-err));
		return err;
	}
	if (S_ISDIR(st.st_mode)) {
		xdpcap_err(errbuf, "%s is a directory (%s), not an xdpcap hook",
			   what, real);
		return -EINVAL;
	}
	if (sfs.f_type != BPF_FS_MAGIC) {
		xdpcap_err(errbuf, "%s is %s, a file that is not on bpffs, so not a pinned xdpcap hook",
			   what, real);
		return -EINVAL;
	}
	fd = bpf_obj_get(real);
	if (fd < 0) {
		if (hook_is_perm(fd)) {
			xdpcap_err(errbuf, "opening %s: %s", real, hook_not_permitted);
			return -EPERM;
		}
		xdpcap_err(errbuf, "cannot open %s: %s", real, strerror(-fd));
		return fd;
	}
	err = check_hook_map(fd, what, hook, errbuf);
	if (err) {
		close(fd);
		return err;
	}
	hook->map_fd = fd;
	snprintf(hook->path, sizeof(hook->path), "%s", real);
	find_user(hook);
	return 0;
}

/* realpath(), but -errno; out has PATH_MAX bytes. */
static int resolve(const char *path, char *out)
{
	return realpath(path, out) ? 0 : -errno;
}

/* spec is /PATH: a hook pinned anywhere on bpffs. */
static int open_path(const char *spec, const char *path,
		     struct xdpcap_hook *hook, char *errbuf)
{
	char real[PATH_MAX], parent[PATH_MAX], why[256], what[160];
	char *slash;
	int err;

	err = resolve(path, real);
	if (err == -ENOENT || err == -ENOTDIR) {
		snprintf(parent, sizeof(parent), "%s", path);
		slash = strrchr(parent, '/');
		if (slash == parent)
			parent[1] = '\0';
		else if (slash)
			*slash = '\0';
		if (bpffs_missing(parent, why, sizeof(why))) {
			xdpcap_err(errbuf, "no hook '%s': %s", spec, why);
			return -ENODEV;
		}
		xdpcap_err(errbuf, "no hook '%s': nothing is pinned at %s",
			   spec, path);
		return -ENOENT;
	}
	if (err) {
		if (hook_is_perm(err)) {
			xdpcap_err(errbuf, "opening %s: %s", path, hook_not_permitted);
			return -EPERM;
		}
		xdpcap_err(errbuf, "cannot open %s: %s", path, strerror(-err));
		return err;
	}
	if (strlen(real) >= sizeof(hook->name)) {
		xdpcap_err(errbuf, "hook path %s is too long (at most %zu bytes)",
			   real, sizeof(hook->name) - 1);
		return -ENAMETOOLONG;
	}
	snprintf(what, sizeof(what), "'%s'", spec);
	err = open_pinned(real, what, hook, errbuf);
	if (err)
		return err;
	hook->source = XDPCAP_HOOK_PATH;
	snprintf(hook->name, sizeof(hook->name), "%s", real);
	return 0;
}

/* Append ", xdp:a, xdp:b" (or "no hooks found") to msg, within size. */
static void append_hook_names(char *msg, size_t size, const char *hook_dir)
{
	struct xdpcap_hook *hooks;
	size_t count, i, len;
	const char *more = ", ...";

	if (xdpcap_hook_list(hook_dir, &hooks, &count, NULL))
		return;
	len = strlen(msg);
	if (!count)
		snprintf(msg + len, size - len, "; no hooks found");
	for (i = 0; i < count; i++) {
		const char *sep = i ? ", " : "; hooks found: ";
		size_t need = strlen(sep) + strlen(hooks[i].name);

		if (len + need + strlen(more) >= size) {
			snprintf(msg + len, size - len, "%s", more);
			break;
		}
		len += snprintf(msg + len, size - len, "%s%s", sep, hooks[i].name);
	}
	xdpcap_hook_list_free(hooks, count);
}

/* The length of the longest component of path. */
static size_t longest_component(const char *path)
{
	size_t longest = 0;

	while (*path) {
		size_t len = strcspn(path, "/");

		if (len > longest)
			longest = len;
		path += len;
		path += strspn(path, "/");
	}
	return longest;
}

/* spec is [xdp:]NAME: pinned under the hook directory, else an interface. */
static int open_named(const char *spec, const char *name, const char *hook_dir,
		      struct xdpcap_hook *hook, char *errbuf)
{
	const char *dir = xdpcap_hook_dir(hook_dir);
	char path[PATH_MAX], real[PATH_MAX], real_dir[PATH_MAX], why[256];
	char what[160], msg[XDPCAP_ERRBUF_SIZE];
	unsigned int ifindex;
	int err, len;

	if (strlen(name) + strlen(XDP_PREFIX) >= sizeof(hook->name)) {
		xdpcap_err(errbuf, "hook name '%s' is too long (at most %zu bytes)",
			   name, sizeof(hook->name) - strlen(XDP_PREFIX) - 1);
		return -ENAMETOOLONG;
	}
	/* the kernel says so only where the file system checks: bpffs does,
	 * the bare /sys/fs/bpf of sysfs does not */
	err = snprintf(path, sizeof(path), "%s/%s", dir, name) >= (int)sizeof(path) ||
	      longest_component(dir) > NAME_MAX ? -ENAMETOOLONG : resolve(path, real);
	if (err == -ENAMETOOLONG) {
		/* the name fits (above): the directory is to blame */
		xdpcap_err(errbuf, "hook directory '%.64s...' (%zu bytes) is too long for a path",
			   dir, strlen(dir));
		return -ENAMETOOLONG;
	}
	if (!err) {
		if (resolve(dir, real_dir) || !path_within(real, real_dir)) {
			xdpcap_err(errbuf, "hook '%s' leads out of the hook directory %s (to %s): refused",
				   spec, dir, real);
			return -EINVAL;
		}
		snprintf(what, sizeof(what), "'%s'", spec);
		err = open_pinned(real, what, hook, errbuf);
		if (err)
			return err;
		hook->source = XDPCAP_HOOK_PINNED;
		snprintf(hook->name, sizeof(hook->name), XDP_PREFIX "%s", name);
		return 0;
	}
	if (hook_is_perm(err)) {
		xdpcap_err(errbuf, "opening %s: %s", path, hook_not_permitted);
		return -EPERM;
	}
	if (err != -ENOENT && err != -ENOTDIR) {
		xdpcap_err(errbuf, "cannot open %s: %s", path, strerror(-err));
		return err;
	}
	ifindex = if_nametoindex(name);
	if (ifindex)
		return xdpcap_hook_open_ifindex((int)ifindex, hook, errbuf);
	if (bpffs_missing(dir, why, sizeof(why))) {
		xdpcap_err(errbuf, "no hook '%s': %s (and there is no network interface %s)",
			   spec, why, name);
		return -ENODEV;
	}
	len = snprintf(msg, sizeof(msg), "no hook '%s': no pinned hook %s and no network interface %s",
		       spec, path, name);
	if (len > 0 && (size_t)len < sizeof(msg))
		append_hook_names(msg, sizeof(msg), hook_dir);
	xdpcap_err(errbuf, "%s", msg);
	return -ENOENT;
}

int xdpcap_hook_open(const char *spec, const char *hook_dir,
		     struct xdpcap_hook *hook, char *errbuf)
{
	const char *name;

	hook_init(hook);
	if (!spec)
		spec = "";
	name = strncmp(spec, XDP_PREFIX, strlen(XDP_PREFIX)) ?
		spec : spec + strlen(XDP_PREFIX);
	if (!*name) {
		xdpcap_err(errbuf, "no hook named: give xdp:NAME (pinned under %s), xdp:IFNAME or a bpffs path",
			   xdpcap_hook_dir(hook_dir));
		return -EINVAL;
	}
	if (name[0] == '/')
		return open_path(spec, name, hook, errbuf);
	if (strchr(name, '/') || !strcmp(name, ".") || !strcmp(name, "..")) {
		xdpcap_err(errbuf, "bad hook name '%s': a name cannot contain '/' or be '..'; name a hook pinned in %s, an interface, or give the hook's absolute path on bpffs",
			   spec, xdpcap_hook_dir(hook_dir));
		return -EINVAL;
	}
	return open_named(spec, name, hook_dir, hook, errbuf);
}
