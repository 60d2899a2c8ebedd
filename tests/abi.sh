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
# options structs (size_t sz first): the header names each one's last field
# beside it (TYPE__last_field), and that is the struct's last member
perl -0777 -ne '
	while (/struct (xdpcap_\w+) \{\n\s*size_t sz;(.*?)\n\};\n/sg) {
		my ($name, $body) = ($1, $2);
		my @fields;
		$body =~ s{/\*.*?\*/}{}sg;
		push @fields, $1 while $body =~ /(\w+)(?:\[[^\]]*\])?;/g;
		push @fields, $1 while $body =~ /\(\*(\w+)\)\(/g;
		my ($last) = $body =~ /(\w+)(?:\)\([^;]*\))?(?:\[[^\]]*\])?;\s*$/s;
		my ($named) = /#define \Q$name\E__last_field (\w+)/;
		print "$name: " . ($named ? "names $named" : "names no last field") .
		      ", last member $last\n" unless $named && $last && $named eq $last;
		print "ok $name\n";
	}' "$top"/lib/include/xdpcap/*.h >"$tmp/last"
grep -v "^ok " "$tmp/last" >"$tmp/last_bad"
[ "$(grep -c "^ok " "$tmp/last")" -ge 3 ] && [ ! -s "$tmp/last_bad" ]
check $? "each options struct names its last field beside it ($(grep -c "^ok " "$tmp/last") structs)" "" "$tmp/last_bad"
tap_done
