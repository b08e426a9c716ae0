#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# --no-map-gw and --map-host-loopback in pasta, TCP and UDP, IPv4 and IPv6,
# with -T/-U auto forwarding the same ports from the namespace (so that
# listeners of the local shortcut exist there too): by default, the
# namespace reaches the host's loopback through the gateway address; with
# --no-map-gw or --map-host-loopback none it reaches the gateway itself
# (here an address of the host with its own services), never loopback; with
# --map-host-loopback ADDR it reaches loopback through ADDR only.

source "$(dirname "$0")/../lib.sh"
source "$HELPERS/tcp_lib.sh"
source "$HELPERS/udp_lib.sh"

SRV=

stop_srv() {
	local p
	for p in $SRV; do
		kill "$p" 2>/dev/null
		wait "$p" 2>/dev/null
	done
	SRV=
}
trap 'tcp_guest_stop; udp_peers_stop; stop_srv; rm -rf "$WORK"' EXIT

# tcp_srv ADDR TEXT: TCP server on ADDR port 20005 answering TEXT
tcp_srv() {
	local pf=TCP4
	[[ $1 == *:* ]] && pf=TCP6
	socat "$pf-LISTEN:20005,bind=$1,reuseaddr,fork" SYSTEM:"echo $2" &
	SRV="$SRV $!"
}

# tcp_answer ADDR: what the server at ADDR port 20005 says to the namespace
tcp_answer() {
	local a=$1
	[[ $a == *:* ]] && a="[$a]"
	in_guest timeout 5 socat -T 3 - "TCP:$a:20005" < /dev/null 2>/dev/null
}

# udp_answer ADDR: who answers a query to ADDR port 20006 ("whoami")
udp_answer() {
	in_guest timeout 5 python3 "$UDP_TOOL" query "$1" 20006 2>/dev/null |
		cut -d' ' -f3-
}

# expect NAME WANT COMMAND...: PASS if COMMAND prints WANT
expect() {
	local name=$1 want=$2 got
	shift 2
	got=$("$@")
	if [ "$got" = "$want" ]; then
		pass "$name"
	else
		fail "$name" "got '${got:-nothing}', want '$want'"
	fi
}

# The gateway is an address of the host here, with services of its own:
# reaching it is what the guest asks for once it isn't mapped
ip addr add 192.0.2.1/32 dev uplink-peer
ip -6 addr add 2001:db8::1/128 dev uplink-peer nodad

tcp_srv 127.0.0.1 host-lo4
tcp_srv ::1 host-lo6
tcp_srv 192.0.2.1 gateway4
tcp_srv 2001:db8::1 gateway6
udp_host responder 127.0.0.1 20006 host-lo4
udp_host responder ::1 20006 host-lo6
udp_host responder 192.0.2.1 20006 gateway4
udp_host responder 2001:db8::1 20006 gateway6
wait_for 5 listening host 20005
wait_for 5 udp_bound host 20006

# run NAME WANT4 WANT6 ADDR4 ADDR6 PASTA_OPTION...: TCP and UDP from the
# namespace to ADDR4 and ADDR6 reach the service answering WANT4, WANT6
run() {
	local name=$1 w4=$2 w6=$3 a4=$4 a6=$5
	shift 5
	if ! tcp_guest_pasta -T auto -U auto "$@"; then
		fail "${name}_setup" "$(tail -n 3 "$NET_LOG")"
		tcp_guest_stop
		return
	fi
	# -T auto: the namespace listens on 20005 too (local shortcut)
	wait_for 10 listening guest 20005
	expect "${name}_tcp4" "$w4" tcp_answer "$a4"
	expect "${name}_tcp6" "$w6" tcp_answer "$a6"
	expect "${name}_udp4" "$w4:query" udp_answer "$a4"
	expect "${name}_udp6" "$w6:query" udp_answer "$a6"
	tcp_guest_stop
}

run default host-lo4 host-lo6 192.0.2.1 2001:db8::1
run no_map_gw gateway4 gateway6 192.0.2.1 2001:db8::1 --no-map-gw
run mhl_none gateway4 gateway6 192.0.2.1 2001:db8::1 \
	--map-host-loopback none
run mhl_addr host-lo4 host-lo6 192.0.2.77 2001:db8::77 \
	--map-host-loopback 192.0.2.77 --map-host-loopback 2001:db8::77
run mhl_addr_gw gateway4 gateway6 192.0.2.1 2001:db8::1 \
	--map-host-loopback 192.0.2.77 --map-host-loopback 2001:db8::77
