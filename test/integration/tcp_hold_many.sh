#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Many TCP connections held at once through pasta's tap, guest to host: as
# many as the descriptor limit lets all three processes open (20,000 at
# most), each checked with one byte each way, all open together. Then the
# table-full behaviour, made cheap by a low descriptor limit on pasta: the
# connections past it are refused at once with a RST (the guest's connect()
# fails with ECONNREFUSED, none waits for a timeout), counted in the summary
# at exit, and pasta still answers new connections afterwards.

source "$(dirname "$0")/../lib.sh"
source "$HELPERS/tcp_lib.sh"

HOLD="$HELPERS/tcp_hold.py"
trap 'tcp_guest_stop; rm -rf "$WORK"' EXIT

ulimit -n "$(ulimit -Hn)"
lim=$(ulimit -Hn)
n=$((lim - 1000))
[ "$n" -gt 20000 ] && n=20000
if [ "$n" -lt 1000 ]; then
	skip hold_many "descriptor limit $lim too low"
	exit 0
fi

if ! tcp_guest_pasta; then
	fail hold_many_setup "$(tail -n 3 "$NET_LOG")"
	exit 0
fi

python3 "$HOLD" server 10111 & srv=$!
wait_for 5 listening host 10111

# hold_client N: N connections from the guest, prints the client's summary
hold_client() {
	in_guest sh -c "ulimit -n $lim;
			exec timeout 120 python3 $HOLD client 192.0.2.1 10111 $1"
}

t0=$(date +%s%N)
out=$(hold_client "$n")
t1=$(date +%s%N)
if [ "$out" = "held $n refused 0 failed 0" ]; then
	pass "hold_many_$n ($(( (t1 - t0) / 1000000 )) ms)"
else
	fail "hold_many_$n" "${out:-no answer}"
fi

# Few descriptors left for connections: the rest must be refused
wait_for 20 tcp_conns_closed 10111
prlimit --pid "$NET_PID" --nofile=300:300
out=$(hold_client 600)
read -r _ held _ refused _ failed <<< "$out"
if [ "${held:-0}" -gt 0 ] && [ "${refused:-0}" -gt 0 ] &&
   [ "${failed:-1}" = 0 ]; then
	pass "hold_many_refused_visibly ($out)"
else
	fail hold_many_refused_visibly "${out:-no answer}"
fi

wait_for 20 tcp_conns_closed 10111
check hold_many_answers_after sh -c \
	"[ \"\$(nsenter -t $GUEST_PID -n -- timeout 30 python3 $HOLD \
	    client 192.0.2.1 10111 10)\" = 'held 10 refused 0 failed 0' ]"

kill $srv; wait $srv 2>/dev/null
wait_for 10 tcp_conns_closed 10111
tcp_guest_stop
r=$(sed -n 's/.*TCP: .* \([0-9]*\) refused.*/\1/p' "$NET_LOG" | tail -n 1)
if [ "${r:-0}" -gt 0 ] && [ "$(tcp_flows_active)" = 0 ]; then
	pass "hold_many_refused_counted ($r refused, no flow left)"
else
	fail hold_many_refused_counted \
		"${r:-no} refused, $(tcp_flows_active) flows active"
fi
