#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
#
# The tree keeps the shape doc/design.md draws: product files of at most
# 800 lines and functions of at most 80, no part of the library that
# includes a front end, writers that know records and not captures, and
# front ends (the command, the extcap, the libpcap module) that share
# only lib/. Needs no root.
set -u
top=${TOP_SRCDIR:-$(cd "$(dirname "$0")/.." && pwd)}
. "$top/tests/lib/tap.sh"
cd "$top" || bail "no source tree at $top"

product=$(find lib src extcap pcap-module bpf -name '*.[ch]' ! -path 'lib/include/xdpcap/*' |
	sort)
[ -n "$product" ] || bail "no product sources under lib, src, extcap, pcap-module, bpf"

long_files=$(for f in $product; do
	n=$(wc -l <"$f")
	[ "$n" -le 800 ] || echo "$f:$n"
done)
[ -z "$long_files" ]
check $? "no product file is over 800 lines ($(echo "$product" | wc -l) files)" "$long_files"

# a function: from a line opening with "{" to the next closing with "}",
# both in the first column (the kernel's style, which the tree keeps)
long_functions=$(for f in $product; do
	awk -v f="$f" '
		/^[A-Za-z_].*\(/ { name = $0; line = NR }
		/^\{/ { start = NR }
		/^\}/ && start {
			if (NR - start - 1 > 80) print f ":" line ": " NR - start - 1 " lines"
			start = 0
		}' "$f"
done)
[ -z "$long_functions" ]
check $? "no product function is over 80 lines" "$long_functions"

# includes FILES PATTERN: the #include lines of FILES that match PATTERN
includes() {
	_pattern=$1
	shift
	grep -Hn '^#include' "$@" /dev/null | grep -E "$_pattern"
}

lib_files=$(find lib -name '*.[ch]')
# shellcheck disable=SC2086
got=$(includes '"(\.\./)*(src|extcap|pcap-module)/|"cmd\.h"|"pcap-xdp' $lib_files)
[ -z "$got" ]
check $? "no part of lib/ includes a front end" "$got"

# shellcheck disable=SC2086
got=$(includes 'capture|session|hook' lib/output/*.[ch])
[ -z "$got" ]
check $? "the writers (lib/output) include no capture, session or hook header" "$got"

# shellcheck disable=SC2086
got=$(includes '"(\.\./)*(extcap|pcap-module)/|pcap-xdp' src/*.[ch])
got=$got$(includes '"(\.\./)*(src|pcap-module)/|"cmd\.h"|pcap-xdp' extcap/*.[ch])
got=$got$(includes '"(\.\./)*(src|extcap)/|"cmd\.h"' pcap-module/*.[ch])
[ -z "$got" ]
check $? "the front ends include nothing of each other: they share lib/ only" "$got"

tap_done
