#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
#
# How a live capture starts and ends: stopped by SIGINT, SIGTERM and
# SIGHUP (promptly, with a complete file), by the reader of its output
# going away or no longer reading, by -c, killed with SIGKILL (its guard
# process empties the slots), after its guard was killed too (the next
# capture reclaims the slots), on a hook another capture holds (refused,
# or taken over with --force), and refused for bad input without touching
# the hook; with stdin and stdout closed, with its whole process group
# killed, against a capture in another pid namespace, 100 started at
# once (one wins, the others are refused), and with its hook unpinned and
# its XDP program detached (it says so). The demo XDP program runs natively on a veth pair between two
# network namespaces of the test's own, its hook
# pinned in a hook directory of its own; traffic goes from B to A:
#   ping 192.0.2.1               echo replies sent back, XDP_TX
#   UDP to 192.0.2.1 port 9      XDP_DROP
#   UDP to 192.0.2.1 port 1000   XDP_PASS
# Runs as root in a private mount namespace with a bpffs of its own, and
# leaves nothing behind. Output is TAP.
#
# Environment:
#   TOP_SRCDIR    source tree (default: the parent of this directory)
#   TOP_BUILDDIR  build tree, with xdpcap and bpf/examples/*.bpf.o
#   XDPCAP_RACE_STARTS  captures started at once (default 100)
set -u

top=${TOP_SRCDIR:-$(cd "$(dirname "$0")/.." && pwd)}
. "$top/tests/lib/live.sh"
live_needs ip bpftool nsenter unshare setpriv timeout pgrep ping bash capinfos tshark
live_test lifecycle "$0" "$@"

# --- two namespaces, the demo on A's end, its hook pinned ---------------

netns_setup xlc || bail "cannot make network namespaces and a veth pair"
NS_A=--net=$NETNS_RUN_DIR/$NETNS_A
NS_B=--net=$NETNS_RUN_DIR/$NETNS_B
hooks=/sys/fs/bpf/xdpcap-lifecycle/hooks
hook=$hooks/demo

xdp_attach "$VETH_A" "$demo" native ||
	bail "cannot attach $demo natively to $VETH_A"
# (ip may complain on stderr about namespaces in /run/netns that are not
# ours: those of tests running in other mount namespaces)
hook_pin "$VETH_A" "$hook" 2>"$tmp/pin.err" || {
	cat "$tmp/pin.err" >&2
	bail "cannot pin the hook of $VETH_A at $hook"
}
map_id=$HOOK_MAP_ID
cleanup_add "rm -rf /sys/fs/bpf/xdpcap-lifecycle"

netns_static_neighbours || bail "cannot set up the neighbours of $VETH_A and $VETH_B"

# --- captures, slots, traffic -------------------------------------------

# The captures started here, killed at cleanup if still running.
pids=
forget() {
	pids=$(echo " $pids " | sed "s/ $1 / /")
}
# and the reader of one of them
stall_reader=
kill_leftovers() {
	_ifs=$IFS
	IFS=' '
	for _p in $pids; do
		[ "$(cat "/proc/$_p/comm" 2>/dev/null)" = xdpcap ] &&
			kill -9 "$_p" 2>/dev/null
	done
	IFS=$_ifs
	[ -n "$stall_reader" ] && kill "$stall_reader" 2>/dev/null
	return 0
}
cleanup_add kill_leftovers

# start NAME ARG...: xdpcap --hook-dir HOOKS ARG... in A, in the
# background; its pid in $pid, stdout and stderr in $tmp/NAME.out, .err
start() {
	_name=$1
	shift
	nsenter "$NS_A" -- "$xdpcap" --hook-dir "$hooks" "$@" \
		>"$tmp/$_name.out" 2>"$tmp/$_name.err" &
	pid=$!
	pids="$pids $pid"
}

# start_alone NAME ARGS...: as start, without CAP_SYS_ADMIN, which a
# capture needs to share its slots with others: it keeps them to itself
start_alone() {
	_name=$1
	shift
	nsenter "$NS_A" -- capsh --drop=cap_sys_admin -- -c 'exec "$0" "$@"' \
		"$xdpcap" --hook-dir "$hooks" "$@" >"$tmp/$_name.out" 2>"$tmp/$_name.err" &
	pid=$!
	pids="$pids $pid"
}

# reap PID: wait for a capture started here, killed first if it still
# runs; its exit status in $rc
reap() {
	alive "$1" && kill -9 "$1" 2>/dev/null
	wait "$1" 2>/dev/null
	rc=$?
	forget "$1"
}

# stop_by SIG PID: send SIG to PID and wait (5 s at most) for it to exit;
# the milliseconds that took in $took, its exit status in $rc
stop_by() {
	kill "-$1" "$2"
	_t0=$(now_ms)
	wait_until 5000 gone "$2"
	took=$(($(now_ms) - _t0))
	reap "$2"
}

