#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
#
# A full disk, for real: small tmpfs file systems of our own (in a
# private mount namespace), the demo XDP program on a veth pair between
# namespaces of our own, and more datagrams than the disk holds. The
# capture must stop by itself with status 1 and say the disk is full and
# where; its file must end on a whole block (tshark, or in the guests
# tests/pcapng_fields, reads it without a word) and hold exactly the
# packets the summary says were written; the
# summary must add up (written + lost + discarded = matched, the packets
# the disk had no room for among the discarded); the slots must be
# empty. With -C -W rotation the disk fills in the second file: the
# first stays complete.
set -u

top=${TOP_SRCDIR:-$(cd "$(dirname "$0")/.." && pwd)}
. "$top/tests/lib/live.sh"
live_test full "$0" "$@"

# disk NAME SIZE: a tmpfs of SIZE (as mount takes it) at $tmp/NAME, gone
# with our mount namespace (unmounted first, for the rm of $tmp)
disk() {
	mkdir -p "$tmp/$1" && mount -t tmpfs -o "size=$2" tmpfs "$tmp/$1" &&
		cleanup_add "umount '$tmp/$1'"
}

# fill N: datagrams of 1,400 bytes from B to A's port 1000, by hundreds,
# until the capture is gone, N hundred at most (a veth may drop some when
# the machine is busy: the count that fills a disk is not known before)
fill() {
	for _ in $(seq "$1"); do
		gone "$cap_pid" && return 0
		netns_exec "$B" bash -c "
			pad=\$(printf '%01396d' 0)
			for i in \$(seq 100); do
				printf '%04d%s' \$i \"\$pad\" > /dev/udp/192.0.2.1/1000
			done" 2>/dev/null
	done
}

# ends_alone: the capture ends by itself within 20 s (SIGINT after
# that); its status in $cap_rc, whether it did in $alone
ends_alone() {
	if wait_until 20000 gone "$cap_pid"; then
		alone=0
	else
		alone=1
		kill -INT "$cap_pid" 2>/dev/null
	fi
	wait "$cap_pid"
	cap_rc=$?
}

# summary WHAT: the number before "packets WHAT" in the summary
summary() {
	sed -n "s/^\([0-9]*\) packets $1.*/\1/p" "$cap_err" | head -n 1
}

# adds_up: written + lost + skipped + discarded = matched, with packets
# discarded because the disk is full; the counts in $counts
adds_up() {
	written=$(summary written) matched=$(summary "matched the filter")
	lost=$(summary lost) skipped=$(summary skipped)
	discarded=$(sed -n 's/^\([0-9]*\) packets discarded (matched, but not written: the disk is full)$/\1/p' "$cap_err")
	counts="written ${written:-?} + lost ${lost:-?} + skipped ${skipped:-0} + discarded ${discarded:-?} = matched ${matched:-?}"
	[ -n "$written" ] && [ -n "$matched" ] && [ -n "$lost" ] && [ -n "$discarded" ] &&
		[ "$discarded" -gt 0 ] &&
		[ $((written + lost + ${skipped:-0} + discarded)) -eq "$matched" ]
}

# in_file FILE: the packets in FILE, as the fields' reader counts them
in_file() {
	fields "$1" frame.number | wc -l
}

# blocks FILE: walk FILE's pcapng blocks or pcap records; prints "whole
# PACKETS DELIVERED TAIL": DELIVERED the last statistics block's count of
# packets written ("-" if there is none), TAIL where the statistics
# blocks at the end begin (the size if none); or "cut AT" for a block in
# part
blocks() {
	/usr/bin/python3 - "$1" <<'EOF'
import struct, sys
data = open(sys.argv[1], "rb").read()
packets, delivered, tail = 0, "-", 0
if data[:4] == b"\x4d\x3c\xb2\xa1":	# pcap, ns, our byte order
    off = 24
    while off + 16 <= len(data):
        caplen = struct.unpack_from("<I", data, off + 8)[0]
        if off + 16 + caplen > len(data):
            break
        packets += 1
        off += 16 + caplen
        tail = off
else:
    off = 0
    while off + 12 <= len(data):
        btype, blen = struct.unpack_from("<II", data, off)
        if blen < 12 or off + blen > len(data):
            break
        if btype == 6:
            packets += 1
        elif btype == 5:
            o = off + 20
            while o + 4 <= off + blen - 4:
                code, olen = struct.unpack_from("<HH", data, o)
                if code == 0:
                    break
                if code == 8:
                    delivered = struct.unpack_from("<Q", data, o + 4)[0]
                o += 4 + olen + (-olen % 4)
        off += blen
        if btype != 5:
            tail = off
if off != len(data):
    print("cut", off)
else:
    print("whole", packets, delivered, tail)
EOF
}

