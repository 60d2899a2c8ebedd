#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
#
# XDP programs without a hook under libxdp's dispatcher, loaded by
# xdp-loader: xdp_traced (UDP dropped, the rest passed on) runs first,
# xdp_tx_icmp (ICMP sent back, the rest passed) second. Where the kernel
# lets tracing programs attach to XDP programs (and so extension
# programs run: the dispatcher's components are extensions), xdp:IFNAME
# is the dispatcher's verdict and xdp:prog:ID (--prog ID) each
# component's, through the command, the extcap and tcpdump; in native
# mode and generic. Where it does not, xdp-loader falls back to
# attaching one program by itself, and the capture refuses in one
# sentence.
set -u

top=${TOP_SRCDIR:-$(cd "$(dirname "$0")/.." && pwd)}
. "$top/tests/lib/live.sh"
live_needs xdp-loader
live_test dispatch "$0" "$@"
. "$top/tests/lib/traced.sh"

first_obj=$build/tests/bpf/xdp_traced.bpf.o
second_obj=$build/tests/bpf/xdp_tx_icmp.bpf.o
[ -f "$first_obj" ] && [ -f "$second_obj" ] || bail "no $second_obj (built with clang -target bpf)"

netns_setup xdsp || bail "cannot create namespaces"
A=$NETNS_A B=$NETNS_B
xdp_attach "$VETH_B" "$demo" native || bail "cannot attach the peer's XDP"
netns_static_neighbours

# ext_id NAME: the id of the extension program NAME
ext_id() {
	bpftool prog show | sed -n "s/^\([0-9]*\): ext *name $1 .*/\1/p" | head -n 1
}

if [ "$traceable" = no ]; then
	netns_exec "$A" xdp-loader load -m skb "$VETH_A" "$first_obj" >"$tmp/loader" 2>&1
	check $? "xdp-loader attaches xdp_traced by itself in generic mode" "" "$tmp/loader"
	prog=$(xdp_prog_id "$VETH_A")
	netns_exec "$A" "$xdpcap" list >"$tmp/list" 2>&1
	grep -q "^xdp:$VETH_A  no hook  $VETH_A prog $prog xdp_traced  not capturable: this kernel refuses tracing programs (EPERM" "$tmp/list"
	check $? "xdpcap list: program $prog, not capturable, and why" "" "$tmp/list"
	netns_exec "$A" "$xdpcap" --prog "$prog" "$tmp/refused.pcapng" udp 2>"$tmp/err"
	rc=$?
	grep -q "^xdpcap: XDP program $prog (xdp_traced) has no xdpcap hook, and it cannot be traced here: this kernel refuses tracing programs (EPERM" "$tmp/err" &&
		[ "$rc" = 1 ] && [ "$(wc -l <"$tmp/err")" = 1 ] && [ ! -s "$tmp/refused.pcapng" ]
	check $? "--prog $prog: refused in one sentence, status 1, nothing written" "status $rc" "$tmp/err"
	no_tracing && [ "$(xdp_prog_id "$VETH_A")" = "$prog" ]
	check $? "nothing is left loaded, and the program stays on $VETH_A"
	tap_done
	exit
fi

# --- native mode: the dispatcher and its two components --------------------
netns_exec "$A" xdp-loader load -m native "$VETH_A" "$first_obj" "$second_obj" >"$tmp/loader" 2>&1
check $? "xdp-loader loads both programs under its dispatcher (native mode)" "" "$tmp/loader"
dispatcher=$(xdp_prog_id "$VETH_A")
first=$(ext_id xdp_traced)
second=$(ext_id xdp_tx_icmp)
[ -n "$dispatcher" ] && [ -n "$first" ] && [ -n "$second" ] ||
	bail "no dispatcher with two components: $(cat "$tmp/loader"; bpftool prog show)"

netns_exec "$A" "$xdpcap" list >"$tmp/list" 2>&1
cat >"$tmp/want" <<EOT
xdp:$VETH_A  traced  $VETH_A prog $dispatcher xdp_dispatcher  function xdp_dispatcher
xdp:prog:$first  traced  $VETH_A prog $first xdp_traced  function xdp_traced  run by dispatcher $dispatcher, position 0
xdp:prog:$second  traced  $VETH_A prog $second xdp_tx_icmp  function xdp_tx_icmp  run by dispatcher $dispatcher, position 1
EOT
cmp -s "$tmp/want" "$tmp/list"
check $? "xdpcap list: the dispatcher, then its components in order" \
	"$(cat "$tmp/list")" "$tmp/want"
netns_exec "$A" "$xdpcap" list --json >"$tmp/list.json" 2>&1
grep -qF "{\"name\":\"xdp:prog:$second\",\"source\":\"program\",\"ifname\":\"$VETH_A\"" "$tmp/list.json" &&
	grep -qF "\"dispatcher_id\":$dispatcher,\"position\":1,\"traceable\":true" "$tmp/list.json"
