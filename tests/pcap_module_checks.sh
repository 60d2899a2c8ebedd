# SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
#
# The checks of xdp:NAME libpcap devices, sourced by tests/pcap_module_preload.sh
# (libpcap-xdp.so preloaded into the system's libpcap) and
# tests/pcap_module_native.sh (a libpcap built with the module). Before
# sourcing, the caller sets:
#   pcap_env      what env(1) is given before a program so that Debian's
#                 tcpdump, dumpcap and tshark have the devices: assignments,
#                 possibly followed by a command that execs the program
#   same_devices  1: every other device must be listed exactly as without
#                 pcap_env; 0: only those the system's libpcap lists too
# and may define extra_checks, run at the end with the set-up in place.
#
# Debian's tcpdump, started as root, switches to user tcpdump right after
# opening the device: everything after (reading, statistics, emptying the
# slots) runs unprivileged in these checks, as it does for users.
#
# The demo XDP program runs on both ends of a veth pair between two network
# namespaces of our own; traffic goes from B to A, where the hook is:
#   ping 192.0.2.1             echo requests turned into replies, XDP_TX
#                              (captured as the replies)
#   UDP to 192.0.2.1 port 9    XDP_DROP
#   UDP to 192.0.2.1 port 1000 XDP_PASS
# Neighbours are static, so nothing else crosses the hook.

top=${TOP_SRCDIR:-$(cd "$(dirname "$0")/.." && pwd)}
# the live tests' helpers (not live_test: the caller set the stage)
. "$top/tests/lib/live.sh"

xdpcap=$(built_program xdpcap)
api=$build/tests/pcap_module_api
demo=$build/bpf/examples/xdpcap_demo.bpf.o

[ "$(id -u)" -eq 0 ] || bail "needs root"
live_needs ip bpftool nsenter unshare tcpdump dumpcap tshark capinfos bash ping
[ -f "$demo" ] || bail "no $demo (built with clang -target bpf)"
[ -x "$xdpcap" ] && [ -x "$api" ] || bail "no $xdpcap or $api: run make check"
netns_private_mounts "$0" "$@" || bail "cannot make a private mount namespace"
bpffs_mount || bail "cannot mount bpffs"

tmp=$(mktemp -d /tmp/xdpcap-pcapmod.XXXXXX) || bail "mktemp"
hooks=/sys/fs/bpf/xdpcap-pcapmod
mkdir -p "$hooks"
cleanup_add "rm -rf '$tmp'"
cleanup_add kill_background

netns_setup xpcm || bail "cannot create namespaces"
A=$NETNS_A B=$NETNS_B
xdp_attach "$VETH_A" "$demo" native || bail "cannot attach the demo"
xdp_attach "$VETH_B" "$demo" native || bail "cannot attach the peer's XDP"
hook_pin "$VETH_A" "$hooks/demo" || bail "cannot pin the hook"
netns_static_neighbours || bail "cannot set static neighbours"

# pcap PROGRAM ARG...: a libpcap program with xdp: devices, our hooks
# shellcheck disable=SC2086
pcap() {
	env XDPCAP_HOOK_DIR="$hooks" $pcap_env "$@"
}


ping_a() { # COUNT [ARG...]
	_n=$1
	shift
	netns_exec "$B" ping -c "$_n" -i 0.1 -W 1 "$@" 192.0.2.1 >/dev/null 2>&1
}


# the guard empties the slots as the process goes: allow it a moment
check_clean() {
	wait_until 2000 slots_empty xdp:demo
	check $? "the hook's slots are empty after $1" "$("$xdpcap" list --hook-dir "$hooks" xdp:demo 2>&1)"
}

# start_tcpdump NAME ARG...: tcpdump in the background, stdout in
# $tmp/NAME.out, stderr in $tmp/NAME.err, pid in $td_pid; returns once
# it listens (its filter is in the kernel by then)
start_tcpdump() {
	_name=$1
	shift
	# the shell opens the files after we go on: never read an old one
	rm -f "$tmp/$_name.out" "$tmp/$_name.err"
	# env execs tcpdump: $! is tcpdump
	env XDPCAP_HOOK_DIR="$hooks" $pcap_env tcpdump "$@" >"$tmp/$_name.out" 2>"$tmp/$_name.err" &
	td_pid=$!
	bg_pids="$bg_pids $td_pid"
	# "tcpdump: listening on" when it writes a file (-w)
	wait_until 10000 grep -q "^\(tcpdump: \)\{0,1\}listening on" "$tmp/$_name.err"
}

