#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# pasta's automatic port forwarding at rest, and its reaction time: while
# nothing changes, pasta wakes up at most about once a second (the scan
# of bound ports, no other periodic wake-up); a port bound on one side is
# forwarded from the other within 1.5 s of the server starting, and is
# dropped within 1.5 s of the server ending: TCP and UDP, namespace to
# host (-t/-u auto) and host to namespace (-T/-U auto). A UDP port closed
# and another bound at once, which leaves the count of bound sockets in
# /proc/net/sockstat as it was, is followed within the 5 s that passt.1
# states after other activity; at rest, such walks back off. Where the
# kernel has sock_diag, the scans use it and --stats reports them at exit,
# with the UDP walks skipped.

source "$(dirname "$0")/../lib.sh"
source "$HELPERS/tcp_lib.sh"

UDPT="$HELPERS/udp_tool.py"
SRV=
trap 'srv_stop; tcp_guest_stop; rm -rf "$WORK"' EXIT

# Deadline, milliseconds, from the server's start (or end) to the effect
DEADLINE_MS=1500

# udp_reach ADDR PORT SECONDS: send a datagram every 20 ms from one socket
# until an answer comes, or SECONDS pass
cat > "$WORK/reach.py" <<'PY'
import select, socket, sys, time
addr, port, secs = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
s = socket.socket(socket.AF_INET6 if ':' in addr else socket.AF_INET,
                  socket.SOCK_DGRAM)
end = time.time() + secs
while time.time() < end:
    s.sendto(b'query', (addr, port))
    if select.select([s], [], [], 0.02)[0]:
        try:
            if s.recv(100):
                sys.exit(0)
        except OSError:
            pass
sys.exit(1)
PY

# One UDP echo server: port A, until the file SWAP exists, then port B,
# closing A just before binding B (the count of bound sockets is the same)
cat > "$WORK/swap.py" <<'PY'
import os, select, socket, sys, time
a, b, swap = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(('0.0.0.0', a))
swapped = False
while True:
    if not swapped and os.path.exists(swap):
        s.close()
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.bind(('0.0.0.0', b))
        swapped = True
    if select.select([s], [], [], 0.02)[0]:
        data, peer = s.recvfrom(100)
        s.sendto(data, peer)
PY

now_ms() { echo $(( $(date +%s%N) / 1000000 )); }

# within NAME T0 COMMAND...: PASS if COMMAND succeeds, polled every 20 ms,
# by T0 + DEADLINE_MS (T0 from now_ms)
within() {
	local name=$1 t0=$2 t
	shift 2
	until "$@" > /dev/null 2>&1; do
		t=$(now_ms)
		if [ $((t - t0)) -gt "$DEADLINE_MS" ]; then
			fail "$name" "not within $DEADLINE_MS ms"
			return
		fi
		sleep 0.02
	done
	pass "$name ($(( $(now_ms) - t0 )) ms)"
}

tcp_hello() {
	timeout 1 socat -u "TCP:$1:$2" - < /dev/null 2>/dev/null |
		grep -q hello
}

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

not() { ! "$@"; }

# switches PID: voluntary context switches (each a sleep: a wake-up)
switches() {
	awk '/^voluntary_ctxt_switches/ { print $2 }' "/proc/$1/status"
}

if ! tcp_guest_pasta -d; then
	fail auto_rest_setup "$(tail -n 3 "$NET_LOG")"
	exit 0
fi

# At rest: pasta is up and answering (its namespace is configured), then
# over 4 s, at most a wake-up a second, plus two for the quicker scans
# that follow start-up. The sleep is the measure.
if in_guest ip -o link show uplink | grep -q UP; then
	a=$(switches "$NET_PID")
	sleep 4
	b=$(switches "$NET_PID")
	if ! kill -0 "$NET_PID" 2>/dev/null; then
		fail auto_rest_wakeups "pasta isn't running"
	elif [ $((b - a)) -le 6 ]; then
		pass "auto_rest_wakeups ($((b - a)) in 4 s)"
	else
		fail auto_rest_wakeups "$((b - a)) wake-ups in 4 s"
	fi
else
	fail auto_rest_wakeups "namespace not configured"
fi

# TCP, namespace to host (-t auto)
t0=$(now_ms)
nsenter -t "$GUEST_PID" -n -- \
	socat "TCP-LISTEN:10701,reuseaddr,fork" SYSTEM:'echo hello' &
SRV=$!
within auto_rest_tcp_ns_bind "$t0" tcp_hello 127.0.0.1 10701
t0=$(now_ms)
srv_stop
within auto_rest_tcp_ns_unbind "$t0" not listening host 10701

