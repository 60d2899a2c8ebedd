/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/* libpcap-facing helpers shared inside the library; not installed. */
#ifndef XDPCAP_PCAP_GLUE_H
#define XDPCAP_PCAP_GLUE_H

#include <pcap.h>

#include "xdpcap/filter.h"

/*
 * Compile expr on an open pcap handle. The netmask is 0, as tcpdump uses
 * when reading files, so "ip broadcast" compiles.
 */
int cbpf_compile_on(pcap_t *handle, const char *expr, uint32_t netmask,
		    struct xdpcap_cbpf *prog,
		    char *errbuf);

#endif