# run CMD...: CMD (20 s at most), exit status in $rc, output in
# $tmp/out and $tmp/err
run() {
	timeout "$(scaled 20)" "$@" >"$tmp/out" 2>"$tmp/err"
	rc=$?
}

# (the demo's hook has an entry slot too)
empty="ABORTED empty, DROP empty, PASS empty, TX empty, REDIRECT empty, ENTRY empty"
held_by() {
	echo "ABORTED pid $1, DROP pid $1, PASS pid $1, TX pid $1, REDIRECT pid $1, ENTRY empty"
}
left_by() {
	echo "ABORTED pid $1 (gone), DROP pid $1 (gone), PASS pid $1 (gone), TX pid $1 (gone), REDIRECT pid $1 (gone), ENTRY empty"
}

# slots_are WANT: who holds the five slots, as xdpcap list says (in
# $got), is WANT
slots_are() {
	got=$(nsenter "$NS_A" -- "$xdpcap" list --hook-dir "$hooks" xdp:demo 2>&1 |
		sed 's/.*  //')
	[ "$got" = "$1" ]
}

# slots_held: one running xdpcap holds all five slots; its pid in $holder
slots_held() {
	slots_are "" && return 1
	holder=$(echo "$got" | sed -n 's/^ABORTED pid \([0-9]*\),.*/\1/p')
	[ -n "$holder" ] && [ "$got" = "$(held_by "$holder")" ]
}

# hook_state: the pinned hook's map id and how many slots are filled, as
# bpftool says
hook_state() {
	echo "map $(bpftool map show pinned "$hook" | sed -n 's/^\([0-9]*\):.*/\1/p')," \
		"$(bpftool map dump pinned "$hook" | tail -n 1)"
}
untouched="map $map_id, Found 0 elements"

# udp PORT COUNT: COUNT UDP packets from B to A's PORT
udp() {
	nsenter "$NS_B" -- bash -c \
		'i=0; while [ $i -lt $2 ]; do echo x >/dev/udp/192.0.2.1/$1; i=$((i + 1)); done' \
		udp "$1" "$2"
}

# traffic: 3 echo requests (turned into replies and sent back, XDP_TX), 3
# packets to port 9 (XDP_DROP) and 2 to port 1000 (XDP_PASS). Replies sent
# back are lost, as nothing reads them on B's veth.
traffic() {
	nsenter "$NS_B" -- ping -q -n -c 3 -i 0.05 -W 0.2 192.0.2.1 >/dev/null 2>&1
	udp 9 3
	udp 1000 2
	pause 0.1
}
traffic_seen="tx=3 drop=3 pass=2 wrong=0 uncommented=0"

# seen FILE: what a capture file holds of traffic: echo replies with
# comment XDP_TX, UDP to port 9 with XDP_DROP and to port 1000 with
# XDP_PASS; those of them with another comment (wrong), and packets with
# no comment at all (uncommented). Other packets (IPv6 neighbour
# discovery) are not counted.
seen() {
	fields "$1" frame.comment icmp.type udp.dstport | tr '\t' , | awk -F, '
		$1 == "" { uncommented++ }
		$2 == "0" { if ($1 == "XDP_TX") tx++; else wrong++ }
		$3 == "9" { if ($1 == "XDP_DROP") drop++; else wrong++ }
		$3 == "1000" { if ($1 == "XDP_PASS") pass++; else wrong++ }
		END {
			printf "tx=%d drop=%d pass=%d wrong=%d uncommented=%d\n",
				tx, drop, pass, wrong, uncommented
		}'
}

# accounted ERR: the summary in ERR adds up, written + lost + discarded =
# matched (in $accounting)
accounted() {
	_w=$(sed -n 's/^\([0-9]*\) packets written$/\1/p' "$1")
	_m=$(sed -n 's/^\([0-9]*\) packets matched the filter$/\1/p' "$1")
	_l=$(sed -n 's/^\([0-9]*\) packets lost (capture ring full)$/\1/p' "$1")
	_d=$(sed -n 's/^\([0-9]*\) packets discarded .*/\1/p' "$1")
	accounting="written ${_w:-?} + lost ${_l:-?} + discarded ${_d:-0} = matched ${_m:-?}"
	[ -n "$_w" ] && [ -n "$_m" ] && [ -n "$_l" ] &&
		[ $((_w + _l + ${_d:-0})) -eq "$_m" ]
}

# capinfos_ok FILE: capinfos reads FILE without a complaint
capinfos_ok() {
	capinfos "$1" >"$tmp/capinfos.out" 2>&1
}

