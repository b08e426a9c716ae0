#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# pasta's -T and -U listeners in the namespace take 127.0.0.1 and ::1 only:
# they exist to reach the host's loopback from the namespace's loopback.
# A second namespace, routed through pasta's over a veth pair (198.51.100.0/24,
# 2001:db8:100::/64), like a container behind a bridge there, must not reach
# host services bound to loopback through them, with explicit ports, ranges
# and auto, with or without --no-map-gw; the namespace's own loopback
# still does (bytes compared), and
# the second namespace does reach a service of pasta's namespace on the
# same addresses (the path works, only the forwarding is closed to it).

source "$(dirname "$0")/../lib.sh"
source "$HELPERS/tcp_lib.sh"
source "$HELPERS/udp_lib.sh"

PROBE="$HELPERS/tcp_probe.py"
SRV=
HOST_SRV=
PEER_PID=

stop_all() {
	local p
	udp_peers_stop
	for p in $SRV; do
		kill "$p" 2>/dev/null
		wait "$p" 2>/dev/null
	done
	SRV=
	tcp_guest_stop
	if [ -n "$PEER_PID" ]; then
		kill "$PEER_PID" 2>/dev/null
		wait "$PEER_PID" 2>/dev/null
	fi
	PEER_PID=
}
trap 'stop_all; SRV=$HOST_SRV; stop_all; rm -rf "$WORK"' EXIT

# in_peer CMD...: run CMD in the second namespace
in_peer() {
	nsenter -t "$PEER_PID" -n -- "$@"
}

# peer_start: second namespace, veth to pasta's, addressed and routed
peer_start() {
	local ns
	ns=$(readlink /proc/self/ns/net)
	unshare -n -- sh -c 'ip link set lo up && exec sleep 900' &
	PEER_PID=$!
	wait_for 5 sh -c "[ \"\$(readlink /proc/$PEER_PID/ns/net)\" != '$ns' ]" ||
		return 1
	in_guest ip link add vb0 type veth peer name vb1 netns "$PEER_PID" &&
	in_guest ip addr add 198.51.100.1/24 dev vb0 &&
	in_guest ip -6 addr add 2001:db8:100::1/64 dev vb0 nodad &&
	in_guest ip link set vb0 up &&
	in_peer ip addr add 198.51.100.2/24 dev vb1 &&
	in_peer ip -6 addr add 2001:db8:100::2/64 dev vb1 nodad &&
	in_peer ip link set vb1 up &&
	in_peer ip route add default via 198.51.100.1 &&
	in_peer ip -6 route add default via 2001:db8:100::1
}

# answer WHERE ADDR PORT: what a TCP server at ADDR PORT sends
answer() {
	local where=$1 a=$2
	[[ $a == *:* ]] && a="[$a]"
	"$where" timeout 5 socat -T 3 - "TCP:$a:$3" < /dev/null 2>/dev/null
}

# tcp_reaches WHERE ADDR PORT WANT: the server there answers WANT exactly
tcp_reaches() {
	[ "$(answer "$1" "$2" "$3")" = "$4" ]
}

# tcp_refused WHERE ADDR PORT: connecting there is refused
tcp_refused() {
	local rc
	"$1" timeout 10 python3 "$PROBE" connect "$2" "$3" >/dev/null 2>&1
	rc=$?
	[ $rc -eq 0 ] && echo "connected: reached the forwarded port"
	[ $rc -eq 3 ]
}

# udp_reaches WHERE ADDR PORT: the echo server there answers "query"
udp_reaches() {
	"$1" timeout 5 python3 "$UDP_TOOL" query "$2" "$3" 2>/dev/null |
		grep -q " query$"
}

# udp_refused WHERE ADDR PORT: nothing takes datagrams there
udp_refused() {
	local out
	out=$("$1" timeout 10 python3 "$UDP_TOOL" refused "$2" "$3" 2>&1)
	echo "$out"
	[ "$out" = refused ]
}

# ns_listening PROTO PORT: pasta listens on PORT in the namespace
ns_listening() {
	in_guest ss -"$1"lnH "sport = :$2" | grep -q .
}

# ns_loopback_only PROTO PORT: every listener on PORT is on loopback
ns_loopback_only() {
	local l
	l=$(in_guest ss -"$1"lnH "sport = :$2" | awk '{ print $4 }')
	echo "$l"
	[ -n "$l" ] && ! echo "$l" | grep -qvE "^(127\.0\.0\.1|\[::1\]):$2$"
}

# Host services on loopback only: what -T and -U must not expose
socat TCP4-LISTEN:20007,bind=127.0.0.1,reuseaddr,fork \
	SYSTEM:'echo host-lo4-secret' & HOST_SRV="$HOST_SRV $!"
socat TCP6-LISTEN:20007,bind=[::1],reuseaddr,fork \
	SYSTEM:'echo host-lo6-secret' & HOST_SRV="$HOST_SRV $!"
wait_for 5 listening host 20007

# no_map_gw: the exposure was there with --no-map-gw as well, which only
# concerns the gateway address on the tap path, not these listeners
for mode in explicit range auto no_map_gw; do
	case $mode in
	explicit)	opts="-T 20007 -U 20008" ;;
	range)		opts="-T 20000-20009 -U 20000-20009" ;;
	auto)		opts="-T auto -U auto" ;;
	no_map_gw)	opts="-T auto -U auto --no-map-gw" ;;
	esac
	udp_host echo 127.0.0.1 20008
	udp_host echo ::1 20008
	wait_for 5 udp_bound host 20008

	# shellcheck disable=SC2086
	if ! tcp_guest_pasta -t none -u none $opts || ! peer_start; then
		fail "${mode}_setup" "$(tail -n 3 "$NET_LOG")"
		stop_all
		continue
	fi
	if ! wait_for 10 ns_listening t 20007 ||
	   ! wait_for 10 ns_listening u 20008; then
		fail "${mode}_listeners" "$(in_guest ss -tulnH)"
		stop_all
		continue
	fi
	check "${mode}_tcp_listeners_loopback" ns_loopback_only t 20007
	check "${mode}_udp_listeners_loopback" ns_loopback_only u 20008

	# The forwarding works from the namespace's own loopback
	check "${mode}_tcp4_ns_loopback" \
		tcp_reaches in_guest 127.0.0.1 20007 host-lo4-secret
	check "${mode}_tcp6_ns_loopback" \
		tcp_reaches in_guest ::1 20007 host-lo6-secret
	check "${mode}_udp4_ns_loopback" udp_reaches in_guest 127.0.0.1 20008
	check "${mode}_udp6_ns_loopback" udp_reaches in_guest ::1 20008

	# The second namespace reaches pasta's namespace on these addresses
	nsenter -t "$GUEST_PID" -n -- \
		socat TCP6-LISTEN:20099,ipv6only=0,reuseaddr,fork \
		SYSTEM:'echo ns-service' & SRV="$SRV $!"
	wait_for 5 listening guest 20099
	check "${mode}_peer_path4" \
		tcp_reaches in_peer 198.51.100.1 20099 ns-service
	check "${mode}_peer_path6" \
		tcp_reaches in_peer 2001:db8:100::1 20099 ns-service

	# ...but not the host's loopback through the forwarded ports
	for a in 198.51.100.1 192.0.2.2 2001:db8:100::1 2001:db8::2; do
		check "${mode}_tcp_${a}_closed" tcp_refused in_peer "$a" 20007
		check "${mode}_udp_${a}_closed" udp_refused in_peer "$a" 20008
	done

	stop_all
done
