// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * Captures of an XDP program without a hook: fentry and fexit programs
 * on it, in place of a hook's slots. They are attached by links, which
 * the kernel removes with the last fd: a capture that dies, even by
 * SIGKILL, leaves nothing attached, so no guard process is needed.
 */
#include <ctype.h>
#include <errno.h>
#include <net/if.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "capture_int.h"
#include "util.h"

int capture_trace_open(struct xdpcap_capture *cap, const char *spec, int hook_err,
		       char *errbuf)
{
	const char *ifname = "", *id_text = trace_prog_spec(spec);
	char why[XDPCAP_ERRBUF_SIZE], *end;
	unsigned long id;
	int err;

	if (id_text) {
		/* xdp:prog:ID, an XDP program by id, attached or not */
		errno = 0;
		id = strtoul(id_text, &end, 10);
		if (errno || *end || !id || id > UINT32_MAX || !isdigit((unsigned char)*id_text)) {
			xdpcap_err(errbuf, "bad program id in '%s': give xdp:prog:ID, ID a number", spec);
			return -EINVAL;
		}
		err = trace_target_open_id((uint32_t)id, &cap->target, why);
	} else {
		ifname = strncmp(spec, "xdp:", 4) ? spec : spec + 4;
		if (!*ifname || strchr(ifname, '/'))
			return hook_err;
		err = trace_target_open(ifname, &cap->target, why);
		if (err == -ENOENT)
			return hook_err; /* no such interface, or no program: as said */
	}
	if (!err && !cap->kernel.trace_xdp) {
		xdpcap_err(errbuf, "XDP program %u (%s)%s%s has no xdpcap hook, and it cannot be traced here: %s",
			   cap->target.prog_id, cap->target.prog_name, *ifname ? " of " : "",
			   ifname, cap->kernel.trace_reason);
		return -EOPNOTSUPP;
	}
	if (err) {
		xdpcap_err(errbuf, "%s", why);
		return err;
	}
	cap->traced = true;
	cap->hook.source = XDPCAP_HOOK_TRACED;
	cap->hook.map_fd = -1;
	if (*ifname)
		snprintf(cap->hook.name, sizeof(cap->hook.name), "xdp:%s", ifname);
	else
		snprintf(cap->hook.name, sizeof(cap->hook.name), "%s", spec);
	snprintf(cap->hook.ifname, sizeof(cap->hook.ifname), "%s", ifname);
	cap->hook.ifindex = *ifname ? (int)if_nametoindex(ifname) : 0;
	cap->hook.prog_id = cap->target.prog_id;
	snprintf(cap->hook.prog_name, sizeof(cap->hook.prog_name), "%s",
		 cap->target.prog_name);
	if (cap->target.dispatcher_id)
		capture_notice(cap, "%s: XDP program %u is libxdp's dispatcher, and program %u (%s) alone runs in its place",
			       cap->hook.name, cap->target.dispatcher_id, cap->target.prog_id,
			       cap->target.prog_name);
	capture_notice(cap, "%s: XDP program %u (%s) has no xdpcap hook: tracing its function %s (fexit%s)",
		       cap->hook.name, cap->target.prog_id, cap->target.prog_name,
		       cap->target.func_name, cap->entry ? " and fentry" : "");
	return 0;
}

/* One tracing program: kind trace, counted as slot's; fd kept. */
static int load_one(struct xdpcap_capture *cap, struct capture_prog_spec *spec,
		    enum capture_trace trace, unsigned int slot, char **log, char *errbuf)
{
	int fd;

	spec->trace = trace;
	spec->action = slot;
	fd = capture_prog_load(spec, log, &cap->prog_insns[slot], errbuf);
	if (fd < 0)
		return fd;
	cap->trace_prog_fds[trace - 1] = fd;
	return 0;
}

int capture_trace_load(struct xdpcap_capture *cap, struct capture_prog_spec *spec,
		       char **log, char *errbuf)
{
	const unsigned int exits = cap->actions & ((1u << XDPCAP_ACTIONS) - 1);
	int err = 0;

	spec->target = &cap->target;
	spec->trace_actions = exits;
	if (cap->entry)
		err = load_one(cap, spec, CAPTURE_TRACE_ENTRY, XDPCAP_SLOT_ENTRY, log, errbuf);
	/* the exit program counts by verdict: its size is told as ABORTED's */
	if (!err && exits)
		err = load_one(cap, spec, CAPTURE_TRACE_EXIT, XDP_ABORTED, log, errbuf);
	return err;
}

/* The entry first, so that each exit finds the entry's choice. */
int capture_trace_attach(struct xdpcap_capture *cap, char *errbuf)
{
	for (int i = CAPTURE_TRACE_ENTRY - 1; i <= CAPTURE_TRACE_EXIT - 1; i++) {
		int fd;

		if (cap->trace_prog_fds[i] < 0)
			continue;
		fd = trace_target_attach(cap->trace_prog_fds[i]);
		if (fd < 0) {
			xdpcap_err(errbuf, "cannot attach the %s program to XDP program %u (%s): %s",
				   i == CAPTURE_TRACE_ENTRY - 1 ? "fentry" : "fexit", cap->target.prog_id,
				   cap->target.prog_name, strerror(-fd));
			capture_trace_detach(cap);
			return fd;
		}
		cap->trace_link_fds[i] = fd;
	}
	return 0;
}

void capture_trace_detach(struct xdpcap_capture *cap)
{
	for (int i = 0; i < 2; i++) {
		if (cap->trace_link_fds[i] >= 0)
			close(cap->trace_link_fds[i]);
		cap->trace_link_fds[i] = -1;
	}
}

void capture_trace_close(struct xdpcap_capture *cap)
{
	capture_trace_detach(cap);
	for (int i = 0; i < 2; i++) {
		if (cap->trace_prog_fds[i] >= 0)
			close(cap->trace_prog_fds[i]);
		cap->trace_prog_fds[i] = -1;
	}
	trace_target_close(&cap->target);
}
