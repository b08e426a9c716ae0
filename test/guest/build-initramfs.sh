#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Build the tiny initramfs the qemu test guests boot: busybox-static with its
# applets, the distro kernel's virtio-net modules (and what they depend on),
# iperf3, socat and dhclient with their shared libraries, the guest /init and
# the guest test scripts (test/guest/tests/NAME.sh -> /tests/NAME.sh).
#
# The archive is cached in test/out/guest/ under a key made of every input
# (guest scripts, binaries, libraries, modules, kernel release), so repeated
# runs cost nothing.
# Usage: test/guest/build-initramfs.sh [OUT.cpio.gz]
# Prints the path of the archive (OUT, or the cached file) on stdout.
# Environment: GUEST_KVER selects the kernel release (default: newest in
# /lib/modules that has a /boot/vmlinuz-*).

set -eu

GUEST_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TOP=$(cd "$GUEST_DIR/../.." && pwd)
CACHE_DIR=$TOP/test/out/guest
OUT=${1:-}

# Programs copied with their libraries, and modules the guest loads
PROGRAMS="/usr/bin/iperf3 /usr/bin/socat /usr/sbin/dhclient"
MODULES="virtio_pci virtio_net"

die() { echo "build-initramfs: $*" >&2; exit 1; }

# kernel_release() - newest kernel with both modules and an image in /boot
kernel_release() {
	local k
	for k in $(ls /lib/modules | sort -rV); do
		[ -e "/boot/vmlinuz-$k" ] && { echo "$k"; return; }
	done
	die "no kernel with modules in /lib/modules and /boot/vmlinuz-*"
}

KVER=${GUEST_KVER:-$(kernel_release)}
MODDIR=/lib/modules/$KVER
[ -r "$MODDIR/modules.dep" ] || die "missing $MODDIR/modules.dep"
[ -x /bin/busybox ] || die "missing /bin/busybox (apt-get install busybox-static)"
for p in $PROGRAMS; do
	[ -x "$p" ] || die "missing $p (apt-get install iperf3 socat isc-dhcp-client)"
done

# mod_path() - path (relative to $MODDIR) of module NAME, empty if built in
mod_path() {
	local name=$1 re
	re="(^|/)(${name//_/[-_]})\.ko(\.xz|\.zst|\.gz)?:"
	grep -E "$re" "$MODDIR/modules.dep" | head -n1 | cut -d: -f1
}

# mod_order() - print module paths for NAMEs, dependencies first, once each
declare -A seen
mod_order() {
	local path dep
	for path in "$@"; do
		[ -n "${seen[$path]:-}" ] && continue
		seen[$path]=1
		# modules.dep lists transitive dependencies; recurse anyway so
		# that each one still comes after its own dependencies
		for dep in $(grep -E "^$path:" "$MODDIR/modules.dep" | cut -d: -f2); do
			mod_order "$dep"
		done
		echo "$path"
	done
}

mod_list=()
for m in $MODULES; do
	p=$(mod_path "$m")
	if [ -z "$p" ]; then
		grep -qE "/${m//_/[-_]}\.ko" "$MODDIR/modules.builtin" ||
			die "module $m is neither in modules.dep nor built in"
		continue
	fi
	mod_list+=("$p")
done
mapfile -t mod_paths < <(mod_order "${mod_list[@]}")

# libraries: what ldd resolves, plus the dynamic loader (the '/...' entry)
libs() {
	ldd "$@" 2>/dev/null | awk '
		$2 == "=>" && $3 ~ /^\// { print $3 }
		$1 ~ /^\// && $1 !~ /:$/ { print $1 }' | sort -u
}
LIBS=$(libs $PROGRAMS)

# Cache key: every file that ends up in the archive, plus this script
key=$( {
	echo "$KVER"
	cat "${BASH_SOURCE[0]}"
	find "$GUEST_DIR" -type f ! -name '*.sw?' | sort | xargs cat
	for f in /bin/busybox $PROGRAMS $LIBS; do
		stat -L -c '%n %s %Y' "$f"
	done
	for p in "${mod_paths[@]}"; do
		stat -L -c '%n %s %Y' "$MODDIR/$p"
	done
} | sha256sum | cut -c1-16)
cached=$CACHE_DIR/initramfs-$KVER-$key.cpio.gz

