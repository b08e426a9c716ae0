#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# 1,000 concurrent TCP connections through pasta and passt, guest to host
# and host to guest (-t, from a host address that isn't loopback, so that
# pasta uses the tap too), each exchanging checked requests and answers;
# once they are closed the flow table must be empty ("TCP: 0 flows active"
# at exit).

source "$(dirname "$0")/../lib.sh"
source "$HELPERS/tcp_lib.sh"

trap 'tcp_guest_stop; rm -rf "$WORK"' EXIT

ip addr add 192.0.2.3/32 dev uplink-peer
ulimit -n "$(ulimit -Hn)"
lim=$(ulimit -Hn)

for mode in pasta passt; do
	if ! "tcp_guest_$mode" -t 10102; then
		fail "${mode}_setup" "$(tail -n 3 "$NET_LOG")"
		tcp_guest_stop
		continue
	fi

	python3 "$ECHO" server 10101 127.0.0.1 & srv=$!
	wait_for 5 listening host 10101
	check "${mode}_many_connections_guest_to_host" \
		in_guest sh -c "ulimit -n $lim;
				python3 $ECHO client 192.0.2.1 10101 1000 3"
	kill $srv; wait $srv 2>/dev/null

	# nsenter and sh exec the server: $! is its PID, for kill
	nsenter -t "$GUEST_PID" -n -- \
		sh -c "ulimit -n $lim; exec python3 $ECHO server 10102" &
	srv=$!
	wait_for 5 listening guest 10102
	check "${mode}_many_connections_host_to_guest" \
		python3 "$ECHO" client 192.0.2.3 10102 1000 3
	kill $srv; wait $srv 2>/dev/null

	# Counted at exit: let passt (or pasta) close every connection first
	wait_for 10 tcp_conns_closed 10101 10102
	tcp_guest_stop
	n=$(tcp_flows_active)
	if [ "$n" = 0 ]; then
		pass "${mode}_many_connections_flow_table_empty"
	else
		fail "${mode}_many_connections_flow_table_empty" \
			"${n:-no count} flows active"
	fi
done
