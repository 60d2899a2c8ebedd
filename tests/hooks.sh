#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
#
# Finding hooks, as `xdpcap list` shows them: the demo XDP program attached
# natively and in generic mode to a veth pair between two network
# namespaces of the test's own, its hook pinned (in the default and in
# another hook directory) and not, who holds its slots, and the errors a
# person meets. Runs as root in a private mount namespace with a bpffs of
# its own, and leaves nothing behind. Output is TAP.
#
# Environment:
#   TOP_SRCDIR    source tree (default: the parent of this directory)
#   TOP_BUILDDIR  build tree, with xdpcap and bpf/examples/*.bpf.o
#   BPF_CLANG     the clang to build a small XDP program with (default: clang)
set -u

top=${TOP_SRCDIR:-$(cd "$(dirname "$0")/.." && pwd)}
build=${TOP_BUILDDIR:-$top}
xdpcap=$build/xdpcap
demo=$build/bpf/examples/xdpcap_demo.bpf.o
demo_frags=$build/bpf/examples/xdpcap_demo_frags.bpf.o
clang=${BPF_CLANG:-clang}

. "$top/tests/lib/tap.sh"
require_root
. "$top/tests/lib/netns.sh"

for tool in ip bpftool nsenter unshare python3 "$clang"; do
	command -v "$tool" >/dev/null 2>&1 || bail "needs $tool"
done
[ -f "$demo" ] && [ -f "$demo_frags" ] || bail "no $demo (built with clang -target bpf)"
[ -x "$xdpcap" ] || bail "no $xdpcap"
netns_private_mounts "$0" "$@" || bail "cannot make a mount namespace (unshare -m)"
bpffs_mount || bail "cannot mount bpffs at /sys/fs/bpf"

tmp=$(mktemp -d /tmp/xdpcap-hooks.XXXXXX) || exit 1
cleanup_add "rm -rf '$tmp'"



# run CMD...: exit status in $rc, stdout in $tmp/out, stderr in $tmp/err
run() {
	"$@" >"$tmp/out" 2>"$tmp/err"
	rc=$?
}

# in NS CMD...: run in network namespace NS
in_ns() {
	netns_exec "$@"
}

# expect WHAT RC CMD...: exit RC, and stdout equal to $tmp/want
expect_out() {
	what=$1 want_rc=$2
	shift 2
	run "$@"
	if [ "$rc" -eq "$want_rc" ] && cmp -s "$tmp/out" "$tmp/want"; then
		ok 0 "$what"
	else
		ok 1 "$what: exit $rc (want $want_rc)"
		echo "# want:"
		sed 's/^/#   /' "$tmp/want"
		echo "# got:"
		sed 's/^/#   /' "$tmp/out" "$tmp/err"
	fi
}

# expect_err WHAT RC MESSAGE CMD...: exit RC and stderr exactly MESSAGE
expect_err() {
	what=$1 want_rc=$2 message=$3
	shift 3
	run "$@"
	if [ "$rc" -eq "$want_rc" ] && [ "$(cat "$tmp/err")" = "$message" ]; then
		ok 0 "$what: exit $rc, '$message'"
	else
		ok 1 "$what: exit $rc (want $want_rc)"
		echo "# want: $message"
		sed 's/^/# got:  /' "$tmp/err"
	fi
}

# (the demo's hook has an entry slot too)
empty="ABORTED empty, DROP empty, PASS empty, TX empty, REDIRECT empty, ENTRY empty"
needs="need a program array with 4-byte keys and values and at least 5 slots"
hooks=/sys/fs/bpf/xdpcap
other_dir=/sys/fs/bpf/xdpcap-test/hooks

# --- two namespaces, the demo on both ends of their veth pair ----------

netns_setup xdpc || bail "cannot make network namespaces and a veth pair"
A=$NETNS_A B=$NETNS_B VA=$VETH_A VB=$VETH_B

xdp_attach "$VA" "$demo" native
ok $? "demo attached natively to $VA in $A"
xdp_attach "$VB" "$demo_frags" generic xdp.frags
ok $? "frags-aware demo attached in generic mode to $VB in $B"
in_ns "$A" ip link show dev "$VA" | grep -q " xdp "
ok $? "$VA runs it in native (driver) mode"
in_ns "$B" ip link show dev "$VB" | grep -q " xdpgeneric "
ok $? "$VB runs it in generic mode"

