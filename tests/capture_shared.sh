#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
#
# Several captures on the same hook and actions, each with its own filter
# and file (a chain of capture programs in each slot), with real traffic:
# the demo XDP program on a veth pair between namespaces of our own. Each
# capture gets exactly what its filter matches, whoever joins or leaves,
# in whatever order; a killed capture's guard takes it out of the chain;
# one whose guard died too is taken out by the next to join; captures that
# cannot share are refused with the reason; a slot takes 8 captures; 12
# started at once make a chain of exactly 8 that all capture.
set -u

top=${TOP_SRCDIR:-$(cd "$(dirname "$0")/.." && pwd)}
. "$top/tests/lib/live.sh"
live_test shared "$0" "$@"

netns_setup xsha || bail "cannot create namespaces"
B=$NETNS_B
xdp_attach "$VETH_A" "$demo" native || bail "cannot attach the demo"
xdp_attach "$VETH_B" "$demo" native || bail "cannot attach the peer's XDP"
netns_static_neighbours || bail "cannot set neighbours"
hook_pin "$VETH_A" "$hooks/demo" || bail "cannot pin the hook"

# begin NAME ARGS...: a capture of xdp:demo in the background, into
# $tmp/NAME.pcapng, stderr in $tmp/NAME.err; its pid in $pid once its
# programs are in the slots
begin() {
	_name=$1
	shift
	cap_err=$tmp/$_name.err
	start_capture - xdp:demo "$tmp/$_name.pcapng" "$@"
	_rc=$?
	pid=$cap_pid cap_err=
	return $_rc
}

# end PID: SIGINT, and its exit status in $rc
end() {
	kill -INT "$1"
	wait "$1"
	rc=$?
}

# send N PORT: N datagrams from B to A's port PORT
send() {
	netns_exec "$B" bash -c "for i in \$(seq $1); do echo x > /dev/udp/192.0.2.1/$2; done" \
		2>/dev/null
}

# count NAME: the packets in $tmp/NAME.pcapng
count() {
	packets "$tmp/$1.pcapng"
}

# summary NAME WHAT: the number before "packets WHAT" in its summary
summary() {
	sed -n "s/^\([0-9]*\) packets $2.*/\1/p" "$tmp/$1.err" | head -n 1
}

# pass: who holds the PASS slot, as xdpcap list says
pass() {
	"$xdpcap" list --hook-dir "$hooks" xdp:demo 2>&1 | sed -n 's/.*PASS \([^,]*\),.*/\1/p'
}