# file_checks WHAT FILE WANT: the file is complete and holds WANT
file_checks() {
	capinfos_ok "$2"
	check $? "$1: capinfos reads the file" "$(tail -n 3 "$tmp/capinfos.out")"
	reads_whole "$2"
	check $? "$1: $file_reader reads it without an error" "$(head -n 3 "$tmp/reader.err")"
	_seen=$(seen "$2")
	[ "$_seen" = "$3" ]
	check $? "$1: it holds the packets sent, each with its action as comment ($3)" \
		"got $_seen"
}

# --- 1. stopped by a signal ---------------------------------------------

for sig in INT TERM HUP; do
	what="SIG$sig"
	file=$tmp/sig$sig.pcapng
	start "sig$sig" xdp:demo "$file"
	wait_until 5000 slots_are "$(held_by "$pid")"
	check $? "$what: the capture (pid $pid) fills the five slots" "$got" \
		"$tmp/sig$sig.err"
	traffic
	stop_by "$sig" "$pid"
	[ "$rc" -eq 0 ]
	check $? "$what: it exits with status 0" "exit $rc" "$tmp/sig$sig.err"
	[ "$took" -le "$(scaled 2000)" ]
	check $? "$what: it stops within 2 s, with no traffic after the signal (${took} ms)" \
		"took ${took} ms"
	file_checks "$what" "$file" "$traffic_seen"
	slots_are "$empty"
	check $? "$what: the slots are empty afterwards" "$got"
done

# --- 2. the reader of stdout goes away ----------------------------------

# The reader takes the header, holds the pipe a second, then goes away:
# xdpcap notices the hang-up itself, with no traffic to write.
(
	nsenter "$NS_A" -- "$xdpcap" --hook-dir "$hooks" xdp:demo - 2>"$tmp/pipe.err"
	echo $? >"$tmp/pipe.rc"
) | { head -c 1 >"$tmp/pipe.head"; pause 1; } &
pipeline=$!
holder=
wait_until 5000 slots_held
check $? "reader gone: the capture writing to a pipe fills the five slots" \
	"$got" "$tmp/pipe.err"
pipe_pid=$holder
[ -n "$pipe_pid" ] && pids="$pids $pipe_pid"
pipe_exited() {
	[ -s "$tmp/pipe.rc" ]
}
wait_until 3000 pipe_exited
[ -n "$pipe_pid" ] && alive "$pipe_pid" && kill -9 "$pipe_pid"
wait "$pipeline"
[ -n "$pipe_pid" ] && forget "$pipe_pid"
pipe_rc=$(cat "$tmp/pipe.rc" 2>/dev/null)
[ "$pipe_rc" = 0 ] && [ "$(wc -c <"$tmp/pipe.head")" -eq 1 ]
check $? "reader gone: xdpcap ... - | reader that leaves: exit 0 without traffic" \
	"exit ${pipe_rc:-none (killed after 3 s)}, $(wc -c <"$tmp/pipe.head") bytes read" \
	"$tmp/pipe.err"
slots_are "$empty"
check $? "reader gone: the slots are empty afterwards" "$got"

# A reader that stops reading: once the pipe is full, xdpcap waits in
# write(); a signal should still stop it.
(
	nsenter "$NS_A" -- "$xdpcap" --hook-dir "$hooks" xdp:demo - 2>"$tmp/stall.err"
	echo $? >"$tmp/stall.rc"
) | sleep 60 &
stall_reader=$!
holder=
wait_until 5000 slots_held
check $? "stalled reader: the capture writing to a pipe nobody reads fills the slots" \
	"$got" "$tmp/stall.err"
stall_pid=${holder:-none}
pids="$pids $stall_pid"
# 300 packets of 1 KiB: more than the pipe holds (64 KiB)
nsenter "$NS_B" -- bash -c \
	'for i in $(seq 300); do printf "%1000s" x >/dev/udp/192.0.2.1/1000; done'
pause 0.3
alive "$stall_pid"
check $? "stalled reader: xdpcap waits for the reader" \
	"exit $(cat "$tmp/stall.rc" 2>/dev/null)" "$tmp/stall.err"
stall_wchan=$(cat "/proc/$stall_pid/wchan" 2>/dev/null)
kill -TERM "$stall_pid" 2>/dev/null
t0=$(now_ms)
wait_until 2000 gone "$stall_pid" && [ "$stall_pid" != none ]
check $? "stalled reader: SIGTERM stops it within 2 s" \
	"still running after $(($(now_ms) - t0)) ms, in ${stall_wchan:-?}"
alive "$stall_pid" && kill -9 "$stall_pid"
kill "$stall_reader" 2>/dev/null
wait "$stall_reader" 2>/dev/null
stall_reader=
forget "$stall_pid"
wait_until 2000 slots_are "$empty"
check $? "stalled reader: the slots are empty once it is gone" "$got"
accounted "$tmp/stall.err"
check $? "stalled reader: every packet matched is accounted for ($accounting)" \
	"$accounting" "$tmp/stall.err"

