#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
#
# Runs inside the guest, as its root, on the host's tree (read-only) with
# tmpfs on /tmp, /run, /root and /var/tmp: the tests of
# /run/xdpcap-guest.tests (the selected lines of tests.list), GUEST_JOBS
# at a time (as make -j runs them on the host: each test makes names of
# its own). Each test's output (stdout and stderr) comes out in one block
# once it ends, framed by lines the host reads:
#
#   xdpcap-guest: begin PROGRAM
#   ...
#   xdpcap-guest: end PROGRAM status N in S s
#
# /run/xdpcap-guest.env (export lines) is the tests' environment.
set -u

. /run/xdpcap-guest.env
top=$TOP_SRCDIR
build=$TOP_BUILDDIR
jobs=${GUEST_JOBS:-2}

# inputs that tests.list refers to: the sample of the filter corpus
inputs=/tmp/xdpcap-kernel
mkdir -p "$inputs"
sh "$top/tests/kernels/filter_sample.sh" "$top/tests/data/filters.txt" >"$inputs/filters-sample.txt"

uptime_s() {
	cut -d' ' -f1 /proc/uptime
}

# run_test N PROGRAM [SETTINGS...]: run it, then print its block whole
run_test() {
	local n=$1 program=$2 run started status out
	shift 2
	out=$inputs/output.$n
	started=$(uptime_s)
	case $program in
	*.sh) run=("/bin/sh" "$top/$program") ;;
	*) run=("$build/$program") ;;
	esac
	# GUEST_TRACE: where the time goes, each command's start and end
	if [ -n "${GUEST_TRACE:-}" ]; then
		run=(strace -f --seccomp-bpf -ttt -qq -e trace=execve,exit_group
			-e signal=none -s 60 -o "$inputs/trace.$n" "${run[@]}")
	fi
	if [ -f "${run[-1]}" ]; then
		(cd /tmp && exec env "$@" "${run[@]}") </dev/null >"$out" 2>&1
		status=$?
	else
		echo "Bail out! no ${run[-1]} (make check builds the test programs)" >"$out"
		status=99
	fi
	{
		echo "xdpcap-guest: begin $program"
		cat "$out"
		[ -z "${GUEST_TRACE:-}" ] || sed "s/^/TRACE /" "$inputs/trace.$n"
		echo "xdpcap-guest: end $program status $status in" \
			"$(echo "$started $(uptime_s)" | awk '{ printf "%.0f", $2 - $1 }') s"
	} | flock "$inputs/output.lock" cat
}

n=0
while read -r program settings; do
	if [ "$program" = wait ]; then
		wait
		continue
	fi
	while [ "$(jobs -r | wc -l)" -ge "$jobs" ]; do
		wait -n
	done
	n=$((n + 1))
	# settings are NAME=VALUE words
	# shellcheck disable=SC2086
	run_test "$n" "$program" $settings &
done </run/xdpcap-guest.tests
wait