prog_a=$(xdp_prog_id "$VA") && prog_b=$(xdp_prog_id "$VB") &&
	map_b=$(hook_map_id "$VB") || bail "cannot find the demo programs and maps"
hook_pin "$VA" "$hooks/demo" || bail "cannot pin the hook of $VA"
map_a=$HOOK_MAP_ID
hook_pin "$VA" "$other_dir/other" || bail "cannot pin the hook of $VA again"

line_a="$VA prog $prog_a xdpcap_demo"
line_b="$VB prog $prog_b xdpcap_demo"

# --- listing ------------------------------------------------------------

echo "xdp:demo  pinned  map $map_a  $line_a  $empty" >"$tmp/want"
expect_out "list in $A: the pinned hook, with the interface using it, once" \
	0 in_ns "$A" "$xdpcap" list

cat >"$tmp/want" <<EOF
xdp:demo  pinned  map $map_a  prog $prog_a xdpcap_demo on no interface here  $empty
xdp:$VB  interface  map $map_b  $line_b  $empty
EOF
expect_out "list in $B: the pinned hook (its program, used in another namespace) and $VB's" \
	0 in_ns "$B" "$xdpcap" list

echo "xdp:other  pinned  map $map_a  $line_a  $empty" >"$tmp/want"
expect_out "list --hook-dir DIR looks there" \
	0 in_ns "$A" "$xdpcap" list --hook-dir "$other_dir"
expect_out "list looks in \$XDPCAP_HOOK_DIR" \
	0 in_ns "$A" env XDPCAP_HOOK_DIR="$other_dir" "$xdpcap" list

cat >"$tmp/want" <<EOF
xdp:demo  pinned  map $map_a  $line_a  $empty
xdp:demo  pinned  map $map_a  $line_a  $empty
xdp:$VA  interface  map $map_a  $line_a  $empty
xdp:$VA  interface  map $map_a  $line_a  $empty
$hooks/demo  path  map $map_a  $line_a  $empty
EOF
expect_out "list HOOK...: by pinned name, interface and path, with or without xdp:" \
	0 in_ns "$A" "$xdpcap" list xdp:demo demo "xdp:$VA" "$VA" "$hooks/demo"

run in_ns "$B" "$xdpcap" list --json
if [ "$rc" -eq 0 ] && python3 -m json.tool "$tmp/out" >/dev/null; then
	ok 0 "list --json is JSON"
else
	ok 1 "list --json is JSON: exit $rc, $(head -c 300 "$tmp/out" "$tmp/err")"
fi
python3 - "$tmp/out" "$map_a" "$map_b" "$VB" "$prog_b" "$hooks/demo" "$prog_a" <<'EOF'
import json, sys
path, map_a, map_b, vb, prog_b, pin, prog_a = sys.argv[1:]
hooks = json.load(open(path))
assert [h["name"] for h in hooks] == ["xdp:demo", "xdp:" + vb], hooks
demo, iface = hooks
assert demo["source"] == "pinned" and demo["path"] == pin, demo
assert demo["map_id"] == int(map_a) and demo["max_entries"] == 7, demo
assert "ifname" not in demo and demo["prog_id"] == int(prog_a), demo
assert demo["prog_name"] == "xdpcap_demo", demo
assert iface["source"] == "interface" and "path" not in iface, iface
assert iface["map_id"] == int(map_b) and iface["ifname"] == vb, iface
assert iface["prog_id"] == int(prog_b) and iface["prog_name"] == "xdpcap_demo", iface
for h in hooks:
    assert [s["action"] for s in h["slots"]] == [
        "XDP_ABORTED", "XDP_DROP", "XDP_PASS", "XDP_TX", "XDP_REDIRECT", "XDP entry"], h
    assert all(s["prog_id"] == 0 for s in h["slots"]), h
EOF
ok $? "list --json has both hooks' names, sources, ids, interface and slots"

# --- who holds the slots ------------------------------------------------