# A reader that takes 1000 bytes and leaves while packets flow: those
# matched but never written are counted as discarded.
(
	nsenter "$NS_A" -- "$xdpcap" --hook-dir "$hooks" xdp:demo - udp port 1000 \
		2>"$tmp/head.err"
	echo $? >"$tmp/head.rc"
) | head -c 1000 >/dev/null &
head_job=$!
holder=
wait_until 5000 slots_held
check $? "| head -c 1000: the capture fills the slots" "$got" "$tmp/head.err"
[ -n "$holder" ] && pids="$pids $holder"
nsenter "$NS_B" -- bash -c \
	'for i in $(seq 300); do printf "%1000s" x >/dev/udp/192.0.2.1/1000; done'
head_exited() {
	[ -s "$tmp/head.rc" ]
}
wait_until 3000 head_exited
[ -n "$holder" ] && alive "$holder" && kill -9 "$holder"
wait "$head_job"
[ -n "$holder" ] && forget "$holder"
accounted "$tmp/head.err"
check $? "| head -c 1000: exit $(cat "$tmp/head.rc" 2>/dev/null), every packet matched is accounted for ($accounting)" \
	"$accounting" "$tmp/head.err"

# --- 3. SIGKILL: the guard cleans up -----------------------------------

start kill xdp:demo "$tmp/kill.pcapng"
wait_until 5000 slots_are "$(held_by "$pid")"
check $? "SIGKILL: the capture (pid $pid) fills the five slots" "$got" "$tmp/kill.err"
guard=$(pgrep -P "$pid")
guard_name=$(cat "/proc/$guard/comm" 2>/dev/null)
[ "$guard_name" = xdpcap-guard ]
check $? "SIGKILL: its child $guard is named xdpcap-guard" "child '$guard' named '$guard_name'"
# what it captured reaches the file within a second or two, whatever the
# rate (read by tests/pcapng_fields alone: the file grows meanwhile)
kill_file_holds() {
	[ "$( (XDPCAP_TEST_FIELDS=reader; seen "$tmp/kill.pcapng"))" = "$traffic_seen" ]
}
traffic
t0=$(now_ms)
wait_until 5000 kill_file_holds
check $? "SIGKILL: the traffic is in the file while the capture runs ($(($(now_ms) - t0)) ms)" \
	"$( (XDPCAP_TEST_FIELDS=reader; seen "$tmp/kill.pcapng"))"
kill -9 "$pid"
t0=$(now_ms)
wait_until 1000 slots_are "$empty"
check $? "SIGKILL: the guard empties the slots within 1 s ($(($(now_ms) - t0)) ms)" \
	"$got after $(($(now_ms) - t0)) ms"
reap "$pid"
wait_until 2000 gone "$guard"
check $? "SIGKILL: no xdpcap process is left (capture $pid, guard $guard)" \
	"$(ps -o pid=,stat=,comm= -p "$pid,$guard" | tr '\n' ' ')"
got=$(seen "$tmp/kill.pcapng")
[ "$got" = "$traffic_seen" ]
check $? "SIGKILL: the file keeps what was written before ($got)" "$got"

# --- 4. a busy slot -------------------------------------------------------

# (captures share slots where they can: tests/capture_shared.sh; A keeps
# its slots to itself)
start_alone busyA xdp:demo "$tmp/busyA.pcapng"
pid_a=$pid
wait_until 5000 slots_are "$(held_by "$pid_a")"
check $? "busy: capture A (pid $pid_a) fills the five slots" "$got" "$tmp/busyA.err"
echo "an earlier capture" >"$tmp/kept.pcapng"
run nsenter "$NS_A" -- "$xdpcap" --hook-dir "$hooks" xdp:demo "$tmp/kept.pcapng"
[ "$rc" -eq 2 ] && grep -q "in use by xdpcap process $pid_a, and cannot be shared (that capture keeps the slot to itself.*); --force takes it over" "$tmp/err"
check $? "busy: capture B exits 2 and names A's pid and --force: $(head -n 1 "$tmp/err")" \
	"exit $rc" "$tmp/err"
[ "$(cat "$tmp/kept.pcapng")" = "an earlier capture" ]
check $? "busy: refused, B leaves the file it was to write as it was" \
	"now $(wc -c <"$tmp/kept.pcapng") bytes"
run nsenter "$NS_A" -- env LD_PRELOAD="$build/pcap-module/.libs/libpcap-xdp.so" \
	LD_LIBRARY_PATH="$build/lib/.libs" XDPCAP_HOOK_DIR="$hooks" \
	tcpdump -Z root -c 1 -i xdp:demo -w "$tmp/busy-tcpdump.pcap"
