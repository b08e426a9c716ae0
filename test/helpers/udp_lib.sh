# SPDX-License-Identifier: GPL-2.0-or-later
# Helpers for the UDP integration tests (test/integration/udp_*.sh), sourced
# after test/lib.sh and test/helpers/tcp_lib.sh (for tcp_guest_passt,
# tcp_guest_pasta and tcp_guest_stop): UDP peers on the host and in the
# guest, stopped by udp_peers_stop.

UDP_TOOL="$HELPERS/udp_tool.py"
UDP_PEERS=

# udp_host PEER_ARGS...: start a udp_tool.py peer on the host
udp_host() {
	python3 "$UDP_TOOL" "$@" & UDP_PEERS="$UDP_PEERS $!"
}

# udp_guest PEER_ARGS...: start a udp_tool.py peer in the guest (nsenter
# execs python3, so $! is the peer itself)
udp_guest() {
	nsenter -t "$GUEST_PID" -n -- python3 "$UDP_TOOL" "$@" &
	UDP_PEERS="$UDP_PEERS $!"
}

# udp_peers_stop: stop every peer started so far
udp_peers_stop() {
	local p
	for p in $UDP_PEERS; do
		kill "$p" 2>/dev/null
		wait "$p" 2>/dev/null
	done
	UDP_PEERS=
}

# udp_bound WHERE PORT: a UDP socket is bound to PORT (WHERE: host, guest)
udp_bound() {
	if [ "$1" = guest ]; then
		in_guest ss -uanH "sport = :$2" | grep -q .
	else
		ss -uanH "sport = :$2" | grep -q .
	fi
}

# udp_mtu_payload IFNAME V6: largest UDP payload for the guest's MTU
udp_mtu_payload() {
	local mtu
	mtu=$(in_guest ip -o link show dev "$1" | sed -n 's/.* mtu \([0-9]*\).*/\1/p')
	[ "$mtu" -gt 65535 ] && mtu=65535
	if [ "$2" = 1 ]; then
		echo $((mtu - 48))
	else
		echo $((mtu - 28))
	fi
}
