#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
#
# Several hooks in one capture (-i HOOK -i HOOK), with real traffic: the
# demo XDP program on two veth pairs, each between namespaces of its own,
# numbered datagrams sent into both at once, and the one pcapng file read
# back: an interface per hook, every datagram once and on its own hook's
# interface, timestamps in order, statistics per hook that add up; slots
# claimed for all or none, and emptied for all.
set -u

top=${TOP_SRCDIR:-$(cd "$(dirname "$0")/.." && pwd)}
. "$top/tests/lib/live.sh"
live_test hooks-many "$0" "$@"

# pair NAME: a veth pair with the demo on its A end, its hook pinned as
# xdp:NAME; the sending namespace in $B
pair() {
	netns_setup "xm$1" || return 1
	xdp_attach "$VETH_A" "$demo" native || return 1
	xdp_attach "$VETH_B" "$demo" native || return 1
	netns_static_neighbours || return 1
	hook_pin "$VETH_A" "$hooks/$1"
}
pair one || bail "cannot make the first pair"
B1=$NETNS_B PROG1=$(xdp_prog_id "$VETH_A")
pair two || bail "cannot make the second pair"
B2=$NETNS_B PROG2=$(xdp_prog_id "$VETH_A")

# numbered NS FIRST LAST: 100-byte datagrams to port 1000 from NS, each
# beginning with its number (5 digits)
numbered() {
	netns_exec "$1" bash -c "
		pad=\$(printf '%095d' 0)
		for i in \$(seq $2 $3); do
			printf '%05d%s' \$i \"\$pad\" > /dev/udp/192.0.2.1/1000
		done" 2>/dev/null
}

# both N: datagrams 1..N into the first pair and 5001..5000+N into the
# second, at the same time
both() {
	numbered "$B1" 1 "$1" &
	_both=$!
	numbered "$B2" 5001 $((5000 + $1))
	wait "$_both"
}

# packets FILE: "interface number" per packet, the number read from the
# UDP payload (the low nibble of each of its first 5 bytes)
packets() {
	tshark -r "$1" -T fields -e frame.interface_id -e udp.payload 2>/dev/null |
		awk '{ n = ""; for (i = 2; i <= 10; i += 2) n = n substr($2, i, 1); print $1, n + 0 }'
}

# in_order FILE: the packets' timestamps never go back
in_order() {
	tshark -r "$1" -T fields -e frame.time_epoch 2>/dev/null | awk -F. '
		{ ns = substr($2 "000000000", 1, 9) }
		NR > 1 && ($1 < s || ($1 == s && ns < n)) { bad++ }
		{ s = $1; n = ns }
		END { exit bad > 0 }'
}

# isbs FILE: per statistics block "interface matched delivered"
isbs() {
	/usr/bin/python3 - "$1" <<'EOF'
import struct, sys
data = open(sys.argv[1], "rb").read()
off = 0
while off + 12 <= len(data):
    btype, blen = struct.unpack_from("<II", data, off)
    if btype == 5:
        iface = struct.unpack_from("<I", data, off + 8)[0]
        opts, o = {}, off + 20
        while o + 4 <= off + blen - 4:
            code, olen = struct.unpack_from("<HH", data, o)
            if code == 0:
                break
            if olen == 8:
                opts[code] = struct.unpack_from("<Q", data, o + 4)[0]
            o += 4 + olen + (-olen % 4)
        print(iface, opts.get(6), opts.get(8))
    off += blen
EOF
}

both_empty() {
	slots_empty xdp:one && slots_empty xdp:two
}

# --- two hooks, one file ----------------------------------------------------
start_capture - -i xdp:one -i xdp:two "$tmp/two.pcapng" "udp port 1000"
check $? "a capture of -i xdp:one -i xdp:two starts" "" "$tmp/err"
n=$(grep -c "capturing from" "$tmp/err")
[ "$n" = 2 ]
check $? "it says it captures from each hook" "$n lines" "$tmp/err"
both 1000
stop_capture
check "$cap_rc" "it ends with status 0" "status $cap_rc" "$tmp/err"

ifaces=$(tshark -r "$tmp/two.pcapng" -T fields -e frame.interface_id -e frame.interface_name \
	-e frame.interface_description 2>/dev/null | sort -u)
