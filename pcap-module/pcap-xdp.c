// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * xdp:NAME devices compiled into libpcap (./configure --enable-xdp): the
 * module's entry points for capture_source_types[]. The operations are in
 * pcap-xdp-core.c, which libpcap-xdp.so shares; libpcap hands them the
 * filter's text through save_current_filter_op, called by pcap_compile().
 */
#ifdef HAVE_CONFIG_H
#include <config.h>
#endif

#include "pcap-int.h"
#include "pcap-xdp.h"
#include "pcap-xdp-core.h"

pcap_t *xdp_create(const char *device, char *ebuf, int *is_ours)
{
	pcap_t *p;

	*is_ours = pcap_xdp_is_device(device);
	if (!*is_ours)
		return NULL;
	p = PCAP_CREATE_COMMON(ebuf, struct pcap_xdp);
	if (!p)
		return NULL;
	if (pcap_xdp_setup(p, ebuf)) {
		pcap_close(p);
		return NULL;
	}
	return p;
}

static int add_device(void *devlistp, const char *name, const char *description,
		      char *errbuf)
{
	/* not "up": libpcap sorts up interfaces first, and the first is the default */
	bpf_u_int32 flags = PCAP_IF_CONNECTION_STATUS_NOT_APPLICABLE;

	return add_dev(devlistp, name, flags, description, errbuf) ? 0 : -1;
}

int xdp_findalldevs(pcap_if_list_t *devlistp, char *errbuf)
{
	return pcap_xdp_list_devices(add_device, devlistp, errbuf);
}

void pcap_xdp_release(pcap_t *p)
{
	pcap_cleanup_live_common(p);
}
