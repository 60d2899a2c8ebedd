#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
#
# The Wireshark extcap, xdpcap-extcap: first run directly with every set of
# arguments Wireshark uses (list interfaces, their link type, their
# options, check a capture filter, capture into a fifo) and some it does
# not; then through Debian's tshark, which finds it, captures from it with
# capture filters and extcap options and stops it with -a duration. tshark
# names the options of xdp:demo extcap.xdp_demo.actions, .snaplen and
# .hookdir: the interface with its ':' written '_', the option without its
# dashes.
#
# The demo XDP program runs natively on both ends of a veth pair between
# two network namespaces of the test's own; traffic goes from B to A:
#   ping 192.0.2.1               echo replies sent back, XDP_TX
#   UDP to 192.0.2.1 port 9      XDP_DROP
#   UDP to 192.0.2.1 port 1000   XDP_PASS
# Hooks, on a bpffs of the test's own (private mount namespace):
#   /sys/fs/bpf/xdpcap/demo         A's hook, in the default directory
#   /sys/fs/bpf/xdpcap-extcap/demo  B's hook, in a directory of its own
#   /sys/fs/bpf/xdpcap-extcap/other A's hook again
#
# tshark looks for extcaps only in the system's extcap folder when it runs
# as root (WIRESHARK_EXTCAP_DIR is ignored with special privileges, and
# Wireshark 4.0 has no personal extcap folder), so the test bind-mounts a
# directory of its own over that folder, in its private mount namespace
# only: links to the system's extcaps, and xdpcap-extcap. The system's
# folder is never written to.
#
# Runs as root and leaves nothing behind. Output is TAP.
#
# Environment:
#   TOP_SRCDIR    source tree (default: the parent of this directory)
#   TOP_BUILDDIR  build tree, with xdpcap, xdpcap-extcap and
#                 bpf/examples/xdpcap_demo.bpf.o
set -u

top=${TOP_SRCDIR:-$(cd "$(dirname "$0")/.." && pwd)}
build=${TOP_BUILDDIR:-$top}
xdpcap=$build/xdpcap
extcap=$build/xdpcap-extcap
demo=$build/bpf/examples/xdpcap_demo.bpf.o

. "$top/tests/lib/tap.sh"
require_root
. "$top/tests/lib/proc.sh"
. "$top/tests/lib/netns.sh"

for tool in ip bpftool nsenter unshare mount umount mountpoint bash tshark \
	tcpdump mkfifo; do
	command -v "$tool" >/dev/null 2>&1 || bail "needs $tool"
done
[ -f "$demo" ] || bail "no $demo (built with clang -target bpf)"
[ -x "$xdpcap" ] || bail "no $xdpcap"
[ -x "$extcap" ] || bail "no $extcap"
netns_private_mounts "$0" "$@" || bail "cannot make a mount namespace (unshare -m)"
bpffs_mount || bail "cannot mount bpffs at /sys/fs/bpf"

tmp=$(mktemp -d /tmp/xdpcap-extcap.XXXXXX) || exit 1
# never through a mount of the system's extcap folder (see part 2)
cleanup_add "mountpoint -q '$tmp/system-extcap' || rm -rf '$tmp'"

# Processes started here in the background, killed at cleanup if they
# still run.
cleanup_add kill_background

# --- namespaces, the demo on both ends, hooks pinned --------------------

netns_setup xext || bail "cannot make network namespaces and a veth pair"
A=$NETNS_A B=$NETNS_B
NS_A=--net=$NETNS_RUN_DIR/$NETNS_A
NS_B=--net=$NETNS_RUN_DIR/$NETNS_B
xdp_attach "$VETH_A" "$demo" native || bail "cannot attach $demo to $VETH_A"
# a veth delivers XDP_TX frames only to a peer that runs XDP itself
xdp_attach "$VETH_B" "$demo" native || bail "cannot attach $demo to $VETH_B"
defdir=/sys/fs/bpf/xdpcap
hooks=/sys/fs/bpf/xdpcap-extcap
# (ip may complain on stderr about namespaces in /run/netns that are not
# ours: those of tests running in other mount namespaces)
{
	hook_pin "$VETH_A" "$defdir/demo" &&
		hook_pin "$VETH_A" "$hooks/other" &&
		hook_pin "$VETH_B" "$hooks/demo"
} 2>"$tmp/pin.err" || {
	cat "$tmp/pin.err" >&2
	bail "cannot pin the hooks"
}
cleanup_add "rmdir '$hooks' '$defdir' 2>/dev/null; true"

netns_static_neighbours || bail "cannot set up the neighbours of $VETH_A and $VETH_B"

# udp NS ADDR PORT COUNT [SIZE]: COUNT datagrams of SIZE bytes (default
# 6) from namespace NS to ADDR:PORT
udp() {
	netns_exec "$1" bash -c '
		data=$(head -c "$5" /dev/zero | tr "\0" x)
		i=0
		while [ $i -lt $4 ]; do
			printf %s "$data" >/dev/udp/$2/$3
			i=$((i + 1))
		done' udp "$@" "${5:-6}"
}

