#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Boot the qemu test guest (distro kernel + test/guest initramfs) and run a
# guest test in it, with its virtio-net card attached to passt's UNIX socket
# (qemu -netdev stream) or to nothing. The guest's serial console is copied
# to stdout, so its "PASS: ..." / "FAIL: ..." lines reach test/run.sh as
# they are; kernel and "GUEST: ..." lines are there for the log.
#
# KVM is used only when a short probe boot under KVM succeeds (the result is
# remembered per host boot in test/out/guest/); otherwise TCG.
#
# Usage: test/guest/run-qemu.sh [OPTION]...
#   -s, --socket PATH	attach virtio-net-pci to the UNIX socket PATH
#			(default: no network card, guest_net=none)
#   -V, --vhost-user PATH	attach virtio-net-pci to passt's vhost-user socket
#			PATH (guest memory shared from a memfd)
#   -n, --netdev SPEC	attach virtio-net-pci to -netdev SPEC,id=n instead
#			(e.g. "user,restrict=on" to try guest tests on slirp)
#   -t, --test NAME[,NAME]	guest tests to run (test/guest/tests/NAME.sh),
#			default "boot"
#   -a, --append PARAMS	more kernel parameters, e.g. "guest_tag=x"
#   -i, --initramfs FILE	initramfs to boot (default: build-initramfs.sh)
#   -T, --timeout SEC	kill qemu after SEC seconds (default 150)
#   -A, --accel auto|kvm|tcg	(default: $QEMU_ACCEL or auto)
#   -I, --interactive	serial console on the terminal (with -t shell)
#   -q, --qemu ARG	one more argument for qemu (repeatable)
#
# Exit status: 0 if the guest finished its tests and reported no FAIL line,
# 1 otherwise (a timeout or crash also prints a FAIL line of its own).

set -u

GUEST_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TOP=$(cd "$GUEST_DIR/../.." && pwd)
CACHE_DIR=$TOP/test/out/guest
QEMU=${QEMU:-qemu-system-x86_64}
KVM_PROBE_TIMEOUT_SEC=20

sock='' vhost='' netdev='' tests=boot append='' initramfs='' timeout=150 accel=${QEMU_ACCEL:-auto}
interactive=0 extra=()

usage() { sed -n '/^# Usage/,/^# Exit/p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 1; }

while [ $# -gt 0 ]; do
	case $1 in
	-s|--socket)		sock=$2; shift ;;
	-V|--vhost-user)	vhost=$2; shift ;;
	-n|--netdev)		netdev=$2; shift ;;
	-t|--test)		tests=$2; shift ;;
	-a|--append)		append="$append $2"; shift ;;
	-i|--initramfs)		initramfs=$2; shift ;;
	-T|--timeout)		timeout=$2; shift ;;
	-A|--accel)		accel=$2; shift ;;
	-I|--interactive)	interactive=1 ;;
	-q|--qemu)		extra+=("$2"); shift ;;
	*)			usage ;;
	esac
	shift
done
case $accel in auto|kvm|tcg) ;; *) echo "run-qemu: bad --accel $accel" >&2; exit 1 ;; esac

# The kernel build-initramfs.sh takes modules from: the newest release in
# /lib/modules with an image in /boot (or $GUEST_KVER)
kver=${GUEST_KVER:-}
if [ -z "$kver" ]; then
	for k in $(ls /lib/modules | sort -rV); do
		[ -e "/boot/vmlinuz-$k" ] && { kver=$k; break; }
	done
fi
kernel=/boot/vmlinuz-$kver
[ -r "$kernel" ] || { echo "FAIL: guest_boot: no readable $kernel"; exit 1; }
command -v "$QEMU" >/dev/null ||
	{ echo "FAIL: guest_boot: $QEMU missing (qemu-system-x86)"; exit 1; }
if [ -z "$initramfs" ]; then
	initramfs=$(GUEST_KVER=$kver "$GUEST_DIR/build-initramfs.sh") ||
		{ echo "FAIL: guest_boot: building the initramfs failed"; exit 1; }
