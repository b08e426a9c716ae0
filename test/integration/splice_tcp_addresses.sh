#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Addresses seen through pasta's TCP bypass (manual, NOTES, "Handling of
# local traffic in pasta"): connections from the host's loopback appear in
# the namespace as coming from the namespace's own address, so services
# bound to loopback in the namespace stay private; with --host-lo-to-ns-lo
# they come from loopback. Connections from loopback in the namespace reach
# the host's loopback. --no-splice sends host loopback connections through
# the tap device instead: they come from the gateway address (the
# --map-host-loopback default), and a transfer still arrives intact.

source "$(dirname "$0")/../lib.sh"
source "$HELPERS/tcp_lib.sh"

SRVS=
trap 'ns_servers_stop; tcp_guest_stop; rm -rf "$WORK"' EXIT

# peer_seen NAME WANT CONNECT: the namespace server on 10502 answers with
# the peer address it sees
peer_seen() {
	local got

	got=$(timeout 5 socat -u "$3" - 2>&1 < /dev/null | head -n 1)
	if [ "$got" = "$2" ]; then
		pass "$1"
	else
		fail "$1" "seen '${got}', expected '$2'"
	fi
}

# ns_servers: report the peer's address on 10502 (IPv4 and IPv6) and serve
# on 10503 bound to the namespace's loopback only
ns_servers() {
	nsenter -t "$GUEST_PID" -n -- \
		socat "TCP4-LISTEN:10502,reuseaddr,fork" \
		SYSTEM:'echo $SOCAT_PEERADDR' &
	SRVS="$SRVS $!"
	nsenter -t "$GUEST_PID" -n -- \
		socat "TCP6-LISTEN:10502,ipv6only=1,reuseaddr,fork" \
		SYSTEM:'echo $SOCAT_PEERADDR' &
	SRVS="$SRVS $!"
	nsenter -t "$GUEST_PID" -n -- \
		socat "TCP4-LISTEN:10503,bind=127.0.0.1,reuseaddr,fork" \
		SYSTEM:'echo private' &
	SRVS="$SRVS $!"
	wait_for 5 listening guest 10502 && wait_for 5 listening guest 10503
}

ns_servers_stop() {
	[ -n "$SRVS" ] || return 0
	kill $SRVS 2>/dev/null
	wait $SRVS 2>/dev/null
	SRVS=
}

if tcp_guest_pasta -t 10502,10503 -T 10504 -u none -U none; then
	ns_servers
	peer_seen splice_source_is_ns_address_ipv4 192.0.2.2 \
		TCP4:127.0.0.1:10502
	peer_seen splice_source_is_ns_address_ipv6 \
		"[2001:0db8:0000:0000:0000:0000:0000:0002]" TCP6:[::1]:10502
	peer_seen splice_ns_loopback_services_private "" \
		TCP4:127.0.0.1:10503

	socat "TCP4-LISTEN:10504,bind=127.0.0.1,reuseaddr,fork" \
		SYSTEM:'echo $SOCAT_PEERADDR' & hsrv=$!
	wait_for 5 listening host 10504
	got=$(in_guest timeout 5 socat -u TCP4:127.0.0.1:10504 - \
		< /dev/null | head -n 1)
	if [ "$got" = 127.0.0.1 ]; then
		pass splice_ns_loopback_reaches_host_loopback
	else
		fail splice_ns_loopback_reaches_host_loopback "seen '$got'"
	fi
	kill $hsrv 2>/dev/null
	ns_servers_stop
else
	fail splice_addresses_setup "$(tail -n 3 "$NET_LOG")"
fi
tcp_guest_stop

if tcp_guest_pasta -t 10502,10503 -u none -U none --host-lo-to-ns-lo; then
	ns_servers
	peer_seen splice_host_lo_to_ns_lo_ipv4 127.0.0.1 \
		TCP4:127.0.0.1:10502
	peer_seen splice_host_lo_to_ns_lo_ipv6 \
		"[0000:0000:0000:0000:0000:0000:0000:0001]" TCP6:[::1]:10502
	peer_seen splice_host_lo_to_ns_lo_reaches_ns_loopback private \
		TCP4:127.0.0.1:10503
	ns_servers_stop
else
	fail splice_host_lo_to_ns_lo_setup "$(tail -n 3 "$NET_LOG")"
fi
tcp_guest_stop

head -c $((256 << 20)) /dev/urandom > "$WORK/mid"
if tcp_guest_pasta -t 10502,10505 -u none -U none --no-splice; then
	ns_servers
	peer_seen no_splice_source_is_gateway_ipv4 192.0.2.1 \
		TCP4:127.0.0.1:10502
	ns_servers_stop
	xfer no_splice_host_to_ns_transfer to_guest "$WORK/mid" \
		"TCP-LISTEN:10505,reuseaddr" "TCP4:127.0.0.1:10505"
	tcp_guest_stop
	if grep -q "TCP splice: 0 connections active, 0 spliced" \
		"$NET_LOG"; then
		pass no_splice_nothing_spliced
	else
		fail no_splice_nothing_spliced \
			"$(grep 'TCP splice:' "$NET_LOG" | tail -n 1)"
	fi
else
	fail no_splice_setup "$(tail -n 3 "$NET_LOG")"
	tcp_guest_stop
fi