# traffic: 4 datagrams to port 9 (XDP_DROP), 3 to port 1000 (XDP_PASS)
# and 2 echo requests (XDP_TX), from B to A
traffic() {
	udp "$B" 192.0.2.1 9 4
	udp "$B" 192.0.2.1 1000 3
	netns_exec "$B" ping -q -n -c 2 -i 0.05 -W 0.5 192.0.2.1 >/dev/null 2>&1
	pause 0.1
}

# fields FILE FIELD...: tshark's fields, tab-separated, one packet a line
fields() {
	_f=$1
	shift
	_args=
	for _field in "$@"; do
		_args="$_args -e $_field"
	done
	# shellcheck disable=SC2086
	tshark -r "$_f" -T fields $_args 2>/dev/null
}

# summary FILE: "COMMENT VERDICT PORT xCOUNT" for the UDP packets of FILE,
# and "COMMENT VERDICT icmp xCOUNT" for the others, sorted, on one line
summary() {
	fields "$1" frame.comment frame.verdict.ebpf_xdp udp.dstport |
		awk -F'\t' '{ k = $1 " " $2 " " ($3 == "" ? "other" : $3); n[k]++ }
			END { for (k in n) print k " x" n[k] }' | sort | tr '\n' ';'
}

# (the demo's hook has an entry slot too)
empty="ABORTED empty, DROP empty, PASS empty, TX empty, REDIRECT empty, ENTRY empty"

# slots DIR HOOK: who holds HOOK's five slots, as xdpcap list says (in
# $got)
slots() {
	got=$("$xdpcap" list --hook-dir "$1" "$2" 2>&1 | sed 's/.*  //')
}
slots_empty() {
	slots "$1" "$2"
	[ "$got" = "$empty" ]
}
slots_taken() {
	slots "$1" "$2"
	echo "$got" | grep -q 'pid [0-9]'
}

# run CMD...: CMD (20 s at most), exit status in $rc, stdout and stderr
# in $tmp/out and $tmp/err
run() {
	timeout "$(scaled 20)" "$@" >"$tmp/out" 2>"$tmp/err"
	rc=$?
}

# values: the interface values of an --extcap-interfaces answer in
# $tmp/out, sorted, on one line
values() {
	sed -n 's/^interface {value=\([^}]*\)}.*/\1/p' "$tmp/out" | sort | tr '\n' ' '
}

# listing_ok: $tmp/out is a well-formed --extcap-interfaces answer: one
# extcap line first, with the version of xdpcap, then interface lines
listing_ok() {
	_version=$("$xdpcap" --version | sed -n 's/^xdpcap //p')
	head -n 1 "$tmp/out" | grep -qx "extcap {version=$_version}{display=[^}]\{1,\}}" &&
		[ "$(grep -c '^extcap ' "$tmp/out")" -eq 1 ] &&
		! sed 1d "$tmp/out" | grep -vqx 'interface {value=xdp:[^}]\{1,\}}{display=[^}]\{1,\}}'
}

# =========================================================================
# 1. The extcap protocol, the extcap run directly
# =========================================================================

# --- --extcap-interfaces -------------------------------------------------

run "$extcap" --extcap-interfaces
cp "$tmp/out" "$tmp/listing"
[ "$rc" -eq 0 ] && listing_ok && [ ! -s "$tmp/err" ]
check $? "--extcap-interfaces: exit 0, an extcap line with the version, then interface lines" \
	"exit $rc, $(head -n 3 "$tmp/out" | tr '\n' '|')" "$tmp/err"
[ "$(values)" = "xdp:demo " ]
check $? "--extcap-interfaces lists the hook pinned in the default directory" "$(values)"

run "$extcap" --extcap-interfaces --extcap-version=4.0
[ "$rc" -eq 0 ] && cmp -s "$tmp/out" "$tmp/listing"
check $? "--extcap-interfaces --extcap-version=4.0 (as Wireshark 4.0 asks): the same answer" \
	"exit $rc, $(tr '\n' '|' <"$tmp/out")" "$tmp/err"

run "$extcap" --extcap-version=4.0 --extcap-interfaces --hook-dir "$hooks"
[ "$rc" -eq 0 ] && listing_ok && [ "$(values)" = "xdp:demo xdp:other " ]
check $? "--extcap-interfaces --hook-dir DIR lists the hooks pinned in DIR" \
	"exit $rc, $(values)" "$tmp/err"

run env XDPCAP_HOOK_DIR="$hooks" "$extcap" --extcap-interfaces
[ "$rc" -eq 0 ] && [ "$(values)" = "xdp:demo xdp:other " ]
check $? "--extcap-interfaces with XDPCAP_HOOK_DIR=DIR lists the hooks pinned in DIR" \
	"exit $rc, $(values)" "$tmp/err"