netns_setup xful || bail "cannot create namespaces"
A=$NETNS_A B=$NETNS_B
xdp_attach "$VETH_A" "$demo" native || bail "cannot attach the demo"
xdp_attach "$VETH_B" "$demo" native || bail "cannot attach the peer's XDP"
netns_static_neighbours
hook_pin "$VETH_A" "$hooks/demo" || bail "cannot pin the hook"

# check_full WHAT FILE FORMAT: the checks of a capture the disk stopped,
# FILE the one it was writing when the disk filled
check_full() {
	check "$alone" "$1: the capture stops by itself when the disk is full" "" "$cap_err"
	[ "$cap_rc" -eq 1 ]
	check $? "$1: it exits with status 1" "status $cap_rc" "$cap_err"
	kept=$(sed -n "s|^xdpcap: the disk of $2 is full: cannot write the capture: No space left on device (the file is cut back to its last whole block, at byte \([0-9]*\)); free some space there, or capture to another file system\$|\1|p" "$cap_err")
	[ -n "$kept" ]
	check $? "$1: it says the disk of $2 is full, where the file now ends, and what to do" \
		"" "$cap_err"
	adds_up
	check $? "$1: the summary adds up: $counts" "" "$cap_err"
	reads_whole "$2"
	check $? "$1: $file_reader reads $(basename "$2") to the end without a complaint" \
		"$(head -n 3 "$tmp/reader.err")"
	walk=$(blocks "$2")
	size=$(stat -c %s "$2")
	# (then the statistics, if the cut made room for them)
	[ "${walk%% *}" = whole ] && [ "${walk##* }" = "$kept" ]
	check $? "$1: it is cut back to a whole $3, at the byte said ($kept); only statistics follow" \
		"$walk, $size bytes"
	slots_empty xdp:demo
	check $? "$1: the slots are empty afterwards" "$("$xdpcap" list --hook-dir "$hooks" xdp:demo 2>&1)"
}

# --- pcapng into a file ----------------------------------------------------
disk ng 256k || bail "cannot mount a tmpfs"
cap_err=$tmp/ng.err
start_capture "$A" xdp:demo "$tmp/ng/full.pcapng" "udp port 1000"
check $? "pcapng: a capture onto a 256 KiB disk starts" "" "$cap_err"
fill 20
ends_alone
check_full pcapng "$tmp/ng/full.pcapng" block
set -- $walk
n=$(in_file "$tmp/ng/full.pcapng")
[ "$n" = "$written" ] && [ "$2" = "$written" ] && { [ "$3" = - ] || [ "$3" = "$written" ]; }
check $? "pcapng: the file holds the $written packets written (counted $n; statistics block: $3 delivered)" \
	"$walk" "$cap_err"
echo "# pcapng on 256 KiB: $counts; cut at byte $kept, file $size bytes; delivered in its statistics: $3"
grep -v -e "^[0-9]* received, " -e "^  " "$cap_err" | sed 's/^/#   /'

# --- a disk full before the first block --------------------------------------
cap_err=$tmp/again.err
start_capture "$A" xdp:demo "$tmp/ng/again.pcapng" "udp port 1000"
check $? "already full: a capture onto the same disk starts" "" "$cap_err"
ends_alone
size=$(stat -c %s "$tmp/ng/again.pcapng")
[ "$alone" -eq 0 ] && [ "$cap_rc" -eq 1 ] &&
	grep -q "^xdpcap: the disk of $tmp/ng/again.pcapng is full: cannot write the capture: No space left on device (the file is cut back to its last whole block, at byte $size); " "$cap_err" &&
	[ "$(summary written)" = 0 ] && reads_whole "$tmp/ng/again.pcapng" &&
	[ "$(blocks "$tmp/ng/again.pcapng")" = "whole 0 - $size" ] && slots_empty xdp:demo
