#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
#
# Rings per group of CPUs (--rings): datagrams sent from every CPU at
# once (a veth runs the receiver's XDP on the sender's CPU, so each CPU
# writes to its own ring) are all in the file, once, in time order, and
# each ring gave its share. With one CPU online every packet takes ring 0.
set -u

top=${TOP_SRCDIR:-$(cd "$(dirname "$0")/.." && pwd)}
. "$top/tests/lib/live.sh"
live_test rings "$0" "$@"

# the CPUs datagrams are sent from: every online one (at most 4)
online=$(nproc)
[ "$online" -gt 4 ] && online=4
per_cpu=${XDPCAP_RINGS_PER_CPU:-200}
total=$((online * per_cpu))

netns_setup xrng || bail "cannot create namespaces"
A=$NETNS_A B=$NETNS_B
xdp_attach "$VETH_A" "$demo" native || bail "cannot attach the demo"
xdp_attach "$VETH_B" "$demo" native || bail "cannot attach the peer's XDP"
netns_static_neighbours
hook_pin "$VETH_A" "$hooks/demo" || bail "cannot pin the hook"

# send_from_all: per_cpu datagrams to port 1000 from each CPU, all at once
# (waiting for the senders only: the capture runs in the background too)
send_from_all() {
	_senders=
	for _cpu in $(seq 0 $((online - 1))); do
		netns_exec "$B" taskset -c "$_cpu" bash -c \
			"for i in \$(seq $per_cpu); do echo x > /dev/udp/192.0.2.1/1000; done" 2>/dev/null &
		_senders="$_senders $!"
	done
	# shellcheck disable=SC2086
	wait $_senders
}

# summary WHAT: the number before "packets WHAT" in the exit summary
summary() {
	sed -n "s/^\([0-9]*\) packets $1.*/\1/p" "$tmp/err" | head -n 1
}

# --- 4 rings, every CPU sending at once ---------------------------------------
start_capture "$A" -v --rings 4 xdp:demo "$tmp/rings.pcapng" "udp port 1000"
check $? "a capture with --rings 4 starts" "" "$tmp/err"
grep -q "^xdpcap: xdp:demo: 4 rings, merged in time order$" "$tmp/err"
check $? "-v says it reads 4 rings, merged in time order" "" "$tmp/err"
send_from_all
stop_capture
check "$cap_rc" "it ends with status 0" "status $cap_rc" "$tmp/err"

n=$(fields "$tmp/rings.pcapng" frame.number | wc -l)
written=$(summary written) lost=$(summary lost)
[ "$n" = "$total" ] && [ "$written" = "$total" ] && [ "$lost" = 0 ]
check $? "$per_cpu datagrams from each of $online CPUs at once: all $total in the file, none lost" \
	"file $n, written $written, lost $lost" "$tmp/err"

fields "$tmp/rings.pcapng" frame.time_epoch >"$tmp/times"
LC_ALL=C sort -c "$tmp/times" 2>"$tmp/sort.err"
check $? "the packets of all rings are in time order" "$(cat "$tmp/sort.err")"

fields "$tmp/rings.pcapng" frame.comment | sort | uniq -c >"$tmp/comments"
[ "$(wc -l <"$tmp/comments")" = 1 ] && grep -q " $total XDP_PASS$" "$tmp/comments"
check $? "each has its verdict, XDP_PASS" "$(tr '\n' ' ' <"$tmp/comments")"

# "records read from each ring: R0 R1 R2 R3"
set -- $(sed -n 's/^xdpcap: xdp:demo: records read from each ring: //p' "$tmp/err")
used=0 sum=0
for r in "$@"; do
	sum=$((sum + r))
	[ "$r" -gt 0 ] && used=$((used + 1))
done
[ $# = 4 ] && [ "$sum" = "$total" ] && [ "$used" = "$online" ]
check $? "-v: the records of each ring add up to $total, and each of the $online CPUs' rings gave some" \
	"rings: $*" "$tmp/err"

# --- the count chosen by CPU count -------------------------------------------
possible=$(tr ',' '\n' </sys/devices/system/cpu/possible |
	awk -F- '{ n += NF == 2 ? $2 - $1 + 1 : 1 } END { print n }')
want=$(((possible + 3) / 4))
[ "$want" -gt 8 ] && want=8
start_capture "$A" -v xdp:demo "$tmp/auto.pcapng" "udp port 1000"
check $? "a capture without --rings starts" "" "$tmp/err"
send_from_all
stop_capture
grep -q "^xdpcap: xdp:demo: $want ring" "$tmp/err" &&
	[ "$(summary written)" = "$total" ]
check $? "without --rings: one ring per 4 of the $possible possible CPUs ($want), all $total written" \
	"" "$tmp/err"

# --- refused ------------------------------------------------------------------
"$xdpcap" --hook-dir "$hooks" --rings 9 xdp:demo "$tmp/nine.pcapng" 2>"$tmp/err"
rc=$?
[ "$rc" = 2 ] && [ ! -e "$tmp/nine.pcapng" ] && grep -q -- "--rings" "$tmp/err"
check $? "--rings 9 is refused with status 2, naming the option, no file made" "status $rc" "$tmp/err"
slots_empty xdp:demo
check $? "the slots are empty afterwards"

tap_done
