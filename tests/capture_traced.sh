#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
#
# An XDP program without a hook (tests/bpf/xdp_traced.bpf.c: UDP
# dropped, aborted or redirected, the rest passed), captured by naming
# its interface: through
# fexit (and fentry with --entry) where the kernel lets tracing programs
# attach to XDP programs, as xdpcap features says. Where it does not (the
# kernel answers EPERM: tests/trace_probe holds the probe to what libbpf
# gets), the capture must refuse in one sentence that names the program
# and the reason, with status 1, and leave nothing behind.
set -u

top=${TOP_SRCDIR:-$(cd "$(dirname "$0")/.." && pwd)}
. "$top/tests/lib/live.sh"
live_test traced "$0" "$@"
. "$top/tests/lib/traced.sh"
traced_pair xtrc

# xdpcap list: the program, after the hooks (none here), traced or why not
netns_exec "$A" "$xdpcap" list >"$tmp/list" 2>"$tmp/list.err"
netns_exec "$A" "$xdpcap" list --json >"$tmp/list.json" 2>>"$tmp/list.err"
if [ "$traceable" = yes ]; then
	want="xdp:$VETH_A  traced  $VETH_A prog $prog xdp_traced  function xdp_traced"
	json_want='"traceable":true'
else
	want="xdp:$VETH_A  no hook  $VETH_A prog $prog xdp_traced  not capturable: this kernel refuses tracing programs (EPERM"
	json_want='"traceable":false,"reason":"this kernel refuses tracing programs (EPERM'
fi
grep -qF "$want" "$tmp/list" && [ "$(wc -l <"$tmp/list")" = 1 ] &&
	grep -qF "[{\"name\":\"xdp:$VETH_A\",\"source\":\"program\"" "$tmp/list.json" &&
	grep -qF "$json_want" "$tmp/list.json"
check $? "xdpcap list shows the program without a hook, and whether it is traced (plain and JSON)" \
	"$(cat "$tmp/list" "$tmp/list.json" "$tmp/list.err")"

if [ "$traceable" = no ]; then
	netns_exec "$A" "$xdpcap" "xdp:$VETH_A" "$tmp/refused.pcapng" udp 2>"$tmp/err"
	rc=$?
	grep -q "^xdpcap: XDP program $prog (xdp_traced) of $VETH_A has no xdpcap hook, and it cannot be traced here: this kernel refuses tracing programs (EPERM" "$tmp/err" &&
		[ "$rc" = 1 ] && [ "$(wc -l <"$tmp/err")" = 1 ] && [ ! -s "$tmp/refused.pcapng" ]
	check $? "refused in one sentence naming program $prog and the kernel's EPERM, status 1, nothing written" \
		"status $rc" "$tmp/err"
	no_tracing && [ "$(xdp_prog_id "$VETH_A")" = "$prog" ]
	check $? "nothing is left loaded, and the program stays on $VETH_A"
	netns_exec "$A" "$build/xdpcap-extcap" --extcap-interfaces >"$tmp/ext.list" 2>&1
	grep -q "^extcap " "$tmp/ext.list" && ! grep -q "xdp:$VETH_A" "$tmp/ext.list"
	check $? "the extcap does not offer xdp:$VETH_A, which cannot be captured here" "" "$tmp/ext.list"
	tap_done
	exit
fi

# --- the exits: every verdict, the filter on the copy -----------------------
start_capture "$A" -v "xdp:$VETH_A" "$tmp/exit.pcapng" "udp port 1000 or icmp"
check $? "a capture of $VETH_A, whose program has no hook, starts" "" "$tmp/err"
grep -q "^xdpcap: xdp:$VETH_A: XDP program $prog (xdp_traced) has no xdpcap hook: tracing its function xdp_traced (fexit)$" "$tmp/err"
check $? "it says it traces program $prog's function with fexit" "" "$tmp/err"
[ "$(tracing_programs)" = 1 ]
check $? "one tracing program is loaded while it runs" "$(tracing_programs)"
traffic "$B"
stop_capture
check "$cap_rc" "it ends with status 0" "status $cap_rc" "$tmp/err"
got=$(verdicts "$tmp/exit.pcapng")
[ "$got" = "5 XDP_DROP;3 XDP_PASS;" ]
check $? "5 datagrams to port 1000 dropped and 3 pings passed, each with its verdict; port 2000 left out by the filter" \
	"$got" "$tmp/err"
fields "$tmp/exit.pcapng" frame.len frame.cap_len frame.interface_name frame.verdict.ebpf_xdp \
	>"$tmp/frames"
whole=$(awk -v ifname="xdp:$VETH_A" '$1 == $2 && $3 == ifname && ($4 == 1 || $4 == 2)' "$tmp/frames" | wc -l)
[ "$whole" = 8 ]
check $? "whole frames, on $VETH_A, with the pcapng verdict (8 of 8)" "$(tr '\n' ';' <"$tmp/frames")"
no_tracing && [ "$(xdp_prog_id "$VETH_A")" = "$prog" ]
check $? "stopped: nothing is left attached, the program stays on $VETH_A" "$(tracing_programs)"

# --- the other verdicts: aborted, and redirected back out ------------------
start_capture "$A" "xdp:$VETH_A" "$tmp/more.pcapng" "udp port 3000 or udp port 4000"
check $? "a capture of the aborted and redirected datagrams starts" "" "$tmp/err"
send_udp "$B" 192.0.2.1 3000 2
send_udp "$B" 192.0.2.1 4000 2
stop_capture
got=$(fields "$tmp/more.pcapng" frame.verdict.ebpf_xdp udp.dstport | sort | uniq -c |
	awk '{ $1 = $1; print }' | tr '\n' ';')
