#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
#
# What a user without privileges meets: every command that needs them is
# refused with exit status 2 and one line that says what privilege is
# needed, xdpcap list lists the hooks it may read and marks the others
# unreadable, and compile, which loads nothing, works. Runs as root and
# drops to user nobody (setpriv), in a private mount namespace with a
# bpffs of its own, next to the demo XDP program on a veth pair between
# two network namespaces of the test's own. Output is TAP.
#
# Environment:
#   TOP_SRCDIR    source tree (default: the parent of this directory)
#   TOP_BUILDDIR  build tree, with xdpcap and bpf/examples/*.bpf.o
#   CORPUS        a pcap file to replay (default: tests/data/corpus.pcap)
set -u

top=${TOP_SRCDIR:-$(cd "$(dirname "$0")/.." && pwd)}
. "$top/tests/lib/live.sh"
live_needs ip bpftool nsenter unshare setpriv python3
corpus=${CORPUS:-$build/tests/data/corpus.pcap}
[ -f "$corpus" ] || bail "no $corpus (make check makes it)"
live_test privileges "$0" "$@"
# nobody reads the input and may write into out/
chmod 0755 "$tmp" && mkdir -m 1777 "$tmp/out" &&
	cp "$corpus" "$tmp/corpus.pcap" && chmod 0644 "$tmp/corpus.pcap" ||
	bail "cannot make files for user nobody in $tmp"

# run CMD...: exit status in $rc, stdout in $tmp/stdout, stderr in $tmp/stderr
run() {
	"$@" >"$tmp/stdout" 2>"$tmp/stderr"
	rc=$?
}

# as_nobody NS CMD...: CMD in network namespace NS as user nobody, with
# no capabilities at all
as_nobody() {
	_ns=$1
	shift
	netns_exec "$_ns" setpriv --reuid=nobody --regid=nogroup --clear-groups \
		--inh-caps=-all --bounding-set=-all "$@"
}

# refused WHAT MESSAGE CMD...: exit 2, and stderr is the one line MESSAGE
refused() {
	_what=$1 _msg=$2
	shift 2
	run "$@"
	[ "$rc" -eq 2 ] && [ "$(cat "$tmp/stderr")" = "$_msg" ]
	check $? "$_what: exit 2, '$(head -n 1 "$tmp/stderr")'" \
		"exit $rc, stderr '$(head -c 300 "$tmp/stderr")'"
}

hooks=/sys/fs/bpf/xdpcap
closed=/sys/fs/bpf/xdpcap-closed
empty="ABORTED empty, DROP empty, PASS empty, TX empty, REDIRECT empty, ENTRY empty"
as_root="run as root (CAP_BPF and CAP_NET_ADMIN)"
load_root="run as root (CAP_BPF, CAP_PERFMON and CAP_NET_ADMIN)"

netns_setup xprv || bail "cannot make network namespaces and a veth pair"
A=$NETNS_A VA=$VETH_A
xdp_attach "$VA" "$demo" native || bail "cannot attach the demo to $VA"
prog=$(xdp_prog_id "$VA") || bail "cannot find the demo program"
# pins are made mode 0600: private stays so, shared is opened to all
hook_pin "$VA" "$hooks/private" && hook_pin "$VA" "$hooks/shared" &&
	chmod 0666 "$hooks/shared" || bail "cannot pin the hook of $VA"
map=$HOOK_MAP_ID
mkdir -m 0700 "$closed" && hook_pin "$VA" "$closed/inside" ||
	bail "cannot pin the hook in a directory only root may read"
as_nobody "$A" test -x "$xdpcap" ||
	bail "user nobody cannot run $xdpcap (a build directory others cannot enter?)"
# Before 6.5, while unprivileged BPF is disabled (Debian's default), the
# kernel refuses every bpf() call of a user without CAP_BPF, opening a
# pin included; later kernels let the pin's file mode decide. Asked of
# this kernel: whether nobody may open the pin that is open to all.
if as_nobody "$A" bpftool map show pinned "$hooks/shared" >/dev/null 2>&1; then
	shared_opens=1
	shared_line="xdp:shared  pinned  map $map  interface unknown  $empty"
	shared_err=
	echo "# user nobody may open a pin open to all, on this kernel"
else
	shared_opens=0
	shared_line="xdp:shared  pinned  unreadable (not permitted)"
	shared_err="xdpcap: opening $hooks/shared: not permitted: $as_root"
	echo "# user nobody may not open even a pin open to all, on this kernel"
fi

# --- list -----------------------------------------------------------------

cat >"$tmp/want" <<EOF
xdp:private  pinned  map $map  $VA prog $prog xdpcap_demo  $empty
xdp:shared  pinned  map $map  $VA prog $prog xdpcap_demo  $empty
EOF
run netns_exec "$A" "$xdpcap" list
[ "$rc" -eq 0 ] && cmp -s "$tmp/stdout" "$tmp/want" && [ ! -s "$tmp/stderr" ]
check $? "root lists both pins: exit 0" "exit $rc" "$tmp/stdout"

