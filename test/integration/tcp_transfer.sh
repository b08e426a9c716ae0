#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Bulk TCP transfers through pasta and passt, both directions, IPv4 and
# IPv6: guest to a host server (the gateway address maps to host loopback)
# and host to a guest server through a forwarded port (-t), from a host
# address that isn't loopback (pasta splices loopback). The receiver's
# sha256 must equal the sender's. Then request/response traffic made of
# small interleaved writes, with every answer checked.

source "$(dirname "$0")/../lib.sh"
source "$HELPERS/tcp_lib.sh"

trap 'tcp_guest_stop; rm -rf "$WORK"' EXIT

ip addr add 192.0.2.3/32 dev uplink-peer
ip -6 addr add 2001:db8::3/128 dev uplink-peer nodad

# 1 GiB each way on every path
head -c $((256 << 20)) /dev/urandom > "$WORK/mid"
for i in 1 2 3 4; do cat "$WORK/mid"; done > "$WORK/big"
rm -f "$WORK/mid"

for mode in pasta passt; do
	if ! "tcp_guest_$mode" -t 10002,10012; then
		fail "${mode}_setup" "$(tail -n 3 "$NET_LOG")"
		tcp_guest_stop
		continue
	fi
	f="$WORK/big"

	xfer "${mode}_guest_to_host_ipv4" to_host "$f" \
		"TCP-LISTEN:10001,bind=127.0.0.1,reuseaddr" \
		"TCP:192.0.2.1:10001"
	xfer "${mode}_host_to_guest_ipv4" to_guest "$f" \
		"TCP-LISTEN:10002,reuseaddr" "TCP:192.0.2.3:10002"
	xfer "${mode}_guest_to_host_ipv6" to_host "$f" \
		"TCP6-LISTEN:10011,bind=[::1],reuseaddr" \
		"TCP6:[2001:db8::1]:10011"
	xfer "${mode}_host_to_guest_ipv6" to_guest "$f" \
		"TCP6-LISTEN:10012,reuseaddr" "TCP6:[2001:db8::3]:10012"

	# Request/response with small writes, both directions
	python3 "$ECHO" server 10021 127.0.0.1 & srv=$!
	wait_for 5 listening host 10021
	check "${mode}_request_response_to_host" \
		in_guest python3 "$ECHO" client 192.0.2.1 10021 4 200
	kill $srv; wait $srv 2>/dev/null

	in_guest python3 "$ECHO" server 10002 & srv=$!
	wait_for 5 listening guest 10002
	check "${mode}_request_response_to_guest" \
		python3 "$ECHO" client 192.0.2.3 10002 4 200
	check "${mode}_request_response_to_guest_ipv6" \
		python3 "$ECHO" client 2001:db8::3 10002 4 50
	kill $srv; wait $srv 2>/dev/null

	tcp_guest_stop
done
