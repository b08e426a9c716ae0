#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# pasta's automatic port forwarding (the default: -t/-u/-T/-U auto): a port
# bound in the namespace after pasta started is reachable from the host's
# loopback within 2 seconds, and stops being forwarded within 2 seconds of
# being closed; the same for ports bound on the host, seen from the
# namespace; TCP and UDP. Forwarded ports don't bounce back, and -t none
# turns it off.

source "$(dirname "$0")/../lib.sh"
source "$HELPERS/tcp_lib.sh"

UDPT="$HELPERS/udp_tool.py"
SRV=
trap 'srv_stop; tcp_guest_stop; rm -rf "$WORK"' EXIT

# tcp_hello ADDR PORT: connect, expect "hello"
tcp_hello() {
	timeout 1 socat -u "TCP:$1:$2" - < /dev/null 2>/dev/null |
		grep -q hello
}

# udp_reach ADDR PORT SECONDS: send a datagram every 50 ms from one socket
# until an answer comes (no process start-up per try), or SECONDS pass
cat > "$WORK/reach.py" <<'PY'
import select, socket, sys, time
addr, port, secs = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
s = socket.socket(socket.AF_INET6 if ':' in addr else socket.AF_INET,
                  socket.SOCK_DGRAM)
end = time.time() + secs
while time.time() < end:
    s.sendto(b'query', (addr, port))
    if select.select([s], [], [], 0.05)[0]:
        try:
            if s.recv(100):
                sys.exit(0)
        except OSError:
            pass
sys.exit(1)
PY
udp_reach() {
	python3 "$WORK/reach.py" "$@"
}

# udp_bound WHERE PORT: a UDP socket is bound to PORT (host or guest)
udp_bound() {
	if [ "$1" = guest ]; then
		in_guest ss -uanH "sport = :$2" | grep -q .
	else
		ss -uanH "sport = :$2" | grep -q .
	fi
}

# timed NAME SECONDS COMMAND...: PASS if COMMAND succeeds within SECONDS
timed() {
	local name=$1 secs=$2 t0 t1
	shift 2
	t0=$(date +%s%N)
	if wait_for "$secs" "$@"; then
		t1=$(date +%s%N)
		pass "$name ($(( (t1 - t0) / 1000000 )) ms)"
	else
		fail "$name" "not within $secs s"
	fi
}

# srv_stop: stop the server started last
srv_stop() {
	[ -n "$SRV" ] || return 0
	kill $SRV 2>/dev/null
	wait $SRV 2>/dev/null
	SRV=
}

not() { ! "$@"; }

# guest_bg COMMAND...: start COMMAND in the namespace, its PID in SRV
guest_bg() {
	nsenter -t "$GUEST_PID" -n -- "$@" &
	SRV="$SRV $!"
}

if ! tcp_guest_pasta -d; then
	fail auto_setup "$(tail -n 3 "$NET_LOG")"
	exit 0
fi

# TCP, namespace to host (-t auto)
guest_bg socat "TCP-LISTEN:10601,reuseaddr,fork" SYSTEM:'echo hello'
wait_for 5 listening guest 10601
timed auto_tcp_ns_port_reachable_from_host 2 tcp_hello 127.0.0.1 10601
# The sleep is the measure: a bounce (our own host listener seen by the next
# scan and forwarded back) would show within one scan period, 1 s
# (FWD_AUTO_INTERVAL_MS). pasta just proved itself alive by forwarding.
sleep 1.2
n=$(grep -c "forwarding TCP port 10601 " "$NET_LOG")
if [ "$n" = 1 ] && ! grep -q "forward TCP port 10601 " "$NET_LOG"; then
	pass auto_tcp_no_bounce
else
	fail auto_tcp_no_bounce "$(grep 'port 10601' "$NET_LOG")"
fi
srv_stop
timed auto_tcp_ns_port_gone_from_host 2 not listening host 10601

# TCP, host to namespace (-T auto)
socat "TCP-LISTEN:10611,bind=127.0.0.1,reuseaddr,fork" SYSTEM:'echo hello' &
SRV=$!
wait_for 5 listening host 10611
timed auto_tcp_host_port_reachable_from_ns 2 \
	in_guest sh -c "timeout 1 socat -u TCP:127.0.0.1:10611 - \
			</dev/null | grep -q hello"
srv_stop
timed auto_tcp_host_port_gone_from_ns 2 not listening guest 10611

# UDP, namespace to host (-u auto)
guest_bg python3 "$UDPT" echo 0.0.0.0 10621
wait_for 5 udp_bound guest 10621
timed auto_udp_ns_port_reachable_from_host 0 udp_reach 127.0.0.1 10621 2
srv_stop
timed auto_udp_ns_port_gone_from_host 2 not udp_bound host 10621

# UDP, host to namespace (-U auto)
python3 "$UDPT" echo 127.0.0.1 10631 & SRV=$!
wait_for 5 udp_bound host 10631
timed auto_udp_host_port_reachable_from_ns 0 \
	in_guest python3 "$WORK/reach.py" 127.0.0.1 10631 2
srv_stop
timed auto_udp_host_port_gone_from_ns 2 not udp_bound guest 10631
tcp_guest_stop

# -t none: nothing bound in the namespace shows up on the host
if tcp_guest_pasta -t none -u none; then
	guest_bg socat "TCP-LISTEN:10641,reuseaddr,fork" SYSTEM:'echo hello'
	guest_bg python3 "$UDPT" echo 0.0.0.0 10641
	wait_for 5 listening guest 10641
	# The sleep is the measure: forwarding would show within a scan
	# period, 1 s (FWD_AUTO_INTERVAL_MS); give it two and a half, with
	# pasta alive before and after, its namespace reachable
	kill -0 "$NET_PID" && in_guest ip -o link show uplink | grep -q UP &&
		sleep 2.5
	if ! kill -0 "$NET_PID" 2>/dev/null; then
		fail auto_none_disables "pasta isn't running"
	elif ! listening host 10641 && ! udp_bound host 10641; then
		pass auto_none_disables
	else
		fail auto_none_disables "$(ss -ltunp | grep 10641)"
	fi
	srv_stop
else
	fail auto_none_setup "$(tail -n 3 "$NET_LOG")"
fi
