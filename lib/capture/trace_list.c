// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * The XDP programs of this network namespace's interfaces that have no
 * hook, and whether a capture can trace each (xdpcap list shows them).
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
#include "util.h"

/* What an interface's program without a hook is, or 1: no such program. */
static int describe(const struct if_nameindex *ifi, const struct xdpcap_kernel *k,
		    struct xdpcap_hookless *h)
{
	struct trace_target t;
	int err;

	memset(h, 0, sizeof(*h));
	err = trace_target_open(ifi->if_name, &t, h->why);
	if (err == -ENOENT) {
		trace_target_close(&t);
		return 1;
	}
	snprintf(h->ifname, sizeof(h->ifname), "%s", ifi->if_name);
	h->ifindex = (int)ifi->if_index;
	h->prog_id = t.prog_id;
	snprintf(h->prog_name, sizeof(h->prog_name), "%s", t.prog_name);
	snprintf(h->func_name, sizeof(h->func_name), "%s", t.func_name);
	trace_target_close(&t);
	if (!err && !k->trace_xdp)
		snprintf(h->why, sizeof(h->why), "%s", k->trace_reason);
	h->traceable = !err && k->trace_xdp;
	if (h->traceable)
		h->why[0] = '\0';
	return 0;
}

int xdpcap_hookless_list(struct xdpcap_hookless **out, size_t *count, char *errbuf)
{
	XDPCAP_OPTS(xdpcap_kernel, k);
	struct xdpcap_hookless *list = NULL, *grown;
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
		err = 0;
		grown = realloc(list, (n + 1) * sizeof(*list));
		if (!grown) {
			err = -ENOMEM;
			xdpcap_err(errbuf, "out of memory");
			break;
		}
		list = grown;
		if (!describe(ifi, &k, &list[n]))
			n++;
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