echo "$ifaces" | grep -q "^0	xdp:one	XDP hook xdp:one of program $PROG1 " &&
	echo "$ifaces" | grep -q "^1	xdp:two	XDP hook xdp:two of program $PROG2 " &&
	[ "$(echo "$ifaces" | wc -l)" = 2 ]
check $? "one interface per hook, in the order given, named and described with its program's id" "$ifaces"

packets "$tmp/two.pcapng" | sort -k2,2n >"$tmp/two.txt"
got=$(awk '$2 >= 1 && $2 <= 1000 && $1 == 0 { a++ } $2 >= 5001 && $2 <= 6000 && $1 == 1 { b++ }
	{ n++ } END { print a + 0, b + 0, n + 0 }' "$tmp/two.txt")
dups=$(awk '{ print $2 }' "$tmp/two.txt" | uniq -d | wc -l)
[ "$got" = "1000 1000 2000" ] && [ "$dups" = 0 ]
check $? "each hook's 1,000 datagrams are on its own interface, each once" \
	"first/second/all $got, numbers twice $dups"

in_order "$tmp/two.pcapng"
check $? "timestamps never go back, across both hooks" ""

stats=$(isbs "$tmp/two.pcapng" | tr '\n' ';')
[ "$stats" = "0 1000 1000;1 1000 1000;" ]
check $? "a statistics block per hook: 1,000 matched, 1,000 written each" "$stats"

grep -q "^2000 packets written$" "$tmp/err" && grep -A1 "^xdp:one:$" "$tmp/err" |
	grep -q "^  1000 written, [0-9]* received, 1000 matched, 0 lost, 0 skipped$" &&
	grep -A1 "^xdp:two:$" "$tmp/err" |
	grep -q "^  1000 written, [0-9]* received, 1000 matched, 0 lost, 0 skipped$"
check $? "the summary gives the totals, then each hook's" "" "$tmp/err"

both_empty
check $? "both hooks' slots are empty afterwards" ""

# --- the positional form is unchanged ----------------------------------------
start_capture - xdp:two "$tmp/one.pcapng" "udp port 1000"
check $? "HOOK OUTPUT FILTER still starts a capture of one hook" "" "$tmp/err"
both 100
stop_capture
got=$(packets "$tmp/one.pcapng" | awk '$1 == 0 && $2 > 5000 { n++ } { all++ } END { print n + 0, all + 0 }')
[ "$cap_rc" = 0 ] && [ "$got" = "100 100" ]
check $? "... and writes that hook's packets only" "status $cap_rc, ours/all $got" "$tmp/err"

# --- -c: the count is of both, the rest is counted ---------------------------
start_capture - -c 150 -i xdp:one -i xdp:two "$tmp/count.pcapng" "udp port 1000"
check $? "a capture of two hooks with -c 150 starts" "" "$tmp/err"
both 200
wait_until 20000 sh -c "! kill -0 $cap_pid 2>/dev/null"
stop_capture
written=$(sed -n 's/^\([0-9]*\) packets written$/\1/p' "$tmp/err")
matched=$(sed -n 's/^\([0-9]*\) packets matched the filter$/\1/p' "$tmp/err")
discarded=$(sed -n 's/^\([0-9]*\) packets discarded.*/\1/p' "$tmp/err")
infile=$(packets "$tmp/count.pcapng" | wc -l)
# (it may end before all 400 are sent: matched is what came before that)
[ "$cap_rc" = 0 ] && [ "$written" = 150 ] && [ "$infile" = 150 ] && [ "${matched:-0}" -ge 150 ] &&
	[ "$((written + ${discarded:-0}))" = "$matched" ]
check $? "it stops at 150 packets; written + discarded = matched" \
	"status $cap_rc, written $written, in the file $infile, matched $matched, discarded ${discarded:-none}" "$tmp/err"
in_order "$tmp/count.pcapng"
check $? "... in timestamp order" ""

# --- all or none: a hook held by another capture ------------------------------
# (one without CAP_SYS_ADMIN keeps its slots to itself)
start_capture - --entry xdp:two "$tmp/holder.pcapng"
check $? "an entry capture, which keeps its slots to itself, holds xdp:two" "" "$tmp/err"
holder=$cap_pid
"$xdpcap" --hook-dir "$hooks" -i xdp:one -i xdp:two "$tmp/refused.pcapng" >/dev/null 2>"$tmp/err2"
rc=$?
[ "$rc" = 2 ] && grep -q "xdp:two is in use by xdpcap process $holder" "$tmp/err2" &&
	[ ! -e "$tmp/refused.pcapng" ] && slots_empty xdp:one
check $? "a capture of xdp:one and xdp:two is refused (status 2), names the holder, writes no file and leaves xdp:one empty" \
	"status $rc" "$tmp/err2"
cap_pid=$holder
stop_capture

# --- SIGKILL: the guards empty every hook -------------------------------------
start_capture - -i xdp:one -i xdp:two "$tmp/killed.pcapng"
check $? "a capture of two hooks starts again" "" "$tmp/err"
kill -KILL "$cap_pid"
wait "$cap_pid" 2>/dev/null
wait_until 10000 both_empty
check $? "killed with SIGKILL, it leaves both hooks' slots empty" ""

# --- entry capture: packet ids stay apart -------------------------------------
start_capture - --entry -i xdp:one -i xdp:two "$tmp/entry.pcapng" "udp port 1000"
check $? "an entry capture of two hooks starts" "" "$tmp/err"
both 100
stop_capture
fields "$tmp/entry.pcapng" frame.interface_id frame.packet_id frame.comment >"$tmp/entry.txt"
got=$(awk -F'\t' '
	$3 == "XDP entry" { entries++; if (seen[$2]++) twice++; iface[$2] = $1 }
	$3 != "XDP entry" { exits++; if (!($2 in iface) || iface[$2] != $1) unpaired++ }
	END { print entries + 0, exits + 0, twice + 0, unpaired + 0 }' "$tmp/entry.txt")
[ "$cap_rc" = 0 ] && [ "$got" = "200 200 0 0" ]
check $? "200 entries with ids that differ across hooks, each exit after its entry on the same interface" \
	"status $cap_rc, entries/exits/ids twice/unpaired $got" "$tmp/err"

# --- rotation: every file has both hooks' interfaces and statistics ----------
start_capture - -C 1 -i xdp:one -i xdp:two "$tmp/rot.pcapng" "udp port 1000"
check $? "a capture of two hooks with -C 1 starts" "" "$tmp/err"
netns_exec "$B1" bash -c "
	pad=\$(printf '%01395d' 0)
	for i in \$(seq 1 1000); do printf '%05d%s' \$i \"\$pad\" > /dev/udp/192.0.2.1/1000; done" 2>/dev/null
stop_capture
bad=0 total=0 nfiles=0
for f in "$tmp"/rot.pcapng*; do
	nfiles=$((nfiles + 1))
	s=$(isbs "$f" | awk '{ print $1 }' | tr '\n' ' ')
	[ "$s" = "0 1 " ] || bad=$((bad + 1))
	total=$((total + $(packets "$f" | wc -l)))
done
[ "$cap_rc" = 0 ] && [ "$nfiles" -ge 2 ] && [ "$bad" = 0 ] && [ "$total" = 1000 ]
check $? "each of $nfiles files holds both interfaces' statistics, 1,000 datagrams in all" \
	"status $cap_rc, files without both $bad, packets $total" "$tmp/err"

# --- usage -------------------------------------------------------------------
"$xdpcap" --hook-dir "$hooks" -F pcap -i xdp:one -i xdp:two "$tmp/p.pcap" >/dev/null 2>"$tmp/err2"
rc=$?
[ "$rc" = 2 ] && grep -q "need pcapng" "$tmp/err2" && [ ! -e "$tmp/p.pcap" ]
check $? "-F pcap with two hooks: status 2, no file" "status $rc" "$tmp/err2"
"$xdpcap" --hook-dir "$hooks" -i xdp:one -i xdp:one "$tmp/d.pcapng" >/dev/null 2>"$tmp/err2"
rc=$?
[ "$rc" = 2 ] && grep -q "given twice" "$tmp/err2" && [ ! -e "$tmp/d.pcapng" ]
check $? "the same hook twice: status 2, no file" "status $rc" "$tmp/err2"
"$xdpcap" --hook-dir "$hooks" -i xdp:one -i xdp:nosuch "$tmp/n.pcapng" >/dev/null 2>"$tmp/err2"
rc=$?
[ "$rc" = 2 ] && grep -q "nosuch" "$tmp/err2" && [ ! -e "$tmp/n.pcapng" ] && slots_empty xdp:one
check $? "a hook that does not exist: status 2, named, no file, nothing claimed" "status $rc" "$tmp/err2"

tap_done
