# SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
#
# Debian's packaged kernel of a given version, made ready to boot under
# qemu: the image, and the few modules the guest needs packed as an
# initramfs part. Source it from a POSIX sh script:
#
#   . "$TOP_SRCDIR/tests/kernels/package.sh"
#   kernel_prepare 6.1 "$cache" || fail "$KERNEL_ERROR"
#   # KERNEL_PACKAGE   linux-image-6.1.0-56-amd64
#   # KERNEL_DEB       the .deb, kept in $cache
#   # KERNEL_RELEASE   6.1.0-56-amd64 (uname -r in the guest)
#   # KERNEL_IMAGE     its vmlinuz
#   # KERNEL_MODULES   a cpio archive: /lib/modules/RELEASE/ with the
#   #                  modules of KERNEL_MODULE_NAMES and what they need
#
# The package is the generic amd64 flavour (the cloud flavour has no 9p),
# the newest build apt knows of that version; it is downloaded with
# apt-get download once and kept, with what is made from it, in the cache
# directory (under the build tree), so a later run needs no network.
# Module dependencies come from busybox depmod (kmod need not be
# installed).

# What the guest loads: the host's root over 9p on virtio, and veth for
# the tests' network namespaces.
KERNEL_MODULE_NAMES="virtio_pci 9pnet_virtio 9p veth"

KERNEL_ERROR=

_kernel_fail() {
	KERNEL_ERROR=$*
	return 1
}

# kernel_package_name VERSION: the newest generic amd64 image package of
# VERSION (e.g. 6.1) that apt knows, or nothing.
kernel_package_name() {
	_kp_re=$(printf '%s' "$1" | sed 's/\./\\./g')
	apt-cache pkgnames "linux-image-$1" 2>/dev/null |
		grep -E "^linux-image-$_kp_re\.[0-9]+-[0-9]+-amd64\$" |
		sort -V | tail -n 1
}

# kernel_fetch VERSION CACHE: set KERNEL_PACKAGE and KERNEL_DEB, with the
# .deb in CACHE: the one apt has now, downloaded if not yet there, or
# the newest kept one when apt cannot say (no package lists, offline).
kernel_fetch() {
	KERNEL_PACKAGE=$(kernel_package_name "$1")
	if [ -z "$KERNEL_PACKAGE" ] && [ "$(id -u)" -eq 0 ]; then
		apt-get update -q >/dev/null 2>&1
		KERNEL_PACKAGE=$(kernel_package_name "$1")
	fi
	if [ -z "$KERNEL_PACKAGE" ]; then
		KERNEL_DEB=$(ls "$2"/linux-image-"$1".*-amd64_*.deb 2>/dev/null |
			sort -V | tail -n 1)
		[ -n "$KERNEL_DEB" ] ||
			_kernel_fail "apt knows no package linux-image-$1.N-N-amd64 and none is kept in $2" ||
			return 1
		KERNEL_PACKAGE=$(basename "$KERNEL_DEB" | sed 's/_.*//')
		return 0
	fi
	_kf_version=$(apt-cache policy "$KERNEL_PACKAGE" |
		sed -n 's/^ *Candidate: *//p' | sed 's/^[0-9]*://')
	KERNEL_DEB=$2/${KERNEL_PACKAGE}_${_kf_version}_amd64.deb
	[ -s "$KERNEL_DEB" ] && return 0
	# apt-get download writes to the current directory; its sandbox
	# user may not write there, hence the warning it prints as root
	(cd "$2" && apt-get download -q "$KERNEL_PACKAGE") >"$2/download.log" 2>&1 ||
		_kernel_fail "apt-get download $KERNEL_PACKAGE failed: $(grep -E '^(E|Err):' "$2/download.log" | head -n 2 | tr '\n' ' ')" ||
		return 1
	[ -s "$KERNEL_DEB" ] ||
		_kernel_fail "apt-get download $KERNEL_PACKAGE did not write $KERNEL_DEB" ||
		return 1
}