# stop_tcpdump SIGNAL: send it, wait (5 s at most, then SIGKILL); status
# in $td_rc, time in $td_ms
stop_tcpdump() {
	_t0=$(now_ms)
	kill "-$1" "$td_pid" 2>/dev/null
	# a tcpdump that ignores it fails the check, not the whole test
	wait_until 5000 gone "$td_pid" || kill -9 "$td_pid" 2>/dev/null
	wait "$td_pid"
	td_rc=$?
	td_ms=$(($(now_ms) - _t0))
}

# closing NAME WHAT: tcpdump's closing count "N packets WHAT"
closing() {
	sed -n "s/^\([0-9]*\) packets\{0,1\} $2\$/\1/p" "$tmp/$1.err"
}

# --- listing --------------------------------------------------------------
pcap tcpdump -D >"$tmp/D.txt" 2>&1
grep -q '^[0-9]*\.xdp:demo (XDP verdicts at hook demo.*xdp:demo:ACTIONS.*xdp:demo:drop,tx)' "$tmp/D.txt"
check $? "tcpdump -D lists xdp:demo with its description" "$(grep xdp "$tmp/D.txt")" "$tmp/D.txt"
tcpdump -D 2>/dev/null | sed 's/^[0-9]*\.//' | cut -d' ' -f1 >"$tmp/D.system"
grep -v '^[0-9]*\.xdp:' "$tmp/D.txt" | sed 's/^[0-9]*\.//' | cut -d' ' -f1 >"$tmp/D.others"
if [ "$same_devices" = 1 ]; then
	cmp -s "$tmp/D.system" "$tmp/D.others"
else
	grep -q '^lo$' "$tmp/D.others" && [ -z "$(grep -vxF -f "$tmp/D.system" "$tmp/D.others")" ]
fi
check $? "the other devices are listed as without xdp: devices" "$(tr '\n' ' ' <"$tmp/D.others")"
first_system=$(head -n1 "$tmp/D.system")
first_now=$(sed -n '1s/^[0-9]*\.//p' "$tmp/D.txt" | cut -d' ' -f1)
[ "$first_now" = "$first_system" ]
check $? "the first (default) device stays $first_system" "$first_now"
for prog in dumpcap tshark; do
	pcap "$prog" -D >"$tmp/$prog-D.txt" 2>&1
	grep -q '^[0-9]*\. xdp:demo$' "$tmp/$prog-D.txt"
	check $? "$prog -D lists xdp:demo" "$(grep -c . "$tmp/$prog-D.txt") lines" "$tmp/$prog-D.txt"
done

# dumpcap (which tshark and Wireshark capture through) keeps only
# CAP_NET_RAW and CAP_NET_ADMIN, even as root: BPF is out of its reach,
# and it must say so, not "run as root"
pcap dumpcap -i xdp:demo -c 1 -a duration:5 -w "$tmp/dumpcap.pcapng" \
	>"$tmp/dumpcap.out" 2>&1
rc=$?
[ "$rc" -ne 0 ] && grep -q "runs as root but without CAP_BPF" "$tmp/dumpcap.out"
check $? "dumpcap -i xdp:demo is refused, saying why: $(grep -m 1 CAP_BPF "$tmp/dumpcap.out")" \
	"exit $rc" "$tmp/dumpcap.out"

# --- -d: the cBPF of a filter ------------------------------------------------
pcap tcpdump -i xdp:demo -d "udp port 9" >"$tmp/d.txt" 2>"$tmp/d.err"
"$xdpcap" compile --emit=cbpf "udp port 9" >"$tmp/d.expected"
cmp -s "$tmp/d.txt" "$tmp/d.expected"
check $? "tcpdump -i xdp:demo -d prints libpcap's cBPF" "$(head -n3 "$tmp/d.txt")" "$tmp/d.err"
check_clean "-d"

