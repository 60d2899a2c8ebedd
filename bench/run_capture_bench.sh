#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
#
# Build and run the live-capture benchmark in a configured build tree.
#
#   bench/run_capture_bench.sh [bench_capture options]
#
# As root. It runs again in a private mount namespace with a bpffs of its
# own, makes two network namespaces joined by a veth pair
# (tests/lib/netns.sh) and runs bench/bench_capture in the first: the
# frames it sends from the second enter on that veth and never leave the
# pair. Both
# namespaces are kept quiet (no IPv6, no ICMP errors), so the only packets
# there are the benchmark's. Capture files go to a private directory under
# $BENCH_OUTDIR (default /var/tmp), which must be on a disk, not tmpfs.
# Everything is removed at exit, also on Ctrl-C.
#
# Runs in $BUILDDIR (default: the current directory if it has a Makefile,
# else the source tree) and builds what it needs with "make bench".
# Options are passed on (see bench/bench_capture --help), for instance
# --markdown, --runs 5, --seconds 3, --only "1500 B", --no-experiments.
set -eu

srcdir=$(cd "$(dirname "$0")/.." && pwd)
. "$srcdir/tests/lib/netns.sh"

if [ "$(id -u)" != 0 ]; then
	echo "run_capture_bench.sh: run me as root (BPF, namespaces, bpffs)" >&2
	exit 1
fi
if ! netns_private_mounts "$0" "$@"; then
	echo "run_capture_bench.sh: cannot make a private mount namespace (unshare -m)" >&2
	exit 1
fi

if [ -n "${BUILDDIR:-}" ]; then
	builddir=$BUILDDIR
elif [ -f Makefile ] && grep -q '^bench:' Makefile; then
	builddir=.
else
	builddir=$srcdir
fi
cd "$builddir"
make -s bench

outbase=${BENCH_OUTDIR:-/var/tmp}
fstype=$(df --output=fstype "$outbase" | tail -n 1 | tr -d ' ')
case $fstype in
tmpfs | ramfs)
	echo "run_capture_bench.sh: $outbase is on $fstype; set BENCH_OUTDIR to a directory on a disk" >&2
	exit 1
	;;
esac

bpffs_mount
mkdir -p /sys/fs/bpf/xdpcap
outdir=$(mktemp -d "$outbase/xdpcap-capture-bench.XXXXXX")
cleanup_add "rm -rf '$outdir'"
netns_setup xcb

for ns in "$NETNS_A" "$NETNS_B"; do
	netns_exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
		net.ipv6.conf.default.disable_ipv6=1 \
		net.ipv4.icmp_msgs_per_sec=0 net.ipv4.icmp_msgs_burst=0
done

echo "capture files: $(df -hT "$outdir" | tail -n 1)" >&2
status=0
netns_exec "$NETNS_A" ./bench/bench_capture \
	--ifname "$VETH_A" \
	--peer-netns "$NETNS_B" --peer-ifname "$VETH_B" \
	--pin /sys/fs/bpf/xdpcap/capture-bench \
	--outdir "$outdir" \
	--xdpcap ./xdpcap \
	--demo bpf/examples/xdpcap_demo.bpf.o \
	--nohook bench/xdp_nohook.bpf.o \
	--exit-only bench/xdp_exit_only.bpf.o \
	--filters "$srcdir/tests/data/filters.txt" "$@" || status=$?
exit $status
