#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
#
# Live capture end to end: the demo XDP program on a veth pair between two
# namespaces of our own, real traffic (ping answered with XDP_TX, UDP to
# port 9 dropped, other UDP passed), and the capture read back with tshark,
# tcpdump and capinfos.
set -u

top=${TOP_SRCDIR:-$(cd "$(dirname "$0")/.." && pwd)}
. "$top/tests/lib/live.sh"
live_test capture "$0" "$@"
demo_frags=$build/bpf/examples/xdpcap_demo_frags.bpf.o


count_comment() {
	fields "$1" frame.comment | grep -c "^$2\$"
}

netns_setup xcap || bail "cannot create namespaces"
A=$NETNS_A B=$NETNS_B VA=$VETH_A VETH_B_MAIN=$VETH_B
xdp_attach "$VA" "$demo" native || bail "cannot attach the demo"
# a veth delivers XDP_TX frames only to a peer that runs XDP itself (NAPI);
# the demo passes everything B receives
xdp_attach "$VETH_B" "$demo" native || bail "cannot attach the peer's XDP"
hook_pin "$VA" "$hooks/demo" || bail "cannot pin the hook"

# --- every action, with its comment and verdict ------------------------------
start_capture - xdp:demo "$tmp/all.pcapng"
ok $? "capture starts on the pinned hook xdp:demo"
netns_exec "$B" ping -c 3 -i 0.1 -W 1 192.0.2.1 >/dev/null 2>&1
ping_rc=$?
send_udp "$B" 192.0.2.1 9 4
send_udp "$B" 192.0.2.1 1000 5
stop_capture
ok $cap_rc "SIGINT ends the capture with status 0"
ok $ping_rc "ping through the demo is answered (XDP_TX)"
tx=$(count_comment "$tmp/all.pcapng" XDP_TX)
drop=$(count_comment "$tmp/all.pcapng" XDP_DROP)
udp_pass=$(fields "$tmp/all.pcapng" frame.comment udp.dstport | grep -c "^XDP_PASS	1000\$")
[ "$tx" -eq 3 ]
ok $? "3 echo requests captured as XDP_TX (got $tx)"
[ "$drop" -eq 4 ]
ok $? "4 datagrams to port 9 captured as XDP_DROP (got $drop)"
[ "$udp_pass" -eq 5 ]
ok $? "5 datagrams to port 1000 captured as XDP_PASS (got $udp_pass)"
bad=$(fields "$tmp/all.pcapng" frame.comment frame.verdict.ebpf_xdp |
	awk -F'\t' '{ v = ($1 == "XDP_ABORTED") ? 0 : ($1 == "XDP_DROP") ? 1 : ($1 == "XDP_PASS") ? 2 : ($1 == "XDP_TX") ? 3 : 4; if ($2 != v) n++ } END { print n + 0 }')
[ "$bad" -eq 0 ]
ok $? "every packet's verdict option equals its comment ($bad differ)"
queues=$(fields "$tmp/all.pcapng" frame.interface_queue | grep -c '^[0-9]')
total=$(fields "$tmp/all.pcapng" frame.number | wc -l)
[ "$queues" -eq "$total" ] && [ "$total" -gt 0 ]
ok $? "every packet has its rx queue ($queues of $total)"
dirs=$(fields "$tmp/all.pcapng" frame.comment frame.packet_flags_direction | sort -u |
	tr '\t\n' ' ;')
[ "$dirs" = "XDP_DROP 0x00000001;XDP_PASS 0x00000001;XDP_TX 0x00000002;" ]
ok $? "inbound where the verdict keeps the packet here, outbound for XDP_TX ($dirs)"
ifname=$(fields "$tmp/all.pcapng" frame.interface_name | sort -u)
[ "$ifname" = "xdp:demo" ]
ok $? "the interface is named xdp:demo ($ifname)"
slots_empty xdp:demo
ok $? "the hook's slots are empty after the capture"
# the kernel's clock, on the epoch: within a minute (stretched) of now
now=$(date +%s)
first=$(fields "$tmp/all.pcapng" frame.time_epoch | head -n1 | cut -d. -f1)
[ $((now - first)) -ge 0 ] && [ $((now - first)) -lt "$(scaled 60)" ]
ok $? "timestamps are wall-clock times ($first, now $now)"

