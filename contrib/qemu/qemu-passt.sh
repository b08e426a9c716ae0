#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Start passt for one qemu guest and boot it: passt listens on a socket of
# its own in a temporary directory, serves that one guest (-1) and exits
# with it. Extra arguments go to qemu (disk image, memory, ...).
#
# Usage: qemu-passt.sh [-v] [-t PORTS] -- QEMU_ARGUMENT...
#   -v        vhost-user back end (guest memory shared with passt)
#   -t PORTS  forward TCP PORTS from the host to the guest (passt -t)
#
# Example: qemu-passt.sh -t 2222:22 -- -m 1G -drive file=guest.qcow2

set -eu

PASST=${PASST:-passt}
QEMU=${QEMU:-qemu-system-x86_64}
vhost=
ports=none

while [ $# -gt 0 ]; do
	case $1 in
	-v) vhost=1 ;;
	-t) ports=$2; shift ;;
	--) shift; break ;;
	*) echo "Usage: $0 [-v] [-t PORTS] -- QEMU_ARGUMENT..." >&2; exit 1 ;;
	esac
	shift
done

dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
sock=$dir/passt.socket

if [ -n "$vhost" ]; then
	"$PASST" -1 --vhost-user -s "$sock" -t "$ports" -P "$dir/pid"
	mem=$(printf '%s\n' "$@" | sed -n 's/^\([0-9]*[GM]\)$/\1/p' | head -n 1)
	exec "$QEMU" -machine accel=kvm:tcg "$@" \
		-object memory-backend-memfd,id=mem,share=on,size="${mem:-1G}" \
		-numa node,memdev=mem \
		-chardev socket,id=chr0,path="$sock" \
		-netdev vhost-user,id=net0,chardev=chr0 \
		-device virtio-net-pci,netdev=net0
fi

"$PASST" -1 -s "$sock" -t "$ports" -P "$dir/pid"
exec "$QEMU" -machine accel=kvm:tcg "$@" \
	-netdev stream,id=net0,server=off,addr.type=unix,addr.path="$sock" \
	-device virtio-net-pci,netdev=net0
