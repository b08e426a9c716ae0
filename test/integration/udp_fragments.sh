#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# IP fragments both ways, pasta and passt, with a guest MTU of 1500 (-m
# 1500): 8,000- and 65,000-byte UDP datagrams from the guest (fragmented by
# its kernel, reassembled by us) reach a host socket whole, and the same
# sizes from the host (fragmented by us, reassembled by the guest's kernel)
# reach the guest's socket whole, checked by length and SHA-256; ping with
# an 8,000-byte payload both ways over IPv4 and IPv6; the fragment counters
# of the control socket's "stats" show the reassembly.

source "$(dirname "$0")/../lib.sh"
source "$HELPERS/tcp_lib.sh"
source "$HELPERS/udp_lib.sh"

trap 'udp_peers_stop; tcp_guest_stop; rm -rf "$WORK"' EXIT

ip addr add 192.0.2.3/32 dev uplink-peer
ip -6 addr add 2001:db8::3/128 dev uplink-peer nodad

CTL="$WORK/ctl.sock"

# stats_field EXPR: a value of the control socket's stats object
stats_field() {
	echo stats | timeout 10 socat -t 5 - UNIX-CONNECT:"$CTL" |
		python3 -c "import json,sys; s=json.load(sys.stdin); print($1)"
}

# intact NAME WHERE ADDR PORT SIZE: a SIZE-byte datagram sent from WHERE
# (host, guest) to a digest peer at ADDR PORT arrives intact
intact() {
	local name=$1 where=$2
	shift 2
	if [ "$where" = guest ]; then
		check "$name" in_guest timeout 5 python3 "$UDP_TOOL" big "$@"
	else
		check "$name" timeout 5 python3 "$UDP_TOOL" big "$@"
	fi
}

for mode in pasta passt; do
	if ! "tcp_guest_$mode" -m 1500 -u 20081 --control "$CTL"; then
		fail "${mode}_setup" "$(tail -n 3 "$NET_LOG")"
		tcp_guest_stop
		continue
	fi
	ifname=uplink
	[ $mode = passt ] && ifname=guest0
	in_guest ip link set dev $ifname mtu 1500

	udp_host digest :: 20082
	udp_guest digest :: 20081
	wait_for 5 udp_bound host 20082
	wait_for 5 udp_bound guest 20081

	for size in 8000 65000; do
		intact "${mode}_guest_to_host_ipv4_$size" guest \
			192.0.2.1 20082 $size
		intact "${mode}_guest_to_host_ipv6_$size" guest \
			2001:db8::1 20082 $size
		intact "${mode}_host_to_guest_ipv4_$size" host \
			192.0.2.3 20081 $size
		intact "${mode}_host_to_guest_ipv6_$size" host \
			2001:db8::3 20081 $size
	done

	check "${mode}_ping_large_ipv4" in_guest ping -c1 -W2 -s 8000 192.0.2.1
	check "${mode}_ping_large_ipv6" \
		in_guest ping -6 -c1 -W2 -s 8000 2001:db8::1

	n=$(stats_field "s['fragments']['reassembled']")
	if [ "${n:-0}" -ge 6 ]; then
		pass "${mode}_reassembled_counted ($n)"
	else
		fail "${mode}_reassembled_counted" "reassembled: '$n'"
	fi
	n=$(stats_field "s['fragments']['out_datagrams']")
	if [ "${n:-0}" -ge 6 ]; then
		pass "${mode}_fragmented_counted ($n)"
	else
		fail "${mode}_fragmented_counted" "out_datagrams: '$n'"
	fi

	udp_peers_stop
	tcp_guest_stop
done
