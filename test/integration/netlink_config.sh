#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# netlink.c configures an interface in another network namespace the way
# pasta --config-net does: link up, MTU, MAC address, addresses (IPv6 ones
# usable at once, no duplicate address detection), default routes, and
# copies of the outbound interface's addresses and routes (link-local ones
# left out, gateways reachable through other copied routes retried).
# test/helpers/nl_defaults opens a socket in the sandbox, enters the target
# namespace (a sleeping "unshare -n" child) and runs the operations there.

source "$(dirname "$0")/../lib.sh"

NL="$HELPERS/nl_defaults"
PIDS=

cleanup() {
	local p
	for p in $PIDS; do kill "$p" 2>/dev/null; done
	rm -rf "$WORK"
}
trap cleanup EXIT

# new_ns IFNAME: start a namespace with a veth IFNAME (peer up), set NS_PID
new_ns() {
	unshare -n sleep 600 &
	NS_PID=$!
	PIDS="$PIDS $NS_PID"
	wait_for 5 test -e "/proc/$NS_PID/ns/net" || return 1
	# unshare execs sleep once the namespace exists: wait for that
	wait_for 5 sh -c "[ \"\$(readlink /proc/$NS_PID/ns/net)\" != \
		\"\$(readlink /proc/self/ns/net)\" ]" || return 1
	in_ns ip link set lo up
	in_ns ip link add name "$1" type veth peer name "$1-p"
	in_ns ip link set "$1-p" up
}

in_ns() {
	nsenter -t "$NS_PID" -n "$@"
}

# has NAME TEXT PATTERN...: PASS if TEXT matches every (extended) PATTERN
has() {
	local name=$1 text=$2 pat missing=
	shift 2
	for pat in "$@"; do
		grep -qE -- "$pat" <<< "$text" || missing="$missing [$pat]"
	done
	if [ -z "$missing" ]; then
		pass "$name"
	else
		fail "$name" "missing$missing; got: $(echo "$text" | tr '\n' ';')"
	fi
}

# hasnt NAME TEXT PATTERN: PASS if no line of TEXT matches PATTERN
hasnt() {
	if grep -qE -- "$3" <<< "$2"; then
		fail "$1" "unexpected: $(grep -E -- "$3" <<< "$2" | tr '\n' ';')"
	else
		pass "$1"
	fi
}

# More to copy on the sandbox's uplink: a second address of each family,
# a link-local IPv4 one (not to be copied), a route whose gateway is only
# reachable through another route that the kernel dumps after it, and a
# multipath route.
ip addr add 192.0.2.3/24 dev uplink
ip addr add 169.254.7.7/16 dev uplink scope link
ip -6 addr add 2001:db8::3/64 dev uplink nodad
ip route add 203.0.113.0/24 dev uplink
ip route add 10.9.0.0/16 via 203.0.113.1 dev uplink
ip route add 198.18.0.0/15 nexthop via 192.0.2.10 dev uplink weight 1 \
	nexthop via 192.0.2.11 dev uplink weight 2
ip -6 route add 2001:db8:a::/64 dev uplink
ip -6 route add 2001:db8:7::/48 via 2001:db8:a::1 dev uplink
host_ll=$(ip -6 addr show dev uplink scope link |
	  sed -n 's/.*inet6 \([^/]*\).*/\1/p')

# Copy: as pasta --config-net does by default
new_ns tap0 || { fail config_namespace "could not start namespace"; exit 1; }
out=$("$NL" -n "/proc/$NS_PID/ns/net" mtu tap0 1400 \
	mac tap0 02:00:00:00:00:01 up tap0 copy tap0 2>&1)
has config_ops_succeed "$out" "^mtu rc 0$" "^mac rc 0$" "^up rc 0$" \
	"^addr_dup ipv4 rc 0$" "^route_dup ipv4 rc 0$" "^addr_dup ipv6 rc 0$" \
	"^route_dup ipv6 rc 0$" "^copy rc 0$"

link=$(in_ns ip -o link show tap0)
has link_up_mtu_mac "$link" "[<,]UP[,>]" "mtu 1400 " \
	"link/ether 02:00:00:00:00:01 "

addr4=$(in_ns ip -4 addr show dev tap0)
has addr_dup_ipv4 "$addr4" "inet 192\.0\.2\.2/24 " "inet 192\.0\.2\.3/24 "
hasnt addr_dup_ipv4_no_link_local "$addr4" "169\.254\."

addr6=$(in_ns ip -6 addr show dev tap0)
has addr_dup_ipv6 "$addr6" "inet6 2001:db8::2/64 " "inet6 2001:db8::3/64 "
hasnt addr_dup_ipv6_not_tentative "$addr6" "2001:db8::.*tentative"
hasnt addr_dup_ipv6_no_link_local "$addr6" "inet6 $host_ll/"

route4=$(in_ns ip -4 route show)
has route_dup_ipv4 "$route4" \
	"^default via 192\.0\.2\.1 dev tap0" \
	"^203\.0\.113\.0/24 dev tap0" \
	"^10\.9\.0\.0/16 via 203\.0\.113\.1 dev tap0"
route4mp=$(in_ns ip -4 route show 198.18.0.0/15)
has route_dup_ipv4_multipath "$route4mp" \
	"nexthop via 192\.0\.2\.10 dev tap0 weight 1" \
	"nexthop via 192\.0\.2\.11 dev tap0 weight 2"
hasnt route_dup_no_link_local "$route4" "169\.254\."

route6=$(in_ns ip -6 route show)
has route_dup_ipv6 "$route6" \
	"^default via 2001:db8::1 dev tap0" \
	"^2001:db8:a::/64 dev tap0" \
	"^2001:db8:7::/48 via 2001:db8:a::1 dev tap0"

# Set: as pasta --config-net does with -a and -g
new_ns tap1 || { fail config_namespace "could not start namespace"; exit 1; }
out=$("$NL" -n "/proc/$NS_PID/ns/net" up tap1 \
	addr tap1 10.0.0.2/24 addr tap1 2001:db8:1::2/64 \
	defroute tap1 10.0.0.1 defroute tap1 2001:db8:1::1 2>&1)
has set_ops_succeed "$out" "^up rc 0$" "^addr rc 0$" "^defroute rc 0$"
hasnt set_ops_no_error "$out" "rc -"
has addr_set "$(in_ns ip addr show dev tap1)" "inet 10\.0\.0\.2/24 " \
	"inet6 2001:db8:1::2/64 "
hasnt addr_set_ipv6_not_tentative "$(in_ns ip -6 addr show dev tap1)" \
	"2001:db8:1::2.*tentative"
has route_set_def "$(in_ns ip route show; in_ns ip -6 route show)" \
	"^default via 10\.0\.0\.1 dev tap1" \
	"^default via 2001:db8:1::1 dev tap1"

# Adding the same address again: the kernel's error comes back
out=$("$NL" -n "/proc/$NS_PID/ns/net" addr tap1 10.0.0.2/24 2>&1)
has addr_set_error_from_kernel "$out" "^addr rc -17$"

# A gateway outside any prefix of the link: added as "onlink"
new_ns tap2 || { fail config_namespace "could not start namespace"; exit 1; }
out=$("$NL" -n "/proc/$NS_PID/ns/net" up tap2 addr tap2 10.1.0.2/32 \
	defroute tap2 10.1.0.1 2>&1)
has set_def_offlink_ops_succeed "$out" "^defroute rc 0$"
hasnt set_def_offlink_no_error "$out" "rc -"
has route_set_def_onlink "$(in_ns ip route show)" \
	"^default via 10\.1\.0\.1 dev tap2 .*onlink"