run "$extcap" --extcap-interfaces --hook-dir /sys/fs/bpf/xdpcap-extcap-none
[ "$rc" -eq 0 ] && [ "$(wc -l <"$tmp/out")" -eq 1 ] && listing_ok
check $? "--extcap-interfaces on a directory that does not exist: the extcap line only, exit 0" \
	"exit $rc, $(tr '\n' '|' <"$tmp/out")" "$tmp/err"

run nsenter "$NS_B" -- "$extcap" --extcap-interfaces --extcap-version=4.0
[ "$rc" -eq 0 ] && listing_ok && [ "$(values)" = "xdp:demo xdp:$VETH_B " ]
check $? "in namespace B: the pinned hook, and B's own found by interface (xdp:$VETH_B)" \
	"exit $rc, $(values)" "$tmp/err"
grep -qx "interface {value=xdp:$VETH_B}{display=XDP verdicts at xdp:$VETH_B (program xdpcap_demo on $VETH_B)}" "$tmp/out"
check $? "the interface's hook is shown with its program and interface" \
	"$(grep "xdp:$VETH_B" "$tmp/out")"

run nsenter "$NS_A" -- "$extcap" --extcap-interfaces
[ "$rc" -eq 0 ] && listing_ok &&
	grep -qx "interface {value=xdp:demo}{display=XDP verdicts at xdp:demo (program xdpcap_demo on $VETH_A)}" "$tmp/out"
check $? "in namespace A: the pinned hook is shown with its program and interface $VETH_A" \
	"exit $rc, $(tr '\n' '|' <"$tmp/out")" "$tmp/err"

# --- --extcap-dlts --------------------------------------------------------

for i in xdp:demo "xdp:$VETH_B"; do
	run "$extcap" --extcap-interface "$i" --extcap-dlts
	[ "$rc" -eq 0 ] && [ "$(cat "$tmp/out")" = "dlt {number=1}{name=EN10MB}{display=Ethernet}" ]
	check $? "--extcap-interface $i --extcap-dlts: Ethernet (DLT 1)" \
		"exit $rc, $(tr '\n' '|' <"$tmp/out")" "$tmp/err"
done
run "$extcap" --extcap-dlts --extcap-interface xdp:demo
[ "$rc" -eq 0 ] && [ "$(cat "$tmp/out")" = "dlt {number=1}{name=EN10MB}{display=Ethernet}" ]
check $? "--extcap-dlts --extcap-interface xdp:demo (Wireshark's order): the same" \
	"exit $rc" "$tmp/err"

# --- --extcap-config --------------------------------------------------------

run "$extcap" --extcap-config --extcap-interface xdp:demo
cp "$tmp/out" "$tmp/config"
[ "$rc" -eq 0 ] && [ ! -s "$tmp/err" ] && [ -s "$tmp/config" ]
check $? "--extcap-config: exit 0, options on stdout, nothing on stderr" "exit $rc" "$tmp/err"

# every line an arg or a value; args numbered 0, 1, ... with a call, a
# display, a tooltip and a type; values refer to a multicheck, radio or
# selector arg; prints what is wrong, nothing if all is well
bad=$(awk '
	/^arg / {
		if (!match($0, /\{number=[0-9]+\}/)) { print "no number: " $0; next }
		num = substr($0, RSTART + 8, RLENGTH - 9) + 0
		if (num != nargs) print "arg " num " where " nargs " was due"
		nargs++
		if ($0 !~ /\{call=--[a-z][a-z-]*\}/) print "arg " num ": no call"
		if ($0 !~ /\{display=[^}]+\}/) print "arg " num ": no display"
		if ($0 !~ /\{tooltip=[^}]+\}/) print "arg " num ": no tooltip"
		if (!match($0, /\{type=[a-z]+\}/)) { print "arg " num ": no type"; next }
		type[num] = substr($0, RSTART + 6, RLENGTH - 7)
		next
	}
	/^value / {
		if (!match($0, /\{arg=[0-9]+\}/)) { print "value without arg: " $0; next }
		a = substr($0, RSTART + 5, RLENGTH - 6) + 0
		if (type[a] !~ /^(multicheck|radio|selector)$/)
			print "value of arg " a " of type " type[a]
		if ($0 !~ /\{value=[^}]+\}\{display=[^}]+\}/) print "value: " $0
		next
	}
	{ print "stray line: " $0 }' "$tmp/config")
[ -z "$bad" ]
check $? "--extcap-config: numbered args, each with a call, a display, a tooltip and a type" \
	"$(echo "$bad" | tr '\n' '|')"

calls=$(sed -n 's/^arg .*{call=\([^}]*\)}.*/\1/p' "$tmp/config" | tr '\n' ' ')
[ "$calls" = "--actions --snaplen --hook-dir --sample --max-rate " ]
check $? "--extcap-config offers --actions, --snaplen, --hook-dir, --sample and --max-rate ($calls)" "$calls"

