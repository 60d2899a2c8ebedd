#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
#
# Sampling and the rate cap, in the kernel, with real traffic: the demo
# XDP program on a veth pair between namespaces of our own, datagrams
# from one CPU, and the counts checked to add up exactly: every packet
# the filter matched is written, lost, or skipped, and the summary, the
# file's statistics block, the extcap and the libpcap device say so.
set -u

top=${TOP_SRCDIR:-$(cd "$(dirname "$0")/.." && pwd)}
. "$top/tests/lib/live.sh"
live_test limits "$0" "$@"
extcap=$(built_program xdpcap-extcap)
preload=$build/pcap-module/.libs/libpcap-xdp.so

# burst N PORT: N datagrams from B to A, sent from CPU 0 only (a veth
# runs the receiver's XDP on the sender's CPU), as fast as bash goes
burst() {
	netns_exec "$B" taskset -c 0 bash -c \
		"for i in \$(seq $1); do echo x > /dev/udp/192.0.2.1/$2; done" 2>/dev/null
}

# The rate cap gives each possible CPU (as libbpf counts them) an equal
# share of --max-rate 50: its rate a second, and its bucket
cpus=$(tr ',' '\n' </sys/devices/system/cpu/possible |
	awk -F- '{ n += NF == 2 ? $2 - $1 + 1 : 1 } END { print n }')
share_most=$(((50 + cpus - 1) / cpus))
share_least=$((50 / cpus))

# summary WHAT: the number before "packets WHAT" in the exit summary
summary() {
	sed -n "s/^\([0-9]*\) packets $1.*/\1/p" "$tmp/err" | head -n 1
}

# isb FILE: "received matched dropped delivered|comment" of the file's
# interface statistics block
isb() {
	/usr/bin/python3 - "$1" <<'EOF'
import struct, sys
data = open(sys.argv[1], "rb").read()
off, opts, comment = 0, {}, ""
while off + 12 <= len(data):
    btype, blen = struct.unpack_from("<II", data, off)
    if btype == 5:
        o = off + 20
        while o + 4 <= off + blen - 4:
            code, olen = struct.unpack_from("<HH", data, o)
            if code == 0:
                break
            val = data[o + 4:o + 4 + olen]
            if code == 1:
                comment = val.decode()
            elif olen == 8:
                opts[code] = struct.unpack("<Q", val)[0]
            o += 4 + olen + (-olen % 4)
    off += blen
print(opts.get(4), opts.get(6), opts.get(7), opts.get(8), "|" + comment)
EOF
}

netns_setup xlim || bail "cannot create namespaces"
A=$NETNS_A B=$NETNS_B
xdp_attach "$VETH_A" "$demo" native || bail "cannot attach the demo"
xdp_attach "$VETH_B" "$demo" native || bail "cannot attach the peer's XDP"
netns_static_neighbours
hook_pin "$VETH_A" "$hooks/demo" || bail "cannot pin the hook"

# --- --sample 10: 1 in 10, exactly ------------------------------------------
start_capture "$A" --sample 10 xdp:demo "$tmp/sample.pcapng" "udp port 1000"
check $? "a capture with --sample 10 starts" "" "$tmp/err"
burst 100 1000
stop_capture
check "$cap_rc" "it ends with status 0" "status $cap_rc" "$tmp/err"
in_file=$(packets "$tmp/sample.pcapng")
written=$(summary written) matched=$(summary "matched the filter") lost=$(summary lost) skipped=$(summary skipped)
[ "$matched" = 100 ] && [ "$in_file" = 10 ] && [ "$written" = 10 ] && [ "$skipped" = 90 ] && [ "$lost" = 0 ]
check $? "100 datagrams from one CPU: 10 written (the 1st, 11th, ...), 90 skipped, none lost" \
	"matched $matched, file $in_file, written $written, skipped $skipped, lost $lost" "$tmp/err"
got=$(isb "$tmp/sample.pcapng")
# (received: what reached the hook, some IPv6 chatter included)
echo "$got" | grep -q "^[0-9]* 100 0 10 |90 packets matched but were left out in the kernel by sampling or the rate cap\$"
check $? "the statistics block: 100 matched, 0 dropped, 10 delivered, and a comment on the 90 skipped" "$got"