# --- capture with a filter, in the kernel; text as it comes -------------------
start_tcpdump f -i xdp:demo -n -l "udp port 9"
check $? "tcpdump -i xdp:demo listens" "" "$tmp/f.err"
user=$(ps -o user= -p "$td_pid" | tr -d ' ')
[ "$user" = tcpdump ]
check $? "tcpdump runs as user tcpdump after opening the device" "$user"
send_udp "$B" 192.0.2.1 9 4
send_udp "$B" 192.0.2.1 1000 5
ping_a 3
# -l: lines show up while it runs
wait_until 2000 sh -c "[ \$(grep -c '192.0.2.1.9: UDP' '$tmp/f.out') -eq 4 ]"
check $? "4 datagrams to port 9 printed while capturing" "$(grep -c . "$tmp/f.out") lines" "$tmp/f.out"
stop_tcpdump INT
check "$td_rc" "SIGINT ends tcpdump with status 0" "status $td_rc" "$tmp/f.err"
others=$(grep -v '192.0.2.1.9: UDP' "$tmp/f.out" | grep -vc '^$')
[ "$others" -eq 0 ]
check $? "nothing else printed" "$others other lines" "$tmp/f.out"
captured=$(closing f captured) recv=$(closing f "received by filter") dropped=$(closing f "dropped by kernel")
# the hook saw 12 packets; only the kernel's filter counts just 4
[ "$captured" = 4 ] && [ "$recv" = 4 ] && [ "$dropped" = 0 ]
check $? "closing counts: 4 captured, 4 received by filter (the hook's matched counter, of 12 at the hook), 0 dropped" \
	"$captured/$recv/$dropped" "$tmp/f.err"
check_clean "SIGINT (tcpdump as user tcpdump)"

# --- -c --------------------------------------------------------------------------
start_tcpdump c -i xdp:demo -n -c 3 udp
send_udp "$B" 192.0.2.1 1000 5
wait_until 3000 gone "$td_pid"
check $? "-c 3 ends tcpdump by itself" "" "$tmp/c.err"
wait "$td_pid"
td_rc=$?
lines=$(grep -c "192.0.2.2.* > 192.0.2.1.1000: UDP" "$tmp/c.out")
[ "$td_rc" -eq 0 ] && [ "$lines" -eq 3 ] && [ "$(closing c captured)" = 3 ]
check $? "-c 3: status 0, 3 packets" "status $td_rc, $lines lines" "$tmp/c.err"
check_clean "-c"

# --- SIGINT and SIGTERM, with and without traffic, timed --------------------------
for sig in INT TERM; do
	start_tcpdump idle -i xdp:demo -n
	pause 0.3
	stop_tcpdump "$sig"
	[ "$td_rc" -eq 0 ] && [ "$td_ms" -lt "$(scaled 1000)" ]
	check $? "SIG$sig with no traffic: tcpdump ends in $td_ms ms with status $td_rc" "" "$tmp/idle.err"
	check_clean "SIG$sig with no traffic"
done
start_tcpdump busy -i xdp:demo -n -w "$tmp/busy.pcap" icmp
# nsenter execs ping: $! is the flood itself, which the kill below ends
nsenter --net="$NETNS_RUN_DIR/$B" -- ping -f -c 20000 -W 1 192.0.2.1 >/dev/null 2>&1 &
flood=$!
bg_pids="$bg_pids $flood"
pause 0.5
stop_tcpdump INT
kill "$flood" 2>/dev/null
wait "$flood" 2>/dev/null
captured=$(closing busy captured)
[ "$td_rc" -eq 0 ] && [ "$td_ms" -lt "$(scaled 1000)" ] && [ "${captured:-0}" -gt 0 ]
check $? "SIGINT during a ping flood: ends in $td_ms ms, status $td_rc, $captured captured" "" "$tmp/busy.err"
check_clean "SIGINT with traffic"

# --- SIGKILL: the guard empties the slots -------------------------------------------
start_tcpdump kill -i xdp:demo -n
stop_tcpdump KILL
check_clean "SIGKILL"

