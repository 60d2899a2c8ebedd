#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
#
# Entry capture and redirect notes end to end: the demo XDP program (its
# hook has an entry slot) on a veth pair between namespaces of our own,
# real traffic, and the files read back with tshark: each packet as it
# arrived and again with its verdict, both with the same pcapng packet
# id; echo requests before and after XDP_TX rewrote them; the filter
# applied to the packet as it arrived; verdicts unchanged while entry
# capture runs; the slots empty after every way a capture ends. Then
# where redirects went, from xdpcap_redirect_map()'s notes.
set -u

top=${TOP_SRCDIR:-$(cd "$(dirname "$0")/.." && pwd)}
. "$top/tests/lib/live.sh"
live_test entry "$0" "$@"
redirect_prog=$build/tests/bpf/xdp_redirect.bpf.o
user_prog=$build/tests/bpf/xdp_user_entry.bpf.o
v01_prog=$build/tests/bpf/xdp_entry_v01.bpf.o
v01_no_enter_prog=$build/tests/bpf/xdp_entry_v01_no_enter.bpf.o
xdp_load=$build/tests/xdp_load


# hook_entries: how many of the hook's seven slots hold a program
hook_entries() {
	bpftool map dump pinned "$hooks/demo" 2>/dev/null |
		sed -n 's/^Found \([0-9]*\) element.*/\1/p'
}

# rx_packets NS IFACE: frames IFACE received
rx_packets() {
	netns_exec "$1" ip -s link show dev "$2" | awk '/RX:/ { getline; print $2; exit }'
}

slots_all_empty() {
	[ "$(hook_entries)" = 0 ]
}

# entry_states IFACE: the distinct values of the per-CPU entry state of
# IFACE's program, "off", "on" or "rerun" (bpf/xdpcap_hook.h), comma-separated
entry_states() {
	_prog=$(xdp_prog_id "$1") || return 1
	for _m in $(bpftool prog show id "$_prog" | sed -n 's/.*map_ids \([0-9,]*\).*/\1/p' | tr , ' '); do
		bpftool map show id "$_m" | grep -q "name xdpcap_entry " || continue
		bpftool -j map dump id "$_m" | grep -o '"value":[0-9][0-9]*' | cut -d: -f2 | sort -u |
			sed 's/^0$/off/; s/^1$/on/; s/^2$/rerun/' | tr '\n' ',' | sed 's/,$//'
		return 0
	done
	return 1
}

# traffic: 3 pings (XDP_TX), 2 datagrams to port 9 (XDP_DROP), 2 to
# port 1000 (XDP_PASS); ping's status in $ping_rc
traffic() {
	netns_exec "$B" ping -c 3 -i 0.1 -W 1 192.0.2.1 >/dev/null 2>&1
	ping_rc=$?
	send_udp "$B" 192.0.2.1 9 2
	send_udp "$B" 192.0.2.1 1000 2
}

# pairs FILE: "ID<TAB>entries<TAB>exits<TAB>order ok" per packet id, and
# lines "noid N" for frames without one
pairs() {
	fields "$1" frame.number frame.packet_id frame.comment frame.verdict.ebpf_xdp |
		awk -F'\t' '
		$2 == "" { noid++; next }
		$3 == "XDP entry" { e[$2]++; if ($4 != "") badentry++; first[$2] = first[$2] ? first[$2] : $1; next }
		{ x[$2]++; if (!first[$2]) early++ }
		END {
			for (id in e) print id "\t" e[id] "\t" (x[id] + 0)
			for (id in x) if (!(id in e)) print id "\t0\t" x[id]
			print "noid " (noid + 0)
			print "badentry " (badentry + 0)
			print "early " (early + 0)
		}'
}

# whole_pairs FILE: every id has one entry frame and one exit frame, the
# entry first, entry frames carry no verdict, every frame has an id
whole_pairs() {
	pairs "$1" >"$tmp/pairs"
	awk -F'\t' '
		/^noid / || /^badentry / || /^early / { split($0, w, " "); if (w[2] != 0) bad++; next }
		{ n++; if ($2 != 1 || $3 != 1) bad++ }
		END { exit !(n > 0 && bad == 0) }' "$tmp/pairs"
}

