#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
#
# The Debian packages: built (make deb, lintian at error level), installed
# on this machine, and checked at their installed paths, nothing from the
# build tree:
#
#   1. make deb; lintian; every file each package must hold
#   2. installed with the debconf default: only root may capture
#   3. the manual pages name every option of --help
#   4. libxdpcap's headers, pkg-config file and library build a program;
#      the example of xdpcap_hook(3) and the demo's installed source build
#      XDP programs with #include <xdpcap_hook.h>
#   5. as root: tshark -D lists a hook through the system's extcap folder;
#      /usr/bin/xdpcap and tshark capture every action
#   6. dpkg-reconfigure lets the group xdpcap capture: modes, capabilities;
#      a member captures through tshark and xdpcap; a non-member gets a
#      clear refusal; a member cannot reach beyond the default hook
#      directory, other users' files or the default ring size
#   7. dpkg --purge removes the group xdpcap only if the package made it
#
# This installs xdpcap, libxdpcap0 and libxdpcap-dev system-wide (meant for
# CI; a rerun reinstalls them) and leaves them installed, with the debconf
# answer it found. Its two test users are removed at the end (and at the
# start, if a killed run left them). Traffic flows only between network
# namespaces made here, on documentation addresses. Runs as root; output
# is TAP.
#
# The users' captures run in a network namespace without XDP programs;
# listing next to one is checked on its own.
set -u

top=${TOP_SRCDIR:-$(cd "$(dirname "$0")/.." && pwd)}
build=${TOP_BUILDDIR:-$top}
. "$top/tests/lib/tap.sh"
require_root
. "$top/tests/lib/netns.sh"
. "$top/tests/lib/proc.sh"

for cmd in dpkg-buildpackage dh lintian apt-get dpkg-architecture \
	debconf-set-selections dpkg-reconfigure debconf-show setcap getcap \
	runuser useradd userdel systemd-tmpfiles tshark clang gcc pkg-config \
	bpftool man; do
	command -v "$cmd" >/dev/null ||
		bail "no $cmd: apt-get install debhelper dpkg-dev lintian libcap2-bin tshark clang pkg-config bpftool man-db (./bootstrap installs them)"
done
netns_private_mounts "$0" "$@" || bail "cannot make a private mount namespace"
bpffs_mount || bail "cannot mount bpffs"

multiarch=$(dpkg-architecture -qDEB_HOST_MULTIARCH)
extcap=/usr/lib/$multiarch/wireshark/extcap/xdpcap-extcap
hooks=/sys/fs/bpf/xdpcap
other=/sys/fs/bpf/xdpcap-package-other
user_in=xdpcap-test-in
user_out=xdpcap-test-out
tmp=$(mktemp -d /tmp/xdpcap-package.XXXXXX) || bail "cannot make a temporary directory"
chmod 0755 "$tmp"
cleanup_add "rm -rf '$tmp'"

# run CMD...: exit status in $rc, output and errors in $tmp/out
run() {
	"$@" >"$tmp/out" 2>&1
	rc=$?
}

# refused WHAT PATTERN CMD...: CMD exits 2 with PATTERN in its message
refused() {
	_what=$1 _pattern=$2
	shift 2
	run "$@"
	[ "$rc" -eq 2 ] && grep -q -- "$_pattern" "$tmp/out"
	check $? "$_what: exit 2, '$(head -n 1 "$tmp/out")'" "exit $rc" "$tmp/out"
}

# comments FILE: "N ACTION" lines, the packets of FILE per XDP action
comments() {
	tshark -r "$1" -T fields -e frame.comment 2>/dev/null | sort | uniq -c |
		awk '{ print $1, $2 }' | tr '\n' ' '
}

every_action="3 XDP_DROP 3 XDP_PASS 3 XDP_TX "

# from B: 3 pings (XDP_TX), 3 datagrams to UDP 9 (XDP_DROP), 3 to 1000
send_traffic() {
	netns_exec "$NETNS_B" ping -c 3 -i 0.1 -W 1 192.0.2.1 >/dev/null 2>&1
	for port in 9 9 9 1000 1000 1000; do
		netns_exec "$NETNS_B" bash -c "echo xdpcap > /dev/udp/192.0.2.1/$port" 2>/dev/null
	done
}

