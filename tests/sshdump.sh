#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
#
# Remote capture over SSH with Wireshark's own sshdump extcap (Debian's
# wireshark-common): sshdump logs in to an sshd, runs xdpcap there with
# its output on stdout, and writes what comes back into a file; stopping
# sshdump closes the SSH channel, and the remote xdpcap stops by itself
# and empties the hook's slots. Also through tshark -i sshdump, as below.
#
# The same capture from tshark (the test's values: PORT, KEY, XDPCAP,
# DIR; the options are sshdump's, as sshdump --extcap-interface sshdump
# --extcap-config lists them; tshark drops the dashes of their names):
#
#   tshark -i sshdump \
#       -o extcap.sshdump.remotehost:127.0.0.1 \
#       -o extcap.sshdump.remoteport:PORT \
#       -o extcap.sshdump.remoteusername:root \
#       -o extcap.sshdump.sshkey:KEY \
#       -o extcap.sshdump.remotecapturecommandselect:other \
#       -o 'extcap.sshdump.remotecapturecommand:XDPCAP -q --hook-dir DIR xdp:demo - udp' \
#       -w capture.pcapng
#
# and from Wireshark: the gear of "SSH remote capture: sshdump" in the
# interface list (or Capture > Options), then
#
#   Server          Remote SSH server address           127.0.0.1
#                   Remote SSH server port              PORT
#   Authentication  Remote SSH server username          root
#                   Path to SSH private key             KEY
#   Capture         Remote capture command selection    Other:
#                   Remote capture command              XDPCAP -q --hook-dir DIR xdp:demo - udp
#
# With "Other:" sshdump runs the command as it is: the capture filter is
# the command's (Wireshark's capture filter and "Remote capture filter"
# are not used). -q keeps xdpcap's statistics off the channel's stderr,
# which sshdump reads only once the capture has ended; errors still get
# there, and Wireshark shows them ("Error by extcap pipe: xdpcap: ...").
#
# The sshd is the test's own: its host key, its sshd_config (key login
# only, an authorized_keys file of its own, no PAM), run with -D -e, on
# 127.0.0.1 inside a network namespace of the test's own (nothing outside
# can reach it, no port can clash). It is started from within the test's
# private mount namespace, so that the sessions it runs see the test's
# bpffs and its pinned hook. sshd needs its privilege separation
# directory /run/sshd: a tmpfs of the test's own on /run, in that mount
# namespace only, gives it one. The system's sshd, /etc/ssh and /run are
# never touched.
#
# The demo XDP program runs natively on both ends of a veth pair between
# the test's namespaces A and B, A's hook pinned as DIR/demo; traffic goes
# from B to A: UDP to port 9 (XDP_DROP), to port 1000 (XDP_PASS), pings
# (XDP_TX, not UDP).
#
# Runs as root and leaves nothing behind. Output is TAP.
#
# Environment:
#   TOP_SRCDIR    source tree (default: the parent of this directory)
#   TOP_BUILDDIR  build tree, with xdpcap and bpf/examples/xdpcap_demo.bpf.o
set -u

top=${TOP_SRCDIR:-$(cd "$(dirname "$0")/.." && pwd)}
build=${TOP_BUILDDIR:-$top}
xdpcap=$build/xdpcap
demo=$build/bpf/examples/xdpcap_demo.bpf.o
sshd=/usr/sbin/sshd

. "$top/tests/lib/tap.sh"
require_root
. "$top/tests/lib/proc.sh"
. "$top/tests/lib/netns.sh"

for tool in ip bpftool nsenter unshare mount bash tshark ssh-keygen pgrep \
	ss; do
	command -v "$tool" >/dev/null 2>&1 || bail "needs $tool"
