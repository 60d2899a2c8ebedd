#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
#
# The xdpcap command as a user meets it: -r writes what tcpdump -r writes,
# bad filters and bad files give a message and exit 2, --help and
# --version answer (compile: tests/compile.sh).
set -u

top=${TOP_SRCDIR:-$(cd "$(dirname "$0")/.." && pwd)}
build=${TOP_BUILDDIR:-$top}
corpus=${CORPUS:-$build/tests/data/corpus.pcap}
. "$top/tests/lib/built.sh"
xdpcap=$(built_program xdpcap)
. "$top/tests/lib/tap.sh"
. "$top/tests/lib/command.sh"
require_root
tmp=$(mktemp -d /tmp/xdpcap-cli.XXXXXX)
trap 'rm -rf "$tmp"' EXIT INT TERM


# -r output is byte for byte tcpdump's, for files and for stdout
same_as_tcpdump() {
	filter=$1
	run "$xdpcap" -r "$corpus" "$tmp/x.pcap" "$filter"
	tcpdump -r "$corpus" -w "$tmp/t.pcap" "$filter" 2>/dev/null
	if [ "$rc" -eq 0 ] && cmp -s "$tmp/x.pcap" "$tmp/t.pcap"; then
		ok 0 "-r '$filter' writes what tcpdump -r writes ($(tcpdump -r "$tmp/t.pcap" 2>/dev/null | wc -l) packets)"
	else
		ok 1 "-r '$filter' differs from tcpdump (exit $rc): $(head -c 300 "$tmp/err")"
	fi
}

for f in "" "ip" "tcp port 80" "udp port 53 or icmp" "vlan and udp" \
	"ip[0] & 0xf > 5" "ip and tcp[tcpflags] & tcp-syn != 0" "greater 1000" \
	"ether broadcast" "ip broadcast" "net 198.51.100.0/24 and not port 443" \
	"ip protochain 6" "ip6 protochain 58"; do
	same_as_tcpdump "$f"
done

# -m: the netmask of "ip broadcast"; tcpdump -r has none, so compare with
# the same test spelt out (host part all 0 or all 1)
for m in 24 255.255.0.0; do
	case $m in 24) host=0xff ;; *) host=0xffff ;; esac
	"$xdpcap" -r "$corpus" -m "$m" "$tmp/x.pcap" "ip broadcast" 2>"$tmp/err"
	tcpdump -r "$corpus" -w "$tmp/t.pcap" \
		"ip and (ip[16:4] & $host = 0 or ip[16:4] & $host = $host)" 2>/dev/null
	n=$(tcpdump -r "$tmp/t.pcap" 2>/dev/null | wc -l)
	cmp -s "$tmp/x.pcap" "$tmp/t.pcap" && [ "$n" -gt 0 ]
	ok $? "-r -m $m 'ip broadcast': the packets whose host part is all 0 or all 1 ($n)"
done
expect_usage_error "-m 33" "-m takes an IPv4 netmask" "$xdpcap" -r "$corpus" -m 33 "$tmp/o.pcap" ip

# the filter may be given as several words, as with tcpdump
run "$xdpcap" -r "$corpus" "$tmp/w.pcap" udp port 53
tcpdump -r "$corpus" -w "$tmp/t.pcap" udp port 53 2>/dev/null
cmp -s "$tmp/w.pcap" "$tmp/t.pcap"
ok $? "a filter given as several words is joined as tcpdump joins it"

# stdout
"$xdpcap" -r "$corpus" - "tcp port 80" >"$tmp/stdout.pcap" 2>"$tmp/err"
rc=$?
tcpdump -r "$corpus" -w "$tmp/t.pcap" "tcp port 80" 2>/dev/null
[ "$rc" -eq 0 ] && cmp -s "$tmp/stdout.pcap" "$tmp/t.pcap"
ok $? "-r IN - writes the same bytes to stdout"
"$xdpcap" -r "$corpus" - "udp" | tcpdump -r - -n 2>/dev/null >"$tmp/piped.txt"
tcpdump -r "$corpus" -n udp 2>/dev/null >"$tmp/direct.txt"
cmp -s "$tmp/piped.txt" "$tmp/direct.txt"
ok $? "xdpcap -r IN - udp | tcpdump -r - reads the stream ($(wc -l <"$tmp/direct.txt") packets)"