# slots_held: every slot of xdp:demo holds a running capture's program
slots_held() {
	[ "$(/usr/bin/xdpcap list xdp:demo 2>/dev/null | grep -o 'pid [0-9]*' | grep -c .)" -eq 5 ]
}

slots_empty() {
	/usr/bin/xdpcap list xdp:demo 2>/dev/null |
		grep -q "ABORTED empty, DROP empty, PASS empty, TX empty, REDIRECT empty"
}

# in_c USER CMD...: CMD as USER, in the namespace without XDP programs
in_c() {
	_user=$1
	shift
	nsenter --net="$NETNS_RUN_DIR/$NETNS_C" -- runuser -u "$_user" -- "$@"
}

# tshark_capture USER FILE [ARGS...]: tshark -i xdp:demo as USER into
# FILE, while the traffic flows; its output in $tmp/tshark.out
tshark_capture() {
	_user=$1 _file=$2
	shift 2
	(cd "$tmp" && exec nsenter --net="$NETNS_RUN_DIR/$NETNS_C" -- \
		runuser -u "$_user" -- tshark -i xdp:demo -f "icmp or udp" \
		-c 9 -a duration:30 -w "$_file" "$@") >"$tmp/tshark.out" 2>&1 &
	_tshark=$!
	if wait_until 20000 slots_held; then
		send_traffic
	fi
	wait "$_tshark"
}

# --- 1. the packages ---------------------------------------------------------
# make runs as for a user, not as part of this make check
build_start=$(now_ms)
env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -C "$build" deb >"$tmp/deb.log" 2>&1
check $? "make deb builds the packages (dpkg-buildpackage -b, lintian --fail-on error)" \
	"" "$tmp/deb.log"
build_ms=$(($(now_ms) - build_start))
echo "# make deb took $((build_ms / 1000)).$((build_ms % 1000 / 100)) s"
debs=
for pkg in xdpcap libxdpcap0 libxdpcap-dev; do
	deb=$(ls "$build"/deb/${pkg}_*.deb 2>/dev/null | head -n 1)
	[ -n "$deb" ] || bail "make deb made no $pkg package"
	debs="$debs $deb"
done

lintian --fail-on error "$build"/deb/*.changes >"$tmp/lintian" 2>&1
check $? "lintian finds no error in the packages" "" "$tmp/lintian"

# every file a package must hold: PACKAGE PATH
expected_files="
xdpcap usr/bin/xdpcap
xdpcap usr/lib/$multiarch/wireshark/extcap/xdpcap-extcap
xdpcap usr/lib/tmpfiles.d/xdpcap.conf
xdpcap usr/share/man/man8/xdpcap.8.gz
xdpcap usr/share/man/man1/xdpcap-extcap.1.gz
xdpcap usr/lib/$multiarch/xdpcap/libpcap-xdp.so
xdpcap usr/bin/xdpcap-preload
xdpcap usr/share/man/man1/xdpcap-preload.1.gz
xdpcap usr/share/doc/xdpcap/examples/xdpcap_demo.bpf.c
xdpcap usr/share/doc/xdpcap/README.Debian
libxdpcap0 usr/lib/$multiarch/libxdpcap.so.0
libxdpcap-dev usr/include/xdpcap_hook.h
libxdpcap-dev usr/include/xdpcap_abi.h
libxdpcap-dev usr/lib/$multiarch/libxdpcap.so
libxdpcap-dev usr/lib/$multiarch/pkgconfig/libxdpcap.pc
libxdpcap-dev usr/share/man/man3/xdpcap_hook.3.gz
"
for header in "$top"/lib/include/xdpcap/*.h; do
	expected_files="$expected_files
libxdpcap-dev usr/include/xdpcap/${header##*/}"
done
for pkg in xdpcap libxdpcap0 libxdpcap-dev; do
	dpkg-deb -c "$build"/deb/${pkg}_*.deb | awk '{ print $6 }' | sed 's,^\./,,' >"$tmp/$pkg.files"
	missing=$(echo "$expected_files" | awk -v p="$pkg" '$1 == p { print $2 }' |
		while read -r f; do grep -qx "$f" "$tmp/$pkg.files" || echo "$f"; done)
	[ -z "$missing" ]
	check $? "package $pkg holds its files" "missing: $missing"
done