[ "$rc" -ne 0 ] &&
	grep -q "in use by xdpcap process $pid_a, and cannot be shared (.*); stop that capture first (xdpcap list" "$tmp/err"
check $? "busy: tcpdump -i xdp:demo is refused in its own terms: $(grep -m 1 "in use" "$tmp/err")" \
	"exit $rc" "$tmp/err"
alive "$pid_a" && slots_are "$(held_by "$pid_a")"
check $? "busy: A runs on and holds the slots" "$got"
start busyB --force xdp:demo "$tmp/busyB.pcapng"
pid_b=$pid
wait_until 5000 slots_are "$(held_by "$pid_b")"
check $? "busy: capture B (pid $pid_b) with --force takes the five slots over" "$got" \
	"$tmp/busyB.err"
notices=$(grep -c "taking over slot .* from xdpcap process $pid_a\$" "$tmp/busyB.err")
[ "$notices" -eq 5 ]
check $? "busy: B says so for each slot: $(grep -m 1 "taking over" "$tmp/busyB.err")" \
	"$notices notices" "$tmp/busyB.err"
alive "$pid_a"
check $? "busy: A keeps running"
stop_by INT "$pid_a"
[ "$rc" -eq 0 ]
check $? "busy: A stops on SIGINT with status 0" "exit $rc" "$tmp/busyA.err"
capinfos_ok "$tmp/busyA.pcapng"
check $? "busy: A's file is complete" "$(tail -n 3 "$tmp/capinfos.out")"
slots_are "$(held_by "$pid_b")"
check $? "busy: B's programs stay in the slots after A stops" "$got"
traffic
stop_by INT "$pid_b"
[ "$rc" -eq 0 ]
check $? "busy: B stops on SIGINT with status 0" "exit $rc" "$tmp/busyB.err"
seen_b=$(seen "$tmp/busyB.pcapng")
[ "$seen_b" = "$traffic_seen" ]
check $? "busy: B captured the traffic sent after A stopped ($traffic_seen)" "got $seen_b"
slots_are "$empty"
check $? "busy: the slots are empty after B stops" "$got"

# --- 5. stale slots -----------------------------------------------------

start stale xdp:demo "$tmp/stale.pcapng"
pid_s=$pid
wait_until 5000 slots_are "$(held_by "$pid_s")"
check $? "stale: the capture (pid $pid_s) fills the five slots" "$got" "$tmp/stale.err"
guard=$(pgrep -P "$pid_s")
kill -9 "$guard" && wait_until 2000 gone "$guard"
check $? "stale: its guard ($guard) is killed"
reap "$pid_s"
pause 0.3
slots_are "$(left_by "$pid_s")"
check $? "stale: killed after its guard, it leaves the slots filled, owned by a dead pid" \
	"$got"
start reclaim xdp:demo "$tmp/reclaim.pcapng"
pid_r=$pid
wait_until 5000 slots_are "$(held_by "$pid_r")"
check $? "stale: a new capture (pid $pid_r) takes the slots" "$got" "$tmp/reclaim.err"
notices=$(grep -c "reclaiming slot .* left by xdpcap process $pid_s, which is gone" \
	"$tmp/reclaim.err")
[ "$notices" -eq 5 ]
check $? "stale: it says so for each slot: $(grep -m 1 reclaiming "$tmp/reclaim.err")" \
	"$notices notices" "$tmp/reclaim.err"
traffic
stop_by INT "$pid_r"
[ "$rc" -eq 0 ]
check $? "stale: the new capture stops on SIGINT with status 0" "exit $rc" "$tmp/reclaim.err"
seen_r=$(seen "$tmp/reclaim.pcapng")
[ "$seen_r" = "$traffic_seen" ]
check $? "stale: the new capture got the traffic ($traffic_seen)" "got $seen_r"
slots_are "$empty"
check $? "stale: the slots are empty afterwards" "$got"

# --- 6, 7. bad input ------------------------------------------------------

bpftool map create "$hooks/notahook" type hash key 4 value 4 entries 4 name notahook &&
	bpftool map create "$hooks/short" type prog_array key 4 value 4 entries 2 name short
check $? "a hash map and a program array of 2 slots pinned next to the hook"

# refused WHAT PATTERN CMD...: CMD exits 2, says PATTERN (an extended
# regular expression) on stderr, writes no file $tmp/bad.pcapng, and
# leaves the hook as it was
refused() {
	_what=$1 _pattern=$2
	shift 2
	rm -f "$tmp/bad.pcapng"
	run "$@"
	_state=$(hook_state)
	[ "$rc" -eq 2 ] && grep -qE -e "$_pattern" "$tmp/err" &&
		[ ! -e "$tmp/bad.pcapng" ] && [ "$_state" = "$untouched" ]
	check $? "$_what: exit 2, '$(head -n 1 "$tmp/err")', hook untouched" \
		"exit $rc, file $([ -e "$tmp/bad.pcapng" ] && echo made || echo not made), $_state" \
		"$tmp/err"
}