# pcapng input is read too
if command -v editcap >/dev/null 2>&1; then
	editcap -F pcapng "$corpus" "$tmp/corpus.pcapng"
	run "$xdpcap" -r "$tmp/corpus.pcapng" "$tmp/ng.pcap" "tcp"
	tcpdump -r "$tmp/corpus.pcapng" -w "$tmp/t.pcap" tcp 2>/dev/null
	[ "$rc" -eq 0 ] && cmp -s "$tmp/ng.pcap" "$tmp/t.pcap"
	ok $? "pcapng input: same output as tcpdump"
else
	ok 1 "editcap (wireshark-common) is needed to make a pcapng input"
fi

# bad input
expect_usage_error "syntax error" "syntax error" "$xdpcap" -r "$corpus" "$tmp/o.pcap" "tcp port"
expect_usage_error "unknown protocol" "bad filter" "$xdpcap" -r "$corpus" "$tmp/o.pcap" "proto nosuch"
expect_usage_error "--entry with -r" "capturing at entry.*is for live hooks" "$xdpcap" --entry -r "$corpus" "$tmp/o.pcap"
expect_usage_error "--actions entry with -r" "is for live hooks" "$xdpcap" --actions entry -r "$corpus" "$tmp/o.pcap"
expect_usage_error "an unknown action next to entry" "unknown XDP action 'entrance'" "$xdpcap" --actions entry,entrance xdp:nosuch "$tmp/o.pcap"
expect_usage_error "missing input file" "cannot read" "$xdpcap" -r "$tmp/nosuch.pcap" "$tmp/o.pcap" ip
printf 'this is not a capture file at all\n' >"$tmp/garbage"
expect_usage_error "input that is not a capture" "cannot read" "$xdpcap" -r "$tmp/garbage" "$tmp/o.pcap" ip
expect_usage_error "no output named" "missing OUTPUT" "$xdpcap" -r "$corpus"
expect_usage_error "nothing to do" "nothing to do" "$xdpcap"
expect_usage_error "unknown option" "^xdpcap: unknown option --no-such-option$" \
	"$xdpcap" --no-such-option=1
[ "$(wc -l <"$tmp/err")" -eq 2 ] && [ "$(tail -n 1 "$tmp/err")" = "xdpcap: try 'xdpcap --help'" ]
ok $? "... in two lines: the option, then where to look (not the whole usage)"
expect_usage_error "an unknown short option" "^xdpcap: unknown option -w$" \
	"$xdpcap" -w "$tmp/o.pcapng" xdp:demo
expect_usage_error "an option without its value" "^xdpcap: option --snaplen needs a value$" \
	"$xdpcap" --snaplen
expect_usage_error "a short option without its value" "^xdpcap: option -c needs a value$" \
	"$xdpcap" -c
# -s 0 is tcpdump's way to say "the default" (capture.sh checks its effect)
run "$xdpcap" -s 0 -r "$corpus" "$tmp/s0.pcap" udp port 53
[ "$rc" -eq 0 ] && cmp -s "$tmp/s0.pcap" "$tmp/w.pcap"
ok $? "-s 0 is taken: $(head -n1 "$tmp/err")"
run "$xdpcap" -r "$corpus" "$tmp/nodir/o.pcap" ip
[ "$rc" -ne 0 ] && grep -q "cannot write" "$tmp/err"
ok $? "an output that cannot be created is an error: $(head -n1 "$tmp/err")"

# Frames longer than a kernel test run (jumbo frames, GRO captures) are
# filtered on the bytes that fit and their real length, written whole,
# and said so: the same packets as tcpdump -r for filters within them.
/usr/bin/python3 - "$tmp/jumbo.pcap" <<'PY'
import sys
from scapy.all import Ether, IP, UDP, Raw, wrpcap
pkts = []
for i, size in enumerate([60, 9000, 200, 9000, 5000, 9000]):
    port = 53 if i % 2 else 1000
    p = Ether(dst="02:00:00:00:00:01", src="02:00:00:00:00:02") / \
        IP(src="192.0.2.2", dst="192.0.2.1") / UDP(sport=4000, dport=port)
    pkts.append(p / Raw(bytes(max(0, size - len(p)))))
wrpcap(sys.argv[1], pkts)
PY
for f in "udp port 53" "greater 8000" "udp port 1000 and len > 4000"; do
	run "$xdpcap" -r "$tmp/jumbo.pcap" "$tmp/jumbo-x.pcap" "$f"
	tcpdump -r "$tmp/jumbo.pcap" -w "$tmp/jumbo-t.pcap" "$f" 2>/dev/null
	[ "$rc" -eq 0 ] && cmp -s "$tmp/jumbo-x.pcap" "$tmp/jumbo-t.pcap" &&
		grep -q "4 packets longer than [0-9]* bytes were filtered on their first" "$tmp/err"
	ok $? "-r of 9000-byte frames, '$f': what tcpdump -r writes ($(tcpdump -r "$tmp/jumbo-t.pcap" 2>/dev/null | wc -l) packets), and said: $(head -n1 "$tmp/err")"
