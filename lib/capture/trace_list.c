// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * The XDP programs of this network namespace's interfaces that have no
 * hook, and those libxdp's dispatcher runs, and whether a capture can
 * trace each (xdpcap list shows them).
 */
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xdpcap/capture.h"
#include "xdpcap/hook.h"
#include "xdpcap/kernel.h"
#include "trace_target.h"
#include "xdp_dispatcher.h"
#include "util.h"

/* What the program t is, traced or why not. */
static void describe(const struct trace_target *t, int err, const struct xdpcap_kernel *k,
		     struct xdpcap_hookless *h)
{
	h->prog_id = t->prog_id;
	snprintf(h->prog_name, sizeof(h->prog_name), "%s", t->prog_name);
	snprintf(h->func_name, sizeof(h->func_name), "%s", t->func_name);
	if (!err && !k->trace_xdp)
		snprintf(h->why, sizeof(h->why), "%s", k->trace_reason);
	h->traceable = !err && k->trace_xdp;
	if (h->traceable)
		h->why[0] = '\0';
}

/* Room for n more entries in *list, which holds *count. */
static int grow(struct xdpcap_hookless **list, size_t count, size_t n, char *errbuf)
{
	struct xdpcap_hookless *grown = realloc(*list, (count + n) * sizeof(**list));

	if (!grown) {
		xdpcap_err(errbuf, "out of memory");
		return -ENOMEM;
	}
	memset(grown + count, 0, n * sizeof(*grown));
	*list = grown;
	return 0;
}

/*
 * The interface's program without a hook, then the programs it runs if
 * it is libxdp's dispatcher, appended to *list.
 */
static int add_interface(const struct if_nameindex *ifi, const struct xdpcap_kernel *k,
			 struct xdpcap_hookless **list, size_t *n, char *errbuf)
{
	uint32_t ids[XDP_DISPATCHER_MAX];
	struct xdpcap_hookless *h;
	struct trace_target t;
	int err, count;

	err = grow(list, *n, 1 + XDP_DISPATCHER_MAX, errbuf);
	if (err)
		return err;
	h = &(*list)[*n];
	err = trace_target_open(ifi->if_name, &t, h->why);
	trace_target_close(&t);
	if (err == -ENOENT)
		return 0;
	snprintf(h->name, sizeof(h->name), "xdp:%s", ifi->if_name);
	snprintf(h->ifname, sizeof(h->ifname), "%s", ifi->if_name);
	h->ifindex = (int)ifi->if_index;
	h->dispatcher_id = t.dispatcher_id;
	describe(&t, err, k, h);
	(*n)++;
	count = t.prog_id ? xdp_dispatcher_components(h->ifindex, t.prog_id, ids) : 0;
	for (int i = 0; i < count; i++) {
		struct xdpcap_hookless *c = &(*list)[(*n)++];

		err = trace_target_open_id(ids[i], &t, c->why);
		trace_target_close(&t);
		snprintf(c->name, sizeof(c->name), "xdp:prog:%u", ids[i]);
		snprintf(c->ifname, sizeof(c->ifname), "%s", ifi->if_name);
		c->ifindex = (int)ifi->if_index;
		c->dispatcher_id = h->prog_id;
		c->position = i;
		describe(&t, err, k, c);
		c->prog_id = ids[i];
	}
	return 0;
}

int xdpcap_hookless_list(struct xdpcap_hookless **out, size_t *count, char *errbuf)
{
	XDPCAP_OPTS(xdpcap_kernel, k);
	struct xdpcap_hookless *list = NULL;
	struct if_nameindex *ifs, *ifi;
	struct xdpcap_hook hook;
	size_t n = 0;
	int err = 0;

	*out = NULL;
	*count = 0;
	err = xdpcap_kernel_probe(&k, errbuf);
	if (err)
		return err;
	ifs = if_nameindex();
	if (!ifs) {
		err = -errno;
		xdpcap_err(errbuf, "cannot list the network interfaces: %s", strerror(errno));
		return err;
	}
	for (ifi = ifs; ifi->if_index && !err; ifi++) {
		err = xdpcap_hook_open_ifindex((int)ifi->if_index, &hook, errbuf);
		if (!err) {
			xdpcap_hook_close(&hook);	/* hooked: listed as a hook */
			continue;
		}
		if (err != -ENOENT)
			break;
		err = add_interface(ifi, &k, &list, &n, errbuf);
	}
	if_freenameindex(ifs);
	if (err) {
		free(list);
		return err;
	}
	*out = list;
	*count = n;
	return 0;
}

void xdpcap_hookless_list_free(struct xdpcap_hookless *list)
{
	free(list);
}