done
[ -x "$sshd" ] || bail "needs $sshd (openssh-server)"
[ -f "$demo" ] || bail "no $demo (built with clang -target bpf)"
[ -x "$xdpcap" ] || bail "no $xdpcap"
extdir=$(tshark -G folders 2>/dev/null | sed -n 's/^Extcap path:[[:space:]]*//p')
sshdump=$extdir/sshdump
[ -x "$sshdump" ] || bail "no sshdump in tshark's extcap folder ($extdir)"
netns_private_mounts "$0" "$@" || bail "cannot make a mount namespace (unshare -m)"
bpffs_mount || bail "cannot mount bpffs at /sys/fs/bpf"
# before the network namespaces, so that theirs go there too
mount -t tmpfs -o mode=0755 xdpcap-sshdump /run && mkdir -m 0755 /run/sshd ||
	bail "cannot mount a tmpfs on /run in the private mount namespace"

tmp=$(mktemp -d /tmp/xdpcap-sshdump.XXXXXX) || exit 1
cleanup_add "rm -rf '$tmp'"

# descendants PID: the pids of PID's children, theirs, and so on
descendants() {
	for _c in $(pgrep -P "$1"); do
		echo "$_c"
		descendants "$_c"
	done
}

# Processes started here in the background (sshd, sshdump, tshark), and
# whatever sshd started, killed at cleanup if they still run.
bg_pids=
sshd_pid=
kill_leftovers() {
	# (the cleanup runs its steps with IFS set to a newline)
	_ifs=$IFS
	IFS=' 	
'
	_left=$bg_pids
	[ -n "$sshd_pid" ] && _left="$(descendants "$sshd_pid") $_left"
	for _p in $_left; do
		alive "$_p" && kill -9 "$_p" 2>/dev/null
	done
	IFS=$_ifs
	return 0
}
cleanup_add kill_leftovers

# --- namespaces, the demo on both ends, the hook pinned ---------------------

netns_setup xssh || bail "cannot make network namespaces and a veth pair"
A=$NETNS_A B=$NETNS_B
NS_A=--net=$NETNS_RUN_DIR/$NETNS_A
xdp_attach "$VETH_A" "$demo" native || bail "cannot attach $demo to $VETH_A"
# a veth delivers XDP_TX frames only to a peer that runs XDP itself
xdp_attach "$VETH_B" "$demo" native || bail "cannot attach $demo to $VETH_B"
hooks=/sys/fs/bpf/xdpcap-sshdump
# (ip may complain on stderr about namespaces in /run/netns that are not
# ours: those of tests running in other mount namespaces)
hook_pin "$VETH_A" "$hooks/demo" 2>"$tmp/pin.err" || {
	cat "$tmp/pin.err" >&2
	bail "cannot pin the hook of $VETH_A"
}
cleanup_add "rmdir '$hooks' 2>/dev/null; true"

netns_static_neighbours || bail "cannot set up the neighbours of $VETH_A and $VETH_B"

# udp PORT COUNT: COUNT datagrams from B to A's PORT
udp() {
	netns_exec "$B" bash -c \
		'i=0; while [ $i -lt $2 ]; do echo x >/dev/udp/192.0.2.1/$1; i=$((i + 1)); done' \
		udp "$1" "$2"
}

# traffic: 4 datagrams to port 9 (XDP_DROP), 3 to port 1000 (XDP_PASS)
# and 2 echo requests (XDP_TX; not UDP), from B to A
traffic() {
	udp 9 4
	udp 1000 3
	netns_exec "$B" ping -q -n -c 2 -i 0.05 -W 0.5 192.0.2.1 >/dev/null 2>&1
}
traffic_seen="XDP_DROP 1 9 x4;XDP_PASS 2 1000 x3;"

# summary FILE: "COMMENT VERDICT PORT xCOUNT" for the packets of FILE,
# sorted, on one line
summary() {
	tshark -r "$1" -T fields -e frame.comment -e frame.verdict.ebpf_xdp \
		-e udp.dstport 2>/dev/null |
		awk -F'\t' '{ n[$1 " " $2 " " ($3 == "" ? "other" : $3)]++ }
			END { for (k in n) print k " x" n[k] }' | sort | tr '\n' ';'
}

empty="ABORTED empty, DROP empty, PASS empty, TX empty, REDIRECT empty, ENTRY empty"

# slots_are WANT: who holds the hook's five slots, as xdpcap list says (in
# $got), is WANT
slots_are() {
	got=$("$xdpcap" list --hook-dir "$hooks" xdp:demo 2>&1 | sed 's/.*  //')
	[ "$got" = "$1" ]
}

