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
# Each version comes from the main archive of the Debian release that
# ships it (kernel_suite): 5.10 from Debian 11, 6.1 from 12, 6.12 from 13.
# The package is the generic amd64 flavour (the cloud flavour has no 9p),
# the newest build of that version in the release; its name is
# linux-image-5.10.0-N-amd64 or linux-image-6.12.N+debN-amd64. It is
# found and downloaded by apt with a configuration of its own, in the
# cache directory (under the build tree): its own sources list, package
# lists and archives, so the machine's apt sources and state are never
# touched and any release can be had from any Debian machine. The .deb
# and what is made from it are kept there, so a later run needs no
# network. Module dependencies come from busybox depmod (kmod need not
# be installed).

# What the guest loads: the host's root over 9p on virtio, and veth for
# the tests' network namespaces.
KERNEL_MODULE_NAMES="virtio_pci 9pnet_virtio 9p veth"

KERNEL_ERROR=

_kernel_fail() {
	KERNEL_ERROR=$*
	return 1
}

# kernel_suite VERSION: the Debian release whose main archive has VERSION
kernel_suite() {
	case $1 in
	5.10) echo bullseye ;;
	6.1) echo bookworm ;;
	6.12) echo trixie ;;
	*) return 1 ;;
	esac
}

# _kernel_apt TOOL ARGS...: apt-get or apt-cache on the private
# configuration of KERNEL_APT_DIR (_kernel_apt_setup makes it). The
# machine's apt.conf.d still applies (its proxy, say); its sources,
# preferences, package lists, archives and dpkg status do not.
_kernel_apt() {
	_ka_tool=$1
	shift
	"$_ka_tool" -q \
		-o "Dir::Etc::sourcelist=$KERNEL_APT_DIR/sources.list" \
		-o "Dir::Etc::sourceparts=$KERNEL_APT_DIR/sources.list.d" \
		-o "Dir::Etc::preferences=$KERNEL_APT_DIR/preferences" \
		-o "Dir::Etc::preferencesparts=$KERNEL_APT_DIR/preferences.d" \
		-o "Dir::State=$KERNEL_APT_DIR/state" \
		-o "Dir::State::status=$KERNEL_APT_DIR/state/status" \
		-o "Dir::Cache=$KERNEL_APT_DIR/cache" \
		-o "APT::Architecture=amd64" -o "APT::Architectures=amd64" \
		-o "Acquire::Languages=none" \
		"$@"
}

# _kernel_apt_setup CACHE SUITE: KERNEL_APT_DIR, CACHE/apt/SUITE, with a
# sources list of SUITE's main (deb.debian.org) checked against the
# release's own archive key (debian-archive-keyring ships one keyring a
# release; its whole keyring when that one is missing), and empty
# package lists, status and preferences until apt-get update fills them.
_kernel_apt_setup() {
	KERNEL_APT_DIR=$1/apt/$2
	_ks_keyring=/usr/share/keyrings/debian-archive-$2-automatic.gpg
	[ -f "$_ks_keyring" ] ||
		_ks_keyring=/usr/share/keyrings/debian-archive-keyring.gpg
	mkdir -p "$KERNEL_APT_DIR/sources.list.d" "$KERNEL_APT_DIR/preferences.d" \
		"$KERNEL_APT_DIR/state/lists/partial" \
		"$KERNEL_APT_DIR/cache/archives/partial" || return 1
	echo "deb [arch=amd64 signed-by=$_ks_keyring] http://deb.debian.org/debian $2 main" \
		>"$KERNEL_APT_DIR/sources.list" &&
		: >>"$KERNEL_APT_DIR/state/status" &&
		: >>"$KERNEL_APT_DIR/preferences"
}

# kernel_package_name VERSION: the newest generic amd64 image package of
# VERSION (e.g. 6.1) in the private package lists, or nothing.
kernel_package_name() {
	_kernel_apt apt-cache pkgnames "linux-image-$1" 2>/dev/null |
		_kernel_names "$1" | tail -n 1
}