# kernel_unpack CACHE: from KERNEL_DEB, the image and the modules cpio in
# CACHE/RELEASE (made once, again if the module list changed).
kernel_unpack() {
	_ku_tree=$1/unpacked.$$
	rm -rf "$_ku_tree"
	dpkg -x "$KERNEL_DEB" "$_ku_tree" ||
		_kernel_fail "dpkg -x $KERNEL_DEB failed" || return 1
	KERNEL_RELEASE=$(ls "$_ku_tree/lib/modules" | head -n 1)
	_ku_out=$1/$KERNEL_RELEASE
	if [ -z "$KERNEL_RELEASE" ] || [ ! -f "$_ku_tree/boot/vmlinuz-$KERNEL_RELEASE" ]; then
		rm -rf "$_ku_tree"
		_kernel_fail "$KERNEL_DEB holds no kernel image and modules"
		return 1
	fi
	if ! busybox depmod -b "$_ku_tree" "$KERNEL_RELEASE"; then
		rm -rf "$_ku_tree"
		_kernel_fail "busybox depmod failed on the modules of $KERNEL_RELEASE"
		return 1
	fi
	rm -rf "$_ku_out"
	mkdir -p "$_ku_out/root" &&
		cp "$_ku_tree/boot/vmlinuz-$KERNEL_RELEASE" "$_ku_out/vmlinuz" &&
		_kernel_copy_modules "$_ku_tree" "$_ku_out/root" &&
		(cd "$_ku_out/root" && find . | busybox cpio -o -H newc -R 0:0) \
			>"$_ku_out/modules.cpio" 2>/dev/null
	_ku_rc=$?
	rm -rf "$_ku_tree" "$_ku_out/root"
	if [ "$_ku_rc" -ne 0 ]; then
		[ -n "$KERNEL_ERROR" ] ||
			KERNEL_ERROR="cannot make the guest's modules archive in $_ku_out"
		return 1
	fi
	echo "$KERNEL_MODULE_NAMES" >"$_ku_out/modules.list"
	basename "$KERNEL_DEB" >"$_ku_out/package"
}

# _kernel_copy_modules TREE OUT: the modules of KERNEL_MODULE_NAMES and
# every module they need (modules.dep lists them all on the module's own
# line), with a modules.dep of just those, from TREE into OUT.
_kernel_copy_modules() {
	_kc_dir=lib/modules/$KERNEL_RELEASE
	_kc_dep=$1/$_kc_dir/modules.dep
	_kc_files=
	for _kc_name in $KERNEL_MODULE_NAMES; do
		_kc_line=$(grep -E "/$_kc_name\\.ko(\\.xz|\\.zst|\\.gz)?:" "$_kc_dep")
		[ -n "$_kc_line" ] ||
			_kernel_fail "$KERNEL_RELEASE has no module $_kc_name" || return 1
		_kc_files="$_kc_files $(echo "$_kc_line" | tr -d ':')"
	done
	mkdir -p "$2/$_kc_dir"
	for _kc_file in $(echo "$_kc_files" | tr ' ' '\n' | sort -u); do
		mkdir -p "$2/$_kc_dir/$(dirname "$_kc_file")" &&
			cp "$1/$_kc_dir/$_kc_file" "$2/$_kc_dir/$_kc_file" || return 1
		grep "^$_kc_file:" "$_kc_dep" >>"$2/$_kc_dir/modules.dep"
	done
}

# kernel_prepare VERSION CACHE: everything above; on failure the reason
# is in KERNEL_ERROR.
kernel_prepare() {
	KERNEL_RELEASE=
	mkdir -p "$2" || _kernel_fail "cannot make $2" || return 1
	kernel_fetch "$1" "$2" || return 1
	for _kp_dir in "$2"/*/; do
		[ "$(cat "$_kp_dir/package" 2>/dev/null)" = "$(basename "$KERNEL_DEB")" ] &&
			[ "$(cat "$_kp_dir/modules.list" 2>/dev/null)" = "$KERNEL_MODULE_NAMES" ] &&
			[ -s "$_kp_dir/vmlinuz" ] && [ -s "$_kp_dir/modules.cpio" ] ||
			continue
		KERNEL_RELEASE=$(basename "$_kp_dir")
		break
	done
	if [ -z "$KERNEL_RELEASE" ]; then
		kernel_unpack "$2" || return 1
	fi
	KERNEL_IMAGE=$2/$KERNEL_RELEASE/vmlinuz
	KERNEL_MODULES=$2/$KERNEL_RELEASE/modules.cpio
}