if [ ! -s "$cached" ]; then
	mkdir -p "$CACHE_DIR"
	stage=$(mktemp -d "$CACHE_DIR/stage.XXXXXX")
	trap 'rm -rf "$stage"' EXIT

	mkdir -p "$stage"/{bin,sbin,usr/bin,usr/sbin,proc,sys,dev,tmp,run} \
		"$stage"/{etc/dhcp,var/lib/dhcp,lib/modules,tests}
	cp /bin/busybox "$stage/bin/busybox"
	for a in $(/bin/busybox --list); do
		[ "$a" = busybox ] || ln -sf busybox "$stage/bin/$a"
	done

	for f in $PROGRAMS; do
		cp -L "$f" "$stage/bin/$(basename "$f")"
	done
	for f in $LIBS; do
		mkdir -p "$stage/$(dirname "$f")"
		cp -L "$f" "$stage/$f"
	done

	# busybox insmod takes plain .ko files only: decompress here
	: > "$stage/lib/modules/order"
	for p in "${mod_paths[@]}"; do
		name=$(basename "$p")
		name=${name%%.ko*}.ko
		case $p in
		*.xz)	xz -dc "$MODDIR/$p" > "$stage/lib/modules/$name" ;;
		*.zst)	zstd -qdc "$MODDIR/$p" > "$stage/lib/modules/$name" ;;
		*.gz)	gzip -dc "$MODDIR/$p" > "$stage/lib/modules/$name" ;;
		*)	cp "$MODDIR/$p" "$stage/lib/modules/$name" ;;
		esac
		echo "$name" >> "$stage/lib/modules/order"
	done

	install -m 755 "$GUEST_DIR/init" "$stage/init"
	install -m 644 "$GUEST_DIR/lib.sh" "$stage/lib/guest.sh"
	install -m 755 "$GUEST_DIR/udhcpc.script" "$stage/bin/udhcpc.script"
	install -m 755 "$GUEST_DIR/dhclient.script" "$stage/bin/dhclient.script"
	install -m 644 "$GUEST_DIR/dhclient.conf" "$stage/etc/dhcp/dhclient.conf"
	for t in "$GUEST_DIR"/tests/*.sh; do
		install -m 755 "$t" "$stage/tests/$(basename "$t")"
	done
	echo "root:x:0:0:root:/:/bin/sh" > "$stage/etc/passwd"
	echo "root:x:0:" > "$stage/etc/group"
	printf '127.0.0.1 localhost\n::1 localhost\n' > "$stage/etc/hosts"

	# /dev/console must exist before /init starts, or the kernel can't
	# give it a console: emit that node as a newc entry by hand (mknod
	# needs privileges the test sandbox doesn't have), then the rest
	tmp=$stage.cpio.gz
	{
		newc() {	# INODE NAME MODE RDEVMAJOR RDEVMINOR
			local n=$(( ${#2} + 1 ))
			printf '070701%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X' \
				"$1" "$3" 0 0 1 0 0 0 0 "$4" "$5" "$n" 0
			printf '%s\0' "$2"
			# header (110 bytes) + name padded to a multiple of 4
			printf '%*s' $(( (4 - (110 + n) % 4) % 4 )) '' | tr ' ' '\0'
		}
		newc 1 dev $((0040755)) 0 0
		newc 2 dev/console $((0020600)) 5 1
		newc 0 TRAILER!!! 0 0 0
		(cd "$stage" && find . -mindepth 1 ! -path ./dev |
			sed 's|^\./||' | LC_ALL=C sort |
			cpio -o -H newc -R 0:0 --quiet)
	} | gzip -6 > "$tmp"
	mv "$tmp" "$cached"
	# keep only the newest few archives
	ls -t "$CACHE_DIR"/initramfs-*.cpio.gz | tail -n +4 | xargs -r rm -f
fi

if [ -n "$OUT" ]; then
	[ "$OUT" -ef "$cached" ] || cp "$cached" "$OUT"
	echo "$OUT"
else
	echo "$cached"
fi
