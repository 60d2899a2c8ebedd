#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
#
# Files in turn, as tcpdump makes them (-C, -G, -W), with real traffic:
# the demo XDP program on a veth pair between namespaces of our own,
# numbered datagrams, and every file read back with tshark: each one
# complete (header, interfaces, statistics), every datagram in exactly
# one file, none lost or written twice across a switch.
set -u

top=${TOP_SRCDIR:-$(cd "$(dirname "$0")/.." && pwd)}
. "$top/tests/lib/live.sh"
live_test rotate "$0" "$@"

# numbered FIRST LAST [PAUSE]: datagrams of 1,400 bytes to port 1000,
# each beginning with its number (5 digits); a pause (seconds) after
# every 100
numbered() {
	netns_exec "$B" bash -c "
		pad=\$(printf '%01395d' 0)
		for i in \$(seq $1 $2); do
			printf '%05d%s' \$i \"\$pad\" > /dev/udp/192.0.2.1/1000
			[ -n '${3:-}' ] && [ \$((i % 100)) -eq 0 ] && sleep ${3:-0}
		done" 2>/dev/null
}

# numbers FILE...: the datagram numbers in the files, one a line. Read
# from the UDP payload itself (5 ASCII digits: the low nibble of each of
# its first 5 bytes): a source port that some dissector claims would
# hide the payload from tshark's data fields.
numbers() {
	for f in "$@"; do
		tshark -r "$f" -T fields -e udp.payload 2>/dev/null
	done | awk '{ n = ""; for (i = 2; i <= 10; i += 2) n = n substr($1, i, 1); print n + 0 }'
}

# doubled FILE...: for each datagram number seen more than once, each
# copy's file, IP id and UDP source port, and the numbers missing from
# 1..2500 (two packets on the wire differ in id or port; a copy that
# repeats another exactly was written twice)
doubled() {
	for f in "$@"; do
		tshark -r "$f" -T fields -e frame.number -e ip.id -e udp.srcport \
			-e udp.payload 2>/dev/null |
			awk -v f="${f##*/}" '{ n = ""; for (i = 2; i <= 10; i += 2) n = n substr($4, i, 1)
				print n + 0, f, $1, $2, $3 }'
	done | sort -n | awk '
		{ seen[$1]++; line[$1] = line[$1] " [" $2 " #" $3 " id " $4 " port " $5 "]" }
		END {
			for (n in seen) if (seen[n] > 1) printf "%d:%s; ", n, line[n]
			for (n = 1; n <= 2500; n++) if (!(n in seen)) printf "missing %d; ", n
		}'
}

# complete FILE: tshark reads it whole, and it ends with a statistics
# block whose delivered count is the number of packets in it; prints
# "packets matched delivered"
complete() {
	/usr/bin/python3 - "$1" <<'EOF'
import struct, sys
data = open(sys.argv[1], "rb").read()
off, epb, isb, last = 0, 0, None, None
while off + 12 <= len(data):
    btype, blen = struct.unpack_from("<II", data, off)
    if blen < 12 or off + blen > len(data):
        sys.exit(1)
    if btype == 6:
        epb += 1
    elif btype == 5:
        opts, o = {}, off + 20
        while o + 4 <= off + blen - 4:
            code, olen = struct.unpack_from("<HH", data, o)
            if code == 0:
                break
            if olen == 8:
                opts[code] = struct.unpack_from("<Q", data, o + 4)[0]
            o += 4 + olen + (-olen % 4)
        isb = opts
    last = btype
    off += blen
if off != len(data) or last != 5 or isb is None or isb.get(8) != epb:
    sys.exit(1)
print(epb, isb.get(6), isb.get(8))
EOF
}

# all_complete FILE...: each file is complete; sums of their packets and
# matched counts in $sum_packets, $sum_matched
all_complete() {
	sum_packets=0 sum_matched=0
	for f in "$@"; do
		set -- $(complete "$f") || return 1
		[ $# -eq 3 ] || return 1
		sum_packets=$((sum_packets + $1)) sum_matched=$((sum_matched + $2))
	done
}

netns_setup xrot || bail "cannot create namespaces"
A=$NETNS_A B=$NETNS_B
xdp_attach "$VETH_A" "$demo" native || bail "cannot attach the demo"
xdp_attach "$VETH_B" "$demo" native || bail "cannot attach the peer's XDP"
netns_static_neighbours
hook_pin "$VETH_A" "$hooks/demo" || bail "cannot pin the hook"

# --- -C 1: a new file past each million bytes --------------------------------
start_capture "$A" -C 1 xdp:demo "$tmp/c.pcapng" "udp port 1000"
check $? "a capture with -C 1 starts" "" "$tmp/err"
numbered 1 2500
stop_capture
check "$cap_rc" "it ends with status 0" "status $cap_rc" "$tmp/err"
files=$(cd "$tmp" && ls c.pcapng* | tr '\n' ' ')
[ "$files" = "c.pcapng c.pcapng1 c.pcapng2 c.pcapng3 " ]
check $? "2,500 datagrams of 1,400 bytes make c.pcapng, c.pcapng1, c.pcapng2 and c.pcapng3, as tcpdump names them" "$files"
all_complete "$tmp"/c.pcapng*
check $? "each file is complete: header, packets, and a statistics block that counts them" "" "$tmp/err"
got=$(numbers "$tmp/c.pcapng" "$tmp/c.pcapng1" "$tmp/c.pcapng2" "$tmp/c.pcapng3" | sort -n | uniq -c |
	awk '$1 != 1 { bad++ } { n++ } END { print n + 0, bad + 0 }')
[ "$got" = "2500 0" ] && [ "$sum_packets" = 2500 ] && [ "$sum_matched" = 2500 ]
check $? "every datagram is in exactly one file, and the files' statistics add up to 2,500 matched" \
	"numbers/duplicates $got, packets $sum_packets, matched $sum_matched$(
	[ "$got" = "2500 0" ] || { printf ': '; doubled "$tmp"/c.pcapng*; })"
