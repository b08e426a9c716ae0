#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The kernel of a namespace guest attached to passt forms a SLAAC address
# in 2001:db8::/64 from passt's Router Advertisement and routes through
# the router that sent it; rdisc6 shows the advertised flags, MTU, prefix,
# DNS server and search list; ndisc6 resolves any neighbour to passt's
# MAC address; unsolicited advertisements come as soon as the guest is
# attached, then periodically; --no-ra and --no-ndp turn answers off.
source "$(dirname "$0")/../lib.sh"

SOCK=$WORK/passt.sock
OUR_MAC=9a:55:9a:55:9a:55
trap 'guest_stop; stop_passt' EXIT

# start_passt OPTION...: passt with OPTIONs, the guest (re)attached to it
start_passt() {
	"$PASST" -f -s "$SOCK" "$@" >"$WORK/passt.log" 2>&1 &
	PASST_PID=$!
	wait_for 5 test -S "$SOCK" || return 1
	if [ -z "${GUEST_PID:-}" ]; then
		# The guest sends no Router Solicitations: what it learns
		# first comes from the RA passt sends when a guest attaches
		guest_ns || return 1
		in_guest sysctl -qw net.ipv6.conf.default.router_solicitations=0
		guest_bridge "$SOCK" || return 1
	else
		guest_bridge "$SOCK" || return 1
	fi
	# A new guest0: wait for Duplicate Address Detection on link-local
	wait_for 10 ll_ready
}

# ll_ready: the guest has a usable (not tentative) link-local address
ll_ready() {
	in_guest ip -6 addr show dev guest0 scope link | grep -v tentative |
		grep -q "inet6 fe80"
}

stop_passt() {
	guest_unbridge
	[ -n "${PASST_PID:-}" ] && kill "$PASST_PID" 2>/dev/null
	wait "$PASST_PID" 2>/dev/null
	rm -f "$SOCK"
	PASST_PID=
}

slaac_addr() {
	in_guest ip -6 addr show dev guest0 scope global |
		grep -v tentative | grep -q "inet6 2001:db8::[0-9a-f:]*/64"
}

# default_via_ll: default route through a link-local router, learnt by RA
default_via_ll() {
	in_guest ip -6 route show default | grep -q "via fe80::.* proto ra"
}

if ! start_passt -m 1400; then
	fail ndp_slaac_router "passt or guest didn't start"
	exit 0
fi

if wait_for 5 slaac_addr; then
	pass slaac_address_from_ra_at_attach
else
	fail slaac_address_from_ra_at_attach \
		"$(in_guest ip -6 addr show dev guest0 | tr '\n' ' ')"
fi
check default_route_via_router default_via_ll
check ra_mtu_applied sh -c "[ \"\$(nsenter -t $GUEST_PID -n \
	cat /proc/sys/net/ipv6/conf/guest0/mtu)\" = 1400 ]"

in_guest rdisc6 -1 -n guest0 >"$WORK/rdisc6" 2>&1
# ra_has PATTERN...: every extended regular expression matches a line
ra_has() {
	local p
	for p in "$@"; do
		grep -Eqi -- "$p" "$WORK/rdisc6" || { echo "no '$p'"; return 1; }
	done
}
check ra_managed_other_flags ra_has "Stateful address conf\. *: *Yes" \
	"Stateful other conf\. *: *Yes"
check ra_router_lifetime ra_has "Router lifetime *: *9000 "
check ra_source_link_layer ra_has "Source link-layer address: *$OUR_MAC"
check ra_mtu ra_has "MTU *: *1400 bytes"
check ra_prefix ra_has "Prefix *: *2001:db8::/64" \
	"On-link *: *Yes" "Autonomous address conf\. *: *Yes"
check ra_rdnss ra_has "Recursive DNS server *: *2001:db8::53"
check ra_dnssl ra_has "DNS search list *: *example\.org test\.example"
check ra_from_link_local ra_has "from fe80::"

# ndisc6_mac ADDRESS: passt answers for ADDRESS with its MAC
ndisc6_mac() {
	in_guest ndisc6 -1 -n -r 2 -w 500 "$1" guest0 2>&1 |
		grep -qi "Target link-layer address: *$OUR_MAC"
}
check na_for_gateway ndisc6_mac 2001:db8::1
check na_for_any_address ndisc6_mac 2001:db8:1::99
check na_for_link_local ndisc6_mac fe80::1234

# The guest's own addresses are not answered: it would be a conflict
own=$(in_guest ip -6 addr show dev guest0 scope global | grep -v tentative |
      awk '/inet6/ { sub("/.*", "", $2); print $2; exit }')
if [ -n "$own" ] && ! ndisc6_mac "$own"; then
	pass no_na_for_guest_address
else
	fail no_na_for_guest_address "answered for '$own'"
fi

# Periodic unsolicited RAs (RFC 4861, 6.2.4), every 10 to 30 s: the
# kernel has its router and solicits no more, so listen without soliciting
if in_guest rdisc6 -d -1 -n -w 32000 guest0 >"$WORK/unsolicited" 2>&1 &&
   grep -q "Prefix *: *2001:db8::/64" "$WORK/unsolicited"; then
	pass unsolicited_ra_periodic
else
	fail unsolicited_ra_periodic "$(tail -n 2 "$WORK/unsolicited")"
fi

stop_passt
start_passt --no-ra
# Silence counts only from a passt that is up and answering (ARP here)
check no_ra_still_answers_ns ndisc6_mac 2001:db8::1
silent_but_alive no_ra_silent "$PASST_PID" \
	in_guest rdisc6 -1 -r 2 -w 500 guest0

# ra_or_na: an RA, or an NA for the gateway, comes from passt
ra_or_na() {
	in_guest rdisc6 -1 -r 2 -w 500 guest0 || ndisc6_mac 2001:db8::1
}

stop_passt
start_passt --no-ndp
silent_but_alive no_ndp_silent "$PASST_PID" ra_or_na