sleep 600 &
alive=$!
cleanup_add "kill $alive 2>/dev/null"
gone=$(sh -c 'echo $$')
while kill -0 "$gone" 2>/dev/null; do
	gone=$(sh -c 'echo $$')
done
cat >"$tmp/owners.c" <<'EOF'
/* Programs that only pass, named like capture programs (or not). */
#define SEC(name) __attribute__((section(name), used))
struct xdp_md;
SEC("xdp") int ALIVE(struct xdp_md *ctx) { return 2; }
SEC("xdp") int GONE(struct xdp_md *ctx) { return 2; }
SEC("xdp") int other_prog(struct xdp_md *ctx) { return 2; }
char _license[] SEC("license") = "GPL";
EOF
"$clang" -O2 -target bpf -DALIVE="xdpcap_$alive" -DGONE="xdpcap_$gone" \
	-c "$tmp/owners.c" -o "$tmp/owners.o" &&
	bpftool prog loadall "$tmp/owners.o" /sys/fs/bpf/xdpcap-test/owners type xdp
ok $? "programs named xdpcap_$alive (running), xdpcap_$gone (gone) and other_prog load"
cleanup_add "rm -rf /sys/fs/bpf/xdpcap-test/owners"
other_id=$(bpftool prog show pinned /sys/fs/bpf/xdpcap-test/owners/other_prog |
	sed -n 's/^\([0-9]*\):.*/\1/p')
slot() {
	bpftool map update pinned "$hooks/demo" key "$1" 0 0 0 \
		value pinned "/sys/fs/bpf/xdpcap-test/owners/$2"
}
slot 1 "xdpcap_$alive" && slot 2 "xdpcap_$gone" && slot 3 other_prog
ok $? "they fill the DROP, PASS and TX slots of the demo's hook"

echo "xdp:demo  pinned  map $map_a  $line_a  ABORTED empty, DROP pid $alive, PASS pid $gone (gone), TX prog $other_id other_prog, REDIRECT empty, ENTRY empty" >"$tmp/want"
expect_out "list shows who holds each slot: a running xdpcap, a gone one, another program" \
	0 in_ns "$A" "$xdpcap" list
run in_ns "$A" "$xdpcap" list --json xdp:demo
python3 - "$tmp/out" "$alive" "$gone" "$other_id" <<'EOF'
import json, sys
path, alive, gone, other = sys.argv[1:]
(hook,) = json.load(open(path))
s = hook["slots"]
assert s[0] == {"action": "XDP_ABORTED", "prog_id": 0}, s[0]
assert s[1]["owner_pid"] == int(alive) and s[1]["owner_alive"] is True, s[1]
assert s[1]["prog_name"] == "xdpcap_" + alive, s[1]
assert s[2]["owner_pid"] == int(gone) and s[2]["owner_alive"] is False, s[2]
assert s[3]["prog_id"] == int(other) and s[3]["prog_name"] == "other_prog", s[3]
assert "owner_pid" not in s[3], s[3]
EOF
ok $? "list --json shows the slots' programs, owners and whether they run"
for key in 1 2 3; do
	bpftool map delete pinned "$hooks/demo" key "$key" 0 0 0
done

# --- errors -------------------------------------------------------------

expect_err "an unknown name lists the hooks there are" 2 \
	"xdpcap: no hook 'xdp:nosuch': no pinned hook $hooks/nosuch and no network interface nosuch; hooks found: xdp:demo, xdp:$VB" \
	in_ns "$B" "$xdpcap" list xdp:nosuch
expect_err "'..' is refused" 2 \
	"xdpcap: bad hook name 'xdp:..': a name cannot contain '/' or be '..'; name a hook pinned in $hooks, an interface, or give the hook's absolute path on bpffs" \
	in_ns "$A" "$xdpcap" list xdp:..
expect_err "a name with '/' is refused" 2 \
	"xdpcap: bad hook name '../xdpcap-test/hooks/other': a name cannot contain '/' or be '..'; name a hook pinned in $hooks, an interface, or give the hook's absolute path on bpffs" \
	in_ns "$A" "$xdpcap" list ../xdpcap-test/hooks/other

