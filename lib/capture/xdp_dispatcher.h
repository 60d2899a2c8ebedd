/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * The programs libxdp's dispatcher runs: xdp-loader and libxdp attach
 * one XDP program (the dispatcher) that calls each component, an
 * extension program, in turn. The kernel does not say which extensions
 * a program has; libxdp pins them where this file reads them. Not
 * installed.
 */
#ifndef XDPCAP_XDP_DISPATCHER_H
#define XDPCAP_XDP_DISPATCHER_H

#include <stdint.h>

/* libxdp runs at most this many components */
#define XDP_DISPATCHER_MAX 10

/*
 * The ids of the components that dispatcher program dispatcher_id runs
 * on ifindex, in its order, into ids (XDP_DISPATCHER_MAX at most).
 * Returns how many: 0 when it is no dispatcher of libxdp's or its pins
 * cannot be read here.
 */
int xdp_dispatcher_components(int ifindex, uint32_t dispatcher_id, uint32_t *ids);

#endif