# prog_arrays PID: the ids of the program arrays PID holds open
prog_arrays() {
	awk '/^map_type:/ { t = $2 } /^map_id:/ && t == 3 { print $2; t = "" }' \
		/proc/"$1"/fdinfo/* 2>/dev/null | sort -u
}

# holds_next_of A B: capture A holds open every program array capture B
# does: the hook's map and B's next map
holds_next_of() {
	[ -z "$(prog_arrays "$2" | grep -vxF "$(prog_arrays "$1")")" ]
}

# the guard of capture PID (a process of its own session)
guard_of() {
	ps -o pid= --ppid "$1" | tr -d ' ' | head -n 1
}

# --- three captures, three filters -------------------------------------------
begin a "udp port 1000"
check $? "capture a (udp port 1000) starts" "" "$tmp/a.err"
pa=$pid
begin b "udp port 2000"
check $? "capture b (udp port 2000) joins it" "" "$tmp/b.err"
pb=$pid
begin c udp
check $? "capture c (udp) joins them" "" "$tmp/c.err"
pc=$pid
got=$(pass)
[ "$got" = "pid $pc + pid $pb + pid $pa" ]
check $? "xdpcap list shows the three on each slot, the newest first" "$got"

send 300 1000
send 200 2000

# --- the middle one leaves first ----------------------------------------------
end "$pb"
[ "$rc" = 0 ] && [ "$(count b)" = 200 ] && [ "$(summary b written)" = 200 ] &&
	[ "$(summary b matched)" = 200 ] && [ "$(summary b lost)" = 0 ]
check $? "b ends with its 200 datagrams to port 2000, counted as 200 matched and written" \
	"status $rc, file $(count b), written $(summary b written), matched $(summary b matched)" "$tmp/b.err"
got=$(pass)
[ "$got" = "pid $pc + pid $pa" ]
check $? "b is out of the chain, the others run on" "$got"

send 100 1000

# --- the newest is killed: its guard takes it out ------------------------------
kill -KILL "$pc"
wait "$pc" 2>/dev/null
wait_until 5000 sh -c "[ \"\$('$xdpcap' list --hook-dir '$hooks' xdp:demo 2>&1 | sed -n 's/.*PASS \([^,]*\),.*/\1/p')\" = 'pid $pa' ]"
check $? "c killed with SIGKILL: its guard takes it out, a holds the slots alone" "$(pass)"
send 50 1000

# --- a capture whose guard dies with it ------------------------------------------
# The kernel empties a program array no process holds: d's next map,
# which leads to a, would go with d and its guard and cut a off. a holds
# it open (once it has looked at the chain, within a second), so the
# chain stays whole; a takes d out at its next look, and misses nothing.
begin d "udp port 1000"
check $? "capture d joins a" "" "$tmp/d.err"
pd=$pid
wait_until 5000 holds_next_of "$pa" "$pd"
check $? "a holds d's next map, which leads to a" \
	"a: $(prog_arrays "$pa" | tr '\n' ' '), d: $(prog_arrays "$pd" | tr '\n' ' ')"
gd=$(guard_of "$pd")
[ -n "$gd" ] && kill -KILL "$gd" && kill -KILL "$pd"
wait "$pd" 2>/dev/null
send 40 1000
a_alone() {
	[ "$(pass)" = "pid $pa" ]
}
wait_until 5000 a_alone
check $? "d and its guard killed: 40 datagrams sent at once, and within a second a holds the slots alone again" "$(pass)"
! grep -q "cut out of slot" "$tmp/a.err"
check $? "a was never cut out, and says nothing" "" "$tmp/a.err"

# --- two in a row whose guards die with them --------------------------------------
# f holds g's next map, and goes with it: a is cut off, finds that out
# within a second and joins again, taking f and g out, and says so once.
begin f "udp port 1000"
check $? "capture f joins a" "" "$tmp/f.err"
pf=$pid
begin g "udp port 1000"
check $? "capture g joins f and a" "" "$tmp/g.err"
pg=$pid
gf=$(guard_of "$pf")
gg=$(guard_of "$pg")
[ -n "$gf" ] && [ -n "$gg" ] && kill -KILL "$gf" "$gg" "$pf" "$pg"
wait "$pf" "$pg" 2>/dev/null
wait_until 5000 a_alone
check $? "f, g and their guards killed: within a second a holds the slots alone again" "$(pass)"
wait_until 2000 grep -q "cut out of slots" "$tmp/a.err"
n=$(grep -c "cut out of slots XDP_ABORTED, XDP_DROP, XDP_PASS, XDP_TX and XDP_REDIRECT of xdp:demo (a capture sharing them died with its guard) and joined again" "$tmp/a.err")
[ "$n" = 1 ]
check $? "a says so, once for all five slots" "$n notices" "$tmp/a.err"
begin e "udp port 1000"
check $? "capture e joins a" "" "$tmp/e.err"
pe=$pid
got=$(pass)
[ "$got" = "pid $pe + pid $pa" ]
check $? "xdpcap list shows e, then a" "$got"
send 60 1000
end "$pe"
[ "$rc" = 0 ] && [ "$(count e)" = 60 ]
check $? "e gets the 60 datagrams sent while it ran" "status $rc, $(count e)" "$tmp/e.err"

# --- who cannot share ----------------------------------------------------------
"$xdpcap" --hook-dir "$hooks" --entry xdp:demo "$tmp/entry.pcapng" >/dev/null 2>"$tmp/err" &
p=$!
wait_until 10000 sh -c "! kill -0 $p 2>/dev/null"
wait "$p"
rc=$?
[ "$rc" = 2 ] && grep -q "in use by xdpcap process $pa, and cannot be shared (a capture at entry keeps its slots to itself); --force takes it over" "$tmp/err"
check $? "an entry capture is refused, with the reason" "status $rc" "$tmp/err"
capsh --drop=cap_sys_admin -- -c 'exec "$0" "$@"' "$xdpcap" --hook-dir "$hooks" xdp:demo \
	"$tmp/nosys.pcapng" >/dev/null 2>"$tmp/err"
rc=$?
[ "$rc" = 2 ] && grep -q "whose it is cannot be read without CAP_SYS_ADMIN" "$tmp/err" &&
	[ ! -e "$tmp/nosys.pcapng" ]
check $? "a capture without CAP_SYS_ADMIN, which cannot join, is refused, with the reason, and writes no file" \
	"status $rc" "$tmp/err"

# --- a's whole count: every datagram to port 1000 while it ran -----------------
end "$pa"
[ "$rc" = 0 ] && [ "$(count a)" = 550 ] && [ "$(summary a written)" = 550 ] &&
	[ "$(summary a matched)" = 550 ]
check $? "a, there all along, has the 550 datagrams to port 1000 sent while it was in the chain" \
	"status $rc, file $(count a), written $(summary a written), matched $(summary a matched)" "$tmp/a.err"
got=$(pass)
[ "$got" = empty ]
check $? "the slots are empty" "$got"

# --- one that keeps its slots to itself -------------------------------------------
capsh --drop=cap_sys_admin -- -c 'exec "$0" "$@"' "$xdpcap" --hook-dir "$hooks" xdp:demo \
	"$tmp/alone.pcapng" 2>"$tmp/alone.err" &
palone=$!
wait_until 10000 grep -qs "capturing from" "$tmp/alone.err"
"$xdpcap" --hook-dir "$hooks" xdp:demo "$tmp/f.pcapng" >/dev/null 2>"$tmp/err"
rc=$?
[ "$rc" = 2 ] && grep -q "in use by xdpcap process $palone, and cannot be shared (that capture keeps the slot to itself" "$tmp/err"
check $? "a capture without CAP_SYS_ADMIN keeps its slots: another is refused, with the reason" \
	"status $rc" "$tmp/err"
end "$palone"

# --- 12 at once: a chain of 8 ------------------------------------------------
racers=
for i in $(seq 12); do
	"$xdpcap" -q -B 64 --hook-dir "$hooks" xdp:demo "$tmp/r$i.pcapng" "udp port 3000" \
		2>"$tmp/r$i.err" &
	racers="$racers $!"
done
settled() {
	_n=0
	for _p in $racers; do
		kill -0 "$_p" 2>/dev/null && _n=$((_n + 1))
	done
	[ "$_n" -le 8 ]
}
chain_of_8() {
	[ "$(pass | tr '+' '\n' | grep -c "^ *pid [0-9]* *$")" = 8 ]
}
wait_until "$(scaled 60000)" settled
wait_until "$(scaled 60000)" chain_of_8
running= refused=0
for p in $racers; do
	if kill -0 "$p" 2>/dev/null; then
		running="$running $p"
	else
		wait "$p"
		[ $? = 2 ] && refused=$((refused + 1))
	fi
done
n_running=$(echo $running | wc -w)
full=$(cat "$tmp"/r*.err | grep -c "cannot be shared (it is shared by as many captures as a slot takes)")
[ "$n_running" = 8 ] && [ "$refused" = 4 ] && [ "$full" = 4 ]
check $? "12 captures started at once: 8 share the slots, 4 are refused as one too many" \
	"running $n_running, refused $refused, saying why $full"
chain_of_8
check $? "the chain holds the 8, all running" "$(pass)"
send 30 3000
rcs=
for p in $running; do
	kill -INT "$p"
done
for p in $running; do
	wait "$p"
	rcs="$rcs$?"
done
bad=0
for i in $(seq 12); do
	[ -e "$tmp/r$i.pcapng" ] || continue
	[ "$(count "r$i")" = 30 ] || bad=$((bad + 1))
done
[ "$rcs" = 00000000 ] && [ "$bad" = 0 ]
check $? "stopped all at once, each of the 8 ends with status 0 and its 30 datagrams" \
	"statuses $rcs, files without 30: $bad"
got=$(pass)
[ "$got" = empty ]
check $? "the slots are empty afterwards" "$got"

# --- a full chain of 8, then --force -------------------------------------------
# numbered NAME: "frames distinct" of the datagrams in NAME's file
numbered() {
	fields "$tmp/$1.pcapng" data.data | awk '{ n++; d[$0] = 1 } END { print n + 0, length(d) }'
}
# sendn FROM TO PORT: datagrams numbered FROM to TO
sendn() {
	netns_exec "$B" bash -c "for i in \$(seq $1 $2); do echo n\$i > /dev/udp/192.0.2.1/$3; done" \
		2>/dev/null
}
sharers=
for i in $(seq 8); do
	begin "s$i" "udp port 4000"
	check $? "sharer s$i starts" "" "$tmp/s$i.err"
	sharers="$sharers $pid"
done
sendn 1 50 4000
cap_err=$tmp/forced.err
start_capture - --force xdp:demo "$tmp/forced.pcapng" "udp port 4000"
check $? "a capture with --force starts on the full chain" "" "$tmp/forced.err"
pf=$cap_pid cap_err=
got=$(pass)
[ "$got" = "pid $pf" ]
check $? "it holds the slots alone" "$got"
told() {
	for _i in $(seq 8); do
		grep -q "slots XDP_ABORTED, XDP_DROP, XDP_PASS, XDP_TX and XDP_REDIRECT of xdp:demo taken over by xdpcap process $pf: nothing more is captured from them" \
			"$tmp/s$_i.err" || return 1
	done
}
wait_until 5000 told
check $? "each of the 8 is told, in one line, that it was taken over, and by whom" "" "$tmp/s1.err"
sendn 51 150 4000
sleep 1
got=$(pass)
[ "$got" = "pid $pf" ]
check $? "none of the 8 comes back" "$got"
rcs=
for p in $sharers $pf; do
	kill -INT "$p"
done
for p in $sharers $pf; do
	wait "$p"
	rcs="$rcs$?"
done
bad=
for i in $(seq 8); do
	[ "$(numbered "s$i")" = "50 50" ] || bad="$bad s$i:$(numbered "s$i")"
	[ "$(grep -c "taken over" "$tmp/s$i.err")" = 1 ] || bad="$bad s$i:told"
done
[ "$rcs" = 000000000 ] && [ -z "$bad" ] && [ "$(numbered forced)" = "100 100" ]
check $? "all end with status 0: each sharer has the 50 datagrams sent before, once each; the forced capture the 100 after, once each" \
	"statuses $rcs;$bad; forced $(numbered forced)"
slots_empty xdp:demo
check $? "every slot is empty afterwards" "$("$xdpcap" list --hook-dir "$hooks" xdp:demo 2>&1)"

# --- captures that are pid 1 of pid namespaces of their own (containers) ------
# Whether a capture runs is told by the kernel (its alive map), not by a
# pid, which another pid namespace reads as another process.
# ns_capture NAME: xdpcap as the init of a new pid namespace; the host's
# pid of that xdpcap in $pid
ns_capture() {
	unshare -p -f --mount-proc "$xdpcap" --hook-dir "$hooks" xdp:demo "$tmp/$1.pcapng" \
		"udp port 4000" 2>"$tmp/$1.err" &
	wait_until 10000 grep -qs "capturing from" "$tmp/$1.err" || return 1
	pid=$(pgrep -P $! -x xdpcap)
	[ -n "$pid" ]
}
ns_capture c0
check $? "a capture as pid 1 of a pid namespace of its own starts" "" "$tmp/c0.err"
# its guard first, as the namespace's end may take it before it acts
g=$(guard_of "$pid")
[ -n "$g" ] && kill -KILL "$g" && kill -KILL "$pid"
wait_until 5000 sh -c "! kill -0 $pid 2>/dev/null"
json=$("$xdpcap" list --json --hook-dir "$hooks" xdp:demo 2>&1)
[ "$(echo "$json" | grep -o '"owner_alive":false' | wc -l)" = 5 ] &&
	! echo "$json" | grep -q '"owner_alive":true'
check $? "killed with its guard: its five slots are listed as gone, not alive as the host's pid 1 is" "$json"
begin c3 "udp port 4000"
check $? "a capture starts on the slots it left" "" "$tmp/c3.err"
[ "$(grep -c "^xdpcap: reclaiming slot .* of xdp:demo, left by xdpcap process [0-9]*, which is gone" "$tmp/c3.err")" = 5 ]
check $? "it takes the dead one's programs out, and says so" "" "$tmp/c3.err"
end "$pid"
slots_empty xdp:demo
check $? "no slot holds a program afterwards" "$("$xdpcap" list --hook-dir "$hooks" xdp:demo 2>&1)"

ns_capture c1
check $? "a capture in a pid namespace of its own starts" "" "$tmp/c1.err"
pc1=$pid
ns_capture c2
check $? "a second one, in another, joins it" "" "$tmp/c2.err"
pc2=$pid
got=$(pass)
[ "$got" = "pid $pc2 + pid $pc1" ]
check $? "xdpcap list shows both by the pids this namespace knows them by" "$got"
got=$(unshare -p -f --mount-proc "$xdpcap" list --hook-dir "$hooks" xdp:demo 2>&1 |
	sed -n 's/.*PASS \([^,]*\),.*/\1/p')
[ "$got" = "pid 1 (of another pid namespace) + pid 1 (of another pid namespace)" ]
check $? "from a pid namespace beside theirs, each is pid 1 of another pid namespace" "$got"
sendn 1 20 4000
wait_until 5000 holds_next_of "$pc1" "$pc2"
check $? "the first holds the second's next map" ""
# the namespace ends with its init: the guard goes too
kill -KILL "$pc2"
wait_until 5000 sh -c "! kill -0 $pc2 2>/dev/null"
sendn 21 40 4000
wait_until 5000 sh -c "[ \"\$('$xdpcap' list --hook-dir '$hooks' xdp:demo 2>&1 | sed -n 's/.*PASS \([^,]*\),.*/\1/p')\" = 'pid $pc1' ]"
check $? "the second killed: the first takes it out within a second" "$(pass)"
kill -INT "$pc1"
wait_until 10000 sh -c "! kill -0 $pc1 2>/dev/null"
[ "$(numbered c1)" = "40 40" ] && ! grep -q "cut out" "$tmp/c1.err"
check $? "the first has every datagram sent while it ran, once each, the 20 sent at once after the kill too" \
	"c1 $(numbered c1)" "$tmp/c1.err"
slots_empty xdp:demo
check $? "every slot is empty afterwards" "$("$xdpcap" list --hook-dir "$hooks" xdp:demo 2>&1)"

# --- tcpdump through the libpcap module shares too -------------------------------
begin g "udp port 1000"
check $? "capture g (udp port 1000) starts" "" "$tmp/g.err"
pg=$pid
env LD_PRELOAD="$build/pcap-module/.libs/libpcap-xdp.so" LD_LIBRARY_PATH="$build/lib/.libs" \
	XDPCAP_HOOK_DIR="$hooks" tcpdump -Z root -c 50 -i xdp:demo -w "$tmp/td.pcap" \
	"udp port 2000" 2>"$tmp/td.err" &
ptd=$!
joined() {
	[ "$(pass)" = "pid $ptd + pid $pg" ]
}
wait_until 10000 joined
check $? "tcpdump -i xdp:demo joins it" "$(pass), tcpdump $ptd, g $pg" "$tmp/td.err"
send 30 1000
send 50 2000
wait_until 10000 sh -c "! kill -0 $ptd 2>/dev/null"
wait "$ptd"
rc=$?
end "$pg"
got="$(packets "$tmp/td.pcap") $(count g)"
[ "$rc" = 0 ] && [ "$got" = "50 30" ]
check $? "tcpdump gets its 50 datagrams to port 2000, g its 30 to port 1000" \
	"tcpdump status $rc, tcpdump/g $got" "$tmp/td.err"

tap_done