# --- 2. installed: only root may capture ---------------------------------------
answer=$(debconf-show xdpcap 2>/dev/null | sed -n 's/^[* ] xdpcap\/group-capture: //p')
[ -n "$answer" ] || answer=false
restore_answer() {
	echo "xdpcap xdpcap/group-capture boolean $answer" | debconf-set-selections
	DEBIAN_FRONTEND=noninteractive dpkg-reconfigure xdpcap >/dev/null 2>&1
}
cleanup_add restore_answer
echo "xdpcap xdpcap/group-capture boolean false" | debconf-set-selections ||
	bail "cannot preseed the debconf answer"
# shellcheck disable=SC2086
DEBIAN_FRONTEND=noninteractive apt-get install -y -q --reinstall \
	--allow-downgrades $debs >"$tmp/apt.log" 2>&1
check $? "apt-get installs the three packages" "" "$tmp/apt.log"
for f in /usr/bin/xdpcap "$extcap" /usr/lib/$multiarch/libxdpcap.so.0 \
	/usr/include/xdpcap_hook.h /usr/include/xdpcap_abi.h; do
	[ -e "$f" ] || bail "$f not installed"
done

modes=$(stat -c '%U:%G %a' /usr/bin/xdpcap "$extcap" | tr '\n' ' ')
caps=$(getcap /usr/bin/xdpcap "$extcap")
[ "$modes" = "root:root 755 root:root 755 " ] && [ -z "$caps" ]
check $? "by default only root captures: command and extcap root:root 0755, no capabilities" \
	"$modes $caps"
getent group xdpcap >/dev/null
check $? "the group xdpcap exists"
# the postinst ran systemd-tmpfiles here, on this test's bpffs
dir=$(stat -c '%U:%G %a' "$hooks" 2>&1)
[ "$dir" = "root:xdpcap 2750" ]
check $? "tmpfiles.d made the hook directory $hooks root:xdpcap 2750" "$dir"

# --- 3. manual pages ------------------------------------------------------------
for page in 8/xdpcap 1/xdpcap-extcap 3/xdpcap_hook; do
	man -w "${page%%/*}" "${page#*/}" >/dev/null 2>&1
	check $? "man ${page%%/*} ${page#*/} is installed"
done
# every long option of the help texts, in the page's roff (- is \-)
options_in_page() {
	_page=$1
	shift
	"$@" 2>&1 | grep -o -- '--[a-z][a-z-]*' | sort -u | while read -r opt; do
		zcat "$_page" | grep -q -- "$(echo "$opt" | sed 's/-/\\\\-/g')" || echo "$opt"
	done
}
missing=$( (options_in_page /usr/share/man/man8/xdpcap.8.gz xdpcap --help
	options_in_page /usr/share/man/man8/xdpcap.8.gz xdpcap list --help
	options_in_page /usr/share/man/man8/xdpcap.8.gz xdpcap compile --help) | tr '\n' ' ')
[ -z "$missing" ]
check $? "xdpcap(8) describes every option of xdpcap --help, list --help, compile --help" \
	"missing: $missing"
missing=$(options_in_page /usr/share/man/man1/xdpcap-extcap.1.gz "$extcap" --help | tr '\n' ' ')
[ -z "$missing" ]
check $? "xdpcap-extcap(1) describes every option of xdpcap-extcap --help" "missing: $missing"

# --- 4. the library, its headers and xdpcap_hook.h -----------------------------
cat >"$tmp/use_lib.c" <<'EOF'
#include <stdio.h>
#include <xdpcap/filter.h>
#include <xdpcap/hook.h>