[ "$cap_rc" = 0 ] && [ "$got" = "2 0 3000;2 4 4000;" ]
check $? "2 datagrams aborted (verdict 0) and 2 redirected (4), each with its verdict" \
	"status $cap_rc, $got" "$tmp/err"

# --- verdicts asked for, and a snap length --------------------------------
start_capture "$A" --actions drop -s 20 "xdp:$VETH_A" "$tmp/drop.pcapng"
check $? "a capture of drops only, 20 bytes each, starts" "" "$tmp/err"
traffic "$B"
stop_capture
got=$(fields "$tmp/drop.pcapng" frame.comment frame.cap_len | sort | uniq -c |
	awk '{ $1 = $1; print }' | tr '\n' ';')
[ "$got" = "8 XDP_DROP 20;" ]
check $? "--actions drop: the 8 datagrams, 20 bytes of each" "$got" "$tmp/err"

# --- two readers at once: one sampled, one in files of a second -----------
cap_err=$tmp/sample.err
start_capture "$A" --sample 5 "xdp:$VETH_A" "$tmp/sample.pcapng" "udp port 1000"
check $? "a capture with --sample 5 starts" "" "$tmp/sample.err"
cap_err=
sample_pid=$cap_pid
start_capture "$A" -G 1 "xdp:$VETH_A" "$tmp/rot-%H%M%S.pcapng" "udp or icmp"
check $? "a second capture, a file a second (-G 1), starts beside it" "" "$tmp/err"
[ "$(tracing_programs)" = 2 ]
check $? "each has its own tracing program" "$(tracing_programs)"
traffic "$B"
sleep 1
stop_capture
rot_rc=$cap_rc
cap_pid=$sample_pid
stop_capture
in_rot=0
for f in "$tmp"/rot-*.pcapng; do
	in_rot=$((in_rot + $(packets "$f")))
done
files=$(ls "$tmp"/rot-*.pcapng | wc -l)
[ "$rot_rc" = 0 ] && [ "$files" -ge 2 ] && [ "$in_rot" = 11 ]
check $? "-G 1: the 11 packets in $files files" "status $rot_rc, $in_rot packets" "$tmp/err"
got=$(packets "$tmp/sample.pcapng")
[ "$cap_rc" = 0 ] && [ "$got" = 1 ] && grep -q "^4 packets skipped" "$tmp/sample.err"
check $? "--sample 5: 1 of the 5 datagrams kept, 4 counted as skipped" \
	"status $cap_rc, $got packets" "$tmp/sample.err"

# --- the entries, paired with their exits ---------------------------------
start_capture "$A" --entry "xdp:$VETH_A" "$tmp/entry.pcapng" "udp port 1000"
check $? "a capture with --entry starts" "" "$tmp/err"
[ "$(tracing_programs)" = 2 ]
check $? "two tracing programs are loaded (fentry and fexit)" "$(tracing_programs)"
traffic "$B"
stop_capture
check "$cap_rc" "it ends with status 0" "status $cap_rc" "$tmp/err"
got=$(verdicts "$tmp/entry.pcapng")
pairs=$(fields "$tmp/entry.pcapng" frame.packet_id | sort | uniq -c | awk '$1 == 2' | wc -l)
[ "$got" = "5 XDP entry;5 XDP_DROP;" ] && [ "$pairs" = 5 ]
check $? "--entry: 5 packets as they arrived and 5 drops, paired by packet id ($pairs pairs)" \
	"$got" "$tmp/err"

# --- Wireshark's extcap and tcpdump's xdp: device ---------------------------
netns_exec "$A" "$build/xdpcap-extcap" --extcap-interfaces >"$tmp/ext.list" 2>&1
grep -q "^interface {value=xdp:$VETH_A}{display=XDP verdicts of program xdp_traced on $VETH_A (traced, no hook)}$" "$tmp/ext.list"
check $? "the extcap lists xdp:$VETH_A, traced" "" "$tmp/ext.list"
extcap_traced "$A" "xdp:$VETH_A" "$tmp/ext.pcapng" "udp port 1000 or icmp"
got=$(verdicts "$tmp/ext.pcapng")
[ "$ext_rc" = 0 ] && [ "$got" = "5 XDP_DROP;3 XDP_PASS;" ]
check $? "the extcap captures xdp:$VETH_A as Wireshark runs it: 5 drops, 3 passes" \
	"status $ext_rc, $got" "$tmp/ext.err"
tcpdump_traced "$A" "xdp:$VETH_A:drop" "$tmp/td.pcap" "udp"
got=$(packets "$tmp/td.pcap")
[ "$td_rc" = 0 ] && [ "$got" = 8 ]
check $? "tcpdump -i xdp:$VETH_A:drop through the libpcap module: the 8 datagrams" \
	"status $td_rc, $got" "$tmp/td.err"
wait_until 2000 no_tracing
check $? "... and neither leaves a tracing program behind" "$(tracing_programs)"

# --- SIGKILL: the links go with the process --------------------------------
start_capture "$A" "xdp:$VETH_A" "$tmp/kill.pcapng"
check $? "a capture to kill starts" "" "$tmp/err"
kill -9 "$cap_pid"
wait "$cap_pid" 2>/dev/null
wait_until 2000 no_tracing
check $? "SIGKILL: the kernel removed the tracing program with the process" "$(tracing_programs)"

tap_done