# --- -w, nanosecond precision ------------------------------------------------------
start_tcpdump w -i xdp:demo -n --time-stamp-precision=nano -w "$tmp/w.pcap" icmp
ping_a 3
stop_tcpdump INT
in_file=$(tcpdump -r "$tmp/w.pcap" -n 2>/dev/null | grep -c "ICMP echo reply")
capinfos -t "$tmp/w.pcap" 2>/dev/null | grep -q "nanosecond pcap"
nano=$?
owner=$(stat -c %U "$tmp/w.pcap")
[ "$in_file" -eq 3 ] && [ "$nano" -eq 0 ] && [ "$(closing w captured)" = 3 ]
check $? "-w writes the 3 echoes, as XDP_TX sent them, to a nanosecond pcap file (owner $owner)" "$in_file in the file, nano $nano" "$tmp/w.err"
now=$(date +%s)
first=$(tcpdump -r "$tmp/w.pcap" -tt -n 2>/dev/null | head -n1 | cut -d. -f1)
[ -n "$first" ] && [ $((now - first)) -ge 0 ] && [ $((now - first)) -lt "$(scaled 60)" ]
check $? "timestamps are wall-clock times" "$first, now $now"
check_clean "-w"

# --- snap length ----------------------------------------------------------------------
start_tcpdump s -i xdp:demo -s 60 -w "$tmp/s.pcap" icmp
ping_a 1 -s 200
stop_tcpdump INT
sizes=$(fields "$tmp/s.pcap" frame.cap_len frame.len | sort -u | tr '\t\n' '/ ')
[ "$sizes" = "60/242 " ]
check $? "-s 60 keeps 60 bytes of 242" "$sizes" "$tmp/s.err"

# --- losses are real: a tiny ring, a ping flood -----------------------------------------
# tcpdump is stopped during the flood, so the ring fills however fast the
# CPU (an emulated one sends too slowly to outrun the reader)
start_tcpdump loss -i xdp:demo -B 8 -w "$tmp/loss.pcap" icmp
kill -STOP "$td_pid"
netns_exec "$B" ping -f -c 3000 -s 1400 -W 1 192.0.2.1 >/dev/null 2>&1
kill -CONT "$td_pid"
stop_tcpdump INT
captured=$(closing loss captured) recv=$(closing loss "received by filter") dropped=$(closing loss "dropped by kernel")
[ -n "$dropped" ] && [ "$dropped" -gt 0 ] && [ $((captured + dropped)) -eq "$recv" ]
check $? "-B 8: $captured captured + $dropped dropped by kernel (ring full) = $recv received by filter" "" "$tmp/loss.err"
check_clean "losses"

