// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * Reference program for the capture benchmark (bench/bench_capture.c):
 * the demo (bpf/examples/xdpcap_demo.bpf.c, included below) with its exit
 * hook but without xdpcap_enter(), as programs instrumented only for
 * verdicts are. Against the demo itself it shows what the entry hook
 * costs while nobody captures.
 */
#define XDPCAP_V01_NO_ENTER
#include "../tests/bpf/xdpcap_hook_v01.h"
#include "examples/xdpcap_demo.bpf.c"
