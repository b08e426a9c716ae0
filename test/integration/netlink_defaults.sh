#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# netlink.c picks the outbound interface, its addresses, gateway, MTU and
# MAC address the way the manual page describes (-a, -g, -i), for several
# route set-ups. Each scenario but the first builds its own network
# namespace (unshare -n) from veth pairs and runs test/helpers/nl_defaults
# in it.

source "$(dirname "$0")/../lib.sh"

NL="$HELPERS/nl_defaults"

# expect NAME OUTPUT LINE...: PASS if OUTPUT has every LINE, exactly
expect() {
	local name=$1 out=$2 line missing=
	shift 2
	for line in "$@"; do
		grep -qxF -- "$line" <<< "$out" || missing="$missing [$line]"
	done
	if [ -z "$missing" ]; then
		pass "$name"
	else
		fail "$name" "missing$missing; got: $(echo "$out" | tr '\n' ';')"
	fi
}

# in_ns SETUP: run SETUP, then nl_defaults, in a new network namespace
in_ns() {
	unshare -n sh -ec "ip link set lo up; $1; \"$NL\"" 2>&1
}

# veth NAME: a veth whose peer stays up in the same namespace
veth='veth() { ip link add name $1 type veth peer name $1-p;
	       ip link set $1 up; ip link set $1-p up; }'

# (1) The sandbox itself: uplink, default routes for both families
out=$("$NL" 2>&1)
ll=$(ip -6 addr show dev uplink scope link | sed -n 's/.*inet6 \([^/]*\).*/\1/p')
expect default_route_sandbox "$out" \
	"ipv4 ifname uplink" "ipv4 addr 192.0.2.2/24" "ipv4 gw 192.0.2.1" \
	"ipv6 ifname uplink" "ipv6 addr 2001:db8::2/64" "ipv6 gw 2001:db8::1" \
	"ipv6 ll $ll"

# (2) No default route: the one interface with routes is chosen. Another
# interface with only the IPv6 link-local route, and loopback's ::1 route,
# don't count.
out=$(in_ns "$veth; veth nic1; veth nic2
	ip addr add 10.0.0.2/24 dev nic1
	ip -6 addr add 2001:db8:5::2/64 dev nic1 nodad")
expect no_default_route_single_interface "$out" \
	"ipv4 ifname nic1" "ipv4 addr 10.0.0.2/24" "ipv4 gw none" \
	"ipv6 ifname nic1" "ipv6 addr 2001:db8:5::2/64" "ipv6 gw none"

# ...but two interfaces with routes and no default: no obvious choice
out=$(in_ns "$veth; veth nic1; veth nic2
	ip addr add 10.0.0.2/24 dev nic1; ip addr add 10.1.0.2/24 dev nic2")
expect no_default_route_two_interfaces "$out" "ipv4 ifname none"

# (3) No routes at all (local mode): nothing chosen
out=$(in_ns "$veth; veth nic1")
expect no_routes_nothing_chosen "$out" "ipv4 ifname none" "ipv6 ifname none"

# (4) Two interfaces, default routes on the second one
out=$(in_ns "$veth; veth nic1; veth nic2
	ip addr add 10.0.0.2/24 dev nic1
	ip -6 addr add 2001:db8:5::2/64 dev nic1 nodad
	ip addr add 198.51.100.2/24 dev nic2
	ip -6 addr add 2001:db8:6::2/64 dev nic2 nodad
	ip route add default via 198.51.100.1 dev nic2
	ip -6 route add default via 2001:db8:6::1 dev nic2")
expect default_route_second_interface "$out" \
	"ipv4 ifname nic2" "ipv4 addr 198.51.100.2/24" "ipv4 gw 198.51.100.1" \
	"ipv6 ifname nic2" "ipv6 addr 2001:db8:6::2/64" "ipv6 gw 2001:db8:6::1"

# (5) IPv6 only; a deprecated address, listed first by the kernel (newest
# first), is passed over for a preferred one
out=$(in_ns "$veth; veth nic1
	ip -6 addr add 2001:db8::2/64 dev nic1 nodad
	ip -6 addr add 2001:db8::3/64 dev nic1 nodad preferred_lft 0
	ip -6 route add default via 2001:db8::1 dev nic1")
expect ipv6_only "$out" "ipv4 ifname none" \
	"ipv6 ifname nic1" "ipv6 addr 2001:db8::2/64" "ipv6 gw 2001:db8::1"

# (6) Multipath default routes: the nexthop with the highest weight
out=$(in_ns "$veth; veth nic1; veth nic2
	ip addr add 192.0.2.2/24 dev nic1; ip addr add 198.51.100.2/24 dev nic2
	ip -6 addr add 2001:db8:1::2/64 dev nic1 nodad
	ip -6 addr add 2001:db8:2::2/64 dev nic2 nodad
	ip route add default nexthop via 192.0.2.1 dev nic1 weight 1 \
		nexthop via 198.51.100.1 dev nic2 weight 5
	ip -6 route add default nexthop via 2001:db8:1::1 dev nic1 weight 1 \
		nexthop via 2001:db8:2::1 dev nic2 weight 5")
expect multipath_highest_weight "$out" \
	"ipv4 ifname nic2" "ipv4 addr 198.51.100.2/24" "ipv4 gw 198.51.100.1" \
	"ipv6 ifname nic2" "ipv6 addr 2001:db8:2::2/64" "ipv6 gw 2001:db8:2::1"

# ...and on equal weights, the first nexthop
out=$(in_ns "$veth; veth nic1; veth nic2
	ip addr add 192.0.2.2/24 dev nic1; ip addr add 198.51.100.2/24 dev nic2
	ip route add default nexthop via 192.0.2.1 dev nic1 weight 3 \
		nexthop via 198.51.100.1 dev nic2 weight 3")
expect multipath_tie_first_nexthop "$out" \
	"ipv4 ifname nic1" "ipv4 gw 192.0.2.1"