# --- interface statistics block ----------------------------------------------
/usr/bin/python3 - "$tmp/all.pcapng" >"$tmp/isb" <<'EOF'
import struct, sys
data = open(sys.argv[1], "rb").read()
off, found = 0, {}
while off + 12 <= len(data):
    btype, blen = struct.unpack_from("<II", data, off)
    if btype == 5:
        o = off + 20
        while o + 4 <= off + blen - 4:
            code, olen = struct.unpack_from("<HH", data, o)
            if code == 0:
                break
            if olen == 8:
                found[code] = struct.unpack_from("<Q", data, o + 4)[0]
            o += 4 + (olen + 3) // 4 * 4
    off += blen
print(found.get(4, -1), found.get(6, -1), found.get(7, -1), found.get(8, -1))
EOF
read -r ifrecv filteraccept osdrop usrdeliv <"$tmp/isb"
[ "$usrdeliv" -eq "$total" ] && [ "$filteraccept" -eq "$total" ] &&
	[ "$osdrop" -eq 0 ] && [ "$ifrecv" -ge "$total" ]
ok $? "statistics block: received $ifrecv, accepted $filteraccept, dropped $osdrop, delivered $usrdeliv ($total packets)"

# --- a filter runs in the kernel ---------------------------------------------
start_capture - xdp:demo "$tmp/f.pcapng" "udp port 9"
send_udp "$B" 192.0.2.1 9 3
send_udp "$B" 192.0.2.1 1000 3
netns_exec "$B" ping -c 2 -i 0.1 -W 1 192.0.2.1 >/dev/null 2>&1
stop_capture
kept=$(fields "$tmp/f.pcapng" frame.comment udp.dstport | sort | uniq -c | awk '{ $1 = $1; print }' | tr '\n' ';')
[ "$kept" = "3 XDP_DROP 9;" ]
ok $? "filter 'udp port 9' keeps only those datagrams ($kept)"
matched=$(sed -n 's/^\([0-9]*\) packets matched the filter$/\1/p' "$tmp/err")
received=$(sed -n 's/^\([0-9]*\) packets received at the hook$/\1/p' "$tmp/err")
[ "$matched" = 3 ] && [ "$received" -ge 8 ]
ok $? "the hook counted $received received and $matched matched"

# --- protochain walks the header chain in the kernel ---------------------------
# scapy in B sends IPv6 frames to A: UDP behind 3 extension headers (3), bare
# UDP (2), TCP behind the same headers (2), and IPv4 UDP (2); "ip6 protochain
# 17" keeps the 5 IPv6 UDP ones
mac_a=$(_netns_mac "$A" "$VA")
start_capture - xdp:demo "$tmp/pc.pcapng" "ip6 protochain 17"
netns_exec "$B" /usr/bin/python3 - "$VETH_B" "$mac_a" <<'EOF' 2>"$tmp/scapy.err"
import sys
from scapy.all import (Ether, IP, IPv6, IPv6ExtHdrDestOpt, IPv6ExtHdrHopByHop,
                       IPv6ExtHdrRouting, TCP, UDP, Raw, sendp)