ln -s ../xdpcap-test/hooks/other "$hooks/escape" && ln -s demo "$hooks/alias"
ok $? "symbolic links in the hook directory: one out of it, one to demo"
expect_err "a symbolic link out of the hook directory is refused" 2 \
	"xdpcap: hook 'escape' leads out of the hook directory $hooks (to $other_dir/other): refused" \
	in_ns "$A" "$xdpcap" list escape
cat >"$tmp/want" <<EOF
xdp:alias  pinned  map $map_a  $line_a  $empty
xdp:demo  pinned  map $map_a  $line_a  $empty
EOF
expect_out "list follows links inside the hook directory, not out of it" \
	0 in_ns "$A" "$xdpcap" list
rm -f "$hooks/escape" "$hooks/alias"

bpftool map create "$hooks/hash" type hash key 4 value 4 entries 8 name notahook &&
	bpftool map create "$hooks/small" type prog_array key 4 value 4 entries 2 name small &&
	bpftool prog pin id "$other_id" "$hooks/prog" && mkdir "$hooks/subdir"
ok $? "a hash map, a program array of 2 slots, a program and a directory in the hook directory"
cleanup_add "rm -rf '$hooks/hash' '$hooks/small' '$hooks/prog' '$hooks/subdir'"
expect_err "a hash map is not a hook" 2 \
	"xdpcap: 'xdp:hash' is a hash map, not an xdpcap hook ($needs)" \
	in_ns "$A" "$xdpcap" list xdp:hash
expect_err "a program array of 2 slots is not a hook" 2 \
	"xdpcap: 'small' is a program array with 2 slots, not an xdpcap hook ($needs)" \
	in_ns "$A" "$xdpcap" list small
expect_err "a program is not a hook" 2 \
	"xdpcap: 'prog' is a BPF program, not an xdpcap hook ($needs)" \
	in_ns "$A" "$xdpcap" list prog
expect_err "a directory is not a hook" 2 \
	"xdpcap: 'subdir' is a directory ($hooks/subdir), not an xdpcap hook" \
	in_ns "$A" "$xdpcap" list subdir
echo "xdp:demo  pinned  map $map_a  $line_a  $empty" >"$tmp/want"
expect_out "list skips what is not a hook" 0 in_ns "$A" "$xdpcap" list
rm -rf "$hooks/hash" "$hooks/small" "$hooks/prog" "$hooks/subdir"

# no_bpffs NS CMD...: CMD in NS, in a mount namespace where /sys/fs/bpf
# is a tmpfs
no_bpffs() {
	ns=$NETNS_RUN_DIR/$1
	shift
	unshare -m --propagation private sh -c \
		'mount -t tmpfs tmpfs /sys/fs/bpf && exec nsenter --net="$0" -- "$@"' \
		"$ns" "$@"
}
expect_err "without bpffs, a name that is no interface says how to mount it" 2 \
	"xdpcap: no hook 'xdp:demo': bpffs is not mounted at /sys/fs/bpf: mount -t bpf bpf /sys/fs/bpf (and there is no network interface demo)" \
	no_bpffs "$A" "$xdpcap" list xdp:demo
echo "xdp:$VA  interface  map $map_a  $line_a  $empty" >"$tmp/want"
expect_out "without bpffs, list still finds the hooks of interfaces" \
	0 no_bpffs "$A" "$xdpcap" list

if setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all \
	--bounding-set=-all test -x "$xdpcap" 2>/dev/null; then
	expect_err "list without privileges says to run as root" 2 \
		"xdpcap: opening $hooks/demo: not permitted: run as root (CAP_BPF and CAP_NET_ADMIN)" \
		in_ns "$A" setpriv --reuid=65534 --regid=65534 --clear-groups \
		--inh-caps=-all --bounding-set=-all "$xdpcap" list
	[ "$(cat "$tmp/out")" = "xdp:demo  pinned  unreadable (not permitted)" ]
	ok $? "... and lists the hook as unreadable: '$(cat "$tmp/out")'"
else
	ok 1 "list without privileges: user 65534 cannot run $xdpcap (a build directory others cannot enter?)"
fi