check $? "... and in JSON, with dispatcher_id and position" "" "$tmp/list.json"

# the dispatcher and each component, paired entries, in one file; the
# pings the second sends back are answered by the peer's program, and
# those answers sent back too: only the requests are counted
requests="udp port 1000 or icmp[icmptype] == icmp-echo"
start_capture "$A" --entry -i "xdp:$VETH_A" --prog "$first" --prog "$second" \
	"$tmp/all.pcapng" "$requests"
check $? "a capture of the dispatcher and both components (--prog) starts" "" "$tmp/err"
[ "$(tracing_programs)" = 6 ]
check $? "six tracing programs: fentry and fexit on each" "$(tracing_programs)"
traffic "$B"
stop_capture
check "$cap_rc" "it ends with status 0" "status $cap_rc" "$tmp/err"
got=$(verdicts_by_if "$tmp/all.pcapng")
want=$(sort <<EOT | tr '\n' ';'
xdp:$VETH_A 8 XDP entry
xdp:$VETH_A 5 XDP_DROP
xdp:$VETH_A 3 XDP_TX
xdp:prog:$first 8 XDP entry
xdp:prog:$first 5 XDP_DROP
xdp:prog:$first 3 XDP_PASS
xdp:prog:$second 3 XDP entry
xdp:prog:$second 3 XDP_TX
EOT
)
[ "$got" = "$want" ]
check $? "the dispatcher's verdicts (drop, TX), the first component's (drop, pass: ICMP goes on), the second's (TX: UDP never reaches it)" \
	"$got" "$tmp/err"
pairs=$(fields "$tmp/all.pcapng" frame.interface_name frame.packet_id | sort | uniq -c |
	awk '$1 == 2' | wc -l)
[ "$pairs" = 19 ]
check $? "each verdict is paired with its entry by packet id (19 pairs)" "$pairs"

netns_exec "$A" "$build/xdpcap-extcap" --extcap-interfaces >"$tmp/ext.list" 2>&1
grep -q "^interface {value=xdp:prog:$second}{display=XDP verdicts of program xdp_tx_icmp on $VETH_A (traced, no hook; run by dispatcher $dispatcher)}$" "$tmp/ext.list" &&
	grep -q "^interface {value=xdp:$VETH_A}" "$tmp/ext.list"
check $? "the extcap lists the dispatcher and its components" "" "$tmp/ext.list"
extcap_traced "$A" "xdp:prog:$second" "$tmp/ext.pcapng" "$requests or udp"
got=$(verdicts "$tmp/ext.pcapng")
[ "$ext_rc" = 0 ] && [ "$got" = "3 XDP_TX;" ]
check $? "the extcap captures xdp:prog:$second: the 3 pings sent back" "status $ext_rc, $got" "$tmp/ext.err"
tcpdump_traced "$A" "xdp:$VETH_A:tx" "$tmp/td.pcap" "$requests or udp"
got=$(packets "$tmp/td.pcap")
[ "$td_rc" = 0 ] && [ "$got" = 3 ]
check $? "tcpdump -i xdp:$VETH_A:tx through the libpcap module: the 3 pings the dispatcher sent back" \
	"status $td_rc, $got" "$tmp/td.err"
wait_until 2000 no_tracing && [ "$(xdp_prog_id "$VETH_A")" = "$dispatcher" ] &&
	[ "$(ext_id xdp_traced)" = "$first" ]
check $? "nothing is left loaded; the dispatcher and its components stay" "$(tracing_programs)"

# --- generic mode ------------------------------------------------------------
netns_exec "$A" xdp-loader unload -a "$VETH_A" >"$tmp/loader" 2>&1 &&
	netns_exec "$A" xdp-loader load -m skb "$VETH_A" "$first_obj" >>"$tmp/loader" 2>&1
check $? "xdp-loader loads xdp_traced under its dispatcher in generic mode" "" "$tmp/loader"
start_capture "$A" -v "xdp:$VETH_A" "$tmp/generic.pcapng" "udp port 1000 or icmp"
check $? "a capture of the generic-mode dispatcher starts" "" "$tmp/err"
generic_first=$(ext_id xdp_traced)
grep -q "^xdpcap: xdp:$VETH_A: XDP program [0-9]* is libxdp's dispatcher, and program $generic_first (xdp_traced) alone runs in its place$" "$tmp/err"
check $? "it traces the one program that runs in the dispatcher's place (libxdp replaces its function)" \
	"" "$tmp/err"
traffic "$B"
stop_capture
got=$(verdicts "$tmp/generic.pcapng")
[ "$cap_rc" = 0 ] && [ "$got" = "5 XDP_DROP;3 XDP_PASS;" ]
check $? "generic mode: 5 drops and 3 passes" "status $cap_rc, $got" "$tmp/err"
netns_exec "$A" xdp-loader unload -a "$VETH_A" >/dev/null 2>&1

tap_done