dev, mac = sys.argv[1], sys.argv[2]
v6 = Ether(dst=mac) / IPv6(src="2001:db8::2", dst="2001:db8::1")
chain = IPv6ExtHdrHopByHop() / IPv6ExtHdrDestOpt() / IPv6ExtHdrRouting(addresses=["2001:db8::7"])
frames = [v6 / chain / UDP(sport=4000 + i, dport=1000) / Raw(b"chain") for i in range(3)]
frames += [v6 / UDP(sport=5000 + i, dport=1000) / Raw(b"bare") for i in range(2)]
frames += [v6 / chain / TCP(sport=6000 + i, dport=1000) for i in range(2)]
frames += [Ether(dst=mac) / IP(src="192.0.2.2", dst="192.0.2.1") / UDP(sport=7000 + i, dport=1000)
           for i in range(2)]
sendp(frames, iface=dev, verbose=False)
EOF
stop_capture
kept=$(fields "$tmp/pc.pcapng" udp.srcport | sort -n | tr '\n' ' ')
[ "$kept" = "4000 4001 4002 5000 5001 " ]
ok $? "'ip6 protochain 17' keeps UDP behind extension headers and bare, not TCP or IPv4 ($kept$(head -c 200 "$tmp/scapy.err"))"
grep -q "protochain) goes round at most 126 times on a packet in the kernel" "$tmp/err"
ok $? "... and says how long a chain it follows: $(grep protochain "$tmp/err")"

# --- -m: the netmask of "ip broadcast" ---------------------------------------------
# frames to 192.0.2.255, 192.0.2.0, 255.255.255.255 and 192.0.2.1: with -m 24
# the first three are broadcasts, without -m only 255.255.255.255 is
for mask in 24 none; do
	if [ "$mask" = none ]; then set --; else set -- -m "$mask"; fi
	start_capture - "$@" xdp:demo "$tmp/bc.pcapng" "ip broadcast"
	netns_exec "$B" /usr/bin/python3 - "$VETH_B" "$mac_a" <<'EOF' 2>"$tmp/scapy.err"
import sys
from scapy.all import Ether, IP, UDP, sendp
dev, mac = sys.argv[1], sys.argv[2]
sendp([Ether(dst=mac) / IP(src="192.0.2.2", dst=d) / UDP(sport=8000, dport=1000)
       for d in ["192.0.2.255", "192.0.2.0", "255.255.255.255", "192.0.2.1"]],
      iface=dev, verbose=False)
EOF
	stop_capture
	got=$(fields "$tmp/bc.pcapng" ip.dst | tr '\n' ' ')
	if [ "$mask" = none ]; then want="255.255.255.255 "; else
		want="192.0.2.255 192.0.2.0 255.255.255.255 "; fi
	[ "$got" = "$want" ]
	ok $? "'ip broadcast' with -m $mask keeps $want($got$(head -c 200 "$tmp/scapy.err"))"
done

# --- action selection ---------------------------------------------------------
start_capture - --actions pass,tx xdp:demo "$tmp/a.pcapng"
send_udp "$B" 192.0.2.1 9 2
send_udp "$B" 192.0.2.1 1000 2
netns_exec "$B" ping -c 1 -W 1 192.0.2.1 >/dev/null 2>&1
stop_capture
got=$(fields "$tmp/a.pcapng" frame.comment | sort -u | tr '\n' ' ')
[ "$got" = "XDP_PASS XDP_TX " ]
ok $? "--actions pass,tx captures only those ($got)"
"$xdpcap" list --hook-dir "$hooks" xdp:demo >"$tmp/list" 2>&1
slots_empty xdp:demo
ok $? "only the chosen slots were used, and they are empty again"

# --- -c, stdout, tcpdump reading the stream ------------------------------------
( "$xdpcap" --hook-dir "$hooks" -q -c 3 xdp:demo - udp | tcpdump -n -r - 2>/dev/null >"$tmp/td.txt" ) &
reader=$!
pass_slot_filled() {
	"$xdpcap" list --hook-dir "$hooks" xdp:demo 2>/dev/null | grep -q "PASS pid"
}
wait_until 5000 pass_slot_filled
send_udp "$B" 192.0.2.1 1000 5
wait_until 4000 gone "$reader"
ok $? "-c 3 ends the capture by itself"
lines=$(grep -c "192.0.2.2.* > 192.0.2.1.1000: UDP" "$tmp/td.txt")
[ "$lines" -eq 3 ]
ok $? "xdpcap ... - | tcpdump -r - reads 3 packets ($lines)"