int main(void)
{
	char errbuf[XDPCAP_ERRBUF_SIZE];
	struct xdpcap_cbpf cbpf;
	struct xdpcap_ebpf ebpf;

	if (xdpcap_cbpf_from_expr("udp port 53", 1, 262144, &cbpf, errbuf) ||
	    xdpcap_cbpf_to_ebpf(&cbpf, NULL, &ebpf, errbuf)) {
		fprintf(stderr, "%s\n", errbuf);
		return 1;
	}
	printf("%s %zu\n", xdpcap_action_name(1), ebpf.len);
	xdpcap_ebpf_free(&ebpf);
	xdpcap_cbpf_free(&cbpf);
	return 0;
}
EOF
# shellcheck disable=SC2046
gcc -Wall -Werror -o "$tmp/use_lib" "$tmp/use_lib.c" \
	$(pkg-config --cflags --libs libxdpcap) >"$tmp/gcc.log" 2>&1 &&
	"$tmp/use_lib" >"$tmp/use_lib.out" 2>>"$tmp/gcc.log" &&
	grep -q '^XDP_DROP [1-9][0-9]*$' "$tmp/use_lib.out" &&
	[ "$(readlink -f "$(ldd "$tmp/use_lib" | awk '$1 == "libxdpcap.so.0" { print $3 }')")" = \
		"$(readlink -f "/usr/lib/$multiarch/libxdpcap.so.0")" ]
check $? "a program built with pkg-config libxdpcap compiles a filter through /usr/lib/$multiarch/libxdpcap.so.0" \
	"$(cat "$tmp/use_lib.out" 2>/dev/null)" "$tmp/gcc.log"

bpf_cflags="-O2 -g -Wall -Werror -target bpf -I/usr/include/$multiarch"
LC_ALL=C MANWIDTH=200 man 3 xdpcap_hook 2>/dev/null |
	sed -n '/^ *#include <linux\/bpf.h>/,/_license/p' | sed 's/^       //' >"$tmp/man_example.bpf.c"
grep -q '#include <xdpcap_hook.h>' "$tmp/man_example.bpf.c" &&
	# shellcheck disable=SC2086
	clang $bpf_cflags -c "$tmp/man_example.bpf.c" -o "$tmp/man_example.bpf.o" >"$tmp/clang.log" 2>&1
check $? "the example of xdpcap_hook(3) builds with the installed <xdpcap_hook.h>" "" "$tmp/clang.log"
# shellcheck disable=SC2086
clang $bpf_cflags -c /usr/share/doc/xdpcap/examples/xdpcap_demo.bpf.c \
	-o "$tmp/demo.bpf.o" >"$tmp/clang.log" 2>&1
check $? "the installed demo source builds against the installed header" "" "$tmp/clang.log"
[ -f "$tmp/demo.bpf.o" ] && [ -f "$tmp/man_example.bpf.o" ] ||
	bail "no XDP programs to capture from"

# --- 5. as root, at the installed paths ------------------------------------------
netns_setup xpkg || bail "cannot make network namespaces"
netns_static_neighbours || bail "cannot set neighbour entries"
NETNS_C=$NETNS_A-c
ip netns add "$NETNS_C" || bail "cannot make a third namespace"
cleanup_add "ip netns delete '$NETNS_C'"
xdp_attach "$VETH_A" "$tmp/demo.bpf.o" native 2>"$tmp/ip.log" ||
	bail "cannot attach the demo: $(cat "$tmp/ip.log")"
# B's program (XDP_TX reaches a veth peer only if it runs XDP) is the
# manual page's example; it passes everything B gets here
xdp_attach "$VETH_B" "$tmp/man_example.bpf.o" native 2>"$tmp/ip.log" ||
	bail "cannot attach the manual page's example: $(cat "$tmp/ip.log")"
hook_pin "$VETH_A" "$hooks/demo" 2>"$tmp/ip.log" || bail "cannot pin the hook: $(cat "$tmp/ip.log")"
chmod 0660 "$hooks/demo" || bail "cannot share the hook with the group"

tshark -G folders 2>/dev/null | grep -q "^Extcap path:[[:space:]]*${extcap%/*}\$"
check $? "tshark's extcap folder is ${extcap%/*}"
tshark -D >"$tmp/out" 2>&1
grep -q "xdp:demo" "$tmp/out"
check $? "tshark -D lists xdp:demo, from the installed extcap" "" "$tmp/out"

/usr/bin/xdpcap -q -c 9 xdp:demo "$tmp/root.pcapng" "icmp or udp" 2>"$tmp/xdpcap.err" &
cap=$!
wait_until 10000 slots_held && send_traffic
wait "$cap"
rc=$?
got=$(comments "$tmp/root.pcapng")
[ "$rc" -eq 0 ] && [ "$got" = "$every_action" ]
check $? "/usr/bin/xdpcap as root captures every action (3 DROP, 3 PASS, 3 TX)" \
	"exit $rc, $got" "$tmp/xdpcap.err"

