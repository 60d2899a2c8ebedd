# SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
#
# TAP for shell tests: automake's tap-driver counts each ok/not ok line.
#
#   . "$TOP_SRCDIR/tests/lib/tap.sh"
#   ok $? "what was checked"      # 0 passes, anything else fails
#   bail "cannot go on"           # a failure that ends the test
#   tap_done                      # the plan; exit status 1 if any failed
#
# A missing prerequisite is a failure (bail), never a skip.

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

tap_done() {
	echo "1..$tap_n"
	[ "$tap_failed" -eq 0 ]
}