# slots_held: one xdpcap holds all five slots; its pid in $holder
slots_held() {
	slots_are "" && return 1
	holder=$(echo "$got" | sed -n 's/^ABORTED pid \([0-9]*\),.*/\1/p')
	[ -n "$holder" ] &&
		[ "$got" = "ABORTED pid $holder, DROP pid $holder, PASS pid $holder, TX pid $holder, REDIRECT pid $holder, ENTRY empty" ]
}

# remote_done: the remote xdpcap ($holder) and its guard ($guard) have
# ended, and the slots are empty
remote_done() {
	gone "$holder" && { [ -z "$guard" ] || gone "$guard"; } && slots_are "$empty"
}

# under_sshd PID: PID descends from our sshd
under_sshd() {
	descendants "$sshd_pid" | grep -qx "$1"
}

# --- our own sshd, on 127.0.0.1 in namespace A ----------------------------------

ssh-keygen -q -t ed25519 -N '' -C xdpcap-test-host -f "$tmp/host_key" &&
	ssh-keygen -q -t ed25519 -N '' -C xdpcap-test-client -f "$tmp/client_key" &&
	cp "$tmp/client_key.pub" "$tmp/authorized_keys" ||
	bail "cannot make SSH keys"
key=$tmp/client_key
# any high port: the namespace is ours, nothing else listens there
port=$((20000 + $(od -An -N2 -tu2 /dev/urandom | tr -d ' ') % 40000))
cat >"$tmp/sshd_config" <<EOF
ListenAddress 127.0.0.1:$port
HostKey $tmp/host_key
PidFile $tmp/sshd.pid
AuthorizedKeysFile $tmp/authorized_keys
PermitRootLogin prohibit-password
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
StrictModes no
UseDNS no
PrintMotd no
PrintLastLog no
X11Forwarding no
AllowTcpForwarding no
LogLevel VERBOSE
EOF
"$sshd" -t -f "$tmp/sshd_config" 2>"$tmp/sshd-t.err"
check $? "sshd -t accepts the test's sshd_config" "" "$tmp/sshd-t.err"

# nsenter execs sshd: $! is sshd itself
nsenter "$NS_A" -- "$sshd" -D -e -f "$tmp/sshd_config" >/dev/null 2>"$tmp/sshd.log" &
sshd_pid=$!
bg_pids="$bg_pids $sshd_pid"
wait_until 5000 grep -q "Server listening on 127.0.0.1 port $port" "$tmp/sshd.log"
check $? "our sshd listens on 127.0.0.1:$port in namespace $A" "" "$tmp/sshd.log"
alive "$sshd_pid" || bail "sshd is not running"
listening=$(nsenter "$NS_A" -- ss -Hltn | awk '{ print $4 }' | tr '\n' ' ')
[ "$listening" = "127.0.0.1:$port " ]
check $? "it is the only listener there, on loopback only ($listening)" "$listening"

# --- sshdump, stopped with SIGTERM ---------------------------------------------

remote="$xdpcap -q --hook-dir $hooks xdp:demo - udp"
nsenter "$NS_A" -- "$sshdump" --extcap-interface sshdump --capture \
	--fifo "$tmp/sshdump.pcapng" --remote-host 127.0.0.1 --remote-port "$port" \
	--remote-username root --sshkey "$key" --remote-capture-command "$remote" \
	>/dev/null 2>"$tmp/sshdump.err" &
sshdump_pid=$!
bg_pids="$bg_pids $sshdump_pid"
holder=
wait_until 10000 slots_held
check $? "sshdump --remote-capture-command '$remote': the remote xdpcap fills the five slots" \
	"$got" "$tmp/sshdump.err"
[ -n "$holder" ] || bail "no remote capture (sshd log: $(tail -n 3 "$tmp/sshd.log" | tr '\n' '|'))"
guard=$(pgrep -P "$holder")
under_sshd "$holder"
check $? "the remote xdpcap (pid $holder) runs under our sshd (pid $sshd_pid)"
traffic
sleep 0.3
kill -TERM "$sshdump_pid"
wait_until 5000 gone "$sshdump_pid"
check $? "SIGTERM ends sshdump" "" "$tmp/sshdump.err"
wait "$sshdump_pid" 2>/dev/null
t0=$(now_ms)
wait_until 5000 remote_done
check $? "the remote xdpcap and its guard end and the slots are empty within 5 s ($(($(now_ms) - t0)) ms)" \
	"$got; xdpcap $holder $(alive "$holder" && echo running || echo ended)"
