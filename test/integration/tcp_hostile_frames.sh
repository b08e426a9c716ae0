#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Malformed and out-of-window TCP frames from the guest (test/helpers/
# tcp_hostile: bad data offsets, options past the header, bad checksums,
# SYNs with data, random sequence numbers, stray RSTs and flags), many of
# them aimed at a connection in use, are dropped without effect: that
# connection's checked request/response traffic completes, and new
# connections still work. pasta and passt.

source "$(dirname "$0")/../lib.sh"
source "$HELPERS/tcp_lib.sh"

trap 'tcp_guest_stop; rm -rf "$WORK"' EXIT

python3 "$ECHO" server 10601 127.0.0.1 & SRV=$!
wait_for 5 listening host 10601

for mode in pasta passt; do
	if ! "tcp_guest_$mode"; then
		fail "${mode}_setup" "$(tail -n 3 "$NET_LOG")"
		tcp_guest_stop
		continue
	fi
	ifname=guest0
	[ $mode = pasta ] && ifname=uplink

	# One long-lived connection, several thousand checked exchanges
	in_guest python3 "$ECHO" client 192.0.2.1 10601 1 3000 7 \
		> "$WORK/echo.out" 2>&1 & cli=$!
	wait_for 5 sh -c "nsenter -t $GUEST_PID -n ss -tnH state established \
			  'dport = :10601' | grep -q ."
	sport=$(in_guest ss -tnH state established 'dport = :10601' | \
		awk '{ print $3 }' | sed 's/.*://' | head -n 1)
	mac=$(in_guest ip neigh show 192.0.2.1 | awk '{ print $5 }')

	if ! in_guest "$HELPERS/tcp_hostile" "$ifname" "$mac" 192.0.2.2 \
		192.0.2.1 10601 "${sport:-1}" 20000 3; then
		fail "${mode}_hostile_frames_sent" "helper failed"
	fi

	if wait $cli; then
		pass "${mode}_hostile_frames_connection_unaffected"
	else
		fail "${mode}_hostile_frames_connection_unaffected" \
			"$(tail -n 2 "$WORK/echo.out")"
	fi
	check "${mode}_hostile_frames_new_connections_work" \
		in_guest python3 "$ECHO" client 192.0.2.1 10601 10 20 9

	tcp_guest_stop
	n=$(sed -n 's/.*TCP: .* \([0-9]*\) malformed segments.*/\1/p' \
	    "$NET_LOG")
	if [ "${n:-0}" -gt 0 ]; then
		pass "${mode}_hostile_frames_counted_as_malformed ($n)"
	else
		fail "${mode}_hostile_frames_counted_as_malformed" \
			"$(grep 'TCP:' "$NET_LOG")"
	fi
done
kill $SRV 2>/dev/null
