#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# UDP address translation through pasta and passt: --dns-forward queries
# reach the --dns-host resolver and answers appear to come from the
# forward address; the manual's DNS exception (the --map-host-loopback
# address is the host's resolver: DNS goes there, not to loopback); the
# guest's source port kept on the host; loopback sources of forwarded
# datagrams shown as the gateway (pasta: its bypass shows the namespace's
# address), with port translation; a forwarded port
# used as source by the guest kept on the host, next to our bound socket;
# ICMP port unreachable reaching a connected guest socket as ECONNREFUSED,
# host unreachable (neighbour resolution failed) as EHOSTUNREACH.

source "$(dirname "$0")/../lib.sh"
source "$HELPERS/tcp_lib.sh"
source "$HELPERS/udp_lib.sh"

trap 'udp_peers_stop; tcp_guest_stop; rm -rf "$WORK"' EXIT

ip addr add 192.0.2.3/32 dev uplink-peer
ip addr add 192.0.2.53/32 dev uplink-peer
ip -6 addr add 2001:db8::3/128 dev uplink-peer nodad
ip -6 addr add 2001:db8::53/128 dev uplink-peer nodad

# expect NAME WANT COMMAND...: PASS if COMMAND prints WANT (a regex)
expect() {
	local name=$1 want=$2 out
	shift 2
	out=$("$@" 2>&1)
	if echo "$out" | grep -Eq "^$want\$"; then
		pass "$name"
	else
		fail "$name" "got '$(echo "$out" | tail -n 1)', want '$want'"
	fi
}

# q [ARG]...: udp_tool.py query from the guest
q() {
	in_guest timeout 5 python3 "$UDP_TOOL" query "$@"
}

for mode in pasta passt; do
	if ! "tcp_guest_$mode" -u 20032,20033:20034,20036 \
	     --dns-forward 198.51.100.53 --dns-host 127.0.0.1 \
	     --dns-forward 2001:db8:5::53 --dns-host ::1; then
		fail "${mode}_setup" "$(tail -n 3 "$NET_LOG")"
		tcp_guest_stop
		continue
	fi

	udp_host responder 127.0.0.1 53 lo4
	udp_host responder ::1 53 lo6
	udp_host whoami 127.0.0.1 20031
	udp_host whoami ::1 20031
	udp_guest whoami :: 20032
	udp_guest whoami :: 20034
	wait_for 5 udp_bound host 53
	wait_for 5 udp_bound guest 20034

	expect "${mode}_dns_forward_ipv4" "198.51.100.53 53 lo4:query" \
		q 198.51.100.53 53
	expect "${mode}_dns_forward_ipv6" "2001:db8:5::53 53 lo6:query" \
		q 2001:db8:5::53 53
	expect "${mode}_source_port_kept_ipv4" \
		"192.0.2.1 20031 127.0.0.1 40404" q 192.0.2.1 20031 40404
	expect "${mode}_source_port_kept_ipv6" \
		"2001:db8::1 20031 ::1 40405" q 2001:db8::1 20031 40405
	expect "${mode}_forwarded_port_kept_as_source" \
		"192.0.2.1 20031 127.0.0.1 20036" q 192.0.2.1 20031 20036
	# Through the tap, loopback sources appear as the gateway; pasta's
	# bypass shows them as the namespace's own address
	if [ $mode = pasta ]; then
		lo4=192.0.2.2 lo6=2001:db8::2
	else
		lo4=192.0.2.1 lo6=2001:db8::1
	fi
	expect "${mode}_forwarded_loopback_source_ipv4" \
		"127.0.0.1 20032 ::ffff:$lo4 [0-9]+" \
		timeout 5 python3 "$UDP_TOOL" query 127.0.0.1 20032
	expect "${mode}_forwarded_loopback_source_ipv6" \
		"::1 20032 $lo6 [0-9]+" \
		timeout 5 python3 "$UDP_TOOL" query ::1 20032
	expect "${mode}_forwarded_port_translated" \
		"127.0.0.1 20033 ::ffff:$lo4 [0-9]+" \
		timeout 5 python3 "$UDP_TOOL" query 127.0.0.1 20033
	expect "${mode}_port_unreachable_loopback_ipv4" refused \
		in_guest timeout 8 python3 "$UDP_TOOL" refused 192.0.2.1 20999
	expect "${mode}_port_unreachable_loopback_ipv6" refused \
		in_guest timeout 8 python3 "$UDP_TOOL" refused 2001:db8::1 20999
	expect "${mode}_port_unreachable_host_ipv4" refused \
		in_guest timeout 8 python3 "$UDP_TOOL" refused 192.0.2.3 20999
	expect "${mode}_port_unreachable_host_ipv6" refused \
		in_guest timeout 8 python3 "$UDP_TOOL" refused 2001:db8::3 20999
	if [ $mode = passt ]; then
		# Neighbour resolution on the uplink fails after 3 s
		expect "${mode}_host_unreachable_ipv4" EHOSTUNREACH \
			in_guest timeout 8 python3 "$UDP_TOOL" refused \
			192.0.2.77 20999
		expect "${mode}_host_unreachable_ipv6" EHOSTUNREACH \
			in_guest timeout 8 python3 "$UDP_TOOL" refused \
			2001:db8::77 20999
	fi

	udp_peers_stop
	tcp_guest_stop

	# DNS exception: resolv.conf names 192.0.2.53 and 2001:db8::53
	if ! "tcp_guest_$mode" --map-host-loopback 192.0.2.53 \
	     --map-host-loopback 2001:db8::53; then
		fail "${mode}_setup_exception" "$(tail -n 3 "$NET_LOG")"
		tcp_guest_stop
		continue
	fi
	udp_host responder 127.0.0.1 53 lo4
	udp_host responder ::1 53 lo6
	udp_host responder 192.0.2.53 53 resolver4
	udp_host responder 2001:db8::53 53 resolver6
	udp_host whoami 127.0.0.1 20035
	wait_for 5 udp_bound host 20035

	expect "${mode}_dns_exception_ipv4" "192.0.2.53 53 resolver4:query" \
		q 192.0.2.53 53
	expect "${mode}_dns_exception_ipv6" \
		"2001:db8::53 53 resolver6:query" q 2001:db8::53 53
	expect "${mode}_dns_exception_only_dns" \
		"192.0.2.53 20035 127.0.0.1 [0-9]+" q 192.0.2.53 20035

	udp_peers_stop
	tcp_guest_stop
done