grep -q '^arg {number=0}{call=--actions}.*{type=multicheck}' "$tmp/config"
check $? "--actions is a multicheck" "$(grep -e --actions "$tmp/config")"
vals=$(sed -n 's/^value {arg=0}{value=\([^}]*\)}{display=\([^}]*\)}{default=\([^}]*\)}$/\1=\2=\3/p' \
	"$tmp/config" | tr '\n' ' ')
[ "$vals" = "aborted=XDP_ABORTED=true drop=XDP_DROP=true pass=XDP_PASS=true tx=XDP_TX=true redirect=XDP_REDIRECT=true entry=XDP entry=false " ]
check $? "its values: aborted, drop, pass, tx, redirect, shown as XDP_*, checked by default, and XDP entry, not checked" \
	"$vals"
bpftool map create "$hooks/five" type prog_array key 4 value 4 entries 5 name five ||
	bail "cannot make a hook of five slots"
run "$extcap" --extcap-config --extcap-interface xdp:five --hook-dir "$hooks"
vals=$(sed -n 's/^value {arg=0}{value=\([^}]*\)}.*/\1/p' "$tmp/out" | tr '\n' ' ')
[ "$rc" -eq 0 ] && [ "$vals" = "aborted drop pass tx redirect " ]
check $? "a hook of five slots (no entry slot): XDP entry is not offered" "exit $rc, $vals" "$tmp/err"
rm -f "$hooks/five"
grep -q '^arg {number=1}{call=--snaplen}.*{type=unsigned}{range=0,262144}{default=262144}' "$tmp/config"
check $? "--snaplen is unsigned, 0 (the default, as with tcpdump) to 262144, default 262144" "$(grep -e --snaplen "$tmp/config")"
grep -q "^arg {number=2}{call=--hook-dir}.*{type=string}{default=$defdir}\$" "$tmp/config"
check $? "--hook-dir is a string, default $defdir" "$(grep -e --hook-dir "$tmp/config")"
run env XDPCAP_HOOK_DIR="$hooks" "$extcap" --extcap-interface xdp:demo --extcap-config
grep -q "^arg {number=2}{call=--hook-dir}.*{default=$hooks}\$" "$tmp/out"
check $? "with XDPCAP_HOOK_DIR set, that is --hook-dir's default" "$(grep -e --hook-dir "$tmp/out")"

run "$extcap" --extcap-interface xdp:demo --extcap-dlts --actions drop,pass \
	--snaplen 100 --hook-dir "$hooks"
[ "$rc" -eq 0 ] && [ ! -s "$tmp/err" ]
check $? "each option it offers is one it takes (no complaint about --actions, --snaplen, --hook-dir)" \
	"exit $rc" "$tmp/err"

# --- --extcap-capture-filter -------------------------------------------------

run "$extcap" --extcap-interface xdp:demo --extcap-capture-filter "udp port 9"
[ "$rc" -eq 0 ] && [ ! -s "$tmp/out" ]
check $? "a good capture filter: exit 0, nothing printed" \
	"exit $rc, $(tr '\n' '|' <"$tmp/out")" "$tmp/err"

run "$extcap" --extcap-capture-filter "ip6 and tcp port 443" --extcap-interface xdp:demo \
	--hook-dir "$hooks"
[ "$rc" -eq 0 ] && [ ! -s "$tmp/out" ]
check $? "a good filter, checked on a hook in another hook directory" \
	"exit $rc, $(tr '\n' '|' <"$tmp/out")" "$tmp/err"

run nsenter "$NS_A" -- "$extcap" --extcap-interface "xdp:$VETH_A" --extcap-capture-filter icmp
[ "$rc" -eq 0 ] && [ ! -s "$tmp/out" ]
check $? "a good filter, checked on a hook found by interface (xdp:$VETH_A)" \
	"exit $rc, $(tr '\n' '|' <"$tmp/out")" "$tmp/err"

for f in "udp port" "port 99999"; do
	libpcap=$(tcpdump -d "$f" 2>&1 >/dev/null | sed -n 's/^tcpdump: //p')
	run "$extcap" --extcap-interface xdp:demo --extcap-capture-filter "$f"
	[ "$rc" -eq 0 ] && [ -n "$libpcap" ] && [ "$(wc -l <"$tmp/out")" -eq 1 ] &&
		grep -qF "$libpcap" "$tmp/out"
	check $? "bad filter '$f': exit 0, one line with libpcap's message ($libpcap)" \
		"exit $rc, $(tr '\n' '|' <"$tmp/out")" "$tmp/err"
done

run "$extcap" --extcap-interface xdp:demo --extcap-capture-filter "ip protochain 6"
[ "$rc" -eq 0 ] && [ ! -s "$tmp/out" ]
check $? "'ip protochain 6' is a good filter: exit 0, no line (its loop runs unrolled)" \
	"exit $rc, $(tr '\n' '|' <"$tmp/out")" "$tmp/err"

