# SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
#
# Waiting for processes and conditions in shell tests, with deadlines
# rather than fixed sleeps.
#
# Deadlines and pauses fit a machine of ordinary speed. Where the CPU is
# much slower (emulated, as in tests/kernels), XDPCAP_TEST_TIME_SCALE, a
# whole number, stretches them all: wait_until's, and those given through
# scaled and pause.

time_scale=${XDPCAP_TEST_TIME_SCALE:-1}

# scaled N: N (seconds or milliseconds, a whole number) stretched
scaled() {
	echo $(($1 * time_scale))
}

# pause SECONDS: sleep SECONDS (fractions allowed) stretched
pause() {
	sleep "$(awk -v s="$1" -v k="$time_scale" 'BEGIN { print s * k }')"
}

now_ms() {
	echo $(($(date +%s%N) / 1000000))
}

# wait_until MS CMD...: run CMD every 50 ms until it succeeds, for at most
# MS milliseconds (stretched); fails if it never did.
wait_until() {
	_deadline=$(($(now_ms) + $1 * time_scale))
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

# Processes a test starts in the background: add each pid to bg_pids, and
# register kill_background with cleanup_add so that those still running
# at the end are killed.
bg_pids=
kill_background() {
	# (the cleanup runs its steps with IFS set to a newline)
	_ifs=$IFS
	IFS=' '
	for _p in $bg_pids; do
		alive "$_p" && kill -9 "$_p" 2>/dev/null
	done
	IFS=$_ifs
	return 0
}
