#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
#
# xdpcap against xdpdump (xdp-tools) on one XDP program without a hook
# (tests/bpf/xdp_traced.bpf.o: UDP dropped, the rest passed), both by
# fexit, where the kernel lets tracing programs attach (a guest kernel):
#
#   1. verdicts, packet for packet: both capture the same traffic at
#      once; each packet (its addresses, IP id, length) must carry the
#      same verdict in both files;
#   2. cost: the program run with BPF_PROG_TEST_RUN (bpftool prog run,
#      the frame arriving on the program's interface; fentry/fexit
#      programs run with it), nanoseconds a packet with
#      nothing attached, with xdpdump, and with xdpcap matching every
#      frame or none (medians of rounds), and how many packets each kept.
#
#   make bench
#   XDPCAP_KERNEL_RUN=bench/run_xdpdump_compare.sh sh tests/kernels/run.sh 6.1
#
# Output is TAP, the table as diagnostics. Under emulation only the
# ratios carry over.
set -u

top=${TOP_SRCDIR:-$(cd "$(dirname "$0")/.." && pwd)}
. "$top/tests/lib/live.sh"
live_needs xdpdump bpftool tshark
live_test dumpcmp "$0" "$@"
. "$top/tests/lib/traced.sh"
[ "$traceable" = yes ] || bail "this kernel refuses tracing programs: run it in a guest kernel"

rounds=${ROUNDS:-5}
repeat=${REPEAT:-5000}

traced_pair xdcmp

# start_xdpdump FILE: xdpdump on the program's exit, writing FILE
start_xdpdump() {
	nsenter --net="$NETNS_RUN_DIR/$A" -- xdpdump -i "$VETH_A" --rx-capture exit \
		-w "$1" >"$tmp/xdpdump.out" 2>&1 &
	dump_pid=$!
	# (it says it listens only at the end: its stdout is a file)
	wait_until 30000 attached
}
stop_xdpdump() {
	kill -INT "$dump_pid"
	wait "$dump_pid"
}

# packet_verdicts FILE: "source destination IP-id length verdict" of the
# IPv4 packets sent (xdpdump starts first, and may see more of the rest)
packet_verdicts() {
	tshark -r "$1" -Y "frame.verdict.ebpf_xdp && ip" -T fields -E separator=' ' \
		-e eth.src -e eth.dst -e ip.id -e frame.len \
		-e frame.verdict.ebpf_xdp 2>/dev/null | sort
}

# --- 1. verdicts, packet for packet ------------------------------------------
start_xdpdump "$tmp/xdpdump.pcapng"
check $? "xdpdump attaches to program $prog" "" "$tmp/xdpdump.out"
start_capture "$A" "xdp:$VETH_A" "$tmp/xdpcap.pcapng"
check $? "xdpcap attaches to program $prog beside it" "" "$tmp/err"
for round in 1 2 3; do
	traffic "$B"
done
sleep 0.5
stop_capture
stop_xdpdump
packet_verdicts "$tmp/xdpdump.pcapng" >"$tmp/xdpdump.verdicts"
packet_verdicts "$tmp/xdpcap.pcapng" >"$tmp/xdpcap.verdicts"
n=$(wc -l <"$tmp/xdpcap.verdicts")
drops=$(grep -c " 1$" "$tmp/xdpcap.verdicts")
[ "$n" = 33 ] && [ "$drops" = 24 ] && cmp -s "$tmp/xdpdump.verdicts" "$tmp/xdpcap.verdicts"
check $? "the same $n packets with the same verdicts in both files ($drops drops)" \
	"$(diff "$tmp/xdpdump.verdicts" "$tmp/xdpcap.verdicts" | head -n 20)"

# --- 2. cost per packet -------------------------------------------------------
# frame FILE LEN: an Ethernet/IPv4/UDP frame of LEN bytes to port 9 (dropped)
frame() {
	/usr/bin/python3 - "$1" "$2" <<'PY'
import struct, sys
path, n = sys.argv[1], int(sys.argv[2])
eth = b"\x02\x00\x00\x00\x00\x01\x02\x00\x00\x00\x00\x02\x08\x00"
ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, n - 14, 1, 0, 64, 17, 0,
                 bytes([192, 0, 2, 2]), bytes([192, 0, 2, 1]))
udp = struct.pack("!HHHH", 1000, 9, n - 34, 0)
open(path, "wb").write((eth + ip + udp).ljust(n, b"\x00"))
PY
}
frame "$tmp/f64" 64 && frame "$tmp/f1514" 1514 || bail "cannot write the test frames"
# ctx FILE LEN: a struct xdp_md that has the frame arrive on $VETH_A, queue
# 0 (xdpdump leaves out packets of other interfaces, as test runs are
# by default)
ifindex=$(netns_exec "$A" ip -o link show dev "$VETH_A" | cut -d: -f1)
ctx() {
	/usr/bin/python3 -c 'import struct, sys; open(sys.argv[1], "wb").write(struct.pack("<6I", 0, int(sys.argv[2]), 0, int(sys.argv[3]), 0, 0))' \
		"$1" "$2" "$ifindex"
}
ctx "$tmp/c64" 64 && ctx "$tmp/c1514" 1514 || bail "cannot write the test contexts"

# run_ns SIZE: the median of $rounds runs' average nanoseconds a packet
run_ns() {
	for _r in $(seq "$rounds"); do
		netns_exec "$A" bpftool prog run id "$prog" data_in "$tmp/f$1" \
			ctx_in "$tmp/c$1" repeat "$repeat" 2>&1 |
			sed -n 's/.*duration (average): \([0-9]*\)ns.*/\1/p'
	done | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'
}

# measure WAY: a table row for each frame size; KEPT what was kept
row() {
	printf '| %s | %s B | %s | %s | %.2f | %s |\n' "$1" "$2" "$3" "$4" \
		"$(echo "$4 $3" | awk '{ print $1 / $2 }')" "$5"
}
runs=$((rounds * repeat))
for size in 64 1514; do
	eval "base_$size=\$(run_ns $size)"
done

table=$tmp/table
echo "| way | frame | ns a packet, nothing attached | with it | ratio | packets kept of $runs |" >"$table"
echo "|---|--:|--:|--:|--:|--:|" >>"$table"
for way in xdpdump xdpcap-all xdpcap-none; do
	for size in 64 1514; do
		out=$tmp/$way-$size.pcapng
		case $way in
		xdpdump) start_xdpdump "$out" ;;
		xdpcap-all) start_capture "$A" "xdp:$VETH_A" "$out" ;;
		xdpcap-none) start_capture "$A" "xdp:$VETH_A" "$out" "udp port 7" ;;
		esac || bail "$way did not start"
		ns=$(run_ns "$size")
		sleep 1
		case $way in
		xdpdump)
			stop_xdpdump
			kept=$(sed -n 's/^\([0-9]*\) packets captured$/\1/p' "$tmp/xdpdump.out")
			lost=$(sed -n 's/^\([0-9]*\) packets dropped by perf ring$/\1/p' "$tmp/xdpdump.out")
			kept="$kept ($lost lost)"
			;;
		*)
			stop_capture
			kept=$(packets "$out")
			;;
		esac
		eval "base=\$base_$size"
		row "$way" "$size" "$base" "$ns" "$kept" >>"$table"
		rm -f "$out"
	done
done
sed 's/^/# /' "$table"
check 0 "the cost table is complete (rounds $rounds, $repeat frames each)"
tap_done
