#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# -p: frames exchanged with the guest, both ways, land in the capture.
source "$(dirname "$0")/../lib.sh"

SOCK=$WORK/passt.sock
CAP=$WORK/cap.pcap
trap 'guest_stop; kill $PASST_PID 2>/dev/null' EXIT

"$PASST" -f -s "$SOCK" -p "$CAP" >"$WORK/passt.log" 2>&1 &
PASST_PID=$!
wait_for 5 test -S "$SOCK" || { fail pcap "passt didn't start"; exit 0; }
guest_start "$SOCK"
in_guest ip addr add 192.0.2.2/24 dev guest0
in_guest busybox arping -c 2 -w 3 -I guest0 192.0.2.1 >/dev/null 2>&1
guest_stop
kill "$PASST_PID"
wait "$PASST_PID" 2>/dev/null

pcap_text "$CAP" -e > "$WORK/cap.txt" 2>"$WORK/tcpdump.err"
if [ "$(wc -l < "$WORK/cap.txt")" -gt 0 ]; then
	pass pcap_has_frames
else
	fail pcap_has_frames "$(head -c 200 "$WORK/tcpdump.err")"
fi
if grep -q "Request who-has 192.0.2.1 .*tell 192.0.2.2" "$WORK/cap.txt"; then
	pass pcap_has_guest_arp_request
else
	fail pcap_has_guest_arp_request "$(head -n 3 "$WORK/cap.txt")"
fi
if grep -q "Reply 192.0.2.1 is-at 9a:55:9a:55:9a:55" "$WORK/cap.txt"; then
	pass pcap_has_arp_reply_to_guest
else
	fail pcap_has_arp_reply_to_guest "$(head -n 3 "$WORK/cap.txt")"
fi
