#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# passt serves one guest at a time: a second connection is refused while
# one is up; once the guest goes, its connections are closed and the next
# one is served (a lease, ARP). With -1, passt exits after its first guest,
# removing its socket.
source "$(dirname "$0")/../lib.sh"

SOCK=$WORK/passt.sock
OUR_MAC=9a:55:9a:55:9a:55
trap 'guest_stop; kill $PASST_PID 2>/dev/null' EXIT

# arp_answered: the guest resolves 192.0.2.1 to passt's MAC address
arp_answered() {
	in_guest ip addr add 192.0.2.2/24 dev guest0 2>/dev/null
	in_guest busybox arping -c 1 -w 3 -I guest0 192.0.2.1 2>&1 |
		grep -qi "$OUR_MAC"
}

"$PASST" -f -s "$SOCK" >"$WORK/passt.log" 2>&1 &
PASST_PID=$!
wait_for 5 test -S "$SOCK" || { fail reconnect "passt didn't start"; exit 0; }

guest_start "$SOCK"
check first_guest_answered arp_answered

# A second client while the guest is connected is closed at once
if "$HELPERS/sockclient" -t 3 "$SOCK" </dev/null &&
   grep -q "refusing another connection" "$WORK/passt.log"; then
	pass second_connection_refused
else
	fail second_connection_refused "not closed by passt"
fi
check guest_unaffected_by_refusal arp_answered

# A connection of the first guest: closed on the host when the guest goes
socat TCP-LISTEN:20100,bind=127.0.0.1,reuseaddr SYSTEM:'sleep 60' \
	>/dev/null 2>&1 &
SRV_PID=$!
wait_for 5 sh -c "ss -ltnH 'sport = :20100' | grep -q LISTEN"
in_guest socat -u EXEC:'sleep 60' TCP:192.0.2.1:20100 >/dev/null 2>&1 &
CLI_PID=$!
host_conn() {
	ss -tnH state established '( sport = :20100 )' | grep -q .
}
check old_guest_connection_up wait_for 5 host_conn

guest_unbridge
if wait_for 5 grep -q "waiting for a new one" "$WORK/passt.log"; then
	pass disconnect_noticed
else
	fail disconnect_noticed "$(tail -n 3 "$WORK/passt.log")"
fi
if wait_for 5 sh -c "! ss -tnH state established '( sport = :20100 )' |
		     grep -q ."; then
	pass old_guest_connection_closed
else
	fail old_guest_connection_closed "$(ss -tnH '( sport = :20100 )')"
fi
kill $SRV_PID $CLI_PID 2>/dev/null
wait $SRV_PID $CLI_PID 2>/dev/null

# The next guest (a new tap device: another MAC address) gets a lease
guest_bridge "$SOCK"
in_guest ip addr flush dev guest0
if in_guest timeout 15 udhcpc -i guest0 -f -q -n -t 3 -T 1 -A 1 \
	-s /bin/true >"$WORK/udhcpc.log" 2>&1 &&
   grep -q "lease of 192.0.2.2 obtained" "$WORK/udhcpc.log"; then
	pass next_guest_gets_lease
else
	fail next_guest_gets_lease "$(tail -n 2 "$WORK/udhcpc.log")"
fi
check next_guest_answered arp_answered
if kill -0 "$PASST_PID" 2>/dev/null; then
	pass passt_survives_disconnect
else
	fail passt_survives_disconnect "passt exited"
fi
guest_unbridge
kill "$PASST_PID"
wait "$PASST_PID" 2>/dev/null

# -1: the first guest is the only one
"$PASST" -f -1 -s "$SOCK" >"$WORK/one-off.log" 2>&1 &
PASST_PID=$!
wait_for 5 test -S "$SOCK"
guest_bridge "$SOCK"
check one_off_guest_answered arp_answered
guest_unbridge
if wait_for 5 sh -c "! kill -0 $PASST_PID 2>/dev/null"; then
	wait "$PASST_PID"
	rc=$?
	if [ "$rc" -eq 0 ] && [ ! -e "$SOCK" ]; then
		pass one_off_exits_after_guest
	else
		fail one_off_exits_after_guest "status $rc, socket left: \
$(ls "$SOCK" 2>&1)"
	fi
else
	fail one_off_exits_after_guest "still running"
fi
