#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# UDP flow sockets: one per flow while it's in use (for pasta's bypass, in
# the namespace), closed after the idle timeout (shortened with
# PASST_UDP_TIMEOUT_SEC, which the bypass follows too), the forwarded
# port's socket kept; with --no-udp, no UDP socket at all and no datagram
# forwarded either way. Also malformed UDP frames from the guest (bad
# checksum, lying length, truncated header, IPv6 without checksum) are
# dropped while valid ones, IPv4 without checksum included, go through.

source "$(dirname "$0")/../lib.sh"
source "$HELPERS/tcp_lib.sh"
source "$HELPERS/udp_lib.sh"

trap 'udp_peers_stop; tcp_guest_stop; rm -rf "$WORK"' EXIT

# flow_socks PID: UDP sockets of PID connected to a peer (flows), on the
# host and in the guest's namespace (pasta's bypass has its flow sockets
# there)
flow_socks() {
	{ ss -uanpH; in_guest ss -uanpH; } | grep "pid=$1," |
		awk '$5 != "*:*" && $5 != "0.0.0.0:*" && $5 != "[::]:*"' | wc -l
}

# flows_gone PID: no flow socket left
flows_gone() {
	[ "$(flow_socks "$1")" = 0 ]
}

# all_socks PID: UDP sockets of PID
all_socks() {
	ss -uanpH | grep -c "pid=$1,"
}

# Long enough that both flows exist when counted, even on a loaded machine
export PASST_UDP_TIMEOUT_SEC=5
for mode in passt pasta; do
	if ! "tcp_guest_$mode" -u 20042; then
		fail "${mode}_setup" "$(tail -n 3 "$NET_LOG")"
		tcp_guest_stop
		continue
	fi
	udp_host whoami 127.0.0.1 20041
	udp_guest whoami :: 20042
	wait_for 5 udp_bound host 20041
	wait_for 5 udp_bound guest 20042

	in_guest timeout 5 python3 "$UDP_TOOL" query 192.0.2.1 20041 >/dev/null
	timeout 5 python3 "$UDP_TOOL" query 127.0.0.1 20042 > /dev/null
	n=$(flow_socks "$NET_PID")
	if [ "$n" = 2 ]; then
		pass "${mode}_flow_sockets_open"
	else
		fail "${mode}_flow_sockets_open" "$n flow sockets, want 2"
	fi
	if wait_for 9 flows_gone "$NET_PID"; then
		pass "${mode}_flow_sockets_expire"
	else
		fail "${mode}_flow_sockets_expire" \
			"$(ss -uanpH | grep "pid=$NET_PID,")"
	fi
	if udp_bound host 20042; then
		pass "${mode}_forwarded_port_stays"
	else
		fail "${mode}_forwarded_port_stays" "port 20042 not bound"
	fi
	udp_peers_stop
	tcp_guest_stop
done
unset PASST_UDP_TIMEOUT_SEC

# --no-udp: nothing bound, nothing forwarded
for mode in passt pasta; do
	if ! "tcp_guest_$mode" --no-udp; then
		fail "${mode}_setup_no_udp" "$(tail -n 3 "$NET_LOG")"
		tcp_guest_stop
		continue
	fi
	udp_host sink 127.0.0.1 20043 > "$WORK/sink"
	wait_for 5 udp_bound host 20043
	in_guest timeout 2 python3 "$UDP_TOOL" query 192.0.2.1 20043 \
		> /dev/null 2>&1
	n=$(all_socks "$NET_PID")
	if [ ! -s "$WORK/sink" ] && [ "$n" = 0 ]; then
		pass "${mode}_no_udp"
	else
		fail "${mode}_no_udp" "$n sockets, got '$(cat "$WORK/sink")'"
	fi
	udp_peers_stop
	tcp_guest_stop
done

# Malformed frames, sent with a packet socket from a passt guest
if tcp_guest_passt; then
	udp_host sink 127.0.0.1 20051 > "$WORK/sink4"
	udp_host sink ::1 20051 > "$WORK/sink6"
	wait_for 5 udp_bound host 20051
	in_guest python3 "$UDP_TOOL" hostile guest0
	# good-v6 is the last frame: once it's through, passt has sent on
	# whatever it would, and a marker of ours queued behind that on the
	# IPv4 sink shows it was all read
	wait_for 5 grep -q good-v6 "$WORK/sink6"
	python3 -c 'import socket
socket.socket(socket.AF_INET, socket.SOCK_DGRAM).sendto(b"marker",
							 ("127.0.0.1", 20051))'
	wait_for 5 grep -qx marker "$WORK/sink4"
	got=$(cat "$WORK/sink4" "$WORK/sink6" | grep -vx marker | sort |
	      tr '\n' ' ')
	want="good-v4 good-v4-no-checksum good-v6 "
	if [ "$got" = "$want" ]; then
		pass passt_malformed_datagrams_dropped
	else
		fail passt_malformed_datagrams_dropped "got '$got', want '$want'"
	fi
	udp_peers_stop
	tcp_guest_stop
	n=$(sed -n 's/.*UDP: .* \([0-9]*\) malformed datagrams.*/\1/p' \
	    "$NET_LOG")
	if [ "$n" = 6 ]; then
		pass passt_malformed_datagrams_counted
	else
		fail passt_malformed_datagrams_counted "$n counted, want 6"
	fi
else
	fail passt_setup_hostile "$(tail -n 3 "$NET_LOG")"
	tcp_guest_stop
fi
