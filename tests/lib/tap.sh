# SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
#
# TAP for shell tests: automake's tap-driver counts each ok/not ok line.
#
#   . "$TOP_SRCDIR/tests/lib/tap.sh"
#   ok $? "what was checked"      # 0 passes, anything else fails
#   bail "cannot go on"           # a failure that ends the test
#   tap_done                      # the plan; exit status 1 if any failed
#
# A missing prerequisite is a failure (bail), never a skip; the one
# exception is root itself: require_root ends a test that needs it as
# skipped, so that make check-unprivileged (and make check by a user)
# runs what does not.

tap_n=0
tap_failed=0

ok() {
	tap_n=$((tap_n + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $tap_n - $2"
	else
		echo "not ok $tap_n - $2"
		tap_failed=$((tap_failed + 1))
	fi
}

bail() {
	echo "Bail out! $*"
	exit 1
}

# Checks in a subshell ($(...)) cannot count: they add their failures,
# a line each, to $tmp/.tap-later, which tap_done reports.
tap_done() {
	if [ -n "${tmp:-}" ] && [ -s "$tmp/.tap-later" ]; then
		while IFS= read -r _tap_line; do
			ok 1 "$_tap_line"
		done <"$tmp/.tap-later"
	fi
	echo "1..$tap_n"
	[ "$tap_failed" -eq 0 ]
}

# check RC WHAT [GOT [FILE]]: ok RC WHAT; when RC is not 0, WHAT is
# followed by what was seen (GOT), and the end of FILE is shown as
# diagnostics.
check() {
	if [ "$1" -eq 0 ]; then
		ok 0 "$2"
		return 0
	fi
	ok 1 "$2: ${3:-}"
	if [ -n "${4:-}" ] && [ -s "$4" ]; then
		grep -v -e 'could be dangerous' -e 'packets)$' "$4" |
			tail -n 15 | sed 's/^/#   /'
	fi
	return 0
}

# require_root: a test that needs root (BPF, namespaces, qemu) ends here,
# reported as skipped, when run without it.
require_root() {
	[ "$(id -u)" -eq 0 ] && return 0
	echo "1..0 # SKIP needs root (make check-unprivileged runs the tests that do not)"
	exit 0
}