tshark_capture root "$tmp/root-tshark.pcapng"
got=$(comments "$tmp/root-tshark.pcapng")
[ "$got" = "$every_action" ]
check $? "tshark -i xdp:demo as root captures every action through the installed extcap" \
	"$got" "$tmp/tshark.out"

/usr/bin/xdpcap-preload tcpdump -D >"$tmp/out" 2>&1
grep -q "xdp:demo" "$tmp/out"
check $? "xdpcap-preload tcpdump -D lists xdp:demo through the installed libpcap-xdp.so" "" "$tmp/out"
/usr/bin/xdpcap-preload tcpdump -Z root -q -c 9 -i xdp:demo -w "$tmp/preload.pcap" \
	"icmp or udp" 2>"$tmp/tcpdump.err" &
cap=$!
wait_until 10000 slots_held && send_traffic
wait "$cap"
rc=$?
got=$(tcpdump -r "$tmp/preload.pcap" 2>/dev/null | wc -l)
[ "$rc" -eq 0 ] && [ "$got" -eq 9 ]
check $? "preloaded tcpdump -i xdp:demo as root captures the 9 packets" \
	"exit $rc, $got packets" "$tmp/tcpdump.err"

# --- 6. the group xdpcap ------------------------------------------------------------
echo "xdpcap xdpcap/group-capture boolean true" | debconf-set-selections &&
	DEBIAN_FRONTEND=noninteractive dpkg-reconfigure xdpcap >"$tmp/reconf.log" 2>&1
check $? "dpkg-reconfigure xdpcap with group capture" "" "$tmp/reconf.log"
modes=$(stat -c '%U:%G %a' /usr/bin/xdpcap "$extcap" | tr '\n' ' ')
caps=$(getcap /usr/bin/xdpcap "$extcap" | awk '{ print $2 }' | tr '\n' ' ')
[ "$modes" = "root:xdpcap 750 root:xdpcap 750 " ] &&
	[ "$caps" = "cap_net_admin,cap_perfmon,cap_bpf=ep cap_net_admin,cap_perfmon,cap_bpf=ep " ]
check $? "command and extcap: root:xdpcap 0750 with exactly CAP_BPF, CAP_PERFMON, CAP_NET_ADMIN" \
	"$modes $caps"

for u in "$user_in" "$user_out"; do
	if id "$u" >/dev/null 2>&1; then
		userdel "$u" 2>/dev/null || bail "cannot remove the test user $u left by an earlier run"
	fi
done
useradd -M -d "$tmp/$user_in" -G xdpcap "$user_in" &&
	useradd -M -d "$tmp/$user_out" "$user_out" || bail "cannot add the test users"
cleanup_add "userdel '$user_in' 2>/dev/null; userdel '$user_out' 2>/dev/null"
for u in "$user_in" "$user_out"; do
	install -d -m 0700 -o "$u" "$tmp/$u" || bail "cannot make the home of $u"
done
runuser -u "$user_in" -- test -x /usr/bin/dumpcap ||
	bail "dumpcap is not executable by a user (dpkg-reconfigure wireshark-common)"

# a member of the group
run in_c "$user_in" tshark -D
grep -q "xdp:demo" "$tmp/out"
check $? "a member of the group: tshark -D lists xdp:demo" "" "$tmp/out"
tshark_capture "$user_in" "$tmp/$user_in/tshark.pcapng"
got=$(comments "$tmp/$user_in/tshark.pcapng")
owner=$(stat -c %U "$tmp/$user_in/tshark.pcapng" 2>&1)
[ "$got" = "$every_action" ] && [ "$owner" = "$user_in" ]
check $? "a member of the group captures every action with tshark -i xdp:demo, into a file of their own" \
	"$got, owner $owner" "$tmp/tshark.out"
wait_until 5000 slots_empty
check $? "the hook's slots are empty after the member's capture"

in_c "$user_in" /usr/bin/xdpcap -c 9 xdp:demo "$tmp/$user_in/xdpcap.pcapng" "icmp or udp" \
	>"$tmp/xdpcap.err" 2>&1 &
