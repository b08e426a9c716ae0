#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# A real virtual machine on passt's vhost-user back end: qemu (TCG) with
# guest memory shared from a memfd, its virtio-net card's queues served by
# passt --vhost-user. The test guest checks what it is given (DHCP lease
# 192.0.2.2 via 192.0.2.1 with DNS 192.0.2.53, SLAAC address and RA route,
# DHCPv6 lease), pings both gateways, then moves TCP data both ways through
# passt, checked by md5sum, and runs iperf3 both ways (rates in the log).
# passt must survive the guest going away, and configure a second guest
# (a new qemu on the same socket) just the same.
source "$(dirname "$0")/../lib.sh"

SOCK=$WORK/passt.sock
trap 'kill $PASST_PID $UP_PID $DOWN_PID $IPERF_PID 2>/dev/null' EXIT

if ! initramfs=$("$TOP/test/guest/build-initramfs.sh" 2>"$WORK/build.log"); then
	fail vhost_user_initramfs "$(tail -n 3 "$WORK/build.log" | tr '\n' ' ')"
	exit 0
fi

"$PASST" -f -d --vhost-user -s "$SOCK" >"$WORK/passt.log" 2>&1 &
PASST_PID=$!
if ! wait_for 5 test -S "$SOCK"; then
	fail vhost_user_passt_start "no socket: $(tail -n 3 "$WORK/passt.log")"
	exit 0
fi

# Host ends of the TCP transfers, on loopback (the guest uses the gateway)
head -c $((2 << 20)) /dev/urandom > "$WORK/down"
down_md5=$(md5sum < "$WORK/down" | cut -d' ' -f1)
socat -u TCP-LISTEN:10101,bind=127.0.0.1,reuseaddr \
	CREATE:"$WORK/up" 2>"$WORK/up.log" &
UP_PID=$!
socat -u OPEN:"$WORK/down" \
	TCP-LISTEN:10102,bind=127.0.0.1,reuseaddr 2>"$WORK/down.log" &
DOWN_PID=$!
iperf3 -s -B 127.0.0.1 -p 5201 >"$WORK/iperf3.log" 2>&1 &
IPERF_PID=$!

"$TOP/test/guest/run-qemu.sh" -i "$initramfs" -V "$SOCK" -T 120 \
	-t boot,netconf,tcp_transfer,iperf3 -a "guest_tag=vhost_user
	guest_addr4=192.0.2.2 guest_gw4=192.0.2.1
	guest_dns4=192.0.2.53 guest_mtu=65520 guest_prefix6=2001:db8::
	guest_addr6=2001:db8::2 guest_dns6=2001:db8::53 guest_gw6=2001:db8::1
	guest_tcp_up_port=10101 guest_tcp_up_kib=2048
	guest_tcp_down_port=10102 guest_tcp_down_md5=$down_md5
	guest_iperf3_port=5201 guest_iperf3_sec=2" \
	| tee "$WORK/guest.log"

want=$(sed -n 's/^GUEST: tcp upload md5 \([0-9a-f]*\).*/\1/p' "$WORK/guest.log")
wait_for 5 sh -c "! kill -0 $UP_PID 2>/dev/null"
got=$(md5sum < "$WORK/up" 2>/dev/null | cut -d' ' -f1)
if [ -n "$want" ] && [ "$want" = "$got" ]; then
	pass vhost_user_tcp_upload_content
else
	fail vhost_user_tcp_upload_content \
		"guest sent md5 '$want', host got '$got'"
fi

# The same passt serves the next qemu from scratch
"$TOP/test/guest/run-qemu.sh" -i "$initramfs" -V "$SOCK" -T 60 \
	-t netconf -a "guest_tag=vhost_user_second_guest
	guest_addr4=192.0.2.2 guest_gw4=192.0.2.1
	guest_dns4=192.0.2.53 guest_mtu=65520 guest_prefix6=2001:db8::
	guest_addr6=2001:db8::2 guest_dns6=2001:db8::53 guest_gw6=2001:db8::1"

if kill -0 "$PASST_PID" 2>/dev/null; then
	pass vhost_user_passt_survives_guest
else
	wait "$PASST_PID"
	why="passt exited with status $?: $(tail -n 3 "$WORK/passt.log")"
	fail vhost_user_passt_survives_guest "$(echo "$why" | tr '\n' ' ')"
fi
if grep -q "front end gone, waiting for a new one" "$WORK/passt.log"; then
	pass vhost_user_front_end_gone_logged
else
	fail vhost_user_front_end_gone_logged "no such line in the log"
fi
echo "--- passt log"
grep -v "^$" "$WORK/passt.log" | tail -n 30