# bad ARG...: xdpcap --hook-dir HOOKS ARG... in A, refused
bad() {
	_what=$1 _pattern=$2
	shift 2
	refused "$_what" "$_pattern" nsenter "$NS_A" -- "$xdpcap" --hook-dir "$hooks" "$@"
}

out=$tmp/bad.pcapng
bad "no such hook" "no hook 'xdp:nosuch'.*; hooks found: xdp:demo\$" xdp:nosuch "$out"
bad "a hash map" "'xdp:notahook' is a hash map, not an xdpcap hook \\(need a program array" \
	xdp:notahook "$out"
bad "a program array of 2 slots" "'xdp:short' is a program array with 2 slots, not an xdpcap hook" \
	xdp:short "$out"
bad "a bad filter" "bad filter: .*syntax error" xdp:demo "$out" tcp port
bad "a bad action" "unknown XDP action 'nosuch': use aborted, drop" \
	--actions nosuch xdp:demo "$out"
bad "-c 0" "-c takes a number from 1 to [0-9]+, not '0'" -c 0 xdp:demo "$out"
bad "-s x" "-s takes a number from 0 to [0-9]+, not 'x'" -s x xdp:demo "$out"
refused "bpffs not mounted" "bpffs is not mounted at /sys/fs/bpf: mount -t bpf bpf /sys/fs/bpf" \
	unshare -m --propagation private sh -c \
	'mount -t tmpfs tmpfs /sys/fs/bpf && exec nsenter "$0" -- "$@"' \
	"$NS_A" "$xdpcap" --hook-dir "$hooks" xdp:demo "$out"
# a user (65534, given CAP_DAC_OVERRIDE only so that it can reach the
# build tree wherever it is), and root without capabilities: both refused
refused "not permitted (user 65534)" "not permitted: run as root" \
	nsenter "$NS_A" -- setpriv --reuid=65534 --regid=65534 --clear-groups \
	--inh-caps=-all,+dac_override --ambient-caps=+dac_override \
	"$xdpcap" --hook-dir "$hooks" xdp:demo "$out"
refused "root without capabilities" "runs as root but without CAP_BPF" \
	nsenter "$NS_A" -- setpriv --inh-caps=-all --bounding-set=-all \
	"$xdpcap" --hook-dir "$hooks" xdp:demo "$out"
bad "an output file in a missing directory" \
	"cannot write $tmp/missing/out.pcapng: No such file or directory" \
	xdp:demo "$tmp/missing/out.pcapng"

# --- 8. -c ----------------------------------------------------------------

start count -c 3 xdp:demo "$tmp/count.pcapng" udp port 1000
wait_until 5000 slots_are "$(held_by "$pid")"
check $? "-c 3: the capture (pid $pid) fills the five slots" "$got" "$tmp/count.err"
udp 1000 5
wait_until 5000 gone "$pid"
reap "$pid"
[ "$rc" -eq 0 ]
check $? "-c 3: it exits by itself with status 0" "exit $rc" "$tmp/count.err"
packets=$(capinfos -M -c "$tmp/count.pcapng" 2>/dev/null |
	sed -n 's/^Number of packets: *//p')
seen_c=$(seen "$tmp/count.pcapng")
[ "$packets" = 3 ] && [ "$seen_c" = "tx=0 drop=0 pass=3 wrong=0 uncommented=0" ]
check $? "-c 3: the file has exactly 3 packets, to port 1000, XDP_PASS" \
	"${packets:-no} packets, $seen_c"
slots_are "$empty"
check $? "-c 3: the slots are empty afterwards" "$got"

# --- 9. stdin and stdout closed ------------------------------------------

# The kernel hands out the lowest free fds: with 0 and 1 closed, the
# guard's pipe must not land there and be taken for stdin.
nsenter "$NS_A" -- "$xdpcap" --hook-dir "$hooks" xdp:demo "$tmp/closed.pcapng" icmp \
	<&- >&- 2>"$tmp/closed.err" &
pid=$!
pids="$pids $pid"
wait_until 5000 slots_are "$(held_by "$pid")"
check $? "stdin and stdout closed: the capture (pid $pid) fills the five slots" "$got" \
	"$tmp/closed.err"