fi

# qemu_cmd ACCEL TESTS APPEND NET...: print nothing, set the array "cmd"
qemu_cmd() {
	local acc=$1 t=$2 app=$3
	shift 3
	cmd=("$QEMU" -nodefaults -no-user-config -nographic -no-reboot
	     -m 256 -smp 1 -kernel "$kernel" -initrd "$initramfs"
	     -append "console=ttyS0 quiet panic=-1 guest_test=$t$app")
	if [ "$acc" = kvm ]; then
		cmd+=(-accel kvm -cpu host)
	else
		cmd+=(-accel tcg -cpu max)
	fi
	if [ "$interactive" = 1 ]; then
		cmd+=(-serial mon:stdio)
	else
		cmd+=(-serial stdio -monitor none)
	fi
	cmd+=("$@")
}

# kvm_works: boot the probe guest under KVM; remember the answer per boot
kvm_works() {
	local id f out
	[ -r /dev/kvm ] && [ -w /dev/kvm ] || return 1
	id=$(cat /proc/sys/kernel/random/boot_id 2>/dev/null)
	f=$CACHE_DIR/kvm-probe.$id
	if [ ! -e "$f" ]; then
		mkdir -p "$CACHE_DIR"
		qemu_cmd kvm probe " guest_net=none"
		out=$(timeout -k 2 "$KVM_PROBE_TIMEOUT_SEC" "${cmd[@]}" \
			</dev/null 2>&1 | tr -d '\r')
		if echo "$out" | grep -q '^GUEST: probe ok'; then
			echo yes > "$f"
		else
			echo no > "$f"
		fi
	fi
	[ "$(cat "$f")" = yes ]
}

if [ "$accel" = auto ]; then
	if kvm_works; then accel=kvm; else accel=tcg; fi
fi

[ -n "$sock" ] && netdev="stream,server=off,addr.type=unix,addr.path=$sock"
if [ -n "$vhost" ]; then
	# vhost-user needs guest memory the back end can map; qemu 7.2 under
	# TCG crashes starting vhost-user unless the card has no MSI-X vectors
	net=(-chardev "socket,id=c,path=$vhost" -netdev vhost-user,id=n,chardev=c
	     -device virtio-net-pci,netdev=n,romfile=,vectors=0
	     -object memory-backend-memfd,id=m,share=on,size=256M
	     -numa node,memdev=m)
elif [ -n "$netdev" ]; then
	net=(-netdev "$netdev,id=n" -device virtio-net-pci,netdev=n,romfile=)
else
	net=()
	append="$append guest_net=none"
fi
qemu_cmd "$accel" "$tests" "$append" "${net[@]}" "${extra[@]}"

if [ "$interactive" = 1 ]; then
	exec "${cmd[@]}"
fi

log=$(mktemp /tmp/run-qemu.XXXXXX)
trap 'rm -f "$log"' EXIT
echo "GUEST: accel=$accel kernel=$kver tests=$tests"
start=$(date +%s%N)
# drop carriage returns and the firmware's terminal escapes, which would
# otherwise prefix the guest's first line
timeout -k 5 "$timeout" "${cmd[@]}" </dev/null 2>&1 |
	sed -u 's/\r//g; s/\x1bc//g; s/\x1b\[[0-9;?]*[A-Za-z]//g' | tee "$log"
rc=${PIPESTATUS[0]}
secs=$(( ($(date +%s%N) - start) / 1000000 ))
echo "GUEST: qemu exited with status $rc after $((secs / 1000)).$(printf '%03d' $((secs % 1000))) s"

name=guest_${tests//,/_}
if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
	echo "FAIL: $name: qemu killed after $timeout s (accel $accel)"
	exit 1
fi
if ! grep -q '^GUEST: done' "$log"; then
	echo "FAIL: $name: guest did not finish its tests (qemu status $rc)"
	exit 1
fi
! grep -q '^FAIL: ' "$log"
