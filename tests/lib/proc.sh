# SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
#
# Waiting for processes and conditions in shell tests, with deadlines
# rather than fixed sleeps.

now_ms() {
	echo $(($(date +%s%N) / 1000000))
}

# wait_until MS CMD...: run CMD every 50 ms until it succeeds, for at most
# MS milliseconds; fails if it never did.
wait_until() {
	_deadline=$(($(now_ms) + $1))
	shift
	until "$@"; do
		[ "$(now_ms)" -lt "$_deadline" ] || return 1
		sleep 0.05
	done
}

# alive PID: PID runs (a zombie does not).
alive() {
	_state=$(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | cut -c1)
	[ -n "$_state" ] && [ "$_state" != Z ]
}

gone() {
	! alive "$1"
}
