// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * The program of xdp_user_entry.bpf.c as xdpcap 0.1's header built it
 * (xdpcap_hook_v01.h): a hook of seven slots, no entry state, an entry
 * mark in XDP metadata. Programs built so are still in use; xdpcap
 * captures them at entry where the kernel allows bpf_xdp_adjust_meta.
 * With -DXDPCAP_V01_NO_ENTER it loads on any kernel.
 */
#include "xdpcap_hook_v01.h"
#include "xdp_user_entry.bpf.c"