# _kernel_names VERSION: of the package names (or .deb file names) read,
# the generic amd64 images of VERSION, oldest first: 6.1.0-N-amd64 to
# Debian 12, 6.12.N+debN-amd64 since 13 (no ABI number)
_kernel_names() {
	_kn_re=$(printf '%s' "$1" | sed 's/\./\\./g')
	grep -E "^linux-image-$_kn_re\.[0-9]+(-[0-9]+|\+deb[0-9]+)-amd64(\$|_)" |
		sort -V
}

# kernel_fetch VERSION CACHE: set KERNEL_PACKAGE and KERNEL_DEB, with the
# .deb in CACHE: the one apt has now, downloaded if not yet there, or
# the newest kept one when apt cannot say (no package lists, offline).
# The package lists are fetched when there are none, or when the
# download fails (they may name a build the mirror no longer has).
kernel_fetch() {
	_kf_suite=$(kernel_suite "$1") ||
		_kernel_fail "no Debian release is known for kernel $1 (5.10, 6.1 or 6.12)" ||
		return 1
	_kernel_apt_setup "$2" "$_kf_suite" ||
		_kernel_fail "cannot make a private apt configuration in $2/apt" ||
		return 1
	KERNEL_PACKAGE=$(kernel_package_name "$1")
	_kf_updated=
	if [ -z "$KERNEL_PACKAGE" ]; then
		_kernel_update && _kf_updated=1
		KERNEL_PACKAGE=$(kernel_package_name "$1")
	fi
	if [ -z "$KERNEL_PACKAGE" ]; then
		KERNEL_DEB=$(ls "$2" 2>/dev/null | _kernel_names "$1" | tail -n 1)
		[ -n "$KERNEL_DEB" ] ||
			_kernel_fail "apt knows no generic amd64 linux-image-$1.N package in Debian's $_kf_suite ($(grep -E '^(E|W):' "$KERNEL_APT_DIR/update.log" 2>/dev/null | head -n 2 | tr '\n' ' ')) and none is kept in $2" ||
			return 1
		KERNEL_DEB=$2/$KERNEL_DEB
		KERNEL_PACKAGE=$(basename "$KERNEL_DEB" | sed 's/_.*//')
		return 0
	fi
	_kernel_download "$2" && return 0
	[ -z "$_kf_updated" ] && _kernel_update || return 1
	KERNEL_PACKAGE=$(kernel_package_name "$1")
	[ -n "$KERNEL_PACKAGE" ] ||
		_kernel_fail "apt knows no generic amd64 linux-image-$1.N package in Debian's $_kf_suite after an update" ||
		return 1
	_kernel_download "$2"
}

# _kernel_update: apt-get update of the private package lists
_kernel_update() {
	_kernel_apt apt-get update >"$KERNEL_APT_DIR/update.log" 2>&1 &&
		! grep -q -E '^(E|Err):' "$KERNEL_APT_DIR/update.log"
}

# _kernel_download CACHE: KERNEL_DEB, the candidate of KERNEL_PACKAGE,
# downloaded into CACHE unless already there
_kernel_download() {
	_kd_version=$(_kernel_apt apt-cache policy "$KERNEL_PACKAGE" |
		sed -n 's/^ *Candidate: *//p' | sed 's/^[0-9]*://')
	KERNEL_DEB=$1/${KERNEL_PACKAGE}_${_kd_version}_amd64.deb
	[ -s "$KERNEL_DEB" ] && return 0
	# apt-get download writes to the current directory; its sandbox
	# user may not write there, hence the warning it prints as root
	(cd "$1" && _kernel_apt apt-get download "$KERNEL_PACKAGE") >"$KERNEL_APT_DIR/download.log" 2>&1 ||
		_kernel_fail "apt-get download $KERNEL_PACKAGE failed: $(grep -E '^(E|Err):' "$KERNEL_APT_DIR/download.log" | head -n 2 | tr '\n' ' ')" ||
		return 1
	[ -s "$KERNEL_DEB" ] ||
		_kernel_fail "apt-get download $KERNEL_PACKAGE did not write $KERNEL_DEB" ||
		return 1
}

