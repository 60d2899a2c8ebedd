/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/* xdp:NAME devices (xdpcap hooks), for libpcap's capture_source_types[]. */
pcap_t *xdp_create(const char *device, char *ebuf, int *is_ours);
int xdp_findalldevs(pcap_if_list_t *devlistp, char *errbuf);
