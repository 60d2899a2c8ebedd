# SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
#
# The start of a test of live captures, the same for each:
#
#   top=${TOP_SRCDIR:-$(cd "$(dirname "$0")/.." && pwd)}
#   . "$top/tests/lib/live.sh"
#   live_needs TOOL...            (optional: bail out naming one missing)
#   live_test NAME "$0" "$@"
#
# This file sources built.sh, tap.sh, proc.sh, netns.sh and capture.sh, and sets
# $build. live_test ends the test as skipped without root, runs the
# script again in a private mount namespace with a bpffs of its own, and
# sets $xdpcap, $demo, $tmp (a directory of the test's own, removed at the
# end) and $hooks (/sys/fs/bpf/xdpcap-NAME-test, made); an xdpcap still
# writing into $tmp at the end is killed (only ours: other tests may run
# alongside).

build=${TOP_BUILDDIR:-$top}
. "$top/tests/lib/built.sh"
. "$top/tests/lib/tap.sh"
. "$top/tests/lib/proc.sh"
. "$top/tests/lib/netns.sh"
. "$top/tests/lib/capture.sh"

live_needs() {
	for _live_tool in "$@"; do
		command -v "$_live_tool" >/dev/null 2>&1 || bail "needs $_live_tool"
	done
}

live_test() {
	_live_name=$1
	shift
	require_root
	netns_private_mounts "$@" || bail "cannot make a private mount namespace (unshare -m)"
	bpffs_mount || bail "cannot mount bpffs at /sys/fs/bpf"
	xdpcap=$(built_program xdpcap)
	demo=$build/bpf/examples/xdpcap_demo.bpf.o
	[ -x "$xdpcap" ] || bail "no $xdpcap: run make"
	[ -f "$demo" ] || bail "no $demo (built with clang -target bpf)"
	tmp=$(mktemp -d "/tmp/xdpcap-$_live_name.XXXXXX") || bail "cannot make a temporary directory"
	hooks=/sys/fs/bpf/xdpcap-$_live_name-test
	mkdir -p "$hooks"
	cleanup_add "rm -rf '$tmp'"
	cleanup_add "pkill -KILL -f '^$xdpcap .*$tmp/' 2>/dev/null; true"
}
