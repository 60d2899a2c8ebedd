#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
#
# tests/kernels/run.sh VERSION [K/N]: the end-to-end checks of tests.list run
# inside Debian's packaged kernel VERSION (5.10, 6.1 or 6.12: Debian 11,
# 12 and 13; see package.sh), booted under qemu, reported as TAP. Each
# result of a test in the guest comes back as one line, "linux VERSION
# PROGRAM: what it checked"; each test adds a line of its own saying it
# ran to its end (complete plan, exit status), and the run adds lines
# for the kernel package, the boot, and a kernel log free of oopses and
# warnings. With K/N, only part K of N of the list runs: its programs
# taken in turn (the 1st, N+1st, ... for part 1), so that N guests of
# one kernel can share the work. Whatever stops a kernel from being
# tested on this machine is a failure with its reason, never a skip.
#
# Needs root, apt (for the kernel package, through a configuration of
# its own), debian-archive-keyring, qemu-system-x86 and busybox-static;
# the built tree, with its test programs (make check builds them). The
# guest sees the host's root read-only: the tree and the host's tools
# are used in place.
#
# Environment:
#   TOP_SRCDIR, TOP_BUILDDIR   the trees (default: the parent of tests/)
#   BPF_CLANG, CORPUS          passed to the tests, as automake does
#   XDPCAP_KERNEL_TESTS        only these programs of tests.list
#                              (e.g. "tests/capture.sh tests/extcap.sh")
#   XDPCAP_KERNEL_RUN          this program instead of the list (one not
#                              in it, such as bench/run_trace_bench.sh)
#   XDPCAP_KERNEL_TIMEOUT      seconds the whole guest run may take
#                              (default 3000: four guests share two
#                              cores; the slowest took 1,892 s)
#   XDPCAP_KERNEL_ACCEL        kvm or tcg: no probe, use that
#   GUEST_TRACE                set: each test's commands are traced
#                              (strace, start and end of each) and
#                              shown after its output, lines "TRACE"
#
# Kept in TOP_BUILDDIR/tests/kernels/: cache/ (the .deb, what is made
# from it, and cache/apt/RELEASE, apt's own sources, lists and logs) and
# linux-VERSION-console.txt, the guest's kernel log.
set -u

version=${1:?usage: run.sh VERSION [K/N]}
part=${2:-1/1}
part_k=${part%/*}
part_n=${part#*/}
top=${TOP_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
build=${TOP_BUILDDIR:-$top}
. "$top/tests/lib/tap.sh"
. "$top/tests/kernels/package.sh"
. "$top/tests/kernels/guest.sh"

label="linux $version"
[ "$part_n" -eq 1 ] || label="$label (part $part_k of $part_n)"
# the kernel's log, kept: one a guest
console_name=linux-$version$([ "$part_n" -eq 1 ] || echo "-part$part_k")-console.txt
timeout_s=${XDPCAP_KERNEL_TIMEOUT:-3000}
outdir=$build/tests/kernels
cache=$outdir/cache
work=$(mktemp -d /tmp/xdpcap-kernel.XXXXXX) || bail "cannot make a temporary directory"
trap 'rm -rf "$work"' EXIT
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 143' TERM

# --- the tests to run: tests.list, or the part XDPCAP_KERNEL_TESTS names ---

selected() {
	[ -z "${XDPCAP_KERNEL_TESTS:-}" ] && return 0
	for _s in $XDPCAP_KERNEL_TESTS; do
		[ "$_s" = "$1" ] && return 0
	done
	return 1
}

index=0
while read -r program settings; do
	case $program in
	'' | '#'*) continue ;;
	wait) echo wait; continue ;;
	esac
	index=$((index + 1))
	[ $(((index - 1) % part_n)) -eq $((part_k - 1)) ] || continue
	selected "$program" && echo "$program $settings"
done <"$top/tests/kernels/tests.list" >"$work/tests"
for program in ${XDPCAP_KERNEL_TESTS:-}; do
	grep -q "^$program\( \|\$\)" "$top/tests/kernels/tests.list" ||
		bail "XDPCAP_KERNEL_TESTS names $program, which tests/kernels/tests.list does not have"
done
[ -n "${XDPCAP_KERNEL_RUN:-}" ] && echo "$XDPCAP_KERNEL_RUN" >"$work/tests"

# not_run REASON: every test fails as not run, and the run ends
not_run() {
	while read -r program _; do
		[ "$program" = wait ] && continue
		ok 1 "$label $program: not run: $1"
	done <"$work/tests"
	tap_done
	exit 1
}

