#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# pasta's UDP loopback bypass: datagrams from the namespace's loopback to a
# -U port reach a server on the host's loopback and its answers come back
# (IPv4 and IPv6); datagrams from the host's loopback to a port forwarded
# automatically (-u auto) reach a server in the namespace, as coming from
# the namespace's own address (from loopback with --host-lo-to-ns-lo).
# Explicit -u ports take the bypass too; datagrams from elsewhere than
# loopback, and all of them with --no-splice, go through the tap. Every
# payload is checked, sizes up to 8000 bytes, none lost.

source "$(dirname "$0")/../lib.sh"
source "$HELPERS/tcp_lib.sh"

UDPT="$HELPERS/udp_tool.py"
ip addr add 192.0.2.3/32 dev uplink-peer
SRV=
trap '[ -n "$SRV" ] && kill $SRV; tcp_guest_stop; rm -rf "$WORK"' EXIT

# udp_bound WHERE PORT: a UDP socket is bound to PORT (host or guest)
udp_bound() {
	if [ "$1" = guest ]; then
		in_guest ss -uanH "sport = :$2" | grep -q .
	else
		ss -uanH "sport = :$2" | grep -q .
	fi
}

srv_stop() {
	[ -n "$SRV" ] || return 0
	kill $SRV 2>/dev/null
	wait $SRV 2>/dev/null
	SRV=
}

# echo_check NAME WHERE ADDR PORT: client at WHERE, 2000 datagrams
echo_check() {
	local out
	if [ "$2" = guest ]; then
		out=$(in_guest timeout 30 python3 "$UDPT" client "$3" "$4" \
		      8000 2000)
	else
		out=$(timeout 30 python3 "$UDPT" client "$3" "$4" 8000 2000)
	fi
	if [ "$out" = "sent 2000 lost 0 bad 0" ]; then
		pass "$1"
	else
		fail "$1" "$out"
	fi
}

# source_check NAME WANT PORT [DEST]: whoami in the namespace, query from
# the host to DEST (default 127.0.0.1)
source_check() {
	local got
	nsenter -t "$GUEST_PID" -n -- python3 "$UDPT" whoami 0.0.0.0 "$3" &
	SRV=$!
	wait_for 5 udp_bound guest "$3" && wait_for 5 udp_bound host "$3"
	got=$(timeout 5 python3 "$UDPT" query "${4:-127.0.0.1}" "$3" |
	      cut -d' ' -f3)
	srv_stop
	if [ "$got" = "$2" ]; then
		pass "$1"
	else
		fail "$1" "seen '$got', expected '$2'"
	fi
}

if tcp_guest_pasta -U 10801,10811 -T none -t none; then
	python3 "$UDPT" echo 127.0.0.1 10801 & SRV=$!
	wait_for 5 udp_bound host 10801
	echo_check splice_udp_ns_to_host_ipv4 guest 127.0.0.1 10801
	srv_stop
	python3 "$UDPT" echo ::1 10811 & SRV=$!
	wait_for 5 udp_bound host 10811
	echo_check splice_udp_ns_to_host_ipv6 guest ::1 10811
	srv_stop

	nsenter -t "$GUEST_PID" -n -- python3 "$UDPT" echo 0.0.0.0 10802 &
	SRV=$!
	wait_for 5 udp_bound guest 10802 && wait_for 5 udp_bound host 10802
	echo_check splice_udp_auto_host_to_ns_ipv4 host 127.0.0.1 10802
	srv_stop

	source_check splice_udp_source_is_ns_address 192.0.2.2 10803
	# Not from loopback: through the tap, source unchanged
	source_check splice_udp_auto_remote_via_tap 192.0.2.3 10807 192.0.2.3
else
	fail splice_udp_setup "$(tail -n 3 "$NET_LOG")"
fi
tcp_guest_stop

if tcp_guest_pasta -T none -t none --host-lo-to-ns-lo; then
	source_check splice_udp_host_lo_to_ns_lo 127.0.0.1 10803
else
	fail splice_udp_lo_setup "$(tail -n 3 "$NET_LOG")"
fi
tcp_guest_stop

# Explicit -u ports take the bypass too: the namespace sees its own address
if tcp_guest_pasta -u 10804,10805:10806 -T none -t none -U none; then
	source_check splice_udp_explicit_u_bypass 192.0.2.2 10804
	nsenter -t "$GUEST_PID" -n -- python3 "$UDPT" echo 0.0.0.0 10806 &
	SRV=$!
	wait_for 5 udp_bound guest 10806
	echo_check splice_udp_explicit_u_target_port host 127.0.0.1 10805
	srv_stop
	nsenter -t "$GUEST_PID" -n -- python3 "$UDPT" echo :: 10806 &
	SRV=$!
	wait_for 5 udp_bound guest 10806
	echo_check splice_udp_explicit_u_ipv6 host ::1 10805
	srv_stop
else
	fail splice_udp_explicit_setup "$(tail -n 3 "$NET_LOG")"
fi
tcp_guest_stop

# With --no-splice the same datagrams go through the tap: loopback sources
# appear as the gateway (--map-host-loopback's default)
if tcp_guest_pasta -u 10804 -T none -t none -U none --no-splice; then
	source_check splice_udp_no_splice_via_tap 192.0.2.1 10804
else
	fail splice_udp_no_splice_setup "$(tail -n 3 "$NET_LOG")"
fi
tcp_guest_stop

if tcp_guest_pasta -T none -t none -U none --no-splice; then
	source_check splice_udp_no_splice_auto_via_tap 192.0.2.1 10808
else
	fail splice_udp_no_splice_auto_setup "$(tail -n 3 "$NET_LOG")"
fi