# --- classic pcap ---------------------------------------------------------------
start_capture - -F pcap xdp:demo "$tmp/c.pcap" udp
send_udp "$B" 192.0.2.1 1000 2
stop_capture
capinfos -t "$tmp/c.pcap" 2>/dev/null | grep -q "nanosecond pcap" &&
	[ "$(tcpdump -r "$tmp/c.pcap" 2>/dev/null | wc -l)" -eq 2 ]
ok $? "-F pcap writes a nanosecond pcap file tcpdump reads"

# --- the statistics line, once a second -------------------------------------------
start_capture - xdp:demo "$tmp/line.pcapng" "udp port 9"
send_udp "$B" 192.0.2.1 9 2
sleep 1.5
stop_capture
last=$(grep "^[0-9]* received, " "$tmp/err" | tail -n 1)
echo "$last" | grep -q "^[0-9]* received, 2 matched (drop 2), 2 written, [0-9.]* k\{0,1\}B  $tmp/line.pcapng\$"
ok $? "once a second: received, matched by action, written, the file's size and name ($last)"

# --- snap length ------------------------------------------------------------------
# -s 0 keeps whole packets, as with tcpdump
for snap in 60 0; do
	start_capture - -s "$snap" xdp:demo "$tmp/s$snap.pcapng" icmp
	netns_exec "$B" ping -c 1 -s 200 -W 1 192.0.2.1 >/dev/null 2>&1
	stop_capture
	sizes=$(fields "$tmp/s$snap.pcapng" frame.cap_len frame.len | sort -u | tr '\t\n' '/ ')
	[ "$sizes" = "$([ "$snap" = 0 ] && echo 242 || echo "$snap")/242 " ]
	ok $? "-s $snap keeps $([ "$snap" = 0 ] && echo all || echo "$snap") of 242 bytes ($sizes)"
done

# --- found through the interface, no pin -----------------------------------------
for name in "xdp:$VA" "$VA"; do
	start_capture "$A" "$name" "$tmp/if.pcapng"
	started=$?
	send_udp "$B" 192.0.2.1 9 2
	stop_capture
	[ "$started" -eq 0 ] && [ "$cap_rc" -eq 0 ] && [ "$(count_comment "$tmp/if.pcapng" XDP_DROP)" -eq 2 ]
	ok $? "hook found by interface name '$name' captures ($(head -n1 "$tmp/err"))"
done

# --- generic mode --------------------------------------------------------------------
netns_setup xgen || bail "cannot create namespaces"
xdp_attach "$VETH_A" "$demo" generic
ok $? "the demo attaches in generic mode"
hook_pin "$VETH_A" "$hooks/generic"
start_capture - xdp:generic "$tmp/g.pcapng"
netns_exec "$NETNS_B" ping -c 2 -i 0.1 -W 1 192.0.2.1 >/dev/null 2>&1
send_udp "$NETNS_B" 192.0.2.1 9 2
stop_capture
[ "$(count_comment "$tmp/g.pcapng" XDP_TX)" -eq 2 ] && [ "$(count_comment "$tmp/g.pcapng" XDP_DROP)" -eq 2 ]
ok $? "generic mode: TX and DROP captured ($(count_comment "$tmp/g.pcapng" XDP_TX), $(count_comment "$tmp/g.pcapng" XDP_DROP))"

