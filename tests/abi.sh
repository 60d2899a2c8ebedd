#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
#
# libxdpcap's ABI as built: it exports exactly the functions its headers
# mark XDPCAP_API, each with a version of lib/libxdpcap.map, and nothing
# else. Needs no root.
set -u
top=${TOP_SRCDIR:-$(cd "$(dirname "$0")/.." && pwd)}
build=${TOP_BUILDDIR:-$top}
. "$top/tests/lib/tap.sh"

so=$build/lib/.libs/libxdpcap.so
[ -f "$so" ] || bail "no $so: run make"
tmp=$(mktemp -d /tmp/xdpcap-abi.XXXXXX)
trap 'rm -rf "$tmp"' EXIT

# declared: the name before the "(" that follows each XDPCAP_API
perl -0777 -ne 'while (/(?<!define )XDPCAP_API\b([^(;]*)\(/g) { $d = $1; $d =~ /(\w+)\s*$/ and print "$1\n" }' \
	"$top"/lib/include/xdpcap/*.h | sort -u >"$tmp/declared"
# exported: defined dynamic symbols, with their versions
objdump -T "$so" | awk '$2 == "g" && $4 != "*UND*" && $NF !~ /^XDPCAP_[0-9.]+$/ { print $NF, $(NF-1) }' |
	sort -u >"$tmp/exported"
awk '{ print $1 }' "$tmp/exported" | sort -u >"$tmp/names"

[ -s "$tmp/declared" ]
check $? "headers declare $(wc -l <"$tmp/declared") functions with XDPCAP_API"
diff "$tmp/declared" "$tmp/names" >"$tmp/diff"
check $? "the library exports exactly those ($(wc -l <"$tmp/names") symbols)" "" "$tmp/diff"
awk '$2 !~ /^XDPCAP_[0-9]+\.[0-9]+$/' "$tmp/exported" >"$tmp/unversioned"
[ ! -s "$tmp/unversioned" ]
check $? "each exported symbol has a version of lib/libxdpcap.map" "" "$tmp/unversioned"
tap_done