check $? "already full: it stops at once with status 1, the message, a summary of 0 written, a file of whole blocks ($size bytes), the slots empty" \
	"status $cap_rc, $(blocks "$tmp/ng/again.pcapng")" "$cap_err"

# --- classic pcap, to standard output (a packet at a time) -------------------
disk pcap 192k || bail "cannot mount a tmpfs"
cap_err=$tmp/pcap.err
start_capture "$A" -F pcap xdp:demo - "udp port 1000" >"$tmp/pcap/full.pcap"
check $? "pcap: a capture to standard output on a 192 KiB disk starts" "" "$cap_err"
fill 20
ends_alone
# (its name, in the message: standard output)
kept=$(sed -n 's|^xdpcap: the disk of standard output is full: cannot write the capture: No space left on device (the file is cut back to its last whole block, at byte \([0-9]*\)); .*|\1|p' "$cap_err")
[ "$alone" -eq 0 ] && [ "$cap_rc" -eq 1 ] && [ -n "$kept" ]
check $? "pcap: it stops by itself, status 1, saying the disk of standard output is full" \
	"status $cap_rc" "$cap_err"
adds_up
check $? "pcap: the summary adds up: $counts" "" "$cap_err"
reads_whole "$tmp/pcap/full.pcap"
check $? "pcap: $file_reader reads it to the end without a complaint" "$(head -n 3 "$tmp/reader.err")"
walk=$(blocks "$tmp/pcap/full.pcap")
n=$(in_file "$tmp/pcap/full.pcap")
size=$(stat -c %s "$tmp/pcap/full.pcap")
[ "$walk" = "whole $written - $kept" ] && [ "$n" = "$written" ] && [ "$size" = "$kept" ]
check $? "pcap: whole records only, $written as written (counted $n), cut at the byte said ($kept)" \
	"$walk, $size bytes"
slots_empty xdp:demo
check $? "pcap: the slots are empty afterwards"
echo "# pcap to stdout on 192 KiB: $counts; file $size bytes"

# --- -C 1 -W 3: the disk fills in the second file ------------------------------
disk rot 1600k || bail "cannot mount a tmpfs"
cap_err=$tmp/rot.err
start_capture "$A" -C 1 -W 3 xdp:demo "$tmp/rot/r.pcapng" "udp port 1000"
check $? "-C 1 -W 3: a capture onto a 1,600 KiB disk starts" "" "$cap_err"
fill 40
ends_alone
files=$(cd "$tmp/rot" && ls | tr '\n' ' ')
[ "$files" = "r.pcapng0 r.pcapng1 " ]
check $? "-C 1 -W 3: r.pcapng0 and r.pcapng1, then the disk is full" "$files"
check_full "-C 1 -W 3" "$tmp/rot/r.pcapng1" block
second=$(in_file "$tmp/rot/r.pcapng1")
walk0=$(blocks "$tmp/rot/r.pcapng0")
size0=$(stat -c %s "$tmp/rot/r.pcapng0")
set -- $walk0
first=$2
# (whole, a statistics block at the end that counts its packets)
reads_whole "$tmp/rot/r.pcapng0" && [ "$1" = whole ] && [ "$3" = "$first" ] &&
	[ "$4" -lt "$size0" ] && [ "$(in_file "$tmp/rot/r.pcapng0")" = "$first" ] &&
	[ "$size0" -ge 1000000 ]
check $? "-C 1 -W 3: the first file is complete: past 1,000,000 bytes, $first packets, its statistics block counts them" \
	"$walk0, $size0 bytes"
set -- $walk
[ $((first + second)) = "$written" ] && { [ "$3" = - ] || [ "$3" = "$second" ]; }
check $? "-C 1 -W 3: the two files hold the $written packets written ($first + $second)" \
	"$first + $second; second file: $walk"
echo "# -C 1 -W 3 on 1,600 KiB: $counts; files of $first and $second packets"

tap_done