run "$xdpcap" list --bogus
[ "$rc" -eq 2 ] && grep -q "^Usage: xdpcap list" "$tmp/err"
ok $? "an unknown option is bad usage: exit $rc, usage on stderr"
run "$xdpcap" list --hook-dir
[ "$rc" -eq 2 ]
ok $? "--hook-dir without DIR is bad usage: exit $rc"
run "$xdpcap" list --help
[ "$rc" -eq 0 ] && grep -q "^Usage: xdpcap list" "$tmp/out"
ok $? "list --help: exit $rc, usage on stdout"

# --- nothing to find ----------------------------------------------------

xdp_detach "$VB"
ok $? "demo detached from $VB"
expect_err "an interface without an XDP program has no hook" 2 \
	"xdpcap: $VB has no XDP program, so no xdpcap hook: attach an XDP program that uses bpf/xdpcap_hook.h" \
	in_ns "$B" "$xdpcap" list "xdp:$VB"
xdp_attach "$VB" "$tmp/owners.o" generic
ok $? "a program without a hook attached to $VB"
plain_id=$(xdp_prog_id "$VB")
plain_name=$(bpftool prog show id "$plain_id" | sed -n 's/.* name \([^ ]*\) .*/\1/p')
expect_err "an XDP program without a map xdpcap_hook has no hook" 2 \
	"xdpcap: XDP program $plain_id ($plain_name) of $VB has no map named xdpcap_hook: build it with XDPCAP_HOOK(xdpcap_hook) from bpf/xdpcap_hook.h, or pin its hook and name that" \
	in_ns "$B" "$xdpcap" list "$VB"
: >"$tmp/want"
mkdir /sys/fs/bpf/xdpcap-test/empty
# no hook, but a program without one, which (built without -g) cannot
# be traced either: listed after the hooks, with why
why="XDP program $plain_id ($plain_name) has no BTF (built without -g): it cannot be traced; rebuild it with clang -g, or give it a hook (bpf/xdpcap_hook.h)"
printf 'xdp:%s  no hook  %s prog %s %s  not capturable: %s\n' "$VB" "$VB" "$plain_id" \
	"$plain_name" "$why" >"$tmp/want"
expect_out "list in $B with an empty hook directory: no hook, and $VB's program without one, not capturable for want of BTF" \
	0 in_ns "$B" "$xdpcap" list --hook-dir /sys/fs/bpf/xdpcap-test/empty
[ ! -s "$tmp/err" ]
ok $? "... and nothing on stderr"
printf '[{"name":"xdp:%s","source":"program","ifname":"%s","ifindex":%s,"prog_id":%s,"prog_name":"%s","traceable":false,"reason":"%s"}]\n' \
	"$VB" "$VB" "$(in_ns "$B" ip -o link show "$VB" | cut -d: -f1)" "$plain_id" "$plain_name" "$why" >"$tmp/want"
expect_out "list --json shows the same" \
	0 in_ns "$B" "$xdpcap" list --json --hook-dir /sys/fs/bpf/xdpcap-test/empty
xdp_detach "$VB"
: >"$tmp/want"
expect_out "list finds nothing in $B once the program is gone: exit 0, nothing on stdout" \
	0 in_ns "$B" "$xdpcap" list --hook-dir /sys/fs/bpf/xdpcap-test/empty
[ "$(cat "$tmp/err")" = "no hooks found: nothing pinned in /sys/fs/bpf/xdpcap-test/empty, and no XDP program on an interface here has a map named xdpcap_hook" ]
ok $? "... and says so on stderr: '$(cat "$tmp/err")'"
echo "[]" >"$tmp/want"
expect_out "list --json finds nothing: []" \
	0 in_ns "$B" "$xdpcap" list --json --hook-dir /sys/fs/bpf/xdpcap-test/none
[ ! -s "$tmp/err" ]
ok $? "... and nothing on stderr"

# --- cleaning up --------------------------------------------------------

netns_cleanup
left=$(ip netns list | grep -c -e "$A" -e "$B")
[ "$left" -eq 0 ] && [ ! -e "$hooks/demo" ] && [ ! -e "$other_dir/other" ] &&
	[ ! -d "$tmp" ] && ! kill -0 "$alive" 2>/dev/null
ok $? "cleanup removes the namespaces, their veth pair, the pins, the files and the process"

tap_done
