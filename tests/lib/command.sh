# SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
#
# Running a command and checking what it said, for tests of the xdpcap
# command. The caller sets $tmp and sources tests/lib/tap.sh.

# run CMD...: exit status in $rc, stdout in $tmp/out, stderr in $tmp/err
run() {
	"$@" >"$tmp/out" 2>"$tmp/err"
	rc=$?
}

# expect_usage_error WHAT PATTERN CMD...: exit 2 and PATTERN on stderr
expect_usage_error() {
	what=$1 pattern=$2
	shift 2
	run "$@"
	if [ "$rc" -eq 2 ] && grep -q -- "$pattern" "$tmp/err"; then
		ok 0 "$what: exit 2, '$(head -n1 "$tmp/err")'"
	else
		ok 1 "$what: exit $rc, stderr: $(head -c 300 "$tmp/err")"
	fi
}
