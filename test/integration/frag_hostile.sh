#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Hostile fragment sequences from a passt guest (test/helpers/frag_frames.py:
# overlaps, a gap, 70,000 bytes, 10,000 small fragments, a datagram never
# completed, a duplicate, fragmented TCP), IPv4 and IPv6: passt stays alive
# and still reassembles a real fragmented datagram, every cause is counted
# in the control socket's "stats", and nothing is left in the reassembly
# table once the timeout (PASST_FRAG_TIMEOUT_SEC=2 here) has passed.

source "$(dirname "$0")/../lib.sh"
source "$HELPERS/tcp_lib.sh"
source "$HELPERS/udp_lib.sh"

trap 'udp_peers_stop; tcp_guest_stop; rm -rf "$WORK"' EXIT

CTL="$WORK/ctl.sock"

# frag_stat KEY: a member of the "fragments" object of "stats"
frag_stat() {
	echo stats | timeout 10 socat -t 5 - UNIX-CONNECT:"$CTL" |
		python3 -c "import json,sys
f = json.load(sys.stdin)['fragments']
print(f['$1'] if '$1' in f else f['dropped_by_cause']['$1'])"
}

# in_flight_zero: no datagram left in the reassembly table
in_flight_zero() {
	[ "$(frag_stat in_flight)" = 0 ]
}

export PASST_FRAG_TIMEOUT_SEC=2
if ! tcp_guest_passt -m 1500 --control "$CTL"; then
	fail passt_setup "$(tail -n 3 "$NET_LOG")"
	exit 0
fi
in_guest ip link set dev guest0 mtu 1500
udp_host digest :: 20092
wait_for 5 udp_bound host 20092

check alive_before in_guest timeout 5 python3 "$UDP_TOOL" big \
	192.0.2.1 20092 8000

out=$(in_guest timeout 120 python3 "$HELPERS/frag_frames.py" guest0 2>&1)
if [ "${out%% *}" = sent ]; then
	pass "hostile_sequences_sent (${out#sent } frames)"
else
	fail hostile_sequences_sent "$out"
fi

check alive_after_ipv4 in_guest timeout 5 python3 "$UDP_TOOL" big \
	192.0.2.1 20092 8000
check alive_after_ipv6 in_guest timeout 5 python3 "$UDP_TOOL" big \
	2001:db8::1 20092 65000
check no_entries_after_timeout wait_for 10 in_flight_zero

for cause in overlap too_long too_many_fragments timeout duplicate tcp; do
	n=$(frag_stat $cause)
	if [ "${n:-0}" -ge 2 ]; then
		pass "counted_$cause ($n)"
	else
		fail "counted_$cause" "'$n'"
	fi
done
check passt_still_running kill -0 "$NET_PID"
