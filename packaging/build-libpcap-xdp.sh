#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
#
# build-libpcap-xdp.sh [--xdpcap-build DIR] OUTDIR
#
# Builds Debian's libpcap with xdp:NAME devices compiled in: the module of
# pcap-module/ (pcap-xdp.c on pcap-xdp-core.c, the code libpcap-xdp.so
# preloads) added as a capture source, switched on by ./configure
# --enable-xdp. Only the shared library is built, with Debian's soname, so
# that Debian's own tcpdump uses it:
#
#   LD_LIBRARY_PATH=OUTDIR:XDPCAP_LIBDIR tcpdump -i xdp:NAME
#
# where XDPCAP_LIBDIR holds libxdpcap.so.0 (the build tree's lib/.libs, or
# where make install put it).
#
# The source comes from `apt-get source libpcap` (unpacked in OUTDIR/src
# once, and reused); if no deb-src entry is configured, one is added in
# /etc/apt/sources.list.d/, which is said on stderr. Needs dpkg-dev,
# autoconf, bison, flex, gcc and make; root only if the deb-src entry or
# these are missing. --xdpcap-build is the xdpcap build tree (default:
# this source tree), for libxdpcap and its headers. Prints how long the
# build took.
set -eu

die() { printf 'build-libpcap-xdp.sh: %s\n' "$*" >&2; exit 1; }
say() { printf 'build-libpcap-xdp.sh: %s\n' "$*" >&2; }

top=$(cd "$(dirname "$0")/.." && pwd)
xdpcap_build=$top
while [ $# -gt 1 ]; do
	case $1 in
	--xdpcap-build) xdpcap_build=$(cd "$2" && pwd); shift 2 ;;
	*) die "unknown option $1" ;;
	esac