big=$(stat -c %s "$tmp/c.pcapng" "$tmp/c.pcapng1" "$tmp/c.pcapng2" |
	awk '$1 < 1000000 || $1 > 1000000 + 2000 { bad++ } END { print bad + 0 }')
[ "$big" = 0 ]
check $? "a file is switched at the first packet past 1,000,000 bytes" \
	"$(stat -c '%n %s' "$tmp"/c.pcapng*)"

# --- -C 1 -W 2: two files in turn -------------------------------------------
start_capture "$A" -C 1 -W 2 xdp:demo "$tmp/w.pcapng" "udp port 1000"
check $? "a capture with -C 1 -W 2 starts" "" "$tmp/err"
numbered 1 2500
stop_capture
files=$(cd "$tmp" && ls w.pcapng* | tr '\n' ' ')
[ "$cap_rc" -eq 0 ] && [ "$files" = "w.pcapng0 w.pcapng1 " ]
check $? "-W 2: only w.pcapng0 and w.pcapng1, written in turn" "status $cap_rc, $files" "$tmp/err"
all_complete "$tmp/w.pcapng0" "$tmp/w.pcapng1"
check $? "both are complete" ""
last=$(numbers "$tmp/w.pcapng0" "$tmp/w.pcapng1" | sort -n | tail -n 1)
[ "$last" = 2500 ]
check $? "the last datagram is in one of them (the first ones were overwritten)" "last $last"

# --- -G 1: a new file every second -------------------------------------------
start_capture "$A" -G 1 xdp:demo "$tmp/g-%s.pcapng" "udp port 1000"
check $? "a capture with -G 1 and a strftime pattern starts" "" "$tmp/err"
numbered 1 1000 0.3
stop_capture
set -- "$tmp"/g-*.pcapng
nfiles=$#
all_complete "$@"
complete_rc=$?
got=$(numbers "$@" | sort -n | uniq -c | awk '$1 != 1 { bad++ } { n++ } END { print n + 0, bad + 0 }')
[ "$cap_rc" -eq 0 ] && [ "$nfiles" -ge 2 ] && [ "$complete_rc" -eq 0 ] && [ "$got" = "1000 0" ]
check $? "-G 1 over about 3 s: $nfiles files named by the time, each complete, every datagram once" \
	"status $cap_rc, complete $complete_rc, numbers/duplicates $got" "$tmp/err"

# --- -G 1 -W 2: stops after two files ---------------------------------------
start_capture "$A" -G 1 -W 2 xdp:demo "$tmp/gw-%s.pcapng" "udp port 1000"
check $? "a capture with -G 1 -W 2 starts" "" "$tmp/err"
numbered 1 1000 0.3
wait_until 10000 gone "$cap_pid"
check $? "-G 1 -W 2 ends by itself after two files" "" "$tmp/err"
wait "$cap_pid"
rc=$?
set -- "$tmp"/gw-*.pcapng
[ "$rc" -eq 0 ] && [ $# -eq 2 ] && all_complete "$@"
check $? "... with status 0, leaving two complete files" "status $rc, $# files" "$tmp/err"

# --- refused -------------------------------------------------------------------
for bad in "-W 3" "-C 0" "-G x" "-C 1 -r /dev/null"; do
	# shellcheck disable=SC2086
	"$xdpcap" $bad xdp:demo "$tmp/bad.pcapng" 2>"$tmp/err"
	rc=$?
	[ "$rc" -eq 2 ] && [ ! -e "$tmp/bad.pcapng" ]
	check $? "$bad: status 2, no file" "status $rc" "$tmp/err"
done
"$xdpcap" -C 1 xdp:demo - 2>"$tmp/err" >/dev/null
[ $? -eq 2 ] && grep -q "OUTPUT must be a file name" "$tmp/err"
check $? "-C with OUTPUT - is refused" "" "$tmp/err"

tap_done