# TCP, host to namespace (-T auto)
t0=$(now_ms)
socat "TCP-LISTEN:10711,bind=127.0.0.1,reuseaddr,fork" SYSTEM:'echo hello' &
SRV=$!
within auto_rest_tcp_host_bind "$t0" \
	in_guest sh -c "timeout 1 socat -u TCP:127.0.0.1:10711 - \
			</dev/null | grep -q hello"
t0=$(now_ms)
srv_stop
within auto_rest_tcp_host_unbind "$t0" not listening guest 10711

# UDP, namespace to host (-u auto)
t0=$(now_ms)
nsenter -t "$GUEST_PID" -n -- python3 "$UDPT" echo 0.0.0.0 10721 &
SRV=$!
within auto_rest_udp_ns_bind "$t0" \
	python3 "$WORK/reach.py" 127.0.0.1 10721 1.5
t0=$(now_ms)
srv_stop
within auto_rest_udp_ns_unbind "$t0" not udp_bound host 10721

# UDP over IPv6, namespace to host: the first IPv6 UDP socket there (the
# count of them was zero, and with it the need to dump them)
t0=$(now_ms)
nsenter -t "$GUEST_PID" -n -- python3 "$UDPT" echo :: 10726 &
SRV=$!
within auto_rest_udp6_ns_bind "$t0" \
	python3 "$WORK/reach.py" ::1 10726 1.5
t0=$(now_ms)
srv_stop
within auto_rest_udp6_ns_unbind "$t0" not udp_bound host 10726

# UDP, host to namespace (-U auto)
t0=$(now_ms)
python3 "$UDPT" echo 127.0.0.1 10731 &
SRV=$!
within auto_rest_udp_host_bind "$t0" \
	in_guest python3 "$WORK/reach.py" 127.0.0.1 10731 1.5
t0=$(now_ms)
srv_stop
within auto_rest_udp_host_unbind "$t0" not udp_bound guest 10731

# UDP swap in the namespace: port 10741 closed, 10742 bound at once. No
# datagram is sent until both are followed (a flow would make pasta look
# at once): the swap comes right after the scan that saw 10741, with the
# same counts, and is seen by the walk FWD_AUTO_UDP_WALK_MS later
nsenter -t "$GUEST_PID" -n -- \
	python3 "$WORK/swap.py" 10741 10742 "$WORK/swap" &
SRV=$!
t0=$(now_ms)
within auto_rest_udp_swap_before "$t0" udp_bound host 10741
touch "$WORK/swap"
t0=$(now_ms)
DEADLINE_MS=5000 within auto_rest_udp_swap_new "$t0" udp_bound host 10742
DEADLINE_MS=5000 within auto_rest_udp_swap_old "$t0" \
	not udp_bound host 10741
t0=$(now_ms)
within auto_rest_udp_swap_reach "$t0" \
	python3 "$WORK/reach.py" 127.0.0.1 10742 0.2
srv_stop

# Scans through sock_diag, reported by --stats at exit
tcp_guest_stop
if grep -q "no sock_diag" "$NET_LOG"; then
	skip auto_rest_sock_diag "$(grep -m1 'no sock_diag' "$NET_LOG")"
elif grep -q "Auto forwarding: [0-9]* scans (sock_diag)" "$NET_LOG"; then
	pass "auto_rest_sock_diag ($(grep -o 'Auto forwarding: .*' \
				     "$NET_LOG" | tail -n 1))"
else
	fail auto_rest_sock_diag "$(grep 'Auto forwarding' "$NET_LOG")"
fi

# Walks for their age alone back off: the first, 2.5 s after start-up,
# finds nothing new during the 4 s at rest above and sets the next to 5 s
if grep -q "no sock_diag" "$NET_LOG"; then
	skip auto_rest_udp_walk_backoff "no sock_diag"
elif grep -q "walked for their age, again in 5000 ms" "$NET_LOG"; then
	pass auto_rest_udp_walk_backoff
else
	fail auto_rest_udp_walk_backoff \
		"$(grep -m 3 'walked for their age' "$NET_LOG")"
fi

# At rest, most UDP walks were skipped: the counts didn't change
if grep -q "no sock_diag" "$NET_LOG"; then
	skip auto_rest_udp_skipped "no sock_diag"
elif grep -qE "UDP walks: [0-9]+ done, [1-9][0-9]* skipped" "$NET_LOG"; then
	pass auto_rest_udp_skipped
else
	fail auto_rest_udp_skipped "$(grep 'Auto forwarding' "$NET_LOG")"
fi
