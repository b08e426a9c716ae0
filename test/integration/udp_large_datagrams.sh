#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Datagrams larger than the guest's MTU, through pasta and passt, from a
# host peer to a forwarded port: the guest's interface has an MTU of 1500,
# and datagrams at, above and far above it (the largest IPv4 one) arrive
# whole, checked by length and SHA-256. The largest IPv6 one, too large for
# one frame, arrives in IPv6 fragments (frag.c), whole as well.

source "$(dirname "$0")/../lib.sh"
source "$HELPERS/tcp_lib.sh"
source "$HELPERS/udp_lib.sh"

trap 'udp_peers_stop; tcp_guest_stop; rm -rf "$WORK"' EXIT

ip addr add 192.0.2.3/32 dev uplink-peer
ip -6 addr add 2001:db8::3/128 dev uplink-peer nodad

# sized NAME ADDR SIZE: a datagram of SIZE bytes to ADDR arrives intact
sized() {
	check "$1" timeout 5 python3 "$UDP_TOOL" big "$2" 20061 "$3"
}

for mode in pasta passt; do
	if ! "tcp_guest_$mode" -u 20061; then
		fail "${mode}_setup" "$(tail -n 3 "$NET_LOG")"
		tcp_guest_stop
		continue
	fi
	ifname=uplink
	[ $mode = passt ] && ifname=guest0
	in_guest ip link set dev $ifname mtu 1500
	udp_guest digest :: 20061
	wait_for 5 udp_bound guest 20061

	sized "${mode}_at_mtu_ipv4" 192.0.2.3 1472
	sized "${mode}_above_mtu_ipv4" 192.0.2.3 9000
	sized "${mode}_largest_ipv4" 192.0.2.3 65507
	sized "${mode}_at_mtu_ipv6" 2001:db8::3 1452
	sized "${mode}_above_mtu_ipv6" 2001:db8::3 9000
	sized "${mode}_large_ipv6" 2001:db8::3 65000
	sized "${mode}_largest_ipv6_fragmented" 2001:db8::3 65527

	udp_peers_stop
	tcp_guest_stop
done
