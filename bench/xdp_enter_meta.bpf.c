// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * Reference program for the capture benchmark (bench/bench_capture.c):
 * the demo with xdpcap_enter() as xdpcap 0.1 had it, a look for the entry
 * capture's mark in the packet's XDP metadata, to time against today's
 * per-CPU entry state while nobody captures.
 *
 * 0.1 took the mark away with bpf_xdp_adjust_meta, which some kernels
 * refuse in XDP programs; here that branch calls bpf_xdp_adjust_head
 * with 0 instead (no change), so the program loads everywhere. The
 * benchmark's frames carry no metadata: the branch is never taken, and
 * the path timed is 0.1's, instruction for instruction.
 */
#define XDPCAP_V01_UNMARK(ctx) bpf_xdp_adjust_head(ctx, 0)
#include "../tests/bpf/xdpcap_hook_v01.h"
#include "examples/xdpcap_demo.bpf.c"
