# SPDX-License-Identifier: GPL-2.0-or-later
# Guest test "netconf": the network configuration a guest gets from passt.
# DHCP lease (address, router, DNS, MTU), SLAAC address from the Router
# Advertisement, DHCPv6 lease (address, DNS), then ping to both gateways.
# Expected values come as kernel parameters:
#   guest_addr4 guest_gw4 guest_dns4 guest_mtu
#   guest_prefix6 (text the SLAAC /64 address starts with, e.g. 2001:db8::)
#   guest_addr6 guest_dns6 guest_gw6
# An empty or missing parameter skips that comparison with a SKIP line.

# want NAME WHAT GOT PARAM: compare GOT with the value of kernel param PARAM
want() {
	eval "local v=\${$4:-}"
	if [ -z "$v" ]; then
		skip "$1" "no $4= kernel parameter"
	else
		expect "$1" "$2" "$3" "$v"
	fi
}

if net_dhcp4; then
	L=/tmp/dhcp4.lease
	want "${T}_dhcp_address" address "$(lease_get $L ip)" guest_addr4
	want "${T}_dhcp_router" router "$(lease_get $L router)" guest_gw4
	want "${T}_dhcp_dns" "first DNS server" \
		"$(lease_get $L dns | cut -d' ' -f1)" guest_dns4
	want "${T}_dhcp_mtu" "leased MTU" "$(lease_get $L mtu)" guest_mtu
	want "${T}_dhcp_mtu_applied" "eth0 MTU" \
		"$(cat /sys/class/net/$IF/mtu)" guest_mtu
else
	why="no lease: $(tail -n 2 /tmp/udhcpc.log | tr '\n' ' ')"
	for n in address router dns mtu mtu_applied; do
		fail "${T}_dhcp_$n" "$why"
	done
fi

if wait_for 10 slaac_addr "${guest_prefix6:-2001:db8::}"; then
	pass "${T}_slaac_address"
else
	fail "${T}_slaac_address" "no /64 address in ${guest_prefix6:-2001:db8::}/64: $(ip -6 addr show dev $IF | grep inet6 | tr '\n' ' ')"
fi
check "${T}_ra_default_route" wait_for 5 sh -c \
	"ip -6 route show default | grep -q 'via fe80:'"

if net_dhcp6; then
	L=/tmp/dhcp6.lease
	want "${T}_dhcpv6_address" address "$(lease_get $L ip)" guest_addr6
	want "${T}_dhcpv6_dns" "first DNS server" \
		"$(lease_get $L dns | cut -d' ' -f1)" guest_dns6
else
	why="no lease: $(tail -n 2 /tmp/dhclient6.log | tr '\n' ' ')"
	fail "${T}_dhcpv6_address" "$why"
	fail "${T}_dhcpv6_dns" "$why"
fi

if [ -n "${guest_gw4:-}" ]; then
	check "${T}_ping_gateway" ping -c1 -W3 "$guest_gw4"
fi
if [ -n "${guest_gw6:-}" ]; then
	check "${T}_ping6_gateway" ping6 -c1 -W3 "$guest_gw6"
fi