netns_setup xent || bail "cannot create namespaces"
A=$NETNS_A B=$NETNS_B VA=$VETH_A VB=$VETH_B
xdp_attach "$VA" "$demo" native || bail "cannot attach the demo"
# a veth delivers XDP_TX frames only to a peer that runs XDP itself
xdp_attach "$VB" "$demo" native || bail "cannot attach the peer's XDP"
netns_static_neighbours
hook_pin "$VA" "$hooks/demo" || bail "cannot pin the hook"

# --- pairs: as it arrived, then with its verdict -----------------------------
start_capture "$A" --entry xdp:demo "$tmp/pairs.pcapng"
check $? "an entry capture starts on the demo's hook" "" "$tmp/err"
[ "$(hook_entries)" = 7 ]
check $? "it fills the five action slots, the entry slot and the rerun slot" "$(hook_entries) filled"
[ "$(entry_states "$VA")" = on ]
check $? "it turns the program's entry state on, on every CPU" "$(entry_states "$VA")"
traffic
stop_capture
check "$cap_rc" "SIGINT ends it with status 0" "status $cap_rc" "$tmp/err"
check "$ping_rc" "pings are answered while it runs (XDP_TX unchanged)"
whole_pairs "$tmp/pairs.pcapng"
check $? "every packet is captured twice with one packet id: as it arrived, then with its verdict" \
	"$(tr '\n' ' ' <"$tmp/pairs")"
n=$(fields "$tmp/pairs.pcapng" frame.comment | grep -c '^XDP entry$')
[ "$n" -ge 7 ]
check $? "at least the 7 packets sent are there as they arrived" "$n entry frames"
for want in XDP_TX:3 XDP_DROP:2; do
	got=$(fields "$tmp/pairs.pcapng" frame.comment | grep -c "^${want%:*}\$")
	[ "$got" -eq "${want#*:}" ]
	check $? "${want#*:} packets left with ${want%:*}" "got $got"
done
# the echo requests before and after the program turned them into replies
fields "$tmp/pairs.pcapng" frame.packet_id frame.comment icmp.type ip.src ip.dst eth.src eth.dst |
	awk -F'\t' '$2 == "XDP entry" && $3 != "" { req[$1] = $3 " " $4 " " $5 " " $6 " " $7 }
		$2 == "XDP_TX" { rep[$1] = $3 " " $4 " " $5 " " $6 " " $7 }
		END { for (id in rep) print req[id] "|" rep[id] }' >"$tmp/tx"
awk -F'|' '{ split($1, q, " "); split($2, r, " ")
	if (q[1] == 8 && r[1] == 0 && q[2] == r[3] && q[3] == r[2] && q[4] == r[5] && q[5] == r[4] &&
	    q[2] == "192.0.2.2" && q[3] == "192.0.2.1") ok++; n++ }
	END { exit !(n == 3 && ok == 3) }' "$tmp/tx"
check $? "each XDP_TX pair shows the echo request as it arrived and the reply it became (addresses and MACs swapped)" \
	"$(tr '\n' ';' <"$tmp/tx")"
written=$(sed -n 's/^\([0-9]*\) packets written$/\1/p' "$tmp/err")
frames=$(fields "$tmp/pairs.pcapng" frame.number | wc -l)
[ -n "$written" ] && [ "$written" -eq "$frames" ]
check $? "the summary counts every frame written, entry frames included" "written $written, frames $frames" "$tmp/err"
grep -q "packets matched the filter as they arrived" "$tmp/err"
check $? "the summary says how many matched as they arrived" "" "$tmp/err"
[ "$(hook_entries)" = 0 ]
check $? "all seven slots are empty afterwards" "$(hook_entries) filled"
[ "$(entry_states "$VA")" = off ]
check $? "the entry state is off again on every CPU: xdpcap_enter() returns at once" "$(entry_states "$VA")"

