/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * Whether tracing programs attach to XDP programs here (trace_probe.c).
 * Not installed.
 */
#ifndef XDPCAP_TRACE_PROBE_H
#define XDPCAP_TRACE_PROBE_H

/* the kernel's ENOTSUPP (524), which user-space headers lack */
#define ENOTSUPP_ 524

/* 0 if an fexit program loads against an XDP program and attaches, or
 * the kernel's -errno where it refused. */
int trace_probe_xdp(void);

/* One sentence on a result of trace_probe_xdp(). */
const char *trace_probe_reason(int err);

#endif
