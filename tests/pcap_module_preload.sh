#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
#
# xdp:NAME devices in Debian's tcpdump, dumpcap and tshark, linked with the
# system's unmodified libpcap, through libpcap-xdp.so: run by the
# xdpcap-preload command for every check of tests/pcap_module_checks.sh,
# and by LD_PRELOAD directly at the end. Runs as root, leaves nothing
# behind; output is TAP.
set -u
top=${TOP_SRCDIR:-$(cd "$(dirname "$0")/.." && pwd)}
. "$top/tests/lib/tap.sh" && require_root
build=${TOP_BUILDDIR:-$top}
preload_lib=$build/pcap-module/.libs/libpcap-xdp.so
[ -f "$preload_lib" ] || { echo "Bail out! no $preload_lib: run make"; exit 1; }
[ -x "$build/xdpcap-preload" ] || { echo "Bail out! no $build/xdpcap-preload: run make"; exit 1; }

# libxdpcap is not installed: the build tree's
pcap_env="XDPCAP_PRELOAD_LIBRARY=$preload_lib LD_LIBRARY_PATH=$build/lib/.libs $build/xdpcap-preload"
same_devices=1

extra_checks() {
	# shellcheck disable=SC2086
	env LD_PRELOAD="$preload_lib" LD_LIBRARY_PATH="$build/lib/.libs" \
		XDPCAP_HOOK_DIR="$hooks" tcpdump -D >"$tmp/ld.txt" 2>&1
	grep -q '^[0-9]*\.xdp:demo ' "$tmp/ld.txt"
	check $? "LD_PRELOAD=libpcap-xdp.so tcpdump -D lists xdp:demo" "" "$tmp/ld.txt"
	"$build/xdpcap-preload" --help | grep -q "^Usage: xdpcap-preload PROGRAM"
	check $? "xdpcap-preload --help shows its usage"
	# another libpcap version: refused with a message, never guessed at
	echo 'const char *pcap_lib_version(void) { return "libpcap version 1.9.1"; }' >"$tmp/oldver.c"
	cc -shared -fPIC -o "$tmp/oldver.so" "$tmp/oldver.c" || bail "cannot build a test library with cc"
	env LD_PRELOAD="$tmp/oldver.so $preload_lib" LD_LIBRARY_PATH="$build/lib/.libs" \
		XDPCAP_HOOK_DIR="$hooks" tcpdump -i xdp:demo -n >/dev/null 2>"$tmp/oldver.err"
	old_rc=$?
	[ "$old_rc" -eq 1 ] && grep -q "supports libpcap 1.10 only, this is libpcap version 1.9.1" "$tmp/oldver.err"
	check $? "on another libpcap version, opening xdp:demo is refused with a message" "status $old_rc" "$tmp/oldver.err"
	env LD_PRELOAD="$tmp/oldver.so $preload_lib" LD_LIBRARY_PATH="$build/lib/.libs" \
		XDPCAP_HOOK_DIR="$hooks" tcpdump -D >"$tmp/oldver.D" 2>&1
	! grep -q xdp: "$tmp/oldver.D" && grep -q '^[0-9]*\.lo ' "$tmp/oldver.D"
	check $? "... and xdp: devices are not listed, the others are" "" "$tmp/oldver.D"
	XDPCAP_PRELOAD_LIBRARY=/nonexistent/libpcap-xdp.so "$build/xdpcap-preload" true 2>"$tmp/nolib.err"
	[ $? -eq 127 ] && grep -q "not found" "$tmp/nolib.err"
	check $? "xdpcap-preload says when the library is missing" "" "$tmp/nolib.err"
}

. "$top/tests/pcap_module_checks.sh"
