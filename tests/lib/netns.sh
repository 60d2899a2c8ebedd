# SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
#
# Network namespaces joined by veth pairs, XDP programs on them, and their
# pinned xdpcap hooks, for tests that run as root. Source it from a POSIX
# sh script:
#
#   . "$TOP_SRCDIR/tests/lib/netns.sh"
#   netns_private_mounts "$0" "$@" || skip   # re-run under unshare -m
#   bpffs_mount || skip                      # a bpffs of our own
#   netns_setup xdpcap || bail               # NETNS_A, NETNS_B, VETH_A, VETH_B
#   xdp_attach "$VETH_A" xdpcap_demo.bpf.o native
#   hook_pin "$VETH_A" /sys/fs/bpf/xdpcap/demo   # sets HOOK_MAP_ID
#   netns_exec "$NETNS_A" xdpcap list
#
# Everything made here is undone by netns_cleanup, installed as the EXIT
# trap by the first netns_setup or cleanup_add: do not set an EXIT trap of
# your own, add your steps with cleanup_add. Only namespaces made here are
# touched: the veth pairs are created inside them, never in the caller's.
#
# Addresses are documentation ones; every pair has the same, as each pair
# has namespaces of its own:
#   NETNS_A: VETH_A 192.0.2.1/24 2001:db8::1/64
#   NETNS_B: VETH_B 192.0.2.2/24 2001:db8::2/64
#
# Loading: iproute2 (ip link set dev IF xdpdrv|xdpgeneric obj FILE sec
# SECTION) loads the program with libbpf, so section names such as
# xdp.frags set the program's flags. It runs under nsenter --net, not
# ip netns exec, which remounts /sys and so hides our bpffs. bpftool is
# used to find and pin the hook map (bpftool prog load ... pinmaps DIR
# then bpftool net attach works too, but leaves a pinned program to
# remove). xdp-loader is avoided: its dispatcher needs freplace.

NETNS_RUN_DIR=/run/netns
_netns_names=
_netns_pins=
_netns_cleanup_steps=
_netns_pairs=0
_netns_trapped=
_netns_cleaned=
_netns_made_run_dir=

# netns_private_mounts SCRIPT [ARG...]: run SCRIPT again in a private mount
# namespace (once), so that mounts made there vanish with the test. Returns
# 1 if that cannot be done; does not return otherwise.
netns_private_mounts() {
	[ "${NETNS_PRIVATE_MOUNTS:-}" = 1 ] && return 0
	unshare -m --propagation private true 2>/dev/null || return 1
	_netns_script=$1
	shift
	exec unshare -m --propagation private \
		env NETNS_PRIVATE_MOUNTS=1 /bin/sh "$_netns_script" "$@"
}

# bpffs_mount: a fresh bpffs at /sys/fs/bpf, only inside the private mount
# namespace of netns_private_mounts (it goes away with it).
bpffs_mount() {
	if [ "${NETNS_PRIVATE_MOUNTS:-}" != 1 ]; then
		echo "bpffs_mount: call netns_private_mounts first" >&2
		return 1
	fi
	mount -t bpf bpf /sys/fs/bpf
}

# netns_exec NS CMD...: run CMD in network namespace NS, keeping the mounts
# (and so the bpffs) of the caller.
netns_exec() {
	_netns_ns=$1
	shift
	nsenter --net="$NETNS_RUN_DIR/$_netns_ns" -- "$@"
}

# cleanup_add CMD: run the shell command CMD at cleanup (last added first).
cleanup_add() {
	_netns_trap
	_netns_cleanup_steps="$1
$_netns_cleanup_steps"
}

_netns_trap() {
	[ -n "$_netns_trapped" ] && return 0
	_netns_trapped=1
	trap netns_cleanup EXIT
	trap 'exit 129' HUP
	trap 'exit 130' INT
	trap 'exit 143' TERM
}

# A random tag, so that concurrent tests never pick the same names.
_netns_tag() {
	od -An -N3 -tx1 /dev/urandom | tr -d ' \n'
}

# netns_setup PREFIX: two new network namespaces, NETNS_A and NETNS_B
# (PREFIX-TAG-N-a, PREFIX-TAG-N-b), joined by the veth pair VETH_A (in A)
# and VETH_B (in B), up and addressed. Each call makes a new pair.
netns_setup() {
	_netns_trap
	_netns_pairs=$((_netns_pairs + 1))
	_netns_id=$(_netns_tag)$_netns_pairs
	NETNS_A=$1-$_netns_id-a
	NETNS_B=$1-$_netns_id-b
	# interface names have at most 15 bytes
	_netns_short=$(printf '%.4s' "$1")
	VETH_A=$_netns_short${_netns_id}a
	VETH_B=$_netns_short${_netns_id}b

	[ -d "$NETNS_RUN_DIR" ] || _netns_made_run_dir=1
	for _netns_ns in "$NETNS_A" "$NETNS_B"; do
		ip netns add "$_netns_ns" || return 1
		_netns_names="$_netns_ns $_netns_names"
	done
	ip link add "$VETH_A" netns "$NETNS_A" type veth \
		peer name "$VETH_B" netns "$NETNS_B" || return 1
	_netns_addr "$NETNS_A" "$VETH_A" 192.0.2.1/24 2001:db8::1/64 &&
		_netns_addr "$NETNS_B" "$VETH_B" 192.0.2.2/24 2001:db8::2/64
}

_netns_addr() {
	netns_exec "$1" ip link set dev lo up &&
		netns_exec "$1" ip addr add "$3" dev "$2" &&
		netns_exec "$1" ip addr add "$4" dev "$2" nodad &&
		netns_exec "$1" ip link set dev "$2" up
}

