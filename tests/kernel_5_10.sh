#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
#
# The end-to-end checks inside Linux 5.10, the kernel of Debian 11 (the
# newest linux-image-5.10.0-N-amd64 of bullseye's main), booted under
# qemu: see tests/kernels/run.sh. Output is TAP.
#
# 5.10 is the slowest of the guest kernels (it rewrites its XDP
# dispatcher's code on every test run), so its list runs in two guests
# at once, each taking every other test, and their results come out as
# one TAP stream: numbers dropped, one plan.
top=${TOP_SRCDIR:-$(cd "$(dirname "$0")/.." && pwd)}
. "$top/tests/lib/tap.sh" && require_root
parts=$(mktemp -d /tmp/xdpcap-kernel-5.10.XXXXXX) || bail "cannot make a temporary directory"
trap 'rm -rf "$parts"' EXIT
/bin/sh "$top/tests/kernels/run.sh" 5.10 1/2 >"$parts/1" 2>&1 &
first=$!
/bin/sh "$top/tests/kernels/run.sh" 5.10 2/2 >"$parts/2" 2>&1
second=$?
wait "$first"
first=$?
# a result line keeps its text; plans go, and one plan ends the stream
awk '
	/^1\.\.[0-9]+$/ { next }
	/^(not )?ok( |$)/ { n++; sub(/^ok [0-9]+/, "ok"); sub(/^not ok [0-9]+/, "not ok") }
	{ print }
	END { print "1.." n }
' "$parts/1" "$parts/2"
[ "$first" -eq 0 ] && [ "$second" -eq 0 ]