slots_empty "$defdir" xdp:demo && slots_empty "$hooks" xdp:demo
check $? "checking filters leaves the hooks' slots empty" "$got"

# --- unknown arguments ----------------------------------------------------------

# Wireshark may pass options of newer versions: ignored, the answer the same
crashed=
for args in "--extcap-interfaces --extcap-nonsense" \
	"--extcap-nonsense=1 --extcap-interfaces" \
	"--extcap-log-level debug --extcap-log-file $tmp/x.log --extcap-interfaces" \
	"--extcap-interfaces stray-argument" \
	"-Z --extcap-interfaces"; do
	# shellcheck disable=SC2086
	run "$extcap" $args
	[ "$rc" -lt 128 ] || crashed="$crashed [$args: $rc]"
	[ "$rc" -eq 0 ] && cmp -s "$tmp/out" "$tmp/listing"
	check $? "unknown arguments are ignored: $args" \
		"exit $rc, $(tr '\n' '|' <"$tmp/out")" "$tmp/err"
done
run "$extcap" --extcap-interface xdp:demo --extcap-future-option 1 --extcap-dlts
[ "$rc" -eq 0 ] && [ "$(cat "$tmp/out")" = "dlt {number=1}{name=EN10MB}{display=Ethernet}" ]
check $? "unknown arguments are ignored with --extcap-dlts" "exit $rc" "$tmp/err"
run "$extcap" --extcap-config --extcap-interface xdp:demo --extcap-nonsense
[ "$rc" -eq 0 ] && cmp -s "$tmp/out" "$tmp/config"
check $? "unknown arguments are ignored with --extcap-config" "exit $rc" "$tmp/err"

# nothing to do: usage and a failure, never a crash
for args in "--extcap-nonsense" "--extcap-interface" \
	"--extcap-interface xdp:demo" \
	"--extcap-interface xdp:demo --extcap-capture-filter"; do
	# shellcheck disable=SC2086
	run "$extcap" $args
	[ "$rc" -lt 128 ] || crashed="$crashed [$args: $rc]"
	[ "$rc" -eq 1 ] && grep -q '^Usage:' "$tmp/err" && [ ! -s "$tmp/out" ]
	check $? "nothing to do ($args): usage on stderr, exit 1" \
		"exit $rc" "$tmp/err"
done
[ -z "$crashed" ]
check $? "no combination of arguments killed it by a signal" "$crashed"

run "$extcap"
[ "$rc" -eq 1 ] && grep -q '^Usage: xdpcap-extcap --extcap-interfaces' "$tmp/err" &&
	[ ! -s "$tmp/out" ]
check $? "no arguments: usage on stderr, exit 1" "exit $rc" "$tmp/err"

run "$extcap" --help
[ "$rc" -eq 0 ] && grep -q '^Usage:' "$tmp/out"
check $? "--help: usage on stdout, exit 0" "exit $rc" "$tmp/err"

run "$extcap" --extcap-interface xdp:demo --capture
[ "$rc" -eq 1 ] && grep -q -e '--fifo' "$tmp/err"
check $? "--capture without --fifo: an error that names --fifo, exit 1" "exit $rc" "$tmp/err"
slots_empty "$defdir" xdp:demo
check $? "... and the slots stay empty" "$got"

# --- capture into a fifo, as Wireshark runs it -----------------------------------

# fifo_reader NAME: a fifo $tmp/NAME.fifo and a reader copying it to
# $tmp/NAME.pcapng in the background (pid in $reader)
fifo_reader() {
	rm -f "$tmp/$1.fifo"
	mkfifo "$tmp/$1.fifo"
	cat "$tmp/$1.fifo" >"$tmp/$1.pcapng" &
	reader=$!
	bg_pids="$bg_pids $reader"
}

fifo_reader direct
"$extcap" --capture --extcap-interface xdp:demo --fifo "$tmp/direct.fifo" \
	--extcap-capture-filter udp --actions drop --snaplen 100 \
	--extcap-control-in "$tmp/ctl-in" --extcap-control-out "$tmp/ctl-out" \
	--extcap-future-option 1 >/dev/null 2>"$tmp/direct.err" &
pid=$!
bg_pids="$bg_pids $pid"
drop_slot_taken() {
	slots "$defdir" xdp:demo
	[ "$got" = "ABORTED empty, DROP pid $pid, PASS empty, TX empty, REDIRECT empty, ENTRY empty" ]
}
wait_until 5000 drop_slot_taken
check $? "--capture --fifo with --actions drop (and unknown options): only the DROP slot is taken" \
	"$got" "$tmp/direct.err"