# --- the kernel, the machine ---------------------------------------------

missing=
for tool in qemu-system-x86_64 busybox apt-get apt-cache dpkg timeout; do
	command -v "$tool" >/dev/null 2>&1 || missing="$missing $tool"
done
[ "$(id -u)" -eq 0 ] || missing="$missing root"
[ -z "$missing" ]
check $? "$label: what the guest needs is here (qemu, busybox, apt, root)" \
	"missing:$missing (apt-get install qemu-system-x86 busybox-static)"
[ -z "$missing" ] || not_run "missing:$missing"
guest_static_busybox
check $? "$label: busybox is static (busybox-static), for the initramfs" \
	"$(command -v busybox) needs shared libraries"
guest_static_busybox || not_run "no static busybox"

# guests of one kernel fetch and unpack it one at a time
mkdir -p "$cache"
exec 9>"$cache/.prepare-$version.lock"
flock 9
kernel_prepare "$version" "$cache"
prepared=$?
exec 9>&-
[ "$prepared" -eq 0 ]
check $? "$label: Debian's ${KERNEL_PACKAGE:-kernel package} is at hand ($(basename "${KERNEL_DEB:-none}"))" \
	"$KERNEL_ERROR"
[ -z "$KERNEL_ERROR" ] || not_run "no kernel: $KERNEL_ERROR"

# the tests' environment, as automake sets it, for an emulated CPU's pace
env_line() {
	printf "export %s='%s'\n" "$1" "$(printf '%s' "$2" | sed "s/'/'\\\\''/g")"
}

# make_initramfs MODE: the guest's initramfs, to probe or to run the suite
make_initramfs() {
	guest_initramfs "$work" "$KERNEL_MODULES" "$1" "$work/tests" "$work/env" ||
		bail "cannot make the guest's initramfs in $work"
}

if [ -n "${XDPCAP_KERNEL_ACCEL:-}" ]; then
	GUEST_ACCEL=$XDPCAP_KERNEL_ACCEL
	GUEST_ACCEL_WHY="XDPCAP_KERNEL_ACCEL=$XDPCAP_KERNEL_ACCEL"
else
	: >"$work/env"
	make_initramfs probe
	guest_choose_accel "$KERNEL_IMAGE" "$work"
fi
case $GUEST_ACCEL in
kvm) time_scale=3 ;;
# an emulated CPU is about 13 times slower, and guests share the cores
*) time_scale=15 ;;
esac
{
	env_line TOP_SRCDIR "$top"
	env_line TOP_BUILDDIR "$build"
	env_line BPF_CLANG "${BPF_CLANG:-clang}"
	env_line CORPUS "${CORPUS:-$build/tests/data/corpus.pcap}"
	env_line XDPCAP_TEST_TIME_SCALE "$time_scale"
	env_line GUEST_JOBS "$GUEST_CPUS"
	# tshark takes seconds to start there: the tests' own reader reads
	# fields (on the host, it is checked against tshark on every file)
	env_line XDPCAP_TEST_FIELDS reader
	[ -z "${GUEST_TRACE:-}" ] || env_line GUEST_TRACE 1
} >"$work/env"

# The sampled filters' C, compiled here for tests/diff_filters in the
# guest, which runs this same clang (minutes under emulation) and takes
# the object where its C is byte for byte the one compiled here. Guests
# of several kernels at once share it.
if grep -q '^tests/diff_filters ' "$work/tests"; then
	c_cache=$cache/c-filters
	mkdir -p "$c_cache"
	sh "$top/tests/kernels/filter_sample.sh" "$top/tests/data/filters.txt" >"$work/filters-sample.txt"
	flock "$c_cache/.lock" env FILTERS="$work/filters-sample.txt" XDPCAP_C_CACHE="$c_cache" \
		XDPCAP_C_CACHE_FILL=1 TOP_SRCDIR="$top" BPF_CLANG="${BPF_CLANG:-clang}" \
		CORPUS="${CORPUS:-$build/tests/data/corpus.pcap}" \
		"$build/tests/diff_filters" >"$work/c-cache.txt" 2>&1
	check $? "$label: the sampled filters' C compiled here for the guest ($c_cache)" \
		"$(tail -n 5 "$work/c-cache.txt")"
	env_line XDPCAP_C_CACHE "$c_cache" >>"$work/env"
fi
make_initramfs suite
echo "# $label: $KERNEL_RELEASE under qemu, $GUEST_ACCEL ($GUEST_ACCEL_WHY), $GUEST_CPUS vCPUs, $GUEST_MEMORY_MIB MiB, deadlines x$time_scale"

