#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# ISC dhclient -4 in a namespace guest attached to passt: the lease file it
# writes holds the host's address, netmask, router, DNS, search list, MTU,
# hostname and FQDN, with an infinite lease.
source "$(dirname "$0")/../lib.sh"

SOCK=$WORK/passt.sock
LEASE=$WORK/dhclient.leases
trap 'kill $DHCLIENT_PID $PASST_PID 2>/dev/null; guest_stop' EXIT

"$PASST" -f -s "$SOCK" -H guest4 --fqdn guest4.example.org \
	>"$WORK/passt.log" 2>&1 &
PASST_PID=$!
if ! wait_for 5 test -S "$SOCK" || ! guest_start "$SOCK"; then
	fail dhclient4_lease "passt or guest didn't start"
	exit 0
fi

# -sf /bin/true: take the lease, configure nothing; -d: stay in foreground
# nsenter runs dhclient itself: $! is its PID, to kill
nsenter -t "$GUEST_PID" -n -- \
	dhclient -4 -d -v -lf "$LEASE" -pf "$WORK/dhclient.pid" \
	-sf /bin/true guest0 >"$WORK/dhclient.log" 2>&1 &
DHCLIENT_PID=$!
if wait_for 15 grep -q "fixed-address" "$LEASE"; then
	pass dhclient4_lease
else
	fail dhclient4_lease "$(tail -n 3 "$WORK/dhclient.log")"
	exit 0
fi
kill "$DHCLIENT_PID"
wait "$DHCLIENT_PID" 2>/dev/null

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

check dhclient4_address lease_has "fixed-address 192.0.2.2;" \
	"option subnet-mask 255.255.255.0;"
check dhclient4_router lease_has "option routers 192.0.2.1;" \
	"option dhcp-server-identifier 192.0.2.1;"
check dhclient4_dns lease_has "option domain-name-servers 192.0.2.53;"
check dhclient4_search lease_has \
	'option domain-search "example.org.", "test.example.";' \
	'option domain-name "example.org";'
check dhclient4_mtu lease_has "option interface-mtu 65520;"
check dhclient4_hostname lease_has 'option host-name "guest4";'
check dhclient4_fqdn lease_has 'option fqdn.fqdn "guest4.example.org";' \
	"option fqdn.encoded true;"
check dhclient4_infinite_lease lease_has "option dhcp-lease-time 4294967295;"
