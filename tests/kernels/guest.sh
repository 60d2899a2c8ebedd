# SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
#
# The test guest: a qemu machine booting a kernel with an initramfs of
# busybox, guest_init and the kernel's modules, the host's root shared
# read-only over 9p, no network device, and two serial ports: the console
# and the guest's report. Source it from a POSIX sh script:
#
#   . "$TOP_SRCDIR/tests/kernels/guest.sh"
#   guest_initramfs DIR MODULES_CPIO MODE TESTS_FILE ENV_FILE  -> DIR/initrd.cpio
#   guest_choose_accel KERNEL DIR   -> GUEST_ACCEL (kvm or tcg), GUEST_ACCEL_WHY
#   guest_boot KERNEL DIR SECONDS   -> DIR/console.txt, DIR/report.txt;
#                                      qemu's status, 124 when stopped at SECONDS
#
# KVM is used only when a probe boot with it reaches the guest's init in
# GUEST_KVM_PROBE_SECONDS: a machine can have /dev/kvm and still hang a
# KVM guest (nested virtualisation). Otherwise qemu emulates the CPU
# (TCG) in one host thread for all vCPUs: QEMU before 8.1 (Debian 12 has
# 7.2) could run a stale translation of code that another vCPU had just
# rewritten, and the kernel rewrites its own code all the time (static
# keys on every XDP attach, 5.10's XDP dispatcher on every test run). The
# guest then died on an int3 its own patching had already removed
# (sched_clock_cpu in 6.12, bpf_dispatcher_xdp_func in 5.10). One thread
# a guest also lets several guests share the cores.
#
# A guest has one vCPU: in one host thread a second one adds no speed,
# and two tests at once in one guest took four times as long as either
# alone (tests/capture.sh: 894 s beside another, 233 s alone in 6.1):
# their polling and the cross-CPU calls of every code patch and TLB
# flush wait for the other vCPU's turn.

GUEST_CPUS=${GUEST_CPUS:-1}
GUEST_MEMORY_MIB=${GUEST_MEMORY_MIB:-2048}
GUEST_KVM_PROBE_SECONDS=20
GUEST_ACCEL=tcg
GUEST_ACCEL_WHY=

# guest_initramfs DIR MODULES_CPIO MODE TESTS_FILE ENV_FILE: DIR/initrd.cpio,
# busybox and guest_init (with its configuration) followed by the
# modules' archive (the kernel unpacks concatenated archives in turn).
guest_initramfs() {
	_gi_root=$1/initramfs
	_gi_busybox=$(command -v busybox) || return 1
	rm -rf "$_gi_root"
	mkdir -p "$_gi_root/bin" || return 1
	cp "$_gi_busybox" "$_gi_root/bin/busybox" &&
		cp "${top:?}/tests/kernels/guest_init" "$_gi_root/init" &&
		chmod 0755 "$_gi_root/init" &&
		cp "$4" "$_gi_root/xdpcap-guest.tests" &&
		cp "$5" "$_gi_root/xdpcap-guest.env" || return 1
	{
		echo "GUEST_MODE=$3"
		echo "GUEST_MODULES='$KERNEL_MODULE_NAMES'"
		echo "GUEST_SUITE='$top/tests/kernels/guest_suite.sh'"
		echo "GUEST_TREE='$top'"
	} >"$_gi_root/xdpcap-guest.conf"
	(cd "$_gi_root" && find . | busybox cpio -o -H newc -R 0:0) \
		>"$1/base.cpio" 2>/dev/null &&
		cat "$1/base.cpio" "$2" >"$1/initrd.cpio"
}

# guest_static_busybox: busybox runs without shared libraries (Debian's
# busybox-static), as the initramfs has none
guest_static_busybox() {
	_gs_busybox=$(command -v busybox) || return 1
	! ldd "$_gs_busybox" >/dev/null 2>&1
}

# guest_boot KERNEL DIR SECONDS [ACCEL]: boot, wait until the guest stops
# or SECONDS pass
guest_boot() {
	case ${4:-$GUEST_ACCEL} in
	kvm) _gb_accel="-accel kvm -cpu host" ;;
	*) _gb_accel="-accel tcg,thread=single -cpu qemu64" ;;
	esac
	rm -f "$2/console.txt" "$2/report.txt"
	# shellcheck disable=SC2086
	timeout -k 10 "$3" qemu-system-x86_64 $_gb_accel \
		-smp "$GUEST_CPUS" -m "$GUEST_MEMORY_MIB" \
		-nodefaults -no-user-config -display none -no-reboot \
		-kernel "$1" -initrd "$2/initrd.cpio" \
		-append "console=ttyS0 quiet panic=-1" \
		-virtfs local,path=/,mount_tag=hostroot,security_model=none,readonly=on,multidevs=remap \
		-virtfs "local,path=$top,mount_tag=tree,security_model=none,readonly=on,multidevs=remap" \
		-serial "file:$2/console.txt" -serial "file:$2/report.txt" \
		</dev/null >"$2/qemu.txt" 2>&1
}

# guest_choose_accel KERNEL DIR: GUEST_ACCEL kvm if a probe boot (DIR has
# an initramfs of mode probe) reports from the guest under KVM, else tcg;
# GUEST_ACCEL_WHY says why.
guest_choose_accel() {
	GUEST_ACCEL=tcg
	if [ ! -r /dev/kvm ] || [ ! -w /dev/kvm ]; then
		GUEST_ACCEL_WHY="no usable /dev/kvm"
		return 0
	fi
	guest_boot "$1" "$2" "$GUEST_KVM_PROBE_SECONDS" kvm
	_gc_rc=$?
	if grep -q '^xdpcap-guest: probe ok' "$2/report.txt" 2>/dev/null; then
		GUEST_ACCEL=kvm
		GUEST_ACCEL_WHY="a KVM probe boot reached init"
	elif [ "$_gc_rc" -eq 124 ]; then
		GUEST_ACCEL_WHY="a KVM probe boot hung (stopped after $GUEST_KVM_PROBE_SECONDS s)"
	else
		GUEST_ACCEL_WHY="a KVM probe boot failed: $(grep -m 1 'qemu-system' "$2/qemu.txt")"
	fi
}
