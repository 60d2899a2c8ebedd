#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
#
# xdpcap compile as a user meets it: bad filters and options give a
# message and exit 2, the cBPF is what tcpdump -d prints, the eBPF and C
# are printed with their size, and a filter that tests what XDP cannot
# know, or reads past any packet, is warned of, each in its own words.
# compile loads nothing, so it needs no privileges.
set -u

top=${TOP_SRCDIR:-$(cd "$(dirname "$0")/.." && pwd)}
build=${TOP_BUILDDIR:-$top}
. "$top/tests/lib/built.sh"
xdpcap=$(built_program xdpcap)
. "$top/tests/lib/tap.sh"
. "$top/tests/lib/command.sh"
tmp=$(mktemp -d /tmp/xdpcap-compile.XXXXXX)
trap 'rm -rf "$tmp"' EXIT INT TERM

expect_usage_error "compile syntax error" "syntax error" "$xdpcap" compile "udp port"
expect_usage_error "compile bad --emit" "--emit takes" "$xdpcap" compile --emit=java ip
expect_usage_error "compile bad link type" "unknown link type" "$xdpcap" compile -y NOSUCH ip
expect_usage_error "compile bad snaplen" "-s takes a number from 1 to 262144, not .0x10." "$xdpcap" compile -s 0x10 ip
# numbers are decimal for every option of every command: 010 is ten
run "$xdpcap" compile --emit=cbpf -s 010 ip
[ "$rc" -eq 0 ] && grep -q "ret  *#10$" "$tmp/out"
ok $? "compile -s 010 is ten, as -s 010 of a capture: $(grep ret "$tmp/out" | head -n1)"

run "$xdpcap" compile ip
[ "$rc" -eq 0 ] && grep -q '^; "ip": [0-9]* eBPF instructions from [0-9]* cBPF, 1 packet bounds check$' "$tmp/out"
ok $? "compile counts in good English: $(head -n1 "$tmp/out")"

run "$xdpcap" compile "inbound and udp"
[ "$rc" -eq 0 ] && grep -q "warning: the filter tests what XDP cannot know yet (inbound" "$tmp/err"
ok $? "compile 'inbound and udp' warns that XDP cannot tell: $(head -n1 "$tmp/err")"
# libpcap asks for Linux's ancillary data with loads at SKF_AD_OFF +
# SKF_AD_* (tcpdump -d shows them as [type], [ifidx], ...); a load past
# those is a read past any packet, which matches nothing, but tests no
# metadata
for f in outbound "ifindex 3"; do
	run "$xdpcap" compile "$f"
	[ "$rc" -eq 0 ] && [ "$(grep -c warning "$tmp/err")" -eq 1 ] &&
		grep -q "warning: the filter tests what XDP cannot know yet" "$tmp/err"
	ok $? "compile '$f' (ancillary data) warns that XDP cannot tell: $(head -n1 "$tmp/err")"
done
# read_past_packet FILTER INSN AT: compile FILTER warns that cBPF
# instruction INSN reads at AT, past any packet, and of nothing else
read_past_packet() {
	run "$xdpcap" compile "$1"
	[ "$rc" -eq 0 ] && grep -q "w0 = 0" "$tmp/out" &&
		[ "$(cat "$tmp/err")" = "xdpcap: warning: cBPF instruction $2 reads the packet at $3, beyond the end of any XDP packet: a packet that reaches that read does not match" ]
	ok $? "compile '$1' warns of a read past any packet, not of metadata: $(head -n1 "$tmp/err")"
}
read_past_packet "ether[4294967295] = 1" 0 "offset 4294967295"
read_past_packet "ether[0xfffff040:4] = 1" 0 "offset 4294963264"
read_past_packet "tcp[70000] = 1" 7 "offset x + 70014"
run "$xdpcap" compile "ether[65469:2] = 1"
[ "$rc" -eq 0 ] && [ ! -s "$tmp/err" ]
ok $? "compile 'ether[65469:2] = 1' (a read within the longest packet read) warns of nothing: $(head -n1 "$tmp/err")"


run "$xdpcap" compile --help
[ "$rc" -eq 0 ] && grep -q -- "--emit" "$tmp/out"
ok $? "compile --help exits 0"

# compile: cBPF is libpcap's, as tcpdump -d prints it
for f in "tcp port 80" "vlan 100 and udp" "ip6 and icmp6"; do
	"$xdpcap" compile --emit=cbpf "$f" >"$tmp/ours" 2>&1
	tcpdump -y EN10MB -d "$f" 2>/dev/null >"$tmp/theirs"
	cmp -s "$tmp/ours" "$tmp/theirs"
	ok $? "compile --emit=cbpf '$f' prints what tcpdump -d prints"
done
run "$xdpcap" compile "tcp port 80"
[ "$rc" -eq 0 ] && grep -q "eBPF instructions" "$tmp/out" && grep -q "be16" "$tmp/out"
ok $? "compile prints eBPF assembly with its size: $(head -n1 "$tmp/out")"
run "$xdpcap" compile --emit=c "tcp port 80"
[ "$rc" -eq 0 ] && grep -q "static __always_inline __u32 xdpcap_filter" "$tmp/out"
ok $? "compile --emit=c prints a C function"


tap_done
