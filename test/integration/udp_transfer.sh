#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# UDP echo traffic through pasta and passt, IPv4 and IPv6: a guest client to
# a host echo server (the gateway address maps to host loopback), and a
# host client (from a non-loopback address) to a guest echo server through
# a forwarded port (-u). Every
# datagram (sizes 1 to 1400 bytes, and some as large as the guest's MTU
# allows) carries its own number and checked contents; with a window of
# outstanding datagrams nothing may be lost.

source "$(dirname "$0")/../lib.sh"
source "$HELPERS/tcp_lib.sh"
source "$HELPERS/udp_lib.sh"

trap 'udp_peers_stop; tcp_guest_stop; rm -rf "$WORK"' EXIT

# Host clients send to (and so from) these, not loopback: pasta would take
# loopback datagrams through its bypass, not the tap this tests
ip addr add 192.0.2.3/32 dev uplink-peer
ip -6 addr add 2001:db8::3/128 dev uplink-peer nodad

N4=100000	# datagrams per IPv4 run
N6=100000	# datagrams per IPv6 run

# run NAME COUNT CLIENT_PREFIX...: run the udp_tool.py client, PASS if it
# reports neither loss nor corruption
run() {
	local name=$1 count=$2 out t0 t1
	shift 2
	t0=$(date +%s%N)
	out=$(timeout 120 "$@" "$count" 2>&1)
	t1=$(date +%s%N)
	if echo "$out" | grep -q "^sent $count lost 0 bad 0$"; then
		pass "$name ($count datagrams in $(( (t1 - t0) / 1000000 )) ms)"
	else
		fail "$name" "$(echo "$out" | tail -n 2 | tr '\n' ' ')"
	fi
}

for mode in pasta passt; do
	if ! "tcp_guest_$mode" -u 20002; then
		fail "${mode}_setup" "$(tail -n 3 "$NET_LOG")"
		tcp_guest_stop
		continue
	fi
	ifname=uplink
	[ $mode = passt ] && ifname=guest0
	max4=$(udp_mtu_payload $ifname 0)
	max6=$(udp_mtu_payload $ifname 1)

	udp_host echo 127.0.0.1 20001
	udp_host echo ::1 20011
	udp_guest echo :: 20002		# dual-stack
	wait_for 5 udp_bound host 20011
	wait_for 5 udp_bound guest 20002

	# The client sends COUNT datagrams of at most MAX bytes: its last two
	# arguments, COUNT added by run()
	g="nsenter -t $GUEST_PID -n --"
	run "${mode}_guest_to_host_ipv4" $N4 \
		$g python3 "$UDP_TOOL" client 192.0.2.1 20001 "$max4"
	run "${mode}_guest_to_host_ipv6" $N6 \
		$g python3 "$UDP_TOOL" client 2001:db8::1 20011 "$max6"
	run "${mode}_host_to_guest_ipv4" $N4 \
		python3 "$UDP_TOOL" client 192.0.2.3 20002 "$max4"
	run "${mode}_host_to_guest_ipv6" $N6 \
		python3 "$UDP_TOOL" client 2001:db8::3 20002 "$max6"

	udp_peers_stop
	tcp_guest_stop
done