# --- loaded by libbpf, with and without an expected attach type ---------------------
for variant in "" --no-attach-type; do
	netns_setup xld || bail "cannot create namespaces"
	name=ld${variant:+-none}
	netns_exec "$NETNS_A" "$build/tests/xdp_load" "$demo" "$VETH_A" native $variant --pin "$hooks/$name"
	cleanup_add "rm -f '$hooks/$name'"
	start_capture - "xdp:$name" "$tmp/ld.pcapng"
	started=$?
	send_udp "$NETNS_B" 192.0.2.1 9 2
	stop_capture
	[ "$started" -eq 0 ] && [ "$(count_comment "$tmp/ld.pcapng" XDP_DROP)" -eq 2 ]
	ok $? "a program loaded by libbpf ${variant:-with its expected attach type} is captured ($(head -n1 "$tmp/err"))"
done

# --- the packet's bytes, copied each way this kernel allows ----------------------
# Every way of copying that `xdpcap features` offers here (the kernel's
# own choice, and the direct loop where that is another): pings whose
# frames take each part of the copy (8-byte words under 64 bytes, 64-byte
# blocks above), kept whole with good IP and ICMP checksums; a snap length
# of 7 (single bytes) keeps the destination MAC.
features=$("$xdpcap" features 2>&1)
copies=$(printf '%s\n' "$features" | sed -n 's/^copy: \([a-z-]*\).*/\1/p')
[ "$copies" = direct ] || copies="$copies direct"
mac_b=$(netns_exec "$B" ip -o link show dev "$VETH_B_MAIN" | sed -n 's/.*link\/ether \([0-9a-f:]*\).*/\1/p')
for copy in $copies; do
	export XDPCAP_COPY="$copy"
	start_capture - xdp:demo "$tmp/copy.pcapng" icmp
	started=$?
	pinged=
	for size in 0 20 100 1400; do
		netns_exec "$B" ping -c 1 -s "$size" -W 2 192.0.2.1 >/dev/null 2>&1
		pinged="$pinged$?"
	done
	stop_capture
	got=$(tshark -r "$tmp/copy.pcapng" -o ip.check_checksum:TRUE -T fields \
		-e frame.cap_len -e frame.len -e ip.checksum.status -e icmp.checksum.status \
		-Y 'icmp.type == 0' 2>/dev/null | tr '\t\n' '/ ')
	[ "$got" = "42/42/1/1 62/62/1/1 142/142/1/1 1442/1442/1/1 " ]
	check $? "copy $copy: replies of 42 to 1442 bytes kept whole, checksums good ($got)" \
		"started $started, ping statuses $pinged, exit $cap_rc" "$tmp/err"
	# a copy that is not the kernel's own says so
	case $features in
	*"copy: $copy:"*) ;;
	*)
		grep -q "XDPCAP_COPY=$copy" "$tmp/err"
		ok $? "copy $copy: the capture says it copies that way ($(head -n 1 "$tmp/err"))"
		;;
	esac
	start_capture - -s 7 xdp:demo "$tmp/copy7.pcapng" icmp
	netns_exec "$B" ping -c 1 -W 1 192.0.2.1 >/dev/null 2>&1
	stop_capture
	got=$(tcpdump -r "$tmp/copy7.pcapng" -xx 2>/dev/null |
		sed -n 's/^[[:space:]]*0x0000:[[:space:]]*//p' | head -n 1 | tr -d ' ')
	[ "${#got}" -eq 14 ] && [ "${got%??}" = "$(echo "$mac_b" | tr -d :)" ]
	ok $? "copy $copy: -s 7 keeps 7 bytes, the destination MAC $mac_b ($got)"
done
unset XDPCAP_COPY

# --- jumbo frames ----------------------------------------------------------------
# jumbo_namespaces PREFIX: a new pair of namespaces, MTU 9000 on both ends
jumbo_namespaces() {
	netns_setup "$1" || bail "cannot create namespaces"
	netns_exec "$NETNS_A" ip link set dev "$VETH_A" mtu 9000
	netns_exec "$NETNS_B" ip link set dev "$VETH_B" mtu 9000
}

