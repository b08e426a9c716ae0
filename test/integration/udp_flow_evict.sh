#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# UDP flows past what the descriptor limit allows: pasta started with a
# low RLIMIT_NOFILE (prlimit), the guest opens more flows, one at a time,
# than it has descriptors for. Every new flow must be served (its echo
# comes back), the flows idle for longest closed to make room (the first
# source port no longer held, the last one held), and the evictions
# counted in the statistics printed at exit.

source "$(dirname "$0")/../lib.sh"
source "$HELPERS/tcp_lib.sh"
source "$HELPERS/udp_lib.sh"

trap 'udp_peers_stop; tcp_guest_stop; rm -rf "$WORK"' EXIT

NOFILE=256
FLOWS=400
BASE=41000

# flow_port_held PORT: pasta holds a socket bound to PORT
flow_port_held() {
	ss -uanpH "sport = :$1" | grep -q "pid=$NET_PID,"
}

# A wrapper that lowers the limit and execs pasta: NET_PID is pasta
printf '#!/bin/sh\nulimit -n %s && exec %s "$@"\n' "$NOFILE" "$PASTA" \
	> "$WORK/pasta"
chmod +x "$WORK/pasta"
PASTA="$WORK/pasta"
if ! tcp_guest_pasta -t none -u none -T none -U none; then
	fail evict_setup "$(cat "$NET_LOG")"
	exit 0
fi
udp_host echo 127.0.0.1 20061
wait_for 5 udp_bound host 20061

if in_guest timeout 5 python3 "$UDP_TOOL" query 192.0.2.1 20061 \
	$((BASE - 1)) > /dev/null; then
	pass evict_alive
else
	fail evict_alive "no echo through pasta"
fi

# One flow after the other from ports BASE..BASE+FLOWS-1, each waiting for
# its echo: prints how many were answered
answered=$(in_guest timeout 60 python3 -c '
import socket, sys
base, n, ok = int(sys.argv[1]), int(sys.argv[2]), 0
for i in range(n):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("0.0.0.0", base + i))
    s.settimeout(2)
    s.sendto(b"flow %d" % i, ("192.0.2.1", 20061))
    try:
        if s.recv(100) == b"flow %d" % i:
            ok += 1
    except socket.timeout:
        pass
    s.close()
print(ok)
' "$BASE" "$FLOWS")

if [ "$answered" = "$FLOWS" ]; then
	pass evict_new_flows_served
else
	fail evict_new_flows_served "$answered of $FLOWS flows answered"
fi

held=$(ss -uanpH | grep -c "pid=$NET_PID,")
if ! flow_port_held "$BASE" && flow_port_held $((BASE + FLOWS - 1)) &&
   [ "$held" -lt "$NOFILE" ]; then
	pass evict_oldest_closed
else
	fail evict_oldest_closed "$held sockets held, first port" \
		"$(flow_port_held "$BASE" && echo held || echo gone)"
fi

udp_peers_stop
tcp_guest_stop
n=$(sed -n 's/.*UDP: .* flows, \([0-9]*\) evicted.*/\1/p' "$NET_LOG")
if [ -n "$n" ] && [ "$n" -gt 0 ]; then
	pass "evict_counted ($n evicted)"
else
	fail evict_counted "no eviction count: $(grep 'UDP:' "$NET_LOG")"
fi
