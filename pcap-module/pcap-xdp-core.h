/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * xdp:NAME capture devices for libpcap: the operations of a pcap_t that
 * captures from an xdpcap hook, over the library's capture API. Built
 * twice from the same source:
 *
 *   inside libpcap (pcap-xdp.c, BUILDING_PCAP): against libpcap's own
 *   pcap-int.h;
 *   as libpcap-xdp.so, preloaded into programs linked with an unmodified
 *   libpcap 1.10 (preload.c): against pcap-abi-1.10.h, after a check at
 *   run time that the running libpcap has that layout.
 *
 * Either front end creates the pcap_t, calls pcap_xdp_setup(), and
 * provides pcap_xdp_release(); a filter's text reaches the module through
 * pcap_xdp_filter_compiled(), as pcap_setfilter() only passes cBPF.
 */
#ifndef PCAP_XDP_CORE_H
#define PCAP_XDP_CORE_H

#ifdef BUILDING_PCAP
#include "pcap-int.h"
#else
#include "pcap-abi-1.10.h"
#endif

#include <stdbool.h>
#include <stdint.h>
#include <sys/time.h>

#include "xdpcap/capture.h"

/* Device names: "xdp:HOOK" or "xdp:HOOK:ACTIONS" (ACTIONS as xdpcap --actions). */
#define PCAP_XDP_PREFIX "xdp:"

struct xdpcap_capture;

/* The private part of an xdp: pcap_t. */
struct pcap_xdp {
	/* the capture whose programs are in the hook's slots */
	struct xdpcap_capture *cap;
	struct xdpcap_busy busy;	/* who held a slot we were refused */
	int epoll_fd;			/* the selectable fd: cap's ring fd inside */
	int nonblock;
	struct timeval select_timeout;	/* see pcap_get_required_select_timeout() */
	/* the last filter compiled for this handle, when the front end knows it */
	struct bpf_program compiled;
	char filter_error[PCAP_ERRBUF_SIZE];	/* why it could not be used */
	/* the read in progress */
	pcap_handler callback;
	u_char *user;
	int max_packets;		/* <= 0: no limit */
	int delivered;
	/* read past max_packets, for the next read (see deliver()) */
	/* what the capture is opened with, again for each new filter */
	char hook[256];			/* "xdp:NAME" */
	unsigned int actions;		/* bit per XDP action, 0: all */
	uint32_t snaplen;
	unsigned int ring_kib;		/* the ring, shared by all CPUs (-B); 0: the library's default */
	bool told_limits;		/* XDPCAP_SAMPLE, XDPCAP_MAX_RATE said */
};

/* Is device one of ours (starts with "xdp:")? */
int pcap_xdp_is_device(const char *device);

/*
 * Make a freshly created pcap_t, whose p->priv points to a zeroed
 * struct pcap_xdp, an xdp: device. Returns 0, or -1 with ebuf filled.
 */
int pcap_xdp_setup(pcap_t *p, char *ebuf);

/*
 * The filter text compiled for p (NULL is ""), and the program libpcap
 * made of it (NULL if the front end does not see it). Puts capture
 * programs for this filter into the hook's slots, which needs the
 * privileges of activation: tcpdump compiles before it drops them.
 * Returns 0, or -1 with p->errbuf filled; the error is also kept for
 * pcap_setfilter().
 */
int pcap_xdp_filter_compiled(pcap_t *p, const char *text,
			     const struct bpf_program *program);

/* Is p an activated xdp: pcap_t? */
int pcap_xdp_is_active(pcap_t *p);

/* Each hook as a device: add(ctx, "xdp:NAME", description, errbuf). */
typedef int (*pcap_xdp_add_fn)(void *ctx, const char *name,
			       const char *description, char *errbuf);
int pcap_xdp_list_devices(pcap_xdp_add_fn add, void *ctx, char *errbuf);

/*
 * Provided by the front end: release what libpcap's own live-capture
 * cleanup releases (pcap_cleanup_live_common() inside libpcap).
 */
void pcap_xdp_release(pcap_t *p);

#endif
