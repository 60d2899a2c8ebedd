#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
#
# Build and run the filter benchmark in a configured build tree.
#
#   bench/run_filter_bench.sh [bench_filter options]
#
# Runs in $BUILDDIR (default: the current directory if it has a Makefile,
# else the source tree), builds bench/bench_filter and the packet corpus
# with "make bench", and runs it on the source tree's filter corpus.
# Options are passed on (see bench/bench_filter --help); the last
# --filters or --pcap given wins. It needs root (it loads BPF programs),
# and for numbers worth keeping a machine with nothing else running.
set -eu

srcdir=$(cd "$(dirname "$0")/.." && pwd)
if [ -n "${BUILDDIR:-}" ]; then
	builddir=$BUILDDIR
elif [ -f Makefile ] && grep -q '^bench:' Makefile; then
	builddir=.
else
	builddir=$srcdir
fi
cd "$builddir"
make -s bench
exec ./bench/bench_filter \
	--filters "$srcdir/tests/data/filters.txt" \
	--pcap tests/data/corpus.pcap "$@"