traffic
pause 0.3
slots_are "$(held_by "$pid")"
check $? "stdin and stdout closed: it still holds them after traffic" "$got"
stop_by INT "$pid"
seen_closed=$(seen "$tmp/closed.pcapng")
[ "$rc" -eq 0 ] && [ "$seen_closed" = "tx=3 drop=0 pass=0 wrong=0 uncommented=0" ]
check $? "stdin and stdout closed: it captured the echo replies (exit $rc, $seen_closed)" \
	"exit $rc, $seen_closed" "$tmp/closed.err"
run sh -c 'exec "$@" >&-' sh nsenter "$NS_A" -- "$xdpcap" --hook-dir "$hooks" xdp:demo -
[ "$rc" -eq 2 ] && grep -q "standard output is closed" "$tmp/err"
check $? "stdout closed, OUTPUT -: exit 2, '$(head -n 1 "$tmp/err")'" "exit $rc" "$tmp/err"

# --- 10. the whole process group killed ------------------------------------

# A group of its own, killed at once with SIGKILL: the guard has a session
# of its own and empties the slots.
setsid sh -c 'echo $$ >"$0"; exec "$@"' "$tmp/group.pid" \
	nsenter "$NS_A" -- "$xdpcap" --hook-dir "$hooks" xdp:demo "$tmp/group.pcapng" \
	>/dev/null 2>"$tmp/group.err" &
group_job=$!
wait_until 2000 test -s "$tmp/group.pid"
pgid=$(cat "$tmp/group.pid")
pids="$pids $pgid"
wait_until 5000 slots_are "$(held_by "$pgid")"
check $? "group killed: the capture (pid $pgid, its group's leader) fills the slots" "$got" \
	"$tmp/group.err"
guard=$(pgrep -P "$pgid")
kill -s KILL -- "-$pgid"
t0=$(now_ms)
wait_until 1000 slots_are "$empty"
check $? "group killed: kill -s KILL -- -$pgid, the guard empties the slots ($(($(now_ms) - t0)) ms)" \
	"$got after $(($(now_ms) - t0)) ms"
wait "$group_job" 2>/dev/null
forget "$pgid"
wait_until 2000 gone "$guard"
check $? "group killed: the guard ($guard) ends too"

# timeout(1) kills its own process group with the signal it sends
timeout -s KILL "$(scaled 4)" nsenter "$NS_A" -- "$xdpcap" --hook-dir "$hooks" xdp:demo \
	"$tmp/timeout.pcapng" >/dev/null 2>"$tmp/timeout.err" &
timeout_job=$!
holder=
wait_until 5000 slots_held
check $? "timeout -s KILL: the capture fills the slots" "$got" "$tmp/timeout.err"
wait "$timeout_job"
t0=$(now_ms)
wait_until 1000 slots_are "$empty"
check $? "timeout -s KILL: once it fired, the slots are empty ($(($(now_ms) - t0)) ms)" \
	"$got after $(($(now_ms) - t0)) ms"

# --- 11. a capture in another pid namespace --------------------------------

start_alone pidns_a xdp:demo "$tmp/pidns_a.pcapng"
pid_a=$pid
wait_until 5000 slots_are "$(held_by "$pid_a")"
check $? "pid namespace: capture A (pid $pid_a) fills the slots" "$got" "$tmp/pidns_a.err"
run nsenter "$NS_A" -- unshare -p -f --mount-proc "$xdpcap" --hook-dir "$hooks" \
	xdp:demo "$tmp/pidns_b.pcapng"
[ "$rc" -eq 2 ] && grep -q "is in use by xdpcap process $pid_a" "$tmp/err" &&
	! grep -q reclaiming "$tmp/err"
check $? "pid namespace: B, where A's pid means nothing, is refused: $(head -n 1 "$tmp/err")" \
	"exit $rc" "$tmp/err"
slots_are "$(held_by "$pid_a")"
check $? "pid namespace: A keeps its slots" "$got"
stop_by INT "$pid_a"
slots_are "$empty"
check $? "pid namespace: the slots are empty after A stops" "$got"

# --- 12. captures started at the same moment --------------------------------

# Each checks the slots, then fills them: without a lock two could both
# find them free, and one would capture nothing, silently. (Captures that
# keep their slots to themselves; those that share: capture_shared.sh.)
starts=${XDPCAP_RACE_STARTS:-100}
i=0
race=
while [ "$i" -lt "$starts" ]; do
	i=$((i + 1))
	nsenter "$NS_A" -- capsh --drop=cap_sys_admin -- -c 'exec "$0" "$@"' \
		"$xdpcap" -q -B 64 --hook-dir "$hooks" xdp:demo \
		"$tmp/race$i.pcapng" 2>"$tmp/race$i.err" &
	race="$race $!"
