# SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
#
# What the tests of programs captured without a hook share (after
# live.sh): whether this kernel lets tracing programs attach to XDP
# programs, as xdpcap features says, in $traceable (yes or no), and:
#
#   tracing_programs   how many tracing programs named xdpcap_* are loaded
#   no_tracing         none is
#   verdicts FILE      "N COMMENT;" per packet comment of FILE, sorted
#   verdicts_by_if FILE  the same, "INTERFACE N COMMENT;"
#   traffic NS         from NS to 192.0.2.1: 5 datagrams to UDP port 1000,
#                      3 to port 2000 and 3 pings
#   extcap_traced NS IFACE FILE FILTER
#                      the extcap capturing IFACE in NS as Wireshark runs
#                      it (through a fifo) into FILE while traffic runs
#                      from $B; its status in $ext_rc
#   traced_pair NAME   namespaces $A and $B joined by a veth pair,
#                      tests/bpf/xdp_traced.bpf.o on $VETH_A (loaded by
#                      iproute2, native mode; its id in $prog), the demo on
#                      $VETH_B
#   tcpdump_traced NS IFACE FILE FILTER
#                      tcpdump -i IFACE through the libpcap module, the
#                      same way; its status in $td_rc

tracing_programs() {
	bpftool prog show 2>/dev/null | grep -c "tracing *name xdpcap_"
}

no_tracing() {
	[ "$(tracing_programs)" = 0 ]
}

verdicts() {
	fields "$1" frame.comment | sort | uniq -c | awk '{ $1 = $1; print }' |
		tr '\n' ';'
}

verdicts_by_if() {
	fields "$1" frame.interface_name frame.comment | sort | uniq -c |
		awk '{ n = $1; i = $2; $1 = $2 = ""; sub(/^ */, ""); print i, n, $0 }' |
		sort | tr '\n' ';'
}

traffic() {
	send_udp "$1" 192.0.2.1 1000 5
	send_udp "$1" 192.0.2.1 2000 3
	netns_exec "$1" ping -c 3 -i 0.2 -W 1 192.0.2.1 >/dev/null 2>&1
}

# some tracing program is attached
attached() {
	bpftool link show 2>/dev/null | grep -q "^[0-9]*: tracing"
}

extcap_traced() {
	rm -f "$tmp/ext.fifo" && mkfifo "$tmp/ext.fifo" || bail "cannot make a fifo"
	nsenter --net="$NETNS_RUN_DIR/$1" -- "$build/xdpcap-extcap" --extcap-interface "$2" \
		--capture --fifo "$tmp/ext.fifo" --extcap-capture-filter "$4" 2>"$tmp/ext.err" &
	_ext_pid=$!
	cat "$tmp/ext.fifo" >"$3" &
	_cat_pid=$!
	wait_until 30000 attached
	traffic "$B"
	sleep 0.3
	kill -TERM "$_ext_pid"
	wait "$_ext_pid"
	ext_rc=$?
	wait "$_cat_pid"
}

tcpdump_traced() {
	rm -f "$tmp/td.err"
	nsenter --net="$NETNS_RUN_DIR/$1" -- env \
		XDPCAP_PRELOAD_LIBRARY="$build/pcap-module/.libs/libpcap-xdp.so" \
		LD_LIBRARY_PATH="$build/lib/.libs" "$build/xdpcap-preload" \
		tcpdump -i "$2" -w "$3" -Z root -U "$4" 2>"$tmp/td.err" &
	_td_pid=$!
	wait_until 30000 grep -q "listening on" "$tmp/td.err"
	traffic "$B"
	sleep 0.3
	kill -INT "$_td_pid"
	wait "$_td_pid"
	td_rc=$?
}

traced_pair() {
	_traced_obj=$build/tests/bpf/xdp_traced.bpf.o
	[ -f "$_traced_obj" ] || bail "no $_traced_obj (built with clang -target bpf)"
	netns_setup "$1" || bail "cannot create namespaces"
	A=$NETNS_A B=$NETNS_B
	xdp_attach "$VETH_A" "$_traced_obj" native || bail "cannot attach the traced program"
	xdp_attach "$VETH_B" "$demo" native || bail "cannot attach the peer's XDP"
	netns_static_neighbours
	prog=$(xdp_prog_id "$VETH_A")
}

traceable=$("$xdpcap" features | sed -n 's/^tracing XDP programs (fentry\/fexit): \([a-z]*\):.*/\1/p')
[ "$traceable" = yes ] || [ "$traceable" = no ]
check $? "xdpcap features says whether tracing works here: $traceable" "'$traceable'"