udp "$B" 192.0.2.1 9 3 300
udp "$B" 192.0.2.1 1000 2
pause 0.1
kill -TERM "$pid"
t0=$(now_ms)
wait_until 3000 gone "$pid"
took=$(($(now_ms) - t0))
wait "$pid"
rc=$?
[ "$rc" -eq 0 ] && [ "$took" -le "$(scaled 2000)" ]
check $? "SIGTERM ends the capture within 2 s with status 0 (${took} ms)" "exit $rc" \
	"$tmp/direct.err"
wait_until 3000 gone "$reader"
check $? "the fifo's reader sees its end"
got=$(fields "$tmp/direct.pcapng" frame.comment frame.verdict.ebpf_xdp udp.dstport frame.cap_len frame.len |
	sort | uniq -c | awk '{ $1 = $1; print }' | tr '\n' ';')
[ "$got" = "3 XDP_DROP 1 9 100 342;" ]
check $? "the fifo holds the 3 dropped datagrams, cut to 100 of 342 bytes ($got)" "$got"
slots_empty "$defdir" xdp:demo
check $? "the slots are empty again" "$got"

# started with stdin and stdout closed: its own fds must not take 0 and 1
fifo_reader closed
"$extcap" --capture --extcap-interface xdp:demo --fifo "$tmp/closed.fifo" \
	--actions drop <&- >&- 2>"$tmp/closed.err" &
pid=$!
bg_pids="$bg_pids $pid"
wait_until 5000 drop_slot_taken
check $? "stdin and stdout closed: the capture takes the DROP slot" "$got" "$tmp/closed.err"
udp "$B" 192.0.2.1 9 3 300
pause 0.3
drop_slot_taken
check $? "stdin and stdout closed: it still holds it after traffic" "$got" "$tmp/closed.err"
kill -TERM "$pid"
wait_until 3000 gone "$pid"
wait "$pid"
rc=$?
wait_until 3000 gone "$reader"
got=$(fields "$tmp/closed.pcapng" frame.comment udp.dstport | sort | uniq -c |
	awk '{ $1 = $1; print }' | tr '\n' ';')
[ "$rc" -eq 0 ] && [ "$got" = "3 XDP_DROP 9;" ]
check $? "stdin and stdout closed: exit $rc, the fifo holds the 3 dropped datagrams ($got)" \
	"$got" "$tmp/closed.err"

# a hook that does not exist: an error, and the fifo's reader is let go
fifo_reader nohook
run "$extcap" --capture --extcap-interface xdp:nonexistent --fifo "$tmp/nohook.fifo"
[ "$rc" -eq 1 ] && grep -q "^xdpcap: no hook 'xdp:nonexistent'" "$tmp/err"
check $? "--capture on a hook that does not exist: one error line, exit 1" "exit $rc" "$tmp/err"
wait_until 2000 gone "$reader"
check $? "... and the fifo's reader sees its end at once"

# an option with a bad value: an error, and the fifo's reader is let go
for opt in "--actions bogus" "--snaplen 262145"; do
	fifo_reader badopt
	# shellcheck disable=SC2086
	run "$extcap" --capture --extcap-interface xdp:demo --fifo "$tmp/badopt.fifo" $opt
	[ "$rc" -eq 1 ] && [ "$(wc -l <"$tmp/err")" -eq 1 ] && grep -q '^xdpcap: ' "$tmp/err"
	check $? "--capture $opt: one error line, exit 1" "exit $rc" "$tmp/err"
	wait_until 2000 gone "$reader"
	check $? "--capture $opt: the fifo's reader sees its end (else Wireshark waits forever)"
	alive "$reader" && kill "$reader" 2>/dev/null
	wait "$reader" 2>/dev/null
done
slots_empty "$defdir" xdp:demo
check $? "refused captures leave the slots empty" "$got"

# =========================================================================
# 2. Through tshark
# =========================================================================

extdir=$(tshark -G folders 2>/dev/null | sed -n 's/^Extcap path:[[:space:]]*//p')
[ -n "$extdir" ] && [ -d "$extdir" ] || bail "no extcap folder in tshark -G folders"
# Links to the system's extcaps go through a read-only view of the folder
# (links to the folder itself would point at ours once it is mounted
# over), unmounted before $tmp is removed.
mkdir "$tmp/system-extcap" "$tmp/extcap" || bail "cannot make $tmp/extcap"
mount --bind "$extdir" "$tmp/system-extcap" || bail "cannot bind-mount $extdir"
cleanup_add "umount '$tmp/system-extcap'"
mount -o remount,bind,ro "$tmp/system-extcap" || bail "cannot make $tmp/system-extcap read-only"
for f in "$tmp/system-extcap"/*; do
	# an installed xdpcap-extcap is left out: this one is tested
	[ -e "$f" ] && [ "${f##*/}" != xdpcap-extcap ] && ln -s "$f" "$tmp/extcap/"