done
[ $# -eq 1 ] || die "usage: build-libpcap-xdp.sh [--xdpcap-build DIR] OUTDIR"
mkdir -p "$1"
out=$(cd "$1" && pwd)
[ -f "$xdpcap_build/lib/.libs/libxdpcap.so" ] ||
	die "no $xdpcap_build/lib/.libs/libxdpcap.so: build xdpcap first (make)"
for tool in apt-get dpkg-source autoconf autoheader bison flex make cc patch perl; do
	command -v "$tool" >/dev/null 2>&1 ||
		die "needs $tool (apt-get install dpkg-dev autoconf bison flex gcc make patch perl)"
done
start=$(date +%s%N)

# --- the source -----------------------------------------------------------
has_deb_src() {
	grep -Eqs '^[[:space:]]*deb-src[[:space:]]' /etc/apt/sources.list /etc/apt/sources.list.d/*.list ||
		grep -Eqs '^Types:.*deb-src' /etc/apt/sources.list.d/*.sources
}

add_deb_src() {
	list=/etc/apt/sources.list.d/xdpcap-deb-src.sources
	[ -f /etc/apt/sources.list.d/debian.sources ] ||
		die "no deb-src entry and no /etc/apt/sources.list.d/debian.sources to derive one from: add a deb-src line for Debian's archive"
	say "no deb-src entry in apt's sources: adding $list (source packages of the archives in debian.sources)"
	sed 's/^Types:.*/Types: deb-src/' /etc/apt/sources.list.d/debian.sources >"$list"
	apt-get update -q >/dev/null
}

src=$(find "$out/src" -maxdepth 1 -type d -name 'libpcap-1.*' 2>/dev/null | head -n 1)
if [ -z "$src" ]; then
	has_deb_src || add_deb_src
	rm -rf "$out/src"
	mkdir -p "$out/src"
	if ! (cd "$out/src" && apt-get source -q libpcap >"$out/src/apt-get.log" 2>&1); then
		# lists may be stale or missing: refresh once
		apt-get update -q >/dev/null 2>&1 || true
		(cd "$out/src" && apt-get source -q libpcap >"$out/src/apt-get.log" 2>&1) ||
			die "apt-get source libpcap failed: see $out/src/apt-get.log"
	fi
	src=$(find "$out/src" -maxdepth 1 -type d -name 'libpcap-1.*' | head -n 1)
	[ -n "$src" ] || die "apt-get source libpcap unpacked nothing in $out/src"
fi

# --- the module, and libpcap's three places that name its modules -----------
cp "$top/pcap-module/pcap-xdp.c" "$top/pcap-module/pcap-xdp.h" \
	"$top/pcap-module/pcap-xdp-core.c" "$top/pcap-module/pcap-xdp-core.h" "$src/"
if [ ! -f "$src/.xdp-patched" ]; then
	(cd "$src" && patch -p1 -s) <<'PATCH' || die "the libpcap source does not take the patch (not 1.10?)"
--- a/pcap.c
+++ b/pcap.c
@@ -117,6 +117,10 @@
 #include "pcap-dbus.h"
 #endif
 
+#ifdef PCAP_SUPPORT_XDP
+#include "pcap-xdp.h"
+#endif
+
 #ifdef PCAP_SUPPORT_RDMASNIFF
 #include "pcap-rdmasniff.h"
 #endif
@@ -684,6 +688,9 @@
 #ifdef PCAP_SUPPORT_DBUS
 	{ dbus_findalldevs, dbus_create },
 #endif
+#ifdef PCAP_SUPPORT_XDP
+	{ xdp_findalldevs, xdp_create },
+#endif
 #ifdef PCAP_SUPPORT_RDMASNIFF
 	{ rdmasniff_findalldevs, rdmasniff_create },
 #endif
--- a/gencode.c
+++ b/gencode.c
@@ -742,7 +742,7 @@
 	done = 1;
 #endif
 
-#ifdef ENABLE_REMOTE
+#if defined(ENABLE_REMOTE) || defined(PCAP_SUPPORT_XDP)
 	/*
 	 * If the device on which we're capturing need to be notified
 	 * that a new filter is being compiled, do so.
--- a/configure.ac
+++ b/configure.ac
@@ -3043,6 +3043,33 @@
 	AC_SUBST(PCAP_SUPPORT_DBUS)
 fi
 
+dnl xdp:NAME devices: xdpcap hooks, through libxdpcap
+AC_ARG_ENABLE([xdp],
+[AS_HELP_STRING([--enable-xdp],[enable capture from xdpcap hooks (xdp:NAME devices); needs libxdpcap, see XDPCAP_CFLAGS and XDPCAP_LIBS @<:@default=no@:>@])],
+    [],
+    [enable_xdp=no])
+AC_ARG_VAR([XDPCAP_CFLAGS], [C compiler flags for libxdpcap])
+AC_ARG_VAR([XDPCAP_LIBS], [linker flags for libxdpcap (default: -lxdpcap)])
+if test "x$enable_xdp" != "xno"; then
+	test -n "$XDPCAP_LIBS" || XDPCAP_LIBS=-lxdpcap
+	save_CFLAGS="$CFLAGS"
+	save_LIBS="$LIBS"
+	CFLAGS="$CFLAGS $XDPCAP_CFLAGS"
+	LIBS="$LIBS $XDPCAP_LIBS"
+	AC_MSG_CHECKING(whether libxdpcap can be used)
+	AC_LINK_IFELSE(
+	    [AC_LANG_PROGRAM([[#include <xdpcap/capture.h>]],
+		[[return xdpcap_parse_actions("all", 0, 0);]])],
+	    [AC_MSG_RESULT(yes)],
+	    [AC_MSG_RESULT(no)
+	     AC_MSG_ERROR([--enable-xdp needs libxdpcap: set XDPCAP_CFLAGS and XDPCAP_LIBS])])
+	CFLAGS="$save_CFLAGS"
+	AC_DEFINE(PCAP_SUPPORT_XDP, 1, [support capture from xdpcap hooks])
+	MODULE_C_SRC="$MODULE_C_SRC pcap-xdp.c pcap-xdp-core.c"
+	V_INCLS="$V_INCLS $XDPCAP_CFLAGS"
+	ADDITIONAL_LIBS="$ADDITIONAL_LIBS $XDPCAP_LIBS"
+fi
+
 AC_ARG_ENABLE([rdma],
 [AS_HELP_STRING([--enable-rdma],[enable RDMA capture support @<:@default=yes, if support available@:>@])],
     [],
PATCH
	touch "$src/.xdp-patched"
fi

# --- configure: only what the shared library with xdp: needs ----------------
if [ ! -f "$src/config.status" ] || [ "$src/configure.ac" -nt "$src/configure" ]; then
	(cd "$src" && autoconf && autoheader) >"$out/autoconf.log" 2>&1 ||
		die "autoconf failed: see $out/autoconf.log"
	(cd "$src" && ./configure -q -C --enable-xdp \
		--disable-dbus --disable-rdma --disable-bluetooth --disable-usb \
		--disable-netmap --without-libnl --without-dpdk \
		XDPCAP_CFLAGS="-I$top/lib/include" \
		XDPCAP_LIBS="-L$xdpcap_build/lib/.libs -lxdpcap" \
		CFLAGS="-O2 -g0") >"$out/configure.log" 2>&1 ||
		die "configure failed: see $out/configure.log"
fi
configured=$(date +%s%N)

# --- build: Debian's "shared" target, libpcap.so.VERSION + libpcap.so.0.8 --
make -C "$src" -j"$(nproc)" shared >"$out/make.log" 2>&1 || die "make failed: see $out/make.log"
lib=$(find "$src" -maxdepth 1 -type f -name 'libpcap.so.1.*' | head -n 1)
[ -n "$lib" ] || die "make built no libpcap.so.1.*: see $out/make.log"
cp "$lib" "$out/"
ln -sf "$(basename "$lib")" "$out/libpcap.so.0.8"
end=$(date +%s%N)
say "built $out/libpcap.so.0.8 ($(basename "$lib")) in $(((end - start) / 1000000)) ms (configure $(((configured - start) / 1000000)) ms, make $(((end - configured) / 1000000)) ms)"