# In generic mode the kernel hands XDP a jumbo frame as one buffer, on
# every kernel: the copy takes all 8042 bytes.
jumbo_namespaces xjug
xdp_attach "$VETH_A" "$demo" generic || bail "cannot attach the demo in generic mode"
hook_pin "$VETH_A" "$hooks/jumbo-generic"
# jumbo_pings HOOK: capture two 8000-byte pings from NETNS_B on HOOK;
# succeeds if they were answered and captured whole (what: $jumbo)
jumbo_pings() {
	start_capture - "$1" "$tmp/jumbo.pcapng" icmp
	netns_exec "$NETNS_B" ping -c 2 -i 0.1 -s 8000 -M do -W 1 192.0.2.1 >/dev/null 2>&1
	_rc=$?
	stop_capture
	jumbo="ping $_rc, $(fields "$tmp/jumbo.pcapng" frame.comment frame.cap_len frame.len |
		sort -u | tr '\t\n' '/ ')"
	[ "$jumbo" = "ping 0, XDP_TX/8042/8042 " ]
}

for copy in $copies; do
	export XDPCAP_COPY="$copy"
	jumbo_pings xdp:jumbo-generic
	ok $? "copy $copy: 8000-byte pings in generic mode are answered and captured whole ($jumbo)"
done
unset XDPCAP_COPY

# Native mode on a veth needs a frags-aware program for jumbo frames:
# with multi-buffer XDP, its fragments are captured too; without it, the
# kernel refuses such a program, and a capture says once that frames
# beyond the first buffer cannot occur.
jumbo_namespaces xjum
if printf '%s\n' "$features" | grep -q 'multi-buffer XDP (frags) *yes'; then
	xdp_attach "$VETH_A" "$demo_frags" native xdp.frags
	ok $? "the frags-aware demo attaches to an MTU 9000 veth"
	xdp_attach "$VETH_B" "$demo_frags" native xdp.frags
	hook_pin "$VETH_A" "$hooks/jumbo"
	jumbo_pings xdp:jumbo
	ok $? "8000-byte pings through the frags-aware demo are answered and captured whole ($jumbo)"
else
	! xdp_attach "$VETH_A" "$demo_frags" native xdp.frags 2>/dev/null
	ok $? "without multi-buffer XDP the kernel refuses the frags-aware demo"
	start_capture - xdp:demo "$tmp/nf.pcapng" icmp
	netns_exec "$B" ping -c 2 -i 0.1 -W 1 192.0.2.1 >/dev/null 2>&1
	stop_capture
	said=$(grep -c "no multi-buffer XDP" "$tmp/err")
	[ "$said" -eq 1 ] && [ "$(packets "$tmp/nf.pcapng")" = 2 ]
	ok $? "without multi-buffer XDP a capture says so once ($said) and captures"
fi

# --- losses are counted, never silent ---------------------------------------------
# The reader is stopped during the flood, so the smallest ring fills
# however fast the CPU (an emulated one sends too slowly to outrun it).
start_capture - -B 8 xdp:demo "$tmp/l.pcapng" icmp
kill -STOP "$cap_pid"
netns_exec "$B" ping -f -c 3000 -s 1400 -W 1 192.0.2.1 >/dev/null 2>&1
kill -CONT "$cap_pid"
stop_capture
written=$(sed -n 's/^\([0-9]*\) packets written$/\1/p' "$tmp/err")
matched=$(sed -n 's/^\([0-9]*\) packets matched the filter$/\1/p' "$tmp/err")
lost=$(sed -n 's/^\([0-9]*\) packets lost (capture ring full)$/\1/p' "$tmp/err")
in_file=$(fields "$tmp/l.pcapng" frame.number | wc -l)
[ -n "$lost" ] && [ "$lost" -gt 0 ] && [ $((written + lost)) -eq "$matched" ] && [ "$in_file" -eq "$written" ]
ok $? "a tiny ring loses packets and says so: $written written + $lost lost = $matched matched ($in_file in the file)"

tap_done