done
# xdpcap-extcap itself, through a script that notes the pid of each run
cat >"$tmp/extcap/xdpcap-extcap" <<EOF
#!/bin/sh
echo \$\$ >>'$tmp/extcap.pids'
exec '$extcap' "\$@"
EOF
chmod 755 "$tmp/extcap/xdpcap-extcap"
mount --bind "$tmp/extcap" "$extdir" || bail "cannot bind-mount $tmp/extcap over $extdir"
cleanup_add "umount '$extdir'"

# extcaps_gone: every xdpcap-extcap tshark ran has ended
extcaps_gone() {
	left=
	for _p in $(cat "$tmp/extcap.pids" 2>/dev/null); do
		alive "$_p" && left="$left $_p"
	done
	[ -z "$left" ]
}

# tshark_capture NAME SECONDS ARG...: tshark -i xdp:demo -a duration:SECONDS
# ARG... -w $tmp/NAME.pcapng in the background, stderr in $tmp/NAME.err;
# returns once the capture holds some of the slots of xdp:demo in the
# directory $capdir (or fails after 10 s); pid in $tshark_pid
tshark_capture() {
	_name=$1 _secs=$2
	shift 2
	: >"$tmp/extcap.pids"
	tshark -i xdp:demo -a "duration:$(scaled "$_secs")" -w "$tmp/$_name.pcapng" "$@" \
		>"$tmp/$_name.out" 2>"$tmp/$_name.err" &
	tshark_pid=$!
	bg_pids="$bg_pids $tshark_pid"
	wait_until 10000 slots_taken "$capdir" xdp:demo
}

# tshark_end NAME: wait for that tshark (20 s at most); exit status in $rc
tshark_end() {
	wait_until 20000 gone "$tshark_pid"
	alive "$tshark_pid" && kill -9 "$tshark_pid"
	wait "$tshark_pid"
	rc=$?
}

capdir=$defdir

# --- tshark -D -------------------------------------------------------------

run tshark -D
grep -q '^[0-9]*\. xdp:demo (XDP verdicts at xdp:demo (program xdpcap_demo))$' "$tmp/out"
check $? "tshark -D lists xdp:demo, with its program (in another network namespace)" "$(grep xdp "$tmp/out" | tr '\n' '|')" "$tmp/err"
run nsenter "$NS_B" -- tshark -D
grep -q "^[0-9]*\. xdp:$VETH_B (XDP verdicts at xdp:$VETH_B (program xdpcap_demo on $VETH_B))\$" "$tmp/out"
check $? "tshark -D in namespace B lists xdp:$VETH_B" "$(grep xdp "$tmp/out" | tr '\n' '|')" \
	"$tmp/err"

# --- a capture filter ---------------------------------------------------------

t0=$(now_ms)
tshark_capture filter 3 -f "udp port 9"
check $? "tshark -i xdp:demo -f 'udp port 9' -a duration:3: the capture starts" "$got" \
	"$tmp/filter.err"
traffic
tshark_end
took=$(($(now_ms) - t0))
# (the capture's 3 s, tshark's start and the traffic: generous, as an
# emulated CPU under load takes most of it starting tshark)
[ "$rc" -eq 0 ] && [ "$took" -lt "$(scaled 15000)" ]
check $? "-a duration:3 ends it: exit 0 after ${took} ms" "exit $rc" "$tmp/filter.err"
got=$(summary "$tmp/filter.pcapng")
[ "$got" = "XDP_DROP 1 9 x4;" ]
check $? "exactly the 4 datagrams to port 9, each with comment XDP_DROP and verdict 1 ($got)" \
	"$got" "$tmp/filter.err"
ifname=$(fields "$tmp/filter.pcapng" frame.interface_name | sort -u)
[ "$ifname" = xdp:demo ]
check $? "the capture's interface is xdp:demo" "$ifname"
wait_until 3000 slots_empty "$defdir" xdp:demo
check $? "the hook's slots are empty after the capture" "$got"
wait_until 3000 extcaps_gone
check $? "no xdpcap-extcap is left running" "still running:$left"
grep -q 'Error' "$tmp/filter.err"
[ $? -ne 0 ]
check $? "tshark reports no error" "" "$tmp/filter.err"

# --- a bad capture filter -----------------------------------------------------

libpcap=$(tcpdump -d "udp port" 2>&1 >/dev/null | sed -n 's/^tcpdump: //p')
: >"$tmp/extcap.pids"
run tshark -i xdp:demo -f "udp port" -a duration:2 -w "$tmp/bad.pcapng"
[ "$rc" -ne 0 ] &&
	grep -qF "Error by extcap pipe: xdpcap: bad filter: $libpcap" "$tmp/err"
check $? "a bad filter: tshark fails with 'Error by extcap pipe' and libpcap's message" \
	"exit $rc" "$tmp/err"
slots_empty "$defdir" xdp:demo
check $? "... and the hook's slots stay empty" "$got"
wait_until 3000 extcaps_gone
check $? "... and no xdpcap-extcap is left running" "still running:$left"

