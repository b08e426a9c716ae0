#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# ARP in a namespace guest attached to passt: every IPv4 neighbour, on the
# subnet or not, resolves to passt's MAC address (-M changes it), but
# nothing answers for the guest's own address (duplicate address
# detection succeeds), and the kernel's own resolution works.
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
		guest_start "$SOCK" || return 1
	else
		guest_bridge "$SOCK" || return 1
	fi
	in_guest ip addr add 192.0.2.2/24 dev guest0
}

stop_passt() {
	guest_unbridge
	[ -n "${PASST_PID:-}" ] && kill "$PASST_PID" 2>/dev/null
	wait "$PASST_PID" 2>/dev/null
	rm -f "$SOCK"
	PASST_PID=
}

# arp_mac ADDRESS MAC: ARP for ADDRESS is answered with MAC
arp_mac() {
	in_guest busybox arping -f -c 2 -w 2 -I guest0 "$1" 2>&1 |
		grep -qi "\[$2\]"
}

if ! start_passt; then
	fail arp_neighbours "passt or guest didn't start"
	exit 0
fi

check arp_gateway arp_mac 192.0.2.1 "$OUR_MAC"
check arp_nameserver arp_mac 192.0.2.53 "$OUR_MAC"
check arp_any_address arp_mac 203.0.113.7 "$OUR_MAC"

# -D: exit status 0 if nobody claims the address (probe from 0.0.0.0)
check arp_no_answer_to_probe \
	in_guest busybox arping -D -c 2 -w 2 -I guest0 192.0.2.2

# An ordinary request for the guest's address, from another one of its
# addresses: no answer either
in_guest ip addr add 192.0.2.9/24 dev guest0
if in_guest busybox arping -f -c 2 -w 2 -s 192.0.2.9 -I guest0 192.0.2.2 \
	>"$WORK/arping" 2>&1; then
	fail arp_no_answer_for_guest_address "$(grep -i reply "$WORK/arping")"
elif grep -q "Sent 2 probe" "$WORK/arping"; then
	pass arp_no_answer_for_guest_address
else
	fail arp_no_answer_for_guest_address "$(tail -n 1 "$WORK/arping")"
fi
in_guest ip addr del 192.0.2.9/24 dev guest0

# The kernel's own neighbour resolution, as for any traffic
kernel_neigh() {
	in_guest ping -c 1 -W 1 192.0.2.1 >/dev/null 2>&1
	in_guest ip neigh show 192.0.2.1 dev guest0 | grep -qi "lladdr $OUR_MAC"
}
check kernel_resolves_gateway kernel_neigh

stop_passt
start_passt -M 02:00:00:12:34:56
check arp_mac_address_option arp_mac 192.0.2.1 02:00:00:12:34:56