# kernel_unpack CACHE: from KERNEL_DEB, the image and the modules cpio in
# CACHE/RELEASE (made once, again if the module list changed). Packages
# put the modules in lib/modules (Debian 12 and before) or usr/lib/modules
# (13 on), the image in boot/vmlinuz-RELEASE.
kernel_unpack() {
	_ku_tree=$1/unpacked.$$
	rm -rf "$_ku_tree"
	dpkg -x "$KERNEL_DEB" "$_ku_tree" ||
		_kernel_fail "dpkg -x $KERNEL_DEB failed" || return 1
	# busybox depmod and modprobe know /lib/modules only
	if [ ! -d "$_ku_tree/lib/modules" ] && [ -d "$_ku_tree/usr/lib/modules" ]; then
		mkdir -p "$_ku_tree/lib" &&
			mv "$_ku_tree/usr/lib/modules" "$_ku_tree/lib/modules"
	fi
	KERNEL_RELEASE=$(ls "$_ku_tree/lib/modules" 2>/dev/null | head -n 1)
	_ku_out=$1/$KERNEL_RELEASE
	if [ -z "$KERNEL_RELEASE" ] || [ ! -f "$_ku_tree/boot/vmlinuz-$KERNEL_RELEASE" ]; then
		rm -rf "$_ku_tree"
		_kernel_fail "$KERNEL_DEB holds no kernel image and modules (boot/vmlinuz-RELEASE, lib/modules/RELEASE or usr/lib/modules/RELEASE)"
		return 1
	fi
	# it reads compressed modules as they are (module.ko.xz)
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
# line), with a modules.dep of just those, from TREE into OUT. A name the
# kernel has built in (modules.builtin, which goes along: busybox
# modprobe then loads nothing for it) needs no file: 6.12 builds
# virtio_pci in. Compressed modules (.ko.xz since Debian 13) are copied
# decompressed: busybox modprobe loads them only after handing the
# kernel the compressed bytes first ("Invalid ELF header magic" in its
# log, once a module).
_kernel_copy_modules() {
	_kc_dir=lib/modules/$KERNEL_RELEASE
	_kc_dep=$1/$_kc_dir/modules.dep
	_kc_files=
	for _kc_name in $KERNEL_MODULE_NAMES; do
		_kc_line=$(grep -E "^([^:]*/)?$_kc_name\\.ko(\\.xz|\\.zst|\\.gz)?:" "$_kc_dep")
		if [ -z "$_kc_line" ]; then
			grep -q -E "^([^:]*/)?$_kc_name\\.ko\$" "$1/$_kc_dir/modules.builtin" 2>/dev/null ||
				_kernel_fail "$KERNEL_RELEASE has no module $_kc_name, loadable or built in" ||
				return 1
			continue
		fi
		_kc_files="$_kc_files $(echo "$_kc_line" | tr -d ':')"
	done
	mkdir -p "$2/$_kc_dir" &&
		cp "$1/$_kc_dir/modules.builtin" "$2/$_kc_dir/modules.builtin" &&
		: >"$2/$_kc_dir/modules.dep" || return 1
	for _kc_file in $(echo "$_kc_files" | tr ' ' '\n' | sort -u); do
		_kc_plain=${_kc_file%.ko*}.ko
		mkdir -p "$2/$_kc_dir/$(dirname "$_kc_file")" || return 1
		case $_kc_file in
		*.ko) cp "$1/$_kc_dir/$_kc_file" "$2/$_kc_dir/$_kc_plain" ;;
		*.ko.xz) busybox xz -dc "$1/$_kc_dir/$_kc_file" >"$2/$_kc_dir/$_kc_plain" ;;
		*.ko.gz) busybox gzip -dc "$1/$_kc_dir/$_kc_file" >"$2/$_kc_dir/$_kc_plain" ;;
		*.ko.zst) zstd -q -dc "$1/$_kc_dir/$_kc_file" >"$2/$_kc_dir/$_kc_plain" ;;
		*) false ;;
		esac || _kernel_fail "cannot decompress $_kc_file of $KERNEL_RELEASE" || return 1
		grep "^$_kc_file:" "$_kc_dep" | sed 's/\.ko\.[a-z]*/.ko/g'
	done >>"$2/$_kc_dir/modules.dep"
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