got=$(summary "$tmp/sshdump.pcapng")
[ "$got" = "$traffic_seen" ]
check $? "sshdump's file holds the UDP sent, each with its action: $traffic_seen" \
	"$got" "$tmp/sshdump.err"
no_session() {
	[ -z "$(pgrep -P "$sshd_pid")" ]
}
wait_until 3000 no_session
check $? "the SSH session has ended" "$(descendants "$sshd_pid" | tr '\n' ' ')"
grep -q "Accepted publickey for root from 127.0.0.1" "$tmp/sshd.log"
check $? "sshdump logged in with the key" "" "$tmp/sshd.log"

# --- tshark -i sshdump, stopped by -a duration ----------------------------------

# the command line of the comment above, with the test's values
nsenter "$NS_A" -- tshark -i sshdump \
	-o extcap.sshdump.remotehost:127.0.0.1 \
	-o "extcap.sshdump.remoteport:$port" \
	-o extcap.sshdump.remoteusername:root \
	-o "extcap.sshdump.sshkey:$key" \
	-o extcap.sshdump.remotecapturecommandselect:other \
	-o "extcap.sshdump.remotecapturecommand:$remote" \
	-a duration:5 -w "$tmp/tshark.pcapng" >"$tmp/tshark.out" 2>"$tmp/tshark.err" &
tshark_pid=$!
bg_pids="$bg_pids $tshark_pid"
holder=
wait_until 10000 slots_held
check $? "tshark -i sshdump -o extcap.sshdump.*: the remote xdpcap fills the five slots" \
	"$got" "$tmp/tshark.err"
guard=$(pgrep -P "${holder:-0}")
traffic
wait_until 15000 gone "$tshark_pid"
wait "$tshark_pid"
rc=$?
[ "$rc" -eq 0 ]
check $? "-a duration:5 ends tshark with status 0" "exit $rc" "$tmp/tshark.err"
t0=$(now_ms)
wait_until 5000 remote_done
check $? "the remote xdpcap and its guard end and the slots are empty within 5 s ($(($(now_ms) - t0)) ms)" \
	"$got" "$tmp/tshark.err"
got=$(summary "$tmp/tshark.pcapng")
[ "$got" = "$traffic_seen" ]
check $? "tshark's file holds the UDP sent, each with its action: $traffic_seen" "$got" \
	"$tmp/tshark.err"
ifname=$(tshark -r "$tmp/tshark.pcapng" -T fields -e frame.interface_name 2>/dev/null | sort -u)
[ "$ifname" = xdp:demo ]
check $? "the capture's interface is the remote hook, xdp:demo ($ifname)" "$ifname"

# --- a bad filter on the remote side ---------------------------------------------

timeout 20 nsenter "$NS_A" -- tshark -i sshdump \
	-o extcap.sshdump.remotehost:127.0.0.1 \
	-o "extcap.sshdump.remoteport:$port" \
	-o extcap.sshdump.remoteusername:root \
	-o "extcap.sshdump.sshkey:$key" \
	-o extcap.sshdump.remotecapturecommandselect:other \
	-o "extcap.sshdump.remotecapturecommand:$xdpcap -q --hook-dir $hooks xdp:demo - udp port" \
	-a duration:3 -w "$tmp/bad.pcapng" >"$tmp/bad.out" 2>"$tmp/bad.err"
rc=$?
[ "$rc" -ne 0 ] && [ "$rc" -ne 124 ] &&
	grep -q "Error by extcap pipe: xdpcap: bad filter: can't parse filter expression" "$tmp/bad.err"
check $? "a bad remote filter: tshark fails with xdpcap's message" "exit $rc" "$tmp/bad.err"
slots_are "$empty"
check $? "... and the slots stay empty" "$got"

tap_done
