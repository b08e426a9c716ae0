#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# ISC dhclient -6 in a namespace guest attached to passt: the lease holds
# the host's IPv6 address with infinite lifetimes, the DNS server and
# search list, the FQDN, and passt's DUID-LL built from its MAC address
# (-M). With --no-dhcpv6, no lease.
source "$(dirname "$0")/../lib.sh"

SOCK=$WORK/passt.sock
LEASE=$WORK/dhclient6.leases
trap 'kill $DHCLIENT_PID 2>/dev/null; guest_stop; stop_passt' EXIT

# ll_ready: the guest has a usable (not tentative) link-local address
ll_ready() {
	in_guest ip -6 addr show dev guest0 scope link | grep -v tentative |
		grep -q "inet6 fe80"
}

# start_passt OPTION...: passt with OPTIONs, the guest (re)attached to it
start_passt() {
	"$PASST" -f -s "$SOCK" "$@" >"$WORK/passt.log" 2>&1 &
	PASST_PID=$!
	wait_for 5 test -S "$SOCK" || return 1
	if [ -z "${GUEST_PID:-}" ]; then
		guest_start "$SOCK" || return 1
	else
		guest_bridge "$SOCK" || return 1
	fi
	# A new guest0: wait for Duplicate Address Detection on link-local
	wait_for 10 ll_ready
}

stop_passt() {
	guest_unbridge
	[ -n "${PASST_PID:-}" ] && kill "$PASST_PID" 2>/dev/null
	wait "$PASST_PID" 2>/dev/null
	rm -f "$SOCK"
	PASST_PID=
}

# dhclient6 SECONDS: run dhclient -6 until it has a lease, or SECONDS pass
dhclient6() {
	rm -f "$LEASE"
	# nsenter runs dhclient itself: $! is its PID, to kill
	nsenter -t "$GUEST_PID" -n -- \
		dhclient -6 -d -v -lf "$LEASE" -pf "$WORK/dhclient.pid" \
		-sf /bin/true guest0 >"$WORK/dhclient.log" 2>&1 &
	DHCLIENT_PID=$!
	wait_for "$1" grep -q "iaaddr" "$LEASE"
	local ret=$?
	kill "$DHCLIENT_PID" 2>/dev/null
	wait "$DHCLIENT_PID" 2>/dev/null
	DHCLIENT_PID=
	return $ret
}

# lease_has LINE...: the lease file has these lines (indentation ignored)
lease_has() {
	local l
	for l in "$@"; do
		sed 's/^ *//' "$LEASE" | grep -qxF -- "$l" || {
			echo "missing '$l'"
			return 1
		}
	done
}

if ! start_passt --fqdn guest6.example.org -M 02:00:00:c0:ff:ee; then
	fail dhclient6_lease "passt or guest didn't start"
	exit 0
fi

if dhclient6 15; then
	pass dhclient6_lease
else
	fail dhclient6_lease "$(tail -n 3 "$WORK/dhclient.log")"
	exit 0
fi
check dhclient6_address lease_has "iaaddr 2001:db8::2 {" \
	"preferred-life 4294967295;" "max-life 4294967295;"
check dhclient6_dns lease_has "option dhcp6.name-servers 2001:db8::53;"
check dhclient6_search lease_has \
	'option dhcp6.domain-search "example.org.", "test.example.";'
check dhclient6_fqdn lease_has 'option fqdn.fqdn "guest6.example.org";'
check dhclient6_server_duid_ll lease_has \
	"option dhcp6.server-id 0:3:0:1:2:0:0:c0:ff:ee;"
check passt_logged_reply grep -q "DHCPv6: received REQUEST, sending REPLY" \
	"$WORK/passt.log"

stop_passt
start_passt --no-dhcp-dns --no-dhcp-search
if dhclient6 15; then
	dns=$(grep -E 'name-servers|domain-search|fqdn' "$LEASE")
	if [ -n "$dns" ]; then
		fail dhclient6_without_dns "$dns"
	else
		pass dhclient6_without_dns
	fi
else
	fail dhclient6_without_dns "no lease"
fi

stop_passt
start_passt --no-dhcpv6
# passt must be up and answering ARP, or no lease would prove nothing
silent_but_alive no_dhcpv6_no_lease "$PASST_PID" dhclient6 3
