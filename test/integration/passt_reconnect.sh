#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# passt serves one guest at a time: a second connection is refused while
# one is up; once the guest goes, the next one is served. With -1, passt
# exits after its first guest, removing its socket.
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

guest_unbridge
if wait_for 5 grep -q "waiting for a new one" "$WORK/passt.log"; then
	pass disconnect_noticed
else
	fail disconnect_noticed "$(tail -n 3 "$WORK/passt.log")"
fi
guest_bridge "$SOCK"
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