# --- --max-rate: never more than the cap ------------------------------------
start_capture "$A" --max-rate 50 xdp:demo "$tmp/rate.pcapng" "udp port 1000"
check $? "a capture with --max-rate 50 starts" "" "$tmp/err"
t0=$(now_ms)
burst 400 1000
t1=$(now_ms)
stop_capture
in_file=$(packets "$tmp/rate.pcapng")
got=$(isb "$tmp/rate.pcapng")
set -- $got
matched=$2 dropped=$3 delivered=$4
skipped=$(echo "$got" | sed -n 's/.*|\([0-9]*\) packets matched but were left out.*/\1/p')
# CPU 0's share over the burst, its bucket (a second of it) and a second
# of margin for the clock
most=$((((t1 - t0) / 1000 + 2) * share_most + 2))
[ "$matched" = 400 ] && [ "$in_file" -ge 1 ] && [ "$in_file" -le "$most" ] &&
	[ "$delivered" = "$in_file" ] && [ $((in_file + dropped + skipped)) -eq 400 ]
check $? "400 datagrams in $((t1 - t0)) ms from one CPU: $in_file kept (at most $most), the rest skipped: written + lost + skipped = matched" \
	"file $in_file, isb $got"

# paced: 5 bursts of 40, a quiet second and more between them, so that
# CPU 0's bucket is full as each burst starts however slowly the
# datagrams come; it keeps a bucket (or the burst) of each at least and,
# over the whole run, no more than its share a second plus one bucket
# and margin
start_capture "$A" --max-rate 50 xdp:demo "$tmp/paced.pcapng" "udp port 1000"
check $? "a capture with --max-rate 50 starts (paced traffic)" "" "$tmp/err"
t0=$(now_ms)
netns_exec "$B" taskset -c 0 bash -c \
	'for j in $(seq 5); do [ $j = 1 ] || sleep 1.05; for i in $(seq 40); do echo x > /dev/udp/192.0.2.1/1000; done; done' 2>/dev/null
t1=$(now_ms)
stop_capture
in_file=$(packets "$tmp/paced.pcapng")
most=$((((t1 - t0) / 1000 + 2) * share_most + 2))
least=$((5 * (share_least < 40 ? share_least : 40)))
[ "$in_file" -ge "$least" ] && [ "$in_file" -le "$most" ] && [ "$(summary "matched the filter")" = 200 ]
check $? "200 datagrams in 5 bursts over $((t1 - t0)) ms: $in_file kept, a full bucket each burst and about $share_least a second (between $least and $most)" \
	"file $in_file" "$tmp/err"

# --- sampling at entry: the exits follow ------------------------------------
start_capture "$A" --entry --sample 5 xdp:demo "$tmp/entry.pcapng" "udp port 1000"
check $? "an entry capture with --sample 5 starts" "" "$tmp/err"
burst 50 1000
stop_capture
got=$(fields "$tmp/entry.pcapng" frame.packet_id frame.comment |
	awk -F'\t' '{ n[$2]++; ids[$1]++ } END { for (i in ids) if (ids[i] != 2) bad++; print n["XDP entry"] + 0, n["XDP_PASS"] + 0, bad + 0 }')
[ "$got" = "10 10 0" ] && [ "$(summary skipped)" = 40 ]
check $? "50 datagrams: 10 kept as they arrived, their 10 verdicts with the same ids, 40 skipped" \
	"$got, skipped $(summary skipped)" "$tmp/err"

# --- the extcap and the libpcap device ----------------------------------------
"$extcap" --extcap-interface xdp:demo --extcap-config --hook-dir "$hooks" >"$tmp/config" 2>&1
grep -q '^arg {number=3}{call=--sample}.*{type=unsigned}' "$tmp/config" &&
	grep -q '^arg {number=4}{call=--max-rate}.*{type=unsigned}' "$tmp/config"
check $? "the extcap offers --sample and --max-rate" "$(cat "$tmp/config")"
mkfifo "$tmp/fifo"
nsenter --net="$NETNS_RUN_DIR/$A" -- "$extcap" --extcap-interface xdp:demo --capture \
	--fifo "$tmp/fifo" --hook-dir "$hooks" --sample 4 --extcap-capture-filter "udp port 1000" \
	2>"$tmp/extcap.err" &
