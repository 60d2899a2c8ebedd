/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * An XDP program captured by tracing it: the program on an interface,
 * the function of its BTF that fentry/fexit programs attach to, and
 * where the kernel keeps what a capture reads of each packet. Not
 * installed.
 */
#ifndef XDPCAP_TRACE_TARGET_H
#define XDPCAP_TRACE_TARGET_H

#include <stdbool.h>
#include <stdint.h>

/*
 * A hook name that names an XDP program by id, to be traced:
 * "xdp:prog:ID", or "prog:ID".
 */
#define TRACE_PROG_PREFIX "prog:"

/* The ID part of such a name, or NULL: it names no program. */
const char *trace_prog_spec(const char *name);

/* Offsets, from the kernel's BTF, of what a traced capture reads. */
struct trace_offsets {
	int16_t data, data_end, rxq;	/* struct xdp_buff */
	int16_t rxq_dev, rxq_queue;	/* struct xdp_rxq_info */
	int16_t dev_ifindex;		/* struct net_device */
};

struct trace_target {
	int prog_fd;			/* -1: none */
	uint32_t prog_id;
	char prog_name[16];
	uint32_t func_id;		/* in the program's BTF */
	char func_name[64];
	bool extension;			/* a component under a dispatcher */
	uint32_t dispatcher_id;		/* named by its interface, whose
					 * dispatcher it replaces: that */
	bool takes_xdp_md;		/* the function's first parameter */
	struct trace_offsets off;
};

/*
 * The XDP program of ifname (native, else generic mode), which has no
 * hook, or the one program libxdp's dispatcher there runs; fills t
 * (t->prog_fd -1 first). Returns 0, -ENOENT when the
 * interface has no XDP program, or -errno, with a message.
 */
int trace_target_open(const char *ifname, struct trace_target *t, char *errbuf);

/*
 * The XDP program of that id, attached or not (-ENOENT when there is
 * none), the same way; or an extension program that replaces part of
 * one (under libxdp's dispatcher).
 */
int trace_target_open_id(uint32_t prog_id, struct trace_target *t, char *errbuf);

void trace_target_close(struct trace_target *t);

/*
 * Attach a tracing program loaded against t (fentry or fexit); returns
 * the link's fd, which detaches it when closed, or -errno.
 */
int trace_target_attach(int prog_fd);

#endif