done
pids="$pids $race"
running() {
	_n=0
	for _p in $race; do
		alive "$_p" && _n=$((_n + 1))
	done
	[ "$_n" -le 1 ]
}
wait_until "$(scaled 60000)" running
winners=
refused_n=0
for p in $race; do
	if alive "$p"; then
		winners="$winners $p"
	else
		wait "$p"
		[ $? -eq 2 ] && refused_n=$((refused_n + 1))
		forget "$p"
	fi
done
winner=$(echo $winners)
slots_are "$(held_by "$winner")"
check $? "$starts captures at once: one runs ($winner) and holds the slots" \
	"running: '$winners', slots $got"
[ "$refused_n" -eq $((starts - 1)) ] &&
	[ "$(cat "$tmp"/race*.err | grep -c "of xdp:demo holds program [0-9]*; whose it is cannot be read")" -eq $((starts - 1)) ]
check $? "$starts captures at once: the $((starts - 1)) others exit 2, each saying the slot is held" \
	"$refused_n exited 2; $(cat "$tmp"/race*.err | grep -v "whose it is" | sort | uniq -c | head -5)"
traffic
[ -n "$winner" ] && stop_by INT "$winner"
# refused captures make no file
race_files=$(ls "$tmp"/race*.pcapng 2>/dev/null)
seen_w=$(seen "$race_files")
[ "$(echo "$race_files" | wc -w)" -eq 1 ] && [ "$seen_w" = "$traffic_seen" ]
check $? "$starts captures at once: one file was written, with the traffic" \
	"files: $(echo $race_files), $seen_w"
slots_are "$empty"
check $? "$starts captures at once: the slots are empty afterwards" "$got"

# --- 13. a filter longer than a pcapng option, inbound ----------------------

# A pcapng option holds 65,535 bytes: the file keeps the filter's start
# and says so. inbound cannot be told at XDP: the capture warns.
long_filter="udp port 1000 or inbound$(printf '%70000s' '')"
start longfilter xdp:demo "$tmp/longfilter.pcapng" "$long_filter"
wait_until 5000 slots_are "$(held_by "$pid")"
check $? "a 70,000-byte filter: the capture (pid $pid) fills the slots" "$got" \
	"$tmp/longfilter.err"
traffic
stop_by INT "$pid"
[ "$rc" -eq 0 ]
check $? "a 70,000-byte filter: it exits with status 0" "exit $rc" "$tmp/longfilter.err"
file_checks "a 70,000-byte filter" "$tmp/longfilter.pcapng" \
	"tx=0 drop=0 pass=2 wrong=0 uncommented=0"
grep -q -a "if_filter holds the first 65534 of the capture filter's 70024 bytes" \
	"$tmp/longfilter.pcapng"
check $? "a 70,000-byte filter: the file keeps its first 65,534 bytes, and a comment says so"
grep -q "the filter tests what XDP cannot know yet (inbound" "$tmp/longfilter.err"
check $? "inbound: the capture warns that XDP cannot tell: $(grep -m 1 inbound "$tmp/longfilter.err")" \
	"" "$tmp/longfilter.err"

# --- 14. the hook goes away mid-capture ------------------------------------

# The capture goes on while the map lives, and says once what happened.
start hookgone xdp:demo "$tmp/hookgone.pcapng"
wait_until 5000 slots_are "$(held_by "$pid")"
check $? "hook gone: the capture (pid $pid) fills the slots" "$got" "$tmp/hookgone.err"
mv "$hook" "$hooks/moved"
said_unpinned() {
	grep -q "hook xdp:demo was unpinned: capturing on" "$tmp/hookgone.err"
}
wait_until 3000 said_unpinned
check $? "hook gone: unpinned, it says so: $(grep -m 1 unpinned "$tmp/hookgone.err")" \
	"" "$tmp/hookgone.err"
xdp_detach "$VETH_A"
said_unused() {
	grep -q "no XDP program uses hook xdp:demo any more" "$tmp/hookgone.err"
}
wait_until 3000 said_unused
check $? "hook gone: its XDP program detached, it says so: $(grep -m 1 "any more" "$tmp/hookgone.err")" \
	"" "$tmp/hookgone.err"
pause 1.5
[ "$(grep -c -e unpinned -e "any more" "$tmp/hookgone.err")" -eq 2 ]
check $? "hook gone: each is said once" "" "$tmp/hookgone.err"
stop_by INT "$pid"
[ "$rc" -eq 0 ]
check $? "hook gone: it stops on SIGINT with status 0" "exit $rc" "$tmp/hookgone.err"
capinfos_ok "$tmp/hookgone.pcapng"
check $? "hook gone: its file is complete" "$(tail -n 3 "$tmp/capinfos.out")"

# --- cleaning up ----------------------------------------------------------

[ -z "$(echo "$pids" | tr -d " ")" ]
check $? "every capture started here has exited" "left: $pids"

tap_done