done

# bad input and usage: exit 2, with the cause named
expect_usage_error "--actions drop,,pass" "empty XDP action in 'drop,,pass'" \
	"$xdpcap" --actions drop,,pass xdp:nosuch "$tmp/o.pcapng"
long=$(printf '%0200d' 0)
expect_usage_error "a hook name of 200 bytes" "hook name '$long' is too long" \
	"$xdpcap" "xdp:$long" "$tmp/o.pcapng"
longdir=/sys/fs/bpf/$(printf '%0300d' 0)
expect_usage_error "a --hook-dir with a 300-byte component" "hook directory '/sys/fs/bpf/0*...' (312 bytes) is too long" \
	"$xdpcap" --hook-dir "$longdir" xdp:demo "$tmp/o.pcapng"
head -c 3000 "$tmp/jumbo.pcap" >"$tmp/truncated.pcap"
expect_usage_error "-r of a truncated file" "reading the input failed after 1 packets" \
	"$xdpcap" -r "$tmp/truncated.pcap" "$tmp/o.pcap" ip
cp "$tmp/jumbo.pcap" "$tmp/self.pcap"
expect_usage_error "-r F F" "is the input file: refused" \
	"$xdpcap" -r "$tmp/self.pcap" "$tmp/self.pcap" ip
cmp -s "$tmp/jumbo.pcap" "$tmp/self.pcap"
ok $? "-r F F leaves F as it was"
# --help and --version tell the truth
run "$xdpcap" --help
[ "$rc" -eq 0 ] && grep -q -- "-r, --read" "$tmp/out" && grep -q "compile" "$tmp/out"
ok $? "--help exits 0 and describes -r and compile"
# every long option --help names is parsed (a missing hook is what stops it)
for opt in $(grep -o -- '--[a-z][a-z-]*' "$tmp/out" | sort -u); do
	case $opt in
	--emit) run "$xdpcap" compile "$opt=cbpf" ip ;;
	--help | --version) run "$xdpcap" "$opt" ;;
	--read) run "$xdpcap" "$opt" "$corpus" "$tmp/h.pcap" ip ;;
	--verbose) run "$xdpcap" "$opt" -r "$corpus" "$tmp/h.pcap" ip ;;
	--json) run "$xdpcap" list "$opt" --hook-dir "$tmp" ;;
	--actions) arg=drop ;;
	--snaplen | --count | --sample | --max-rate) arg=100 ;;
	--format) arg=pcap ;;
	--buffer-size) arg=64 ;;
	--rings) arg=2 ;;
	--hook-dir) arg=$tmp ;;
	--netmask) arg=24 ;;
	*) arg= ;;
	esac
	case $opt in
	--emit | --help | --version | --read | --verbose | --json)
		ok "$rc" "option $opt named in --help is accepted"
		continue
		;;
	esac
	if [ "$opt" = --prog ]; then
		# the program is the hook: no id is this large
		run "$xdpcap" --prog 4294967295 "$tmp/o.pcapng"
		[ "$rc" -eq 2 ] && grep -q "^xdpcap: no BPF program has id 4294967295 (xdpcap list shows" "$tmp/err"
		ok $? "option $opt named in --help is parsed: $(head -n1 "$tmp/err")"
		continue
	elif [ -n "$arg" ]; then
		run "$xdpcap" "$opt" "$arg" --hook-dir "$tmp" nosuchhook "$tmp/o.pcapng"
	else
		run "$xdpcap" "$opt" --hook-dir "$tmp" nosuchhook "$tmp/o.pcapng"
	fi
	[ "$rc" -eq 2 ] && grep -q "no hook" "$tmp/err" && ! grep -q Usage "$tmp/err"
	ok $? "option $opt named in --help is parsed: $(head -n1 "$tmp/err")"
done
run "$xdpcap" --version
[ "$rc" -eq 0 ] && grep -q "^xdpcap [0-9]" "$tmp/out"
ok $? "--version: $(cat "$tmp/out")"
# -v shows how many packets went through
run "$xdpcap" -v -r "$corpus" "$tmp/v.pcap" "tcp"
[ "$rc" -eq 0 ] && grep -q "packets read" "$tmp/err"
ok $? "-v reports: $(cat "$tmp/err")"

tap_done