cap=$!
wait_until 10000 slots_held && send_traffic
wait "$cap"
rc=$?
got=$(comments "$tmp/$user_in/xdpcap.pcapng")
owner=$(stat -c %U "$tmp/$user_in/xdpcap.pcapng" 2>&1)
[ "$rc" -eq 0 ] && [ "$got" = "$every_action" ] && [ "$owner" = "$user_in" ]
check $? "a member of the group captures every action with xdpcap, into a file of their own" \
	"exit $rc, $got, owner $owner" "$tmp/xdpcap.err"

# a filter the verifier takes only with CAP_PERFMON (its checks for
# unprivileged programs refuse it)
run in_c "$user_in" "$extcap" --extcap-interface xdp:demo \
	--extcap-capture-filter "tcp[2:2] >= 1000 and tcp[2:2] <= 2000"
[ "$rc" -eq 0 ] && [ ! -s "$tmp/out" ]
check $? "a member's filter needing CAP_PERFMON is accepted" "exit $rc" "$tmp/out"

# listing where an XDP program is attached (reading it needs
# CAP_SYS_ADMIN): the pinned hooks are listed all the same
run nsenter --net="$NETNS_RUN_DIR/$NETNS_A" -- runuser -u "$user_in" -- /usr/bin/xdpcap list
[ "$rc" -eq 0 ] && grep -q "^xdp:demo " "$tmp/out"
check $? "a member's xdpcap list next to an XDP program lists xdp:demo" \
	"exit $rc" "$tmp/out"
run nsenter --net="$NETNS_RUN_DIR/$NETNS_A" -- runuser -u "$user_in" -- tshark -D
grep -q "xdp:demo" "$tmp/out"
check $? "a member's tshark -D next to an XDP program lists xdp:demo" "" "$tmp/out"
run nsenter --net="$NETNS_RUN_DIR/$NETNS_A" -- runuser -u "$user_in" -- /usr/bin/xdpcap list xdp:demo
[ "$rc" -eq 0 ] && grep -q "^xdp:demo .*REDIRECT empty" "$tmp/out"
check $? "a member's xdpcap list xdp:demo shows the hook" "exit $rc" "$tmp/out"

# someone else
# as from a shell
run runuser -u "$user_out" -- sh -c '/usr/bin/xdpcap --help'
[ "$rc" -eq 126 ] && grep -q "Permission denied" "$tmp/out"
check $? "a non-member cannot run xdpcap: exit 126, '$(head -n 1 "$tmp/out")'" "exit $rc"
run in_c "$user_out" tshark -D
! grep -q "xdp:" "$tmp/out"
check $? "a non-member: tshark -D lists no XDP hook" "" "$tmp/out"
(cd "$tmp" && exec nsenter --net="$NETNS_RUN_DIR/$NETNS_C" -- runuser -u "$user_out" -- \
	tshark -i xdp:demo -c 1 -a duration:5 -w "$tmp/$user_out/c.pcapng") >"$tmp/out" 2>&1
rc=$?
[ "$rc" -ne 0 ] && grep -qi "permission" "$tmp/out"
check $? "a non-member: tshark -i xdp:demo fails, naming permission" "exit $rc" "$tmp/out"

# what a member cannot reach: a hook elsewhere, even one anybody may use
mkdir -p "$other" && hook_pin "$VETH_A" "$other/demo" 2>"$tmp/ip.log" &&
	chmod 0666 "$other/demo" || bail "cannot pin a hook outside the default directory"
out=$tmp/$user_in/refused.pcapng
refused "--hook-dir elsewhere" "refused" \
	in_c "$user_in" /usr/bin/xdpcap -c 1 --hook-dir "$other" xdp:demo "$out"
refused "a hook path elsewhere" "refused" \
	in_c "$user_in" /usr/bin/xdpcap -c 1 "$other/demo" "$out"
refused "a hook path inside the default directory" "refused" \
	in_c "$user_in" /usr/bin/xdpcap -c 1 "$hooks/demo" "$out"
refused "XDPCAP_HOOK_DIR elsewhere" "refused" \
	in_c "$user_in" env XDPCAP_HOOK_DIR="$other" /usr/bin/xdpcap -c 1 xdp:demo "$out"
refused "a hook by interface name" "needs CAP_SYS_ADMIN" \
	nsenter --net="$NETNS_RUN_DIR/$NETNS_A" -- runuser -u "$user_in" -- \
	/usr/bin/xdpcap -c 1 "xdp:$VETH_A" "$out"