# --- the filter applies to the packet as it arrived --------------------------
start_capture "$A" --entry xdp:demo "$tmp/filter.pcapng" 'icmp[icmptype] == icmp-echo'
check $? "an entry capture with a filter starts" "" "$tmp/err"
traffic
stop_capture
check "$cap_rc" "it ends with status 0" "status $cap_rc" "$tmp/err"
got=$(fields "$tmp/filter.pcapng" frame.comment icmp.type | sort | uniq -c |
	sed 's/^ *\([0-9]*\) \(.*\)	\(.*\)/\2=\3x\1/' | tr '\n' ' ')
[ "$got" = "XDP entry=8x3 XDP_TX=0x3 " ]
check $? "requests match as they arrived; the replies they became are captured too, though the filter would refuse them" "$got"

# --- entry alone, and entry with some actions -------------------------------
start_capture "$A" --actions entry xdp:demo "$tmp/only.pcapng"
check $? "--actions entry starts" "" "$tmp/err"
traffic
stop_capture
verdicts=$(fields "$tmp/only.pcapng" frame.verdict.ebpf_xdp | grep -c .)
entries=$(fields "$tmp/only.pcapng" frame.comment | grep -c '^XDP entry$')
[ "$verdicts" -eq 0 ] && [ "$entries" -ge 7 ]
check $? "--actions entry captures packets only as they arrived, none with a verdict" "$entries entries, $verdicts verdicts"