ext_pid=$!
cat "$tmp/fifo" >"$tmp/extcap.pcapng" &
cat_pid=$!
wait_until 30000 sh -c "\"$xdpcap\" list --hook-dir \"$hooks\" xdp:demo | grep -q 'PASS pid'"
burst 40 1000
sleep 0.3
kill -TERM "$ext_pid"
wait "$ext_pid"
ext_rc=$?
wait "$cat_pid"
in_file=$(packets "$tmp/extcap.pcapng")
got=$(isb "$tmp/extcap.pcapng")
[ "$ext_rc" -eq 0 ] && [ "$in_file" = 10 ] &&
	echo "$got" | grep -q "^[0-9]* 40 0 10 |30 packets matched but were left out in the kernel by sampling or the rate cap\$"
check $? "the extcap with --sample 4: 10 of 40, the 30 skipped in its statistics block" \
	"status $ext_rc, file $in_file, isb $got" "$tmp/extcap.err"

if [ -f "$preload" ]; then
	# nsenter and env exec tcpdump: $! is tcpdump
	nsenter --net="$NETNS_RUN_DIR/$A" -- env XDPCAP_HOOK_DIR="$hooks" XDPCAP_SAMPLE=5 \
		LD_PRELOAD="$preload" tcpdump -i xdp:demo -n -Z root -w "$tmp/td.pcap" \
		"udp port 1000" 2>"$tmp/td.err" &
	td_pid=$!
	wait_until 30000 grep -q "listening on" "$tmp/td.err"
	burst 50 1000
	sleep 0.3
	kill -INT "$td_pid"
	wait "$td_pid"
	captured=$(sed -n 's/^\([0-9]*\) packets captured.*/\1/p' "$tmp/td.err")
	received=$(sed -n 's/^\([0-9]*\) packets received by filter.*/\1/p' "$tmp/td.err")
	by_if=$(sed -n 's/^\([0-9]*\) packets dropped by interface.*/\1/p' "$tmp/td.err")
	[ "$captured" = 10 ] && [ "$received" = 50 ] && [ "$by_if" = 40 ]
	check $? "tcpdump with XDPCAP_SAMPLE=5: 10 of 50 captured, 50 received by filter, the 40 left out dropped by interface" \
		"captured $captured, received $received, dropped by interface $by_if" "$tmp/td.err"
	[ "$(grep -c "^xdp:demo: XDPCAP_SAMPLE=5: 1 in 5 matching packets kept, in the kernel; the others count as dropped by interface$" "$tmp/td.err")" = 1 ]
	check $? "... and it says once that sampling is on" "" "$tmp/td.err"
	netns_exec "$A" env XDPCAP_HOOK_DIR="$hooks" XDPCAP_MAX_RATE=lots LD_PRELOAD="$preload" \
		tcpdump -i xdp:demo -n -c 1 >/dev/null 2>"$tmp/td.err"
	grep -q "XDPCAP_MAX_RATE takes 0 to" "$tmp/td.err"
	check $? "a bad XDPCAP_MAX_RATE is refused with a message" "" "$tmp/td.err"
else
	check 1 "the preloadable libpcap module is built ($preload)"
fi

# --- bad values ---------------------------------------------------------------
for bad in "--sample 0" "--sample -3" "--max-rate 0" "--max-rate 1000000001" "--sample x"; do
	# shellcheck disable=SC2086
	"$xdpcap" $bad xdp:demo "$tmp/bad.pcapng" 2>"$tmp/err"
	rc=$?
	[ "$rc" -eq 2 ] && [ ! -e "$tmp/bad.pcapng" ]
	check $? "$bad: status 2, no file" "status $rc" "$tmp/err"
done
"$xdpcap" --sample 3 -r /dev/null "$tmp/bad.pcap" 2>"$tmp/err"
[ $? -eq 2 ] && grep -q "are for live hooks" "$tmp/err"
check $? "--sample with -r is refused" "" "$tmp/err"

tap_done