# --- -o extcap.xdp_demo.actions ----------------------------------------------------

tshark_capture actions 3 -o extcap.xdp_demo.actions:pass -f udp
check $? "-o extcap.xdp_demo.actions:pass: the capture starts" "$got" "$tmp/actions.err"
slots "$defdir" xdp:demo
echo "$got" | grep -q '^ABORTED empty, DROP empty, PASS pid [0-9]*, TX empty, REDIRECT empty, ENTRY empty$'
check $? "... and takes the PASS slot only" "$got"
traffic
tshark_end
got=$(summary "$tmp/actions.pcapng")
[ "$rc" -eq 0 ] && [ "$got" = "XDP_PASS 2 1000 x3;" ]
check $? "... it captures only XDP_PASS: the 3 datagrams to port 1000 ($got)" \
	"exit $rc" "$tmp/actions.err"
wait_until 3000 slots_empty "$defdir" xdp:demo && wait_until 3000 extcaps_gone
check $? "... the slots are empty and no xdpcap-extcap is left afterwards" "$got $left"

# --- the action XDP entry: each packet as it arrived, with its verdict's id -------

tshark_capture entry 3 -o extcap.xdp_demo.actions:entry,tx -f icmp
check $? "-o extcap.xdp_demo.actions:entry,tx: the capture starts" "$got" "$tmp/entry.err"
slots "$defdir" xdp:demo
echo "$got" | grep -q '^ABORTED empty, DROP empty, PASS empty, TX pid \([0-9]*\), REDIRECT empty, ENTRY pid \1$'
check $? "... and takes the TX and ENTRY slots" "$got"
traffic
tshark_end
got=$(fields "$tmp/entry.pcapng" frame.packet_id frame.comment icmp.type |
	awk -F'\t' '$2 == "XDP entry" && $3 == 8 { e[$1]++ } $2 == "XDP_TX" && $3 == 0 { if (e[$1]) pairs++ }
		END { print pairs + 0 }')
[ "$rc" -eq 0 ] && [ "$got" = 2 ]
check $? "... both pings as they arrived (echo requests) and as XDP_TX sent them (replies), each pair with one packet id ($got pairs)" \
	"exit $rc" "$tmp/entry.err"
wait_until 3000 slots_empty "$defdir" xdp:demo && wait_until 3000 extcaps_gone
check $? "... the slots are empty and no xdpcap-extcap is left afterwards" "$got $left"

# --- -o extcap.xdp_demo.snaplen ---------------------------------------------------

tshark_capture snaplen 3 -o extcap.xdp_demo.snaplen:100 -f "udp port 1000"
check $? "-o extcap.xdp_demo.snaplen:100: the capture starts" "$got" "$tmp/snaplen.err"
udp "$B" 192.0.2.1 1000 2 300
udp "$B" 192.0.2.1 1000 1 20
tshark_end
got=$(fields "$tmp/snaplen.pcapng" frame.cap_len frame.len | sort -n | uniq -c |
	awk '{ print $1 "x" $2 "/" $3 }' | tr '\n' ' ')
[ "$rc" -eq 0 ] && [ "$got" = "1x62/62 2x100/342 " ]
check $? "... it keeps 100 bytes of the 342-byte packets, all of a 62-byte one ($got)" \
	"exit $rc" "$tmp/snaplen.err"
wait_until 3000 slots_empty "$defdir" xdp:demo && wait_until 3000 extcaps_gone
check $? "... the slots are empty and no xdpcap-extcap is left afterwards" "$got $left"

# --- -o extcap.xdp_demo.hookdir --------------------------------------------------

# xdp:demo in $hooks is B's hook: datagrams from A to B's port 9 are
# dropped there
capdir=$hooks
tshark_capture hookdir 3 -o "extcap.xdp_demo.hookdir:$hooks" -f udp
check $? "-o extcap.xdp_demo.hookdir:$hooks: the capture starts on B's hook" "$got" \
	"$tmp/hookdir.err"
slots_empty "$defdir" xdp:demo
check $? "... and leaves A's hook (xdp:demo in $defdir) alone" "$got"
udp "$A" 192.0.2.2 9 2
udp "$B" 192.0.2.1 9 2
tshark_end
got=$(fields "$tmp/hookdir.pcapng" frame.comment ip.dst udp.dstport | sort | uniq -c |
	awk '{ $1 = $1; print }' | tr '\t\n' ' ;')
[ "$rc" -eq 0 ] && [ "$got" = "2 XDP_DROP 192.0.2.2 9;" ]
check $? "... it captures what B's hook drops, not A's ($got)" "exit $rc" "$tmp/hookdir.err"
wait_until 3000 slots_empty "$hooks" xdp:demo && wait_until 3000 extcaps_gone
check $? "... the slots are empty and no xdpcap-extcap is left afterwards" "$got $left"

tap_done
