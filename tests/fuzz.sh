#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
#
# Build the libFuzzer target tests/fuzz_compiler.c with clang, straight
# from the library's sources, and run it for a bounded time on a seed
# corpus it writes itself. As root the fuzzer also loads every valid
# program into the kernel and compares its results with libpcap's.
# Output is TAP.
#
# Environment:
#   TOP_SRCDIR      source tree (default: the parent of this directory)
#   TOP_BUILDDIR    build tree; crash inputs are kept in tests/fuzz-artifacts
#   BPF_CLANG       the clang to use (default: clang)
#   FUZZ_TIME       seconds to fuzz (default: 60)
#   FUZZ_MIN_EXECS  executions a run must reach (default: 10000)
#   XDPCAP_FUZZ_KERNEL  1 to run programs in the kernel (default: 1 as root)
set -u

n=0
failed=0
ok() {
	n=$((n + 1))
	echo "ok $n - $*"
}
not_ok() {
	n=$((n + 1))
	failed=1
	echo "not ok $n - $*"
}
# stdin as TAP diagnostics
diag() {
	sed 's/^/# /'
}
finish() {
	echo "1..$n"
	exit "$failed"
}

script_dir=$(cd "$(dirname "$0")" && pwd)
TOP_SRCDIR=${TOP_SRCDIR:-$(dirname "$script_dir")}
TOP_BUILDDIR=${TOP_BUILDDIR:-$TOP_SRCDIR}
CC=${BPF_CLANG:-clang}
FUZZ_TIME=${FUZZ_TIME:-60}
MIN_EXECS=${FUZZ_MIN_EXECS:-10000}
MIN_COMPARED=1000
artifacts=$TOP_BUILDDIR/tests/fuzz-artifacts

if [ -z "${XDPCAP_FUZZ_KERNEL:-}" ]; then
	if [ "$(id -u)" = 0 ]; then
		XDPCAP_FUZZ_KERNEL=1
	else
		XDPCAP_FUZZ_KERNEL=0
	fi
fi
export XDPCAP_FUZZ_KERNEL

if ! command -v "$CC" >/dev/null 2>&1; then
	not_ok "clang not found (BPF_CLANG=${BPF_CLANG:-}): the fuzz test needs clang and libclang-rt-14-dev"
	finish
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/xdpcap-fuzz.XXXXXX") || {
	not_ok "cannot create a temporary directory"
	finish
}
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' HUP INT TERM

# libFuzzer's runtime comes with libclang-rt-*-dev, not with clang itself.
cat > "$tmp/probe.c" <<'EOF'
#include <stddef.h>
#include <stdint.h>
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	(void)data;
	(void)size;
	return 0;
}
EOF
if ! "$CC" -fsanitize=fuzzer,address,undefined "$tmp/probe.c" \
	-o "$tmp/probe" > "$tmp/probe.log" 2>&1; then
	not_ok "$CC cannot link a libFuzzer program: install libclang-rt-14-dev (the libFuzzer and sanitizer runtimes)"
	diag < "$tmp/probe.log"
	finish
fi

set --
for f in tests/fuzz_compiler.c tests/cbpf_gen.c lib/opts.c lib/filter/cbpf_check.c \
	lib/filter/cbpf_unroll.c lib/filter/cbpf_flow.c lib/filter/filter_ebpf.c \
	lib/filter/filter_c.c lib/filter/ebpf_dump.c lib/filter/filter_prog.c \
	lib/capture/capture_copy_loop.c \
	lib/filter/cbpf_expr.c; do
	set -- "$@" "$TOP_SRCDIR/$f"
done
if "$CC" -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
	-g -O1 -Wall -Wextra -D_GNU_SOURCE \
	-I"$TOP_SRCDIR/lib/include" -I"$TOP_SRCDIR/lib" -I"$TOP_SRCDIR/tests" \
	"$@" -lbpf -lpcap -o "$tmp/fuzz_compiler" > "$tmp/build.log" 2>&1; then
	ok "fuzzer built with $CC"
	diag < "$tmp/build.log"
else
	not_ok "building the fuzzer with $CC"
	diag < "$tmp/build.log"
	finish
fi

mkdir -p "$tmp/seeds"
if XDPCAP_FUZZ_SEED_DIR="$tmp/seeds" "$tmp/fuzz_compiler" \
	> "$tmp/seeds.log" 2>&1; then
	nseeds=$(find "$tmp/seeds" -type f | wc -l)
	if [ "$nseeds" -gt 0 ]; then
		ok "seed corpus of $nseeds inputs (libpcap-compiled filters, generated programs)"
	else
		not_ok "the seed corpus is empty"
	fi
else
	not_ok "writing the seed corpus"
	diag < "$tmp/seeds.log"
	finish
fi

mkdir -p "$tmp/corpus" "$artifacts"
echo "# fuzzing for ${FUZZ_TIME}s, kernel runs: $XDPCAP_FUZZ_KERNEL"
start=$(date +%s)
ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=1:detect_leaks=1} \
UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1} \
"$tmp/fuzz_compiler" -max_total_time="$FUZZ_TIME" -rss_limit_mb=2048 \
	-timeout=30 -max_len=8192 -print_final_stats=1 \
	-artifact_prefix="$artifacts/" "$tmp/corpus" "$tmp/seeds" \
	> "$tmp/fuzz.log" 2>&1
rc=$?
end=$(date +%s)

execs=$(sed -n 's/^stat::number_of_executed_units: *\([0-9][0-9]*\).*/\1/p' \
	"$tmp/fuzz.log" | tail -n 1)
execs=${execs:-0}
stats=$(grep '^xdpcap-fuzz: [0-9]* inputs' "$tmp/fuzz.log" | tail -n 1)
compared=$(echo "$stats" | sed -n 's/.* \([0-9][0-9]*\) runs compared with libpcap.*/\1/p')
compared=${compared:-0}

grep -E '^#[0-9]+[[:space:]]+DONE|^stat::' "$tmp/fuzz.log" | diag
[ -n "$stats" ] && echo "$stats" | diag
echo "# $((end - start))s wall time"

if [ "$rc" -eq 0 ]; then
	ok "fuzzer ran $execs executions without a crash"
else
	not_ok "fuzzer failed (exit status $rc); crash inputs are kept in $artifacts"
	tail -n 120 "$tmp/fuzz.log" | diag
	for a in "$artifacts"/*; do
		[ -f "$a" ] || continue
		echo "# $a:"
		od -An -tx1 -v "$a" | head -n 64 | diag
	done
fi
if [ "$execs" -gt "$MIN_EXECS" ]; then
	ok "$execs executions (want > $MIN_EXECS)"
else
	not_ok "$execs executions (want > $MIN_EXECS)"
fi
if [ "$XDPCAP_FUZZ_KERNEL" = 1 ]; then
	if [ "$compared" -gt "$MIN_COMPARED" ]; then
		ok "$compared kernel runs compared with libpcap (want > $MIN_COMPARED)"
	else
		not_ok "$compared kernel runs compared with libpcap (want > $MIN_COMPARED)"
	fi
else
	# said in the summary, not only here: the kernel half did not run
	n=$((n + 1))
	echo "ok $n # SKIP kernel runs need root: programs were compiled, not run"
fi
rmdir "$artifacts" 2>/dev/null
finish
