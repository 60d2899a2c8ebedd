#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
#
# xdp:NAME devices compiled into libpcap: packaging/build-libpcap-xdp.sh
# builds Debian's libpcap with the module (kept in the build tree and
# rebuilt when the module changes), and Debian's tcpdump, dumpcap and
# tshark run against it (LD_LIBRARY_PATH) through every check of
# tests/pcap_module_checks.sh. Runs as root, leaves nothing behind but
# the built library; output is TAP.
set -u
top=${TOP_SRCDIR:-$(cd "$(dirname "$0")/.." && pwd)}
. "$top/tests/lib/tap.sh" && require_root
build=${TOP_BUILDDIR:-$top}
native=$build/tests/pcap-native

if [ "${NETNS_PRIVATE_MOUNTS:-}" != 1 ]; then
	# once, before the re-run in a private mount namespace
	stale=
	for f in "$top"/pcap-module/pcap-xdp*.[ch] "$top/packaging/build-libpcap-xdp.sh" \
		"$build/lib/.libs/libxdpcap.so"; do
		[ "$native/libpcap.so.0.8" -nt "$f" ] || stale=1
	done
	if [ -n "$stale" ]; then
		t0=$(date +%s%N)
		mkdir -p "$native" || { echo "Bail out! cannot make $native"; exit 1; }
		# (a make of its own: not the one running the tests)
		env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL \
			"$top/packaging/build-libpcap-xdp.sh" --xdpcap-build "$build" "$native" \
			>"$build/tests/pcap-native/build.txt" 2>&1 ||
			{ echo "Bail out! building libpcap with the module failed:"; tail -n 5 "$build/tests/pcap-native/build.txt"; exit 1; }
		echo "# libpcap with xdp: devices built in $((($(date +%s%N) - t0) / 1000000)) ms: $(tail -n1 "$build/tests/pcap-native/build.txt")"
	fi
fi
[ -f "$native/libpcap.so.0.8" ] || { echo "Bail out! no $native/libpcap.so.0.8"; exit 1; }

pcap_env="LD_LIBRARY_PATH=$native:$build/lib/.libs"
same_devices=0

extra_checks() {
	start_tcpdump maps -i xdp:demo -n
	lib=$(grep -o '/[^ ]*libpcap\.so[^ ]*' "/proc/$td_pid/maps" | sort -u | tr '\n' ' ')
	stop_tcpdump INT
	case $lib in
	"$native"/libpcap.so.1.*) ok 0 "tcpdump runs on the built libpcap ($lib)" ;;
	*) ok 1 "tcpdump runs on the built libpcap: $lib" ;;
	esac
	check_clean "the last capture"
}

. "$top/tests/pcap_module_checks.sh"
