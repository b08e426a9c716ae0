#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# IPv6 frames from the guest with IPv4-mapped addresses (::ffff:a.b.c.d) as
# destination or source, on every protocol: TCP SYNs to an open and a
# closed port, UDP to an open port (echoed back by the host) and to closed
# ones (the host answers with ICMP port unreachable), ICMPv6 Echo requests.
# A guest's own stack never sends these; passt and pasta must drop them and
# keep working: afterwards the process is alive and TCP and UDP exchanges
# with the host, both families, still work, and the log says why the
# frames were dropped.

source "$(dirname "$0")/../lib.sh"
source "$HELPERS/tcp_lib.sh"
source "$HELPERS/udp_lib.sh"

FRAMES="$HELPERS/v4mapped_frames.py"
MAC=9a:55:9a:55:9a:55
TCP_SRV=

stop_all() {
	udp_peers_stop
	[ -n "$TCP_SRV" ] && kill "$TCP_SRV" 2>/dev/null
	TCP_SRV=
	tcp_guest_stop
}
trap 'stop_all; rm -rf "$WORK"' EXIT

head -c 65536 /dev/urandom > "$WORK/data"

# frames IFNAME: every kind of v4-mapped frame from the guest
frames() {
	local f="python3 $FRAMES $1 $MAC"

	# Destinations: the gateway (mapped to host loopback), the host's
	# own address; 20001/20003 are open on host loopback, 9 is closed
	in_guest $f 2001:db8::2 ::ffff:192.0.2.1 tcp 20003 &&
	in_guest $f 2001:db8::2 ::ffff:192.0.2.1 tcp 9 &&
	in_guest $f 2001:db8::2 ::ffff:192.0.2.2 tcp 9 &&
	in_guest $f 2001:db8::2 ::ffff:192.0.2.1 udp 20001 &&
	in_guest $f 2001:db8::2 ::ffff:192.0.2.1 udp 9 &&
	in_guest $f 2001:db8::2 ::ffff:192.0.2.2 udp 9 &&
	in_guest $f 2001:db8::2 ::ffff:192.0.2.1 echo 4242 &&
	in_guest $f 2001:db8::2 ::ffff:192.0.2.2 echo 4243 &&
	# v4-mapped sources towards ordinary IPv6 destinations
	in_guest $f ::ffff:192.0.2.2 2001:db8::1 tcp 20003 &&
	in_guest $f ::ffff:192.0.2.2 2001:db8::1 udp 20011 &&
	in_guest $f ::ffff:192.0.2.2 2001:db8::1 udp 9 &&
	in_guest $f ::ffff:192.0.2.2 2001:db8::1 echo 4244 &&
	# both v4-mapped: looks like IPv4 everywhere but on the wire
	in_guest $f ::ffff:192.0.2.2 ::ffff:192.0.2.1 udp 9 &&
	in_guest $f ::ffff:192.0.2.2 ::ffff:192.0.2.1 tcp 9
}

# tcp_roundtrip ADDR: send the data file to the host's echo server through
# ADDR (the gateway), compare what comes back
tcp_roundtrip() {
	local got
	got=$(in_guest timeout 10 socat -t 5 - "TCP:$1:20003" \
		< "$WORK/data" | sha256sum | cut -d' ' -f1)
	[ "$got" = "$(sha256sum < "$WORK/data" | cut -d' ' -f1)" ]
}

# udp_roundtrip ADDR PORT: 20 datagrams echoed by the host, none lost
udp_roundtrip() {
	in_guest timeout 20 python3 "$UDP_TOOL" client "$1" "$2" 1000 20 |
		grep -q "^sent 20 lost 0 bad 0$"
}

for mode in passt pasta; do
	# --trace: dropped frames are logged with their reason
	if ! "tcp_guest_$mode" --trace; then
		fail "${mode}_setup" "$(tail -n 3 "$NET_LOG")"
		stop_all
		continue
	fi
	ifname=uplink
	[ $mode = passt ] && ifname=guest0

	udp_host echo 127.0.0.1 20001
	udp_host echo ::1 20011
	socat TCP-LISTEN:20003,bind=127.0.0.1,reuseaddr,fork EXEC:cat &
	TCP_SRV=$!
	wait_for 5 udp_bound host 20011 && wait_for 5 udp_bound host 20001
	wait_for 5 listening host 20003

	# Alive and answering before: the checks after mean something
	check "${mode}_udp_before" udp_roundtrip 192.0.2.1 20001
	check "${mode}_tcp_before" tcp_roundtrip 192.0.2.1

	check "${mode}_v4mapped_frames_sent" frames "$ifname"

	# The ICMP errors the host answers with come back over loopback at
	# once: ordinary traffic afterwards is handled after them
	check "${mode}_udp4_after" udp_roundtrip 192.0.2.1 20001
	check "${mode}_udp6_after" udp_roundtrip 2001:db8::1 20011
	check "${mode}_tcp4_after" tcp_roundtrip 192.0.2.1
	check "${mode}_ping6_after" in_guest ping -6 -c1 -W2 2001:db8::1
	check "${mode}_v4mapped_dropped" \
		grep -q "IPv4-mapped address in IPv6 header" "$NET_LOG"
	if kill -0 "$NET_PID" 2>/dev/null; then
		pass "${mode}_alive_after_v4mapped"
	else
		fail "${mode}_alive_after_v4mapped" "$(tail -n 3 "$NET_LOG")"
	fi

	stop_all
done
