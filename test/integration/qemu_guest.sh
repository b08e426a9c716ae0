#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# A real virtual machine on passt's qemu socket back end: the test guest
# (test/guest: distro kernel, virtio-net, busybox initramfs) boots attached
# to passt and checks what it is given: DHCP lease (192.0.2.2, router
# 192.0.2.1, DNS 192.0.2.53, MTU 65520), a SLAAC address in 2001:db8::/64
# and the RA default route, a DHCPv6 lease (2001:db8::2, DNS 2001:db8::53),
# and ping to both gateways. The guest's PASS/FAIL lines are the results.
source "$(dirname "$0")/../lib.sh"

SOCK=$WORK/passt.sock
trap 'kill $PASST_PID 2>/dev/null' EXIT

if ! initramfs=$("$TOP/test/guest/build-initramfs.sh" 2>"$WORK/build.log"); then
	fail qemu_guest_initramfs "$(tail -n 3 "$WORK/build.log" | tr '\n' ' ')"
	exit 0
fi

"$PASST" -f -s "$SOCK" >"$WORK/passt.log" 2>&1 &
PASST_PID=$!
if ! wait_for 5 test -S "$SOCK"; then
	fail qemu_guest_passt_start "no socket: $(tail -n 3 "$WORK/passt.log")"
	exit 0
fi
# Its last start-up message: passt is in its event loop (or gone)
wait_for 5 sh -c "grep -q 'You can now start qemu' '$WORK/passt.log' ||
		  ! kill -0 $PASST_PID"
if ! kill -0 "$PASST_PID" 2>/dev/null; then
	fail qemu_guest_passt_start \
		"passt exited: $(tail -n 3 "$WORK/passt.log")"
	exit 0
fi

"$TOP/test/guest/run-qemu.sh" -i "$initramfs" -s "$SOCK" -T 120 \
	-t boot,netconf -a "guest_addr4=192.0.2.2 guest_gw4=192.0.2.1
	guest_dns4=192.0.2.53 guest_mtu=65520 guest_prefix6=2001:db8::
	guest_addr6=2001:db8::2 guest_dns6=2001:db8::53 guest_gw6=2001:db8::1"

if kill -0 "$PASST_PID" 2>/dev/null; then
	pass qemu_passt_survives_guest
else
	wait "$PASST_PID"
	fail qemu_passt_survives_guest "passt exited with status $?: $(tail -n 3 "$WORK/passt.log" | tr '\n' ' ')"
fi
echo "--- passt log"
tail -n 30 "$WORK/passt.log"
