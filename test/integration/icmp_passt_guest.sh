#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# ICMP and ICMPv6 Echo in passt mode: a namespace guest bridged to passt's
# UNIX socket pings the gateway (mapped to the host's loopback) and another
# host address, with its identifiers preserved.

source "$(dirname "$0")/../lib.sh"

PROBE="$HELPERS/icmp_probe"
PASST_PID=
cleanup() {
	guest_stop
	[ -n "$PASST_PID" ] && kill "$PASST_PID" 2>/dev/null
	rm -rf "$WORK"
}
trap cleanup EXIT

ip addr add 192.0.2.3/32 dev uplink-peer
ip -6 addr add 2001:db8::3/128 dev uplink-peer nodad

"$PASST" -q -f -s "$WORK/passt.sock" > "$WORK/passt.log" 2>&1 &
PASST_PID=$!
if ! wait_for 5 test -S "$WORK/passt.sock" || ! guest_start "$WORK/passt.sock"
then
	fail passt_guest_setup "$(cat "$WORK/passt.log")"
	exit 0
fi

# The addresses and routes DHCP and NDP would give
in_guest ip addr add 192.0.2.2/24 dev guest0
in_guest ip -6 addr add 2001:db8::2/64 dev guest0 nodad
in_guest ip route add default via 192.0.2.1
in_guest ip -6 route add default via 2001:db8::1

check passt_ping_gateway in_guest ping -c1 -W2 192.0.2.1
check passt_ping6_gateway in_guest ping -6 -c1 -W2 2001:db8::1
check passt_ping_host_address in_guest ping -c1 -W2 192.0.2.3
check passt_ping6_host_address in_guest ping -6 -c1 -W2 2001:db8::3
check passt_echo_identifier_preserved in_guest "$PROBE" echo 192.0.2.1 4660
check passt_echo6_identifier_preserved \
	in_guest "$PROBE" echo 2001:db8::1 4661
