// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * Every hook that can be found: the maps pinned under the hook directory,
 * and the hooks of the XDP programs on this network namespace's
 * interfaces, each map once.
 */
#include <dirent.h>
#include <errno.h>
#include <net/if.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "xdpcap/hook.h"
#include "hook_program.h"
#include "util.h"

struct hook_vec {
	struct xdpcap_hook *v;
	size_t n, cap;
};

static int vec_push(struct hook_vec *vec, const struct xdpcap_hook *hook)
{
	struct xdpcap_hook *v;
	size_t cap;

	if (vec->n == vec->cap) {
		cap = vec->cap ? 2 * vec->cap : 8;
		v = realloc(vec->v, cap * sizeof(*v));
		if (!v)
			return -ENOMEM;
		vec->v = v;
		vec->cap = cap;
	}
	vec->v[vec->n++] = *hook;
	return 0;
}

static void vec_free(struct hook_vec *vec)
{
	xdpcap_hook_list_free(vec->v, vec->n);
	memset(vec, 0, sizeof(*vec));
}

static struct xdpcap_hook *vec_find_map(struct hook_vec *vec, uint32_t map_id)
{
	size_t i;

	for (i = 0; i < vec->n; i++)
		if (vec->v[i].map_id == map_id)
			return &vec->v[i];
	return NULL;
}

/*
 * Keep an opened hook (err 0), once per map if once. An error opening it
 * skips it, unless it says the search as a whole cannot work (refusals
 * are the callers' to handle).
 */
static int keep(struct hook_vec *vec, struct xdpcap_hook *hook, bool once,
		int err, const char *msg, char *errbuf)
{
	if (err == -ENOMEM) {
		xdpcap_err(errbuf, "%s", msg);
		return err;
	}
	if (err)
		return 0;
	if (once && vec_find_map(vec, hook->map_id)) {
		xdpcap_hook_close(hook);
		return 0;
	}
	err = vec_push(vec, hook);
	if (err) {
		xdpcap_hook_close(hook);
		xdpcap_err(errbuf, "out of memory");
	}
	return err;
}

/*
 * Without CAP_SYS_ADMIN an interface's program cannot be read: skip it,
 * say so in *denied (its message) and let the pinned hooks be listed.
 */
static int scan_interfaces(struct hook_vec *vec, char *denied, char *errbuf)
{
	char msg[XDPCAP_ERRBUF_SIZE];
	struct if_nameindex *ifs, *i;
	struct xdpcap_hook hook;
	int err = 0;

	ifs = if_nameindex();
	if (!ifs) {
		err = -errno;
		xdpcap_err(errbuf, "cannot list the network interfaces: %s",
			   strerror(errno));
		return err;
	}
	for (i = ifs; i->if_index && !err; i++) {
		err = xdpcap_hook_open_ifindex((int)i->if_index, &hook, msg);
		/* reading an interface's program needs CAP_SYS_ADMIN: without
		 * it, that interface's hook is only found by its pinned name */
		if (err == -EPERM) {
			if (!*denied)
				memcpy(denied, msg, XDPCAP_ERRBUF_SIZE);
			err = 0;
			continue;
		}
		err = keep(vec, &hook, true, err, msg, errbuf);
	}
	if_freenameindex(ifs);
	return err;
}

/* Where refusals go: to the caller's denied, or else they end the search. */
struct denials {
	xdpcap_hook_denied_fn fn;
	void *ctx;
	bool any;	/* fn was called */
};

/*
 * Pass on a refusal to open the pin name of dir, as hook spec (both NULL
 * for dir itself); -EPERM if nobody takes it.
 */
static int deny(struct denials *den, const char *dir, const char *spec,
		const char *name, const char *why, char *errbuf)
{
	struct xdpcap_hook hook;

	if (!den->fn) {
		xdpcap_err(errbuf, "%s", why);
		return -EPERM;
	}
	if (spec) {
		memset(&hook, 0, sizeof(hook));
		hook.map_fd = -1;
		hook.source = XDPCAP_HOOK_PINNED;
		memcpy(hook.name, spec, strlen(spec) + 1); /* it fits: scan_dir */
		if (snprintf(hook.path, sizeof(hook.path), "%s/%s", dir, name) >=
		    (int)sizeof(hook.path))
			hook.path[0] = '\0'; /* too long to tell */
	}
	den->fn(spec ? &hook : NULL, why, den->ctx);
	den->any = true;
	return 0;
}

