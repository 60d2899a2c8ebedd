#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
#
# A capture's cost per packet through a hook and by tracing
# (bench/bench_trace), as root, in a private mount namespace with a
# bpffs of its own. Its table goes to the output as TAP diagnostics, so
# that the guest kernels' runner can run it where tracing is allowed:
#
#   make bench
#   bench/run_trace_bench.sh [bench_trace options]
#   XDPCAP_KERNEL_TESTS=bench/run_trace_bench.sh sh tests/kernels/run.sh 6.1
#
# Under emulation (XDPCAP_TEST_TIME_SCALE set by the runner) it makes
# fewer runs: the ratios, not the nanoseconds, are what carry over.
set -u

top=${TOP_SRCDIR:-$(cd "$(dirname "$0")/.." && pwd)}
build=${TOP_BUILDDIR:-$top}
. "$top/tests/lib/netns.sh"
. "$top/tests/lib/tap.sh"

require_root
netns_private_mounts "$0" "$@" || bail "cannot make a private mount namespace (unshare -m)"
bpffs_mount || bail "cannot mount bpffs at /sys/fs/bpf"
bench=$build/bench/bench_trace
[ -x "$bench" ] || bail "no $bench: run make bench"
if [ -n "${XDPCAP_TEST_TIME_SCALE:-}" ] && [ $# = 0 ]; then
	set -- --rounds 11 --repeat 5000
fi
out=$("$bench" "$@" "$build/bpf/examples/xdpcap_demo.bpf.o" "$build/bench/xdp_nohook.bpf.o" 2>&1)
rc=$?
printf '%s\n' "$out" | sed 's/^/# /'
check "$rc" "bench_trace ran to its end" "status $rc"
tap_done
