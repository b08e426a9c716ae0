#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Malformed ARP, DHCP, DHCPv6 and NDP frames, then thousands of corrupted
# requests, sent from a namespace guest into passt: passt keeps running
# and every built-in service still answers (a DHCP lease, a DHCPv6 lease,
# a Router and a Neighbour Advertisement, an ARP reply).
source "$(dirname "$0")/../lib.sh"

SOCK=$WORK/passt.sock
OUR_MAC=9a:55:9a:55:9a:55
trap 'kill $DHCLIENT_PID $PASST_PID 2>/dev/null; guest_stop' EXIT

"$PASST" -f -s "$SOCK" >"$WORK/passt.log" 2>&1 &
PASST_PID=$!
if ! wait_for 5 test -S "$SOCK" || ! guest_start "$SOCK"; then
	fail hostile_frames_sent "passt or guest didn't start"
	exit 0
fi

if in_guest "$HELPERS/hostile_frames" guest0 4000 42 >"$WORK/sent" 2>&1; then
	pass hostile_frames_sent
else
	fail hostile_frames_sent "$(tail -n 2 "$WORK/sent")"
fi

if kill -0 "$PASST_PID" 2>/dev/null; then
	pass passt_survives_hostile_frames
else
	fail passt_survives_hostile_frames "$(tail -n 3 "$WORK/passt.log")"
	exit 0
fi

cat > "$WORK/script" <<EOS
#!/bin/sh
[ "\$1" = bound ] && echo "\$ip \$router" > "$WORK/lease"
exit 0
EOS
chmod +x "$WORK/script"
in_guest timeout 15 udhcpc -i guest0 -f -q -n -t 3 -T 1 -s "$WORK/script" \
	>/dev/null 2>&1
check dhcp_lease_after_hostile_frames \
	grep -qx "192.0.2.2 192.0.2.1" "$WORK/lease"

ll_ready() {
	in_guest ip -6 addr show dev guest0 scope link | grep -v tentative |
		grep -q "inet6 fe80"
}
wait_for 10 ll_ready
check ra_after_hostile_frames sh -c "nsenter -t $GUEST_PID -n \
	rdisc6 -1 -n guest0 | grep -q 'Prefix *: *2001:db8::/64'"
check na_after_hostile_frames sh -c "nsenter -t $GUEST_PID -n \
	ndisc6 -1 -n -r 2 -w 500 2001:db8::1 guest0 | grep -qi $OUR_MAC"
in_guest ip addr add 192.0.2.2/24 dev guest0
check arp_after_hostile_frames sh -c "nsenter -t $GUEST_PID -n \
	busybox arping -f -c 2 -w 2 -I guest0 192.0.2.1 | grep -qi $OUR_MAC"

# nsenter runs dhclient itself: $! is its PID, to kill
nsenter -t "$GUEST_PID" -n -- \
	dhclient -6 -d -lf "$WORK/lease6" -pf "$WORK/dhclient.pid" \
	-sf /bin/true guest0 >"$WORK/dhclient.log" 2>&1 &
DHCLIENT_PID=$!
check dhcpv6_lease_after_hostile_frames \
	wait_for 15 grep -q "iaaddr 2001:db8::2" "$WORK/lease6"