static int scan_dir(const char *dir, struct hook_vec *vec, struct denials *den,
		    char *errbuf)
{
	char spec[sizeof(((struct xdpcap_hook *)NULL)->name)];
	char msg[XDPCAP_ERRBUF_SIZE];
	struct xdpcap_hook hook;
	struct dirent *ent;
	DIR *d;
	int err = 0;

	d = opendir(dir);
	if (!d) {
		if (errno == EACCES || errno == EPERM) {
			xdpcap_err(msg, "reading %s: not permitted: run as root (CAP_BPF and CAP_NET_ADMIN)",
				   dir);
			return deny(den, dir, NULL, NULL, msg, errbuf);
		}
		return 0; /* no directory, no pinned hooks */
	}
	while (!err && (ent = readdir(d))) {
		if (ent->d_type == DT_DIR || !strcmp(ent->d_name, ".") ||
		    !strcmp(ent->d_name, ".."))
			continue;
		if (snprintf(spec, sizeof(spec), "xdp:%s", ent->d_name) >=
		    (int)sizeof(spec))
			continue;
		err = xdpcap_hook_open(spec, dir, &hook, msg);
		if (err == -EPERM) {
			err = deny(den, dir, spec, ent->d_name, msg, errbuf);
			continue;
		}
		/* the file went away and an interface has that name */
		if (!err && hook.source != XDPCAP_HOOK_PINNED) {
			xdpcap_hook_close(&hook);
			continue;
		}
		/* every name of a map pinned twice */
		err = keep(vec, &hook, false, err, msg, errbuf);
	}
	closedir(d);
	return err;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(((const struct xdpcap_hook *)a)->name,
		      ((const struct xdpcap_hook *)b)->name);
}

int xdpcap_hook_list_denied(const char *hook_dir, xdpcap_hook_denied_fn denied_fn,
			    void *ctx, struct xdpcap_hook **hooks, size_t *count,
			    char *errbuf)
{
	struct hook_vec pinned = { 0 }, ifaces = { 0 };
	struct denials den = { .fn = denied_fn, .ctx = ctx };
	char denied[XDPCAP_ERRBUF_SIZE] = "";
	struct xdpcap_hook *p, *q;
	size_t i;
	int err;

	*hooks = NULL;
	*count = 0;
	err = scan_interfaces(&ifaces, denied, errbuf);
	if (!err)
		err = scan_dir(xdpcap_hook_dir(hook_dir), &pinned, &den, errbuf);
	/* nothing to show, and something we were not allowed to see */
	if (!err && !pinned.n && !ifaces.n && !den.any && *denied) {
		memcpy(errbuf, denied, XDPCAP_ERRBUF_SIZE);
		err = -EPERM;
	}
	if (err)
		goto out;
	if (pinned.n)
		qsort(pinned.v, pinned.n, sizeof(*pinned.v), by_name);
	/* an interface's hook that is also pinned goes by its pinned name */
	for (i = 0; i < pinned.n; i++) {
		p = &pinned.v[i];
		q = vec_find_map(&ifaces, p->map_id);
		if (!q)
			continue;
		if (!p->prog_id) {
			memcpy(p->ifname, q->ifname, sizeof(p->ifname));
			p->ifindex = q->ifindex;
			p->prog_id = q->prog_id;
			memcpy(p->prog_name, q->prog_name, sizeof(p->prog_name));
		}
		xdpcap_hook_close(q);
		q->map_id = 0; /* no map has id 0 */
	}
	/* a pin whose program is on no interface here: the program at least */
	for (i = 0; i < pinned.n; i++) {
		uint32_t id;

		p = &pinned.v[i];
		if (!p->prog_id && hook_programs(p, &id, 1) == 1)
			hook_name_program(p, id);
	}
	for (i = 0; i < ifaces.n; i++) {
		if (!ifaces.v[i].map_id)
			continue;
		err = vec_push(&pinned, &ifaces.v[i]);
		if (err) {
			xdpcap_err(errbuf, "out of memory");
			goto out;
		}
		ifaces.v[i].map_fd = -1; /* now pinned's */
	}
	*hooks = pinned.v;
	*count = pinned.n;
	pinned.v = NULL;
	pinned.n = 0;
out:
	vec_free(&pinned);
	vec_free(&ifaces);
	return err;
}

int xdpcap_hook_list(const char *hook_dir, struct xdpcap_hook **hooks,
		     size_t *count, char *errbuf)
{
	return xdpcap_hook_list_denied(hook_dir, NULL, NULL, hooks, count, errbuf);
}

void xdpcap_hook_list_free(struct xdpcap_hook *hooks, size_t count)
{
	size_t i;

	for (i = 0; i < count; i++)
		xdpcap_hook_close(&hooks[i]);
	free(hooks);
}