refused "a program traced by id" "only hooks pinned in" \
	in_c "$user_in" /usr/bin/xdpcap -c 1 --prog 1 "$out"
refused "--force" "refused" in_c "$user_in" /usr/bin/xdpcap -c 1 --force xdp:demo "$out"
refused "-B above the default ring" "the ring is at most 65536 KiB" \
	in_c "$user_in" /usr/bin/xdpcap -c 1 -B 1048576 xdp:demo "$out"
refused "list --hook-dir elsewhere" "refused" \
	in_c "$user_in" /usr/bin/xdpcap list --hook-dir "$other"
refused "list of a hook path" "refused" in_c "$user_in" /usr/bin/xdpcap list "$other/demo"
[ ! -e "$out" ]
check $? "no refused capture wrote a file"

run in_c "$user_in" "$extcap" --extcap-interfaces --hook-dir "$other"
[ "$(grep -c '^interface' "$tmp/out")" -eq 0 ] && grep -q refused "$tmp/out"
check $? "the extcap lists no hook of another directory for a member" "" "$tmp/out"
run in_c "$user_in" "$extcap" --extcap-interface "$other/demo" --capture \
	--fifo "$tmp/$user_in/fifo"
[ "$rc" -ne 0 ] && grep -q refused "$tmp/out"
check $? "the extcap refuses a member's capture from a hook path" "exit $rc" "$tmp/out"

# files: the user's own rights
install -d -m 0700 "$tmp/root-only" && cp "$tmp/root.pcapng" "$tmp/root-only/secret.pcapng" ||
	bail "cannot make a root-only directory"
run in_c "$user_in" /usr/bin/xdpcap -c 1 xdp:demo "$tmp/root-only/out.pcapng"
[ "$rc" -ne 0 ] && grep -q "Permission denied" "$tmp/out" && [ ! -e "$tmp/root-only/out.pcapng" ]
check $? "a member cannot write into root's directory: '$(head -n 1 "$tmp/out")'" "exit $rc"
run in_c "$user_in" /usr/bin/xdpcap -r "$tmp/root-only/secret.pcapng" "$tmp/$user_in/replay.pcap"
[ "$rc" -ne 0 ] && grep -q "Permission denied" "$tmp/out"
check $? "a member cannot replay root's file: '$(head -n 1 "$tmp/out")'" "exit $rc"
run in_c "$user_in" ln -s /etc/shadow "$hooks/mine"
[ "$rc" -ne 0 ] && [ ! -e "$hooks/mine" ] && [ ! -L "$hooks/mine" ]
check $? "a member cannot add names to the hook directory"

# a hook in the directory that the group may not use
hook_pin "$VETH_A" "$hooks/private" 2>"$tmp/ip.log" && chmod 0600 "$hooks/private" ||
	bail "cannot pin a private hook"
refused "a hook the group may not read and write" "not permitted" \
	in_c "$user_in" /usr/bin/xdpcap -c 1 xdp:private "$out"

wait_until 5000 slots_empty
check $? "the hook's slots are empty at the end"

# --- 7. purge: the group goes only if the package made it ---------------------
xdpcap_deb=$(echo "$debs" | tr ' ' '\n' | grep '/xdpcap_')
purge() {
	DEBIAN_FRONTEND=noninteractive dpkg --purge xdpcap >"$tmp/purge.log" 2>&1
}
install_again() {
	DEBIAN_FRONTEND=noninteractive dpkg -i "$xdpcap_deb" >"$tmp/install.log" 2>&1
}
purge && { ! getent group xdpcap >/dev/null || delgroup --quiet --system xdpcap; }
install_again && getent group xdpcap >/dev/null && purge
check $? "installed with no group xdpcap, then purged" "" "$tmp/purge.log"
! getent group xdpcap >/dev/null
check $? "purge removes the group xdpcap the package made"
addgroup --quiet --system xdpcap && install_again && purge
check $? "installed with a group xdpcap already there, then purged" "" "$tmp/purge.log"
getent group xdpcap >/dev/null
check $? "purge leaves a group xdpcap that was there before"
delgroup --quiet --system xdpcap && install_again
check $? "installed again, as the test found it" "" "$tmp/install.log"

tap_done