start_capture "$A" --actions entry,drop xdp:demo "$tmp/drop.pcapng"
check $? "--actions entry,drop starts" "" "$tmp/err"
traffic
stop_capture
drops=$(fields "$tmp/drop.pcapng" frame.packet_id frame.comment udp.dstport |
	awk -F'\t' '$2 == "XDP entry" { e[$1] = $3 } $2 == "XDP_DROP" { if (e[$1] == 9) n++; else bad++ }
		$2 != "XDP entry" && $2 != "XDP_DROP" { bad++ } END { print n + 0, bad + 0 }')
[ "$drops" = "2 0" ]
check $? "--actions entry,drop: every packet as it arrived, and verdicts of the dropped ones only, paired" "$drops"

# --- the program keeps working: a capture killed, a second one refused ------
start_capture "$A" --entry xdp:demo "$tmp/killed.pcapng"
check $? "an entry capture starts (to be killed)" "" "$tmp/err"
nsenter --net="$NETNS_RUN_DIR/$A" -- "$xdpcap" --hook-dir "$hooks" --entry xdp:demo "$tmp/second.pcapng" 2>"$tmp/err2"
rc=$?
[ "$rc" -eq 2 ] && grep -q "of xdp:demo is in use by xdpcap process $cap_pid" "$tmp/err2"
check $? "a second entry capture is refused with status 2: its slots are in use" "status $rc" "$tmp/err2"
kill -KILL "$cap_pid"
wait "$cap_pid" 2>/dev/null
wait_until 5000 slots_all_empty
check $? "after SIGKILL the guard empties all seven slots" "$(hook_entries) filled"
[ "$(entry_states "$VA")" = off ]
check $? "... and turns the entry state off" "$(entry_states "$VA")"
netns_exec "$B" ping -c 2 -i 0.1 -W 1 192.0.2.1 >/dev/null 2>&1
check $? "pings are answered afterwards"

# --- the program's slot emptied under the capture: said, and undone ---------
start_capture "$A" --entry xdp:demo "$tmp/rerun.pcapng"
check $? "an entry capture starts (its rerun slot to be emptied)" "" "$tmp/err"
bpftool map delete pinned "$hooks/demo" key 6 0 0 0
netns_exec "$B" ping -c 1 -W 1 192.0.2.1 >/dev/null 2>&1
wait_until 4000 grep -q "capture at entry stopped" "$tmp/err"
check $? "a packet the program cannot be run again for is said at once" "" "$tmp/err"
# (said once the exit programs that replace the entry's are in)
wait_until 4000 grep -q "capturing on at the exits only, the filter applied there, without packet ids" "$tmp/err"
check $? "... and that the capture goes on at the exits, without packet ids" "" "$tmp/err"
netns_exec "$B" ping -c 2 -i 0.1 -W 1 192.0.2.1 >/dev/null 2>&1
check $? "the entry slot is taken out: pings are answered again while the capture goes on"
stop_capture
grep -q "packets aborted: the program could not be run again" "$tmp/err"
check $? "the summary counts the packets aborted" "" "$tmp/err"
fields "$tmp/rerun.pcapng" frame.packet_id frame.comment >"$tmp/rerun.txt"
got=$(grep -c "^	XDP_TX$" "$tmp/rerun.txt")
[ "$got" -eq 2 ]
check $? "the replies to the pings after it are captured at the exit, without ids" "$got: $(tr "\n" ";" <"$tmp/rerun.txt")" "$tmp/err"
[ "$(hook_entries)" = 0 ]
check $? "the slots are empty afterwards" "$(hook_entries) filled"

# --- generic XDP, and a program loaded by libbpf ------------------------------
xdp_detach "$VA" || bail "cannot detach the demo"
rm -f "$hooks/demo"
xdp_attach "$VA" "$demo" generic || bail "cannot attach the demo in generic mode"
hook_pin "$VA" "$hooks/demo" || bail "cannot pin the hook"
start_capture "$A" --entry xdp:demo "$tmp/generic.pcapng"
check $? "an entry capture starts on generic XDP" "" "$tmp/err"
traffic
stop_capture
check "$ping_rc" "pings are answered (generic XDP)"
whole_pairs "$tmp/generic.pcapng"
check $? "generic XDP: every packet twice, one id, entry first" "$(tr '\n' ' ' <"$tmp/pairs")"

xdp_detach "$VA" || bail "cannot detach the demo"
rm -f "$hooks/demo"
netns_exec "$A" "$xdp_load" "$demo" "$VA" native --pin "$hooks/demo" >/dev/null ||
	bail "cannot load the demo with libbpf"
start_capture "$A" --entry xdp:demo "$tmp/libbpf.pcapng"
check $? "an entry capture starts on a program loaded by libbpf" "" "$tmp/err"
traffic
stop_capture
check "$ping_rc" "pings are answered (libbpf)"
whole_pairs "$tmp/libbpf.pcapng"
check $? "libbpf: every packet twice, one id, entry first" "$(tr '\n' ' ' <"$tmp/pairs")"

# --- a program as a user writes it: iproute2 and libbpf, unpinned ------------
# udp_pairs FILE: entry/verdict counts of the datagrams to ports 9 and 1000
udp_pairs() {
	fields "$1" frame.comment udp.dstport | sort | uniq -c | sed 's/^ *//' | tr '\t\n' '/ '
}
# capture_udp NAME ARGS...: capture with ARGS at $VA's hook into
# $tmp/NAME.pcapng while 2 datagrams go to port 9 and 2 to port 1000;
# says whether it started, as a check of WHAT
capture_udp() {
	_what=$1
	_file=$tmp/$2.pcapng
	shift 2
	start_capture "$A" "$@" "xdp:$VA" "$_file" udp
	check $? "$_what" "" "$tmp/err"
	send_udp "$B" 192.0.2.1 9 2
	send_udp "$B" 192.0.2.1 1000 2
	stop_capture
}
user_want="2 XDP entry/1000 2 XDP entry/9 2 XDP_DROP/9 2 XDP_PASS/1000 "
for loader in iproute2 libbpf; do
	xdp_detach "$VA" || bail "cannot detach the program"
	rm -f "$hooks/demo"
	if [ "$loader" = iproute2 ]; then
		xdp_attach "$VA" "$user_prog" native
	else
		netns_exec "$A" "$xdp_load" "$user_prog" "$VA" native >/dev/null
	fi || bail "cannot load the user's program with $loader"
	user_hook=$(hook_map_id "$VA") || bail "no hook in the user's program"
	capture_udp "$loader: an entry capture starts on a user's program through its interface" \
		"user-$loader" --entry
	got=$(udp_pairs "$tmp/user-$loader.pcapng")
	[ "$cap_rc" -eq 0 ] && [ "$got" = "$user_want" ]
	check $? "$loader: each datagram as it arrived and with its verdict (drop 9, pass 1000)" "status $cap_rc: $got" "$tmp/err"
	whole_pairs "$tmp/user-$loader.pcapng"
	check $? "$loader: paired by packet id, entry first" "$(tr '\n' ' ' <"$tmp/pairs")"
	[ "$(bpftool map dump id "$user_hook" | sed -n 's/^Found \([0-9]*\) element.*/\1/p')" = 0 ]
	check $? "$loader: the hook's seven slots are empty afterwards"
done

# --- programs built with xdpcap_hook.h 0.1: an XDP metadata mark -------------
# The kernel's answer decides: where the verifier takes bpf_xdp_adjust_meta
# they are captured at entry as before; where it refuses it, they do not
# load, and a hook of theirs without xdpcap_enter() is refused --entry.
meta=$("$xdpcap" features | awk '$1 == "bpf_xdp_adjust_meta" { print $2 }')
xdp_detach "$VA" || bail "cannot detach the program"
if xdp_attach "$VA" "$v01_prog" native 2>"$tmp/v01-load"; then loaded=yes; else loaded=no; fi
[ "$loaded" = "$meta" ]
check $? "xdpcap features' probe of bpf_xdp_adjust_meta ($meta) is the verifier's answer to a real program calling it (loaded: $loaded)" "" "$tmp/v01-load"
if [ "$loaded" = yes ]; then
	capture_udp "a 0.1 program: an entry capture starts" v01 --entry
	got=$(udp_pairs "$tmp/v01.pcapng")
	[ "$got" = "$user_want" ]
	check $? "a 0.1 program: each datagram at entry and exit, through the metadata mark" "$got" "$tmp/err"
else
	grep -q "bpf_xdp_adjust_meta" "$tmp/v01-load"
	check $? "a 0.1 program calling xdpcap_enter() is refused for bpf_xdp_adjust_meta" "" "$tmp/v01-load"
	xdp_attach "$VA" "$v01_no_enter_prog" native || bail "cannot attach the 0.1 hook without xdpcap_enter()"
	nsenter --net="$NETNS_RUN_DIR/$A" -- "$xdpcap" --entry "xdp:$VA" "$tmp/v01.pcapng" 2>"$tmp/err"
	rc=$?
	[ "$rc" -eq 1 ] && grep -q "refuses bpf_xdp_adjust_meta" "$tmp/err" &&
		grep -q "without --entry (the exits work)" "$tmp/err" && [ ! -e "$tmp/v01.pcapng" ]
	check $? "--entry on a 0.1 hook: status 1, names the refused helper and what still works, no file" "status $rc" "$tmp/err"
	capture_udp "the same hook's exits are captured" v01-exits
	got=$(udp_pairs "$tmp/v01-exits.pcapng")
	[ "$got" = "2 XDP_DROP/9 2 XDP_PASS/1000 " ]
	check $? "... with their verdicts" "$got" "$tmp/err"
fi

# --- jumbo frames, whole at entry and exit (generic XDP: one buffer) ---------
netns_setup xejm || bail "cannot create namespaces for jumbo frames"
JA=$NETNS_A JB=$NETNS_B
netns_exec "$JA" ip link set dev "$VETH_A" mtu 9000
netns_exec "$JB" ip link set dev "$VETH_B" mtu 9000
xdp_attach "$VETH_A" "$demo" generic || bail "cannot attach the demo for jumbo frames"
hook_pin "$VETH_A" "$hooks/jumbo" || bail "cannot pin the jumbo hook"
start_capture "$JA" --entry xdp:jumbo "$tmp/jumbo.pcapng" icmp
netns_exec "$JB" ping -c 2 -i 0.1 -s 8000 -M do -W 1 192.0.2.1 >/dev/null 2>&1
ping_rc=$?
stop_capture
got=$(fields "$tmp/jumbo.pcapng" frame.comment icmp.type frame.cap_len frame.len | sort | uniq -c |
	sed 's/^ *\([0-9]*\) /\1x /' | tr '\t\n' '/ ')
[ "$ping_rc" -eq 0 ] && [ "$got" = "2x XDP entry/8/8042/8042 2x XDP_TX/0/8042/8042 " ]
check $? "8000-byte pings: answered, and each captured whole as it arrived and as it left" "ping $ping_rc, $got" "$tmp/err"
whole_pairs "$tmp/jumbo.pcapng"
check $? "... as pairs with one packet id" "$(tr '\n' ' ' <"$tmp/pairs")"

# --- a hook without an entry slot ------------------------------------------
xdp_detach "$VA" || bail "cannot detach the demo"
rm -f "$hooks/demo"
xdp_attach "$VA" "$redirect_prog" native || bail "cannot attach the redirect program"
hook_pin "$VA" "$hooks/redirect" || bail "cannot pin its hook"
nsenter --net="$NETNS_RUN_DIR/$A" -- "$xdpcap" --hook-dir "$hooks" --entry xdp:redirect "$tmp/none.pcapng" 2>"$tmp/err"
rc=$?
[ "$rc" -eq 2 ] && grep -q "no entry slot.*XDPCAP_HOOK_WITH_ENTRY" "$tmp/err" && [ ! -e "$tmp/none.pcapng" ]
check $? "--entry on a hook of five slots: status 2, says what the program needs, no file" "status $rc" "$tmp/err"

# --- where redirects went ----------------------------------------------------
prog=$(xdp_prog_id "$VA")
devmap=
for m in $(bpftool prog show id "$prog" | sed -n 's/.*map_ids \([0-9,]*\).*/\1/p' | tr , ' '); do
	bpftool map show id "$m" | grep -q "name tx_ports" && devmap=$m
done
ifindex=$(netns_exec "$A" ip -o link show dev "$VA" | cut -d: -f1)
# key 0: out of A's own interface, to B (the kernel takes the ifindex in
# the namespace of whoever updates the map: A's)
netns_exec "$A" bpftool map update id "$devmap" key 0 0 0 0 value "$ifindex" 0 0 0 ||
	bail "cannot fill the devmap"
start_capture "$A" xdp:redirect "$tmp/redirect.pcapng" udp
check $? "a capture starts on the redirecting program" "" "$tmp/err"
rx_before=$(rx_packets "$B" "$VB")
send_udp "$B" 192.0.2.1 10 2
rx_after=$(rx_packets "$B" "$VB")
send_udp "$B" 192.0.2.1 11 2
send_udp "$B" 192.0.2.1 12 1
stop_capture
fields "$tmp/redirect.pcapng" udp.dstport frame.comment frame.verdict.ebpf_xdp | sort | uniq -c >"$tmp/notes"
grep -q "2 10	XDP_REDIRECT to devmap tx_ports (id $devmap) key 0, ifindex $ifindex ($VA)	4\$" "$tmp/notes"
check $? "redirects carry their target: devmap tx_ports (id $devmap) key 0, ifindex $ifindex ($VA), verdict XDP_REDIRECT" "$(tr '\n' ';' <"$tmp/notes")"
grep -q "2 11	XDP_PASS: the redirect to devmap tx_ports (id $devmap) key 7 failed (flags 0x2)	2\$" "$tmp/notes"
check $? "a redirect to an empty key says it fell back to XDP_PASS" "$(tr '\n' ';' <"$tmp/notes")"
grep -q "1 12	XDP_PASS	2\$" "$tmp/notes"
check $? "a packet passed without redirecting has no note" "$(tr '\n' ';' <"$tmp/notes")"
[ $((rx_after - rx_before)) -ge 2 ]
check $? "the redirected datagrams went out of $VA to B ($((rx_after - rx_before)) frames arrived)"

tap_done