cat >"$tmp/want" <<EOF
xdp:private  pinned  unreadable (not permitted)
$shared_line
EOF
refused "list as nobody: a pin it may not open" \
	"xdpcap: opening $hooks/private: not permitted: $as_root${shared_err:+
$shared_err}" \
	as_nobody "$A" "$xdpcap" list
cmp -s "$tmp/stdout" "$tmp/want"
check $? "... lists a pin it may open, and what it may not as unreadable, in name order" \
	"got" "$tmp/stdout"

run as_nobody "$A" "$xdpcap" list --json
python3 - "$tmp/stdout" "$map" "$hooks" "$shared_opens" <<'EOF'
import json, sys
path, map_id, hooks, shared_opens = sys.argv[1:]
private, shared = json.load(open(path))
def unreadable(name):
    return {"name": "xdp:" + name, "source": "pinned", "path": hooks + "/" + name,
            "unreadable": True,
            "error": "opening " + hooks + "/" + name + ": not permitted: "
                     "run as root (CAP_BPF and CAP_NET_ADMIN)"}
assert private == unreadable("private"), private
if shared_opens == "1":
    assert shared["name"] == "xdp:shared" and shared["map_id"] == int(map_id), shared
    assert "unreadable" not in shared and len(shared["slots"]) == 6, shared
else:
    assert shared == unreadable("shared"), shared
EOF
py=$?
[ "$rc" -eq 2 ] && [ "$py" -eq 0 ] && [ "$(wc -l <"$tmp/stderr")" -eq $((2 - shared_opens)) ]
check $? "list --json as nobody: exit 2, the unreadable pin with \"unreadable\" and \"error\", the other in full" \
	"exit $rc" "$tmp/stderr"

if [ "$shared_opens" = 1 ]; then
	echo "xdp:shared  pinned  map $map  interface unknown  $empty"
else
	echo "xdp:shared  unreadable (not permitted)"
fi >"$tmp/want"
echo "xdp:private  unreadable (not permitted)" >>"$tmp/want"
refused "list HOOK... as nobody" \
	"${shared_err:+$shared_err
}xdpcap: opening $hooks/private: not permitted: $as_root" \
	as_nobody "$A" "$xdpcap" list xdp:shared xdp:private
cmp -s "$tmp/stdout" "$tmp/want"
check $? "... lists each HOOK in the order given, the one it may not open as unreadable" \
	"got" "$tmp/stdout"

refused "list of an interface's hook as nobody names CAP_SYS_ADMIN" \
	"xdpcap: reading the XDP program of $VA: not permitted: run as root (finding an interface's hook needs CAP_SYS_ADMIN)" \
	as_nobody "$A" "$xdpcap" list "xdp:$VA"

refused "list of a hook directory nobody may not read" \
	"xdpcap: reading $closed: not permitted: $as_root" \
	as_nobody "$A" "$xdpcap" list --hook-dir "$closed"
[ ! -s "$tmp/stdout" ]
check $? "... lists nothing, and does not say no hooks were found" "got" "$tmp/stdout"

# --- the commands that load programs --------------------------------------

refused "features as nobody" \
	"xdpcap: probing the kernel's BPF features is not permitted: $load_root" \
	as_nobody "$A" "$xdpcap" features
[ ! -s "$tmp/stdout" ]
check $? "... prints no features" "got" "$tmp/stdout"

refused "-r as nobody" \
	"xdpcap: loading a BPF program is not permitted: $load_root" \
	as_nobody "$A" "$xdpcap" -r "$tmp/corpus.pcap" "$tmp/out/replay.pcap" udp
[ ! -e "$tmp/out/replay.pcap" ]
check $? "... writes no file"

refused "a capture from a pin open to all" \
	"${shared_err:-xdpcap: probing the kernel's BPF features is not permitted: $load_root}" \
	as_nobody "$A" "$xdpcap" -c 1 xdp:shared "$tmp/out/shared.pcapng"
refused "a capture from a pin nobody may not open" \
	"xdpcap: opening $hooks/private: not permitted: $as_root" \
	as_nobody "$A" "$xdpcap" -c 1 xdp:private "$tmp/out/private.pcapng"
refused "a capture from an interface's hook" \
	"xdpcap: reading the XDP program of $VA: not permitted: run as root (finding an interface's hook needs CAP_SYS_ADMIN)" \
	as_nobody "$A" "$xdpcap" -c 1 "xdp:$VA" "$tmp/out/iface.pcapng"
[ -z "$(ls -A "$tmp/out")" ]
check $? "... and none writes a file" "got" "$(ls -A "$tmp/out")"

# --- what needs no privileges ---------------------------------------------

run as_nobody "$A" "$xdpcap" compile "udp port 53"
[ "$rc" -eq 0 ] && grep -q "eBPF instructions" "$tmp/stdout" && [ ! -s "$tmp/stderr" ]
check $? "compile as nobody: exit 0, it loads nothing" "exit $rc" "$tmp/stderr"

# --- cleaning up ----------------------------------------------------------

netns_cleanup
[ "$(ip netns list | grep -c -e "$A")" -eq 0 ] && [ ! -d "$tmp" ]
check $? "cleanup removes the namespaces and the files"

tap_done