t0=$(date +%s)
guest_boot "$KERNEL_IMAGE" "$work" "$timeout_s"
qemu_rc=$?
wall=$(($(date +%s) - t0))
mkdir -p "$outdir"
cp "$work/console.txt" "$outdir/$console_name" 2>/dev/null
tr -d '\r' <"$work/report.txt" >"$work/report" 2>/dev/null

case $qemu_rc in
0) stopped="the guest stopped" ;;
124 | 137) stopped="the guest was stopped after $timeout_s s (XDPCAP_KERNEL_TIMEOUT)" ;;
*) stopped="qemu failed with status $qemu_rc: $(grep -v '^$' "$work/qemu.txt" | tail -n 1)" ;;
esac

console_tail() {
	grep -v '^$' "$work/console.txt" 2>/dev/null | tail -n 20 | sed 's/^/#   console: /'
}

booted=$(sed -n 's/^xdpcap-guest: booted \(.*\)/\1/p' "$work/report")
[ -n "$booted" ]
check $? "$label: the guest boots ($booted, $GUEST_ACCEL)" "$stopped"
if [ -z "$booted" ]; then
	console_tail
	not_run "the guest did not boot: $stopped"
fi

# --- the guest's report, test by test ------------------------------------

current=
failed_here=0
results=0
plan=
bailed=

test_begins() {
	current=$1
	results=0
	failed_here=0
	plan=
	bailed=
	echo "$current" >>"$work/begun"
}

# test_ends STATUS SECONDS: whether the test ran to its end
test_ends() {
	if [ -z "$bailed" ]; then
		[ -n "$plan" ] && [ "$plan" -eq "$results" ] &&
			{ [ "$1" -eq 0 ] || [ "$failed_here" -gt 0 ]; }
		check $? "$label $current: ran to its end ($results results, exit status $1, $2 s)" \
			"plan 1..${plan:-none}"
	fi
	echo "$current $2" >>"$work/times"
	current=
}

: >"$work/begun"
: >"$work/times"
while IFS= read -r line; do
	case $line in
	"xdpcap-guest: begin "*)
		test_begins "${line#xdpcap-guest: begin }"
		;;
	"xdpcap-guest: end "*)
		set -- ${line#xdpcap-guest: end }
		[ -n "$current" ] && test_ends "$3" "$5"
		;;
	"xdpcap-guest: failed: "*)
		ok 1 "$label: the guest's init: ${line#xdpcap-guest: failed: }"
		;;
	"xdpcap-guest: ready in "*)
		ready=${line#xdpcap-guest: ready in }
		;;
	"xdpcap-guest: suite ended "*)
		suite_end=${line#xdpcap-guest: suite ended }
		;;
	"xdpcap-guest: "*) ;;
	"ok "* | "not ok "*)
		[ -n "$current" ] || continue
		results=$((results + 1))
		case $line in "not ok "*) failed_here=$((failed_here + 1)) ;; esac
		what=$(printf '%s\n' "$line" | sed -E 's/^(not )?ok( [0-9]+)?( -)? ?//')
		case $line in
		"ok "*) ok 0 "$label $current: $what" ;;
		*) ok 1 "$label $current: $what" ;;
		esac
		;;
	1..*)
		plan=${line#1..}
		;;
	"Bail out!"*)
		bailed=1
		ok 1 "$label $current: ${line}"
		;;
	"#"*) echo "$line" ;;
	*) echo "#   $line" ;;
	esac
done <"$work/report"

if [ -n "$current" ]; then
	ok 1 "$label $current: did not finish: $stopped"
	console_tail
fi
while read -r program _; do
	[ "$program" = wait ] && continue
	grep -qx "$program" "$work/begun" ||
		ok 1 "$label $program: not run: $stopped before it"
done <"$work/tests"

# a kernel that oopses or warns has failed, whatever the tests saw
splats=$(grep -E -c 'BUG:|Oops|WARNING:|Call Trace:|general protection' "$work/console.txt")
[ "${splats:-0}" -eq 0 ]
check $? "$label: no oops, BUG or WARNING in the kernel's log" \
	"$splats lines, in $outdir/$console_name" "$work/console.txt"

echo "# $label: booted $booted, ready ${ready:-never}, suite ended ${suite_end:-never}; $wall s in all"
while read -r program seconds; do
	echo "# $label: $program took $seconds s"
done <"$work/times"
tap_done
