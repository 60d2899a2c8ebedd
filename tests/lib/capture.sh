# SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
#
# Live captures in shell tests: xdpcap started and stopped in the
# background, and the fields of what it wrote. The caller sets $xdpcap,
# $hooks (the hook directory) and $tmp, and sources tests/lib/proc.sh.

# fields FILE FIELD...: tshark's fields, tab-separated, one packet a line.
# The fields the tests read are taken in one tshark run a file and kept
# (in $tmp) until the file changes: tshark takes seconds to start in an
# emulated guest, and tests read one file several times. Other fields
# are read directly.
#
# tests/pcapng_fields prints the same fields at once. XDPCAP_TEST_FIELDS
# says who reads them: "reader" (it alone: the guests, where tshark's
# start is most of a check's time), or by default both, compared: each
# difference is a failed check (reported by tap_done), so the reader is
# shown right on every file the tests read on the host.
_cap_fields="frame.number frame.comment frame.packet_id frame.verdict.ebpf_xdp
frame.len frame.cap_len frame.time_epoch frame.interface_id
frame.interface_name frame.interface_queue eth.src eth.dst ip.src ip.dst
icmp.type udp.srcport udp.dstport data.data"

fields() {
	_cap_reader=${build:-$top}/tests/pcapng_fields
	if [ "${XDPCAP_TEST_FIELDS:-both}" = reader ] && [ -n "${tmp:-}" ]; then
		"$_cap_reader" "$@" >"$tmp/.fields.reader" 2>/dev/null
		_cap_rc=$?
		# 2: a field it does not know, which tshark reads
		if [ "$_cap_rc" -ne 2 ]; then
			cat "$tmp/.fields.reader"
			return $_cap_rc
		fi
	fi
	if [ "${XDPCAP_TEST_FIELDS:-both}" = both ] && [ -x "$_cap_reader" ] && [ -n "${tmp:-}" ]; then
		_fields_tshark "$@" >"$tmp/.fields.tshark"
		_cap_rc=$?
		if "$_cap_reader" "$@" >"$tmp/.fields.reader" 2>/dev/null &&
			! cmp -s "$tmp/.fields.tshark" "$tmp/.fields.reader"; then
			echo "tests/pcapng_fields reads $(basename "$1") as tshark does ($*):" \
				"$(diff "$tmp/.fields.tshark" "$tmp/.fields.reader" | head -n 4 | tr '\t\n' '  ')" \
				>>"$tmp/.tap-later"
		fi
		cat "$tmp/.fields.tshark"
		return $_cap_rc
	fi
	_fields_tshark "$@"
}

_fields_tshark() {
	_cap_f=$1
	shift
	_cap_cols=
	for _cap_field in "$@"; do
		_cap_n=0
		_cap_col=
		for _cap_known in $_cap_fields; do
			_cap_n=$((_cap_n + 1))
			[ "$_cap_known" = "$_cap_field" ] && _cap_col=$_cap_n
		done
		if [ -z "$_cap_col" ] || [ -z "${tmp:-}" ]; then
			_fields_read "$_cap_f" "$@"
			return
		fi
		_cap_cols="$_cap_cols $_cap_col"
	done
	_cap_stamp=$(stat -c '%i %s %y' "$_cap_f" 2>/dev/null) || return 1
	_cap_cache=$tmp/.fields$(echo "$_cap_f" | tr / _)
	if [ "$(head -n 1 "$_cap_cache" 2>/dev/null)" != "$_cap_stamp" ]; then
		# shellcheck disable=SC2086
		{ echo "$_cap_stamp"; _fields_read "$_cap_f" $_cap_fields; } >"$_cap_cache.new" &&
			mv "$_cap_cache.new" "$_cap_cache"
	fi
	tail -n +2 "$_cap_cache" | awk -F'\t' -v cols="$_cap_cols" '
		BEGIN { n = split(cols, col, " ") }
		{ out = $col[1]; for (i = 2; i <= n; i++) out = out "\t" $col[i]; print out }'
}

# reads_whole FILE: FILE is read to its end without a complaint, by
# $file_reader: tshark, or where XDPCAP_TEST_FIELDS=reader
# tests/pcapng_fields (it checks every block's lengths); the complaint
# in $tmp/reader.err
file_reader=tshark
[ "${XDPCAP_TEST_FIELDS:-both}" = reader ] && file_reader=tests/pcapng_fields
reads_whole() {
	if [ "$file_reader" != tshark ]; then
		"${build:-$top}/tests/pcapng_fields" "$1" frame.number >/dev/null 2>"$tmp/reader.err"
		return
	fi
	tshark -r "$1" >/dev/null 2>"$tmp/tshark.err"
	_cap_rc=$?
	grep -v "could be dangerous" "$tmp/tshark.err" >"$tmp/reader.err"
	[ "$_cap_rc" -eq 0 ] && [ ! -s "$tmp/reader.err" ]
}

# packets FILE: how many packets FILE holds, as capinfos counts them
# (Wireshark's file library alone: it starts in a fraction of tshark's
# time); nothing for a file it cannot read whole
packets() {
	capinfos -c -M "$1" 2>/dev/null | sed -n 's/^Number of packets: *//p'
}

_fields_read() {
	_cap_f=$1
	shift
	_cap_args=
	for _cap_field in "$@"; do
		_cap_args="$_cap_args -e $_cap_field"
	done
	# shellcheck disable=SC2086
	tshark -r "$_cap_f" -T fields $_cap_args 2>/dev/null
}

# start_capture NS ARGS...: xdpcap in the background (in namespace NS, or
# "-" for ours) with stderr in $cap_err (default $tmp/err); waits until its
# slots are in place
# (up to 30 s, stretched: loading its programs takes long on a loaded
# machine, and until it is ready the SIGINT of stop_capture, which a
# background process starts out ignoring, would be lost). Its pid in
# $cap_pid.
start_capture() {
	_cap_ns=$1
	shift
	# started directly (not through a shell function), so that $! is
	# xdpcap itself: nsenter execs it
	_cap_err=${cap_err:-$tmp/err}
	# emptied here: the redirection below empties it only once the
	# child runs, and the wait could see the last capture's line first
	# (and send its SIGINT while this one still ignores it)
	: >"$_cap_err"
	if [ "$_cap_ns" = - ]; then
		"$xdpcap" --hook-dir "$hooks" "$@" 2>"$_cap_err" &
	else
		nsenter --net="$NETNS_RUN_DIR/$_cap_ns" -- "$xdpcap" --hook-dir "$hooks" "$@" 2>"$_cap_err" &
	fi
	cap_pid=$!
	for _ in $(seq "$(scaled 600)"); do
		# (the file may not be there yet)
		grep -qs "capturing from" "$_cap_err" && return 0
		kill -0 "$cap_pid" 2>/dev/null || return 1
		sleep 0.05
	done
	return 1
}

# stop_capture: SIGINT, wait; exit status in $cap_rc
stop_capture() {
	sleep 0.2
	kill -INT "$cap_pid" 2>/dev/null
	wait "$cap_pid"
	cap_rc=$?
}

# slots_empty HOOK [DIR]: xdpcap list shows HOOK (pinned in DIR, default
# $hooks) with no slot held, the entry slot (if it has one) included
slots_empty() {
	_cap_list=$("$xdpcap" list --hook-dir "${2:-$hooks}" "$1" 2>/dev/null) &&
		echo "$_cap_list" | grep -q "ABORTED empty, DROP empty, PASS empty, TX empty, REDIRECT empty" &&
		! echo "$_cap_list" | grep -q "ENTRY [^e]"
}