# --- actions in the device name ----------------------------------------------------------
for spec in "drop:2" "pass,tx:2" "3:1" "xdp_drop,TX:3" "all:4"; do
	actions=${spec%:*} want=${spec##*:}
	# (only what is sent here: IPv6 and ARP chatter passes the hook too)
	start_tcpdump act -i "xdp:demo:$actions" -n "udp or icmp"
	listed=$("$xdpcap" list --hook-dir "$hooks" xdp:demo 2>&1)
	send_udp "$B" 192.0.2.1 9 2
	send_udp "$B" 192.0.2.1 1000 1
	ping_a 1
	stop_tcpdump INT
	got=$(closing act captured)
	[ "$got" = "$want" ]
	check $? "xdp:demo:$actions captures $want packets" "$got ($listed)" "$tmp/act.err"
done
# entry: each echo request as it arrived, then the reply XDP_TX made of it
start_tcpdump entry -i xdp:demo:entry,tx -n -w "$tmp/entry.pcap" icmp
ping_a 2
stop_tcpdump INT
order=$(tcpdump -r "$tmp/entry.pcap" -n 2>/dev/null |
	sed -n 's/.* \(192\.0\.2\.[12]\) > \(192\.0\.2\.[12]\): ICMP echo \(request\|reply\).*/\1>\2 \3/p' | tr '\n' ';')
[ "$order" = "192.0.2.2>192.0.2.1 request;192.0.2.1>192.0.2.2 reply;192.0.2.2>192.0.2.1 request;192.0.2.1>192.0.2.2 reply;" ] &&
	[ "$(closing entry captured)" = 4 ]
check $? "xdp:demo:entry,tx: each echo request as it arrived, then the reply it became" "$order" "$tmp/entry.err"
check_clean "entry capture"
start_tcpdump act -i xdp:demo:drop -n
listed=$("$xdpcap" list --hook-dir "$hooks" xdp:demo 2>&1)
stop_tcpdump INT
echo "$listed" | grep -q "ABORTED empty, DROP pid $td_pid, PASS empty, TX empty, REDIRECT empty"
check $? "xdp:demo:drop fills the DROP slot only" "$listed"
check_clean "action selection"

# --- other devices are untouched: loopback in namespace A ----------------------------------
# shellcheck disable=SC2086
nsenter --net="$NETNS_RUN_DIR/$A" -- env XDPCAP_HOOK_DIR="$hooks" $pcap_env tcpdump -i lo -n -c 2 icmp \
	>"$tmp/lo.out" 2>"$tmp/lo.err" &
lo_pid=$!
bg_pids="$bg_pids $lo_pid"
wait_until 5000 grep -q "^listening on lo" "$tmp/lo.err"
netns_exec "$A" ping -c 2 -i 0.2 127.0.0.1 >/dev/null 2>&1
wait_until 3000 gone "$lo_pid"
wait "$lo_pid"
lo_rc=$?
[ "$lo_rc" -eq 0 ] && [ "$(grep -c "127.0.0.1 > 127.0.0.1: ICMP" "$tmp/lo.out")" -ge 2 ]
check $? "tcpdump -i lo captures as usual" "status $lo_rc" "$tmp/lo.err"

# --- bad device names and filters: libpcap-style errors ---------------------------------------
bad() { # WHAT EXPECTED ARG...: tcpdump fails with status 1, EXPECTED on stderr
	_what=$1 _want=$2
	shift 2
	pcap tcpdump -n "$@" >/dev/null 2>"$tmp/bad.err"
	_rc=$?
	[ "$_rc" -eq 1 ] && grep -q -- "$_want" "$tmp/bad.err"
	check $? "$_what: '$_want'" "status $_rc: $(tail -n1 "$tmp/bad.err")" "$tmp/bad.err"
}
bad "an unknown hook" "^tcpdump: xdp:nosuch: No such device exists" -i xdp:nosuch
bad "an unknown action" "unknown XDP action 'bogus'" -i xdp:demo:bogus
bad "no hook name" "xdp:: No such device exists" -i xdp:
bad "a filter libpcap refuses" "^tcpdump: can't parse filter expression: syntax error" -i xdp:demo "udp port"
check_clean "bad filters"

# protochain runs in the kernel too (its loop unrolled): the pings' echo
# requests come back as replies with XDP_TX, each ICMP
start_tcpdump pc -i xdp:demo -w "$tmp/pc.pcap" "ip protochain 1"
ping_a 2
stop_tcpdump INT
got=$(fields "$tmp/pc.pcap" icmp.type | sort | uniq -c | awk '{ $1 = $1; print }' | tr '\n' ';')
[ "$got" = "2 0;" ]
check $? "'ip protochain 1' captures the 2 echo replies the demo sends back" "$got" "$tmp/pc.err"
check_clean "protochain"

# --- the libpcap API: non-blocking, selectable fd, breakloop, pcap_next_ex -----------------
( i=0; while [ $i -lt 300 ]; do
	netns_exec "$B" bash -c "echo api > /dev/udp/192.0.2.1/9" 2>/dev/null
	sleep 0.05
	i=$((i + 1))
done ) &
sender=$!
bg_pids="$bg_pids $sender"
pcap "$api" xdp:demo >"$tmp/api.out" 2>"$tmp/api.err"
api_rc=$?
kill "$sender" 2>/dev/null
while read -r verdict rest; do
	case $verdict in
	ok) ok 0 "API: $rest" ;;
	not) ok 1 "API: ${rest#ok }" ;;
	esac
done <"$tmp/api.out"
[ "$api_rc" -eq 0 ] && [ "$(grep -c '^ok' "$tmp/api.out")" -ge 20 ]
check $? "the API checks all ran and passed" "status $api_rc" "$tmp/api.err"
check_clean "the API checks"

command -v extra_checks >/dev/null 2>&1 && extra_checks
tap_done