# netns_of IFACE: print the namespace (made here) that IFACE is in.
netns_of() {
	for _netns_ns in $_netns_names; do
		if netns_exec "$_netns_ns" ip link show dev "$1" >/dev/null 2>&1; then
			echo "$_netns_ns"
			return 0
		fi
	done
	echo "netns_of: no interface $1 in this test's namespaces" >&2
	return 1
}

# xdp_attach IFACE OBJ MODE [SECTION]: attach the XDP program in section
# SECTION (default xdp) of OBJ to IFACE, in MODE native or generic.
xdp_attach() {
	case $3 in
	native) _netns_mode=xdpdrv ;;
	generic) _netns_mode=xdpgeneric ;;
	*)
		echo "xdp_attach: mode is native or generic, not '$3'" >&2
		return 1
		;;
	esac
	_netns_ns=$(netns_of "$1") || return 1
	netns_exec "$_netns_ns" ip link set dev "$1" "$_netns_mode" \
		obj "$2" sec "${4:-xdp}"
}

# xdp_detach IFACE: detach IFACE's XDP program, in whichever mode.
xdp_detach() {
	_netns_ns=$(netns_of "$1") || return 1
	netns_exec "$_netns_ns" ip link set dev "$1" xdpgeneric off 2>/dev/null
	netns_exec "$_netns_ns" ip link set dev "$1" xdpdrv off 2>/dev/null
	! xdp_prog_id "$1" >/dev/null 2>&1
}

# xdp_prog_id IFACE: print the id of IFACE's XDP program.
xdp_prog_id() {
	_netns_ns=$(netns_of "$1") || return 1
	_netns_prog=$(netns_exec "$_netns_ns" ip -d link show dev "$1" |
		sed -n 's/.*prog\/xdp id \([0-9]*\).*/\1/p' | head -n 1)
	if [ -z "$_netns_prog" ]; then
		echo "xdp_prog_id: $1 has no XDP program" >&2
		return 1
	fi
	echo "$_netns_prog"
}

# hook_map_id IFACE: print the id of the map named xdpcap_hook of IFACE's
# XDP program.
hook_map_id() {
	_netns_prog=$(xdp_prog_id "$1") || return 1
	for _netns_map in $(bpftool prog show id "$_netns_prog" |
		sed -n 's/.*map_ids \([0-9,]*\).*/\1/p' | tr , ' '); do
		if bpftool map show id "$_netns_map" |
			awk 'NR == 1 && $3 == "name" && $4 == "xdpcap_hook" { f = 1 } END { exit !f }'; then
			echo "$_netns_map"
			return 0
		fi
	done
	echo "hook_map_id: XDP program $_netns_prog of $1 has no map xdpcap_hook" >&2
	return 1
}

# hook_pin IFACE PATH: pin the hook of IFACE's XDP program at PATH (making
# its directory), and set HOOK_MAP_ID. The pin is removed at cleanup.
hook_pin() {
	HOOK_MAP_ID=$(hook_map_id "$1") || return 1
	mkdir -p "$(dirname "$2")" || return 1
	bpftool map pin id "$HOOK_MAP_ID" "$2" || return 1
	_netns_pins="$2
$_netns_pins"
}

# netns_static_neighbours: permanent neighbour entries for the last pair,
# so no ARP: every packet sent has been through A's XDP program by the time
# the sender is done.
netns_static_neighbours() {
	_netns_mac_a=$(_netns_mac "$NETNS_A" "$VETH_A") &&
		_netns_mac_b=$(_netns_mac "$NETNS_B" "$VETH_B") &&
		netns_exec "$NETNS_B" ip neigh replace 192.0.2.1 \
			lladdr "$_netns_mac_a" dev "$VETH_B" nud permanent &&
		netns_exec "$NETNS_A" ip neigh replace 192.0.2.2 \
			lladdr "$_netns_mac_b" dev "$VETH_A" nud permanent
}

_netns_mac() {
	netns_exec "$1" ip -o link show dev "$2" 2>/dev/null |
		sed -n 's/.*link\/ether \([0-9a-f:]*\).*/\1/p'
}

# netns_cleanup: undo everything, once; the EXIT trap.
netns_cleanup() {
	[ -n "$_netns_cleaned" ] && return 0
	_netns_cleaned=1
	_netns_ifs=$IFS
	IFS='
'
	for _netns_step in $_netns_cleanup_steps; do
		eval "$_netns_step"
	done
	for _netns_pin in $_netns_pins; do
		rm -f "$_netns_pin"
	done
	IFS=$_netns_ifs
	# deleting a namespace deletes its veth ends, and so detaches XDP
	for _netns_ns in $_netns_names; do
		ip netns delete "$_netns_ns"
	done
	if [ -n "$_netns_made_run_dir" ] && [ -d "$NETNS_RUN_DIR" ] &&
		[ -z "$(ls -A "$NETNS_RUN_DIR")" ]; then
		umount "$NETNS_RUN_DIR" 2>/dev/null
		rmdir "$NETNS_RUN_DIR" 2>/dev/null
	fi
	return 0
}

# send_udp NS ADDR PORT COUNT: COUNT datagrams ("xdpcap") from namespace NS
# to ADDR:PORT, one at a time
send_udp() {
	_netns_i=0
	while [ "$_netns_i" -lt "$4" ]; do
		netns_exec "$1" bash -c "echo xdpcap > /dev/udp/$2/$3" 2>/dev/null
		_netns_i=$((_netns_i + 1))
	done
}
