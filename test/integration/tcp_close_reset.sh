#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# TCP connection ends and addresses, through pasta and passt: half-close
# (the side that shut down writing still receives everything, and its FIN
# is acknowledged while the other side stays open), resets from
# either side, "connection refused" for a closed host port, "host
# unreachable" (ICMP) for an address nobody answers for, the gateway
# address reaching a host loopback listener, and a connection from host
# loopback appearing to the guest as coming from the gateway address (passt)
# or from the namespace's own address (pasta: spliced, see NOTES), other
# sources unchanged. Host-side clients connect from 192.0.2.3 and
# 2001:db8::3, so that pasta too goes through the tap and not the splice.

source "$(dirname "$0")/../lib.sh"
source "$HELPERS/tcp_lib.sh"

PROBE="$HELPERS/tcp_probe.py"
trap 'tcp_guest_stop; rm -rf "$WORK"' EXIT

ip addr add 192.0.2.3/32 dev uplink-peer
ip -6 addr add 2001:db8::3/128 dev uplink-peer nodad

# host_server NAME PORT SUBCOMMAND BIND, then CLIENT... run in the guest
host_case() {
	local name=$1 port=$2 sub=$3 bind=$4 srv
	shift 4
	python3 "$PROBE" "$sub" "$port" "$bind" & srv=$!
	wait_for 5 listening host "$port"
	check "$name" in_guest "$@"
	kill $srv 2>/dev/null; wait $srv 2>/dev/null
}

# guest_case NAME PORT SUBCOMMAND, then CLIENT... run on the host
guest_case() {
	local name=$1 port=$2 sub=$3 srv
	shift 3
	in_guest python3 "$PROBE" "$sub" "$port" & srv=$!
	wait_for 5 listening guest "$port"
	check "$name" "$@"
	kill $srv 2>/dev/null; wait $srv 2>/dev/null
}

# peer_is NAME EXPECTED CMD...: CMD prints EXPECTED
peer_is() {
	local name=$1 want=$2 got
	shift 2
	got=$("$@" 2>&1)
	if [ "$got" = "$want" ]; then
		pass "$name"
	else
		fail "$name" "got '$got', expected '$want'"
	fi
}

for mode in pasta passt; do
	if ! "tcp_guest_$mode" -t 10201-10210; then
		fail "${mode}_setup" "$(tail -n 3 "$NET_LOG")"
		tcp_guest_stop
		continue
	fi

	host_case "${mode}_half_close_guest_client" 10301 halfserver \
		127.0.0.1 python3 "$PROBE" halfclient 192.0.2.1 10301
	host_case "${mode}_half_close_guest_client_ipv6" 10302 halfserver \
		::1 python3 "$PROBE" halfclient 2001:db8::1 10302
	guest_case "${mode}_half_close_host_client" 10201 halfserver \
		python3 "$PROBE" halfclient 192.0.2.3 10201
	# The ACK of the guest's FIN waits for ours (tcp_delack.c), but not
	# for a host side that stays open
	host_case "${mode}_guest_fin_acked_host_open" 10305 holdserver \
		127.0.0.1 python3 "$PROBE" finclient 192.0.2.1 10305

	host_case "${mode}_reset_from_host" 10303 rstserver 127.0.0.1 \
		python3 "$PROBE" rstclient 192.0.2.1 10303
	guest_case "${mode}_reset_from_guest" 10202 rstserver \
		python3 "$PROBE" rstclient 192.0.2.3 10202
	guest_case "${mode}_reset_from_guest_ipv6" 10203 rstserver \
		python3 "$PROBE" rstclient 2001:db8::3 10203

	peer_is "${mode}_closed_port_refused" "connection refused" \
		in_guest python3 "$PROBE" connect 192.0.2.1 10399
	peer_is "${mode}_closed_port_refused_ipv6" "connection refused" \
		in_guest python3 "$PROBE" connect 2001:db8::1 10399
	# Neighbour resolution on the uplink fails after 3 s: the host's
	# EHOSTUNREACH reaches the guest as ICMP, not as a reset
	peer_is "${mode}_unreachable_host" "host unreachable" \
		in_guest timeout 20 python3 "$PROBE" connect 192.0.2.77 10399
	peer_is "${mode}_unreachable_host_ipv6" "host unreachable" \
		in_guest timeout 20 python3 "$PROBE" connect 2001:db8::77 10399
	# Nobody listens on the forwarded port in the guest: we accepted on
	# the host already, so the guest's RST becomes a reset there
	check "${mode}_forwarded_port_closed_in_guest_resets" \
		python3 "$PROBE" rstclient 192.0.2.3 10209

	python3 "$PROBE" peerserver 10304 127.0.0.1 & srv=$!
	wait_for 5 listening host 10304
	peer_is "${mode}_gateway_reaches_host_loopback" 127.0.0.1 \
		in_guest python3 "$PROBE" peerclient 192.0.2.1 10304
	wait $srv 2>/dev/null

	if [ $mode = passt ]; then
		want4=192.0.2.1 want6=2001:db8::1 as=gateway
	else
		want4=192.0.2.2 want6=2001:db8::2 as=namespace_address
	fi
	in_guest python3 "$PROBE" peerserver 10204 & srv=$!
	wait_for 5 listening guest 10204
	peer_is "${mode}_host_loopback_appears_as_$as" $want4 \
		python3 "$PROBE" peerclient 127.0.0.1 10204
	wait $srv 2>/dev/null

	in_guest python3 "$PROBE" peerserver 10205 & srv=$!
	wait_for 5 listening guest 10205
	peer_is "${mode}_host_loopback_appears_as_${as}_ipv6" $want6 \
		python3 "$PROBE" peerclient ::1 10205
	wait $srv 2>/dev/null

	in_guest python3 "$PROBE" peerserver 10206 & srv=$!
	wait_for 5 listening guest 10206
	peer_is "${mode}_other_host_source_unchanged" 192.0.2.3 \
		python3 "$PROBE" peerclient 192.0.2.3 10206
	wait $srv 2>/dev/null

	in_guest python3 "$PROBE" peerserver 10207 & srv=$!
	wait_for 5 listening guest 10207
	peer_is "${mode}_other_host_source_unchanged_ipv6" 2001:db8::3 \
		python3 "$PROBE" peerclient 2001:db8::3 10207
	wait $srv 2>/dev/null

	tcp_guest_stop
	if [ $mode = passt ]; then
		n=$(tcp_flows_active)
		if [ "$n" = 0 ]; then
			pass "${mode}_no_flow_left"
		else
			fail "${mode}_no_flow_left" "${n:-no count} flows active"
		fi
	fi
done
