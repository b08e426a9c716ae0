#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# -F FD: passt serves a socket its parent opened and exits (status 0) when
# the other end closes, without creating any socket file.
source "$(dirname "$0")/../lib.sh"

OUR_MAC=9a:55:9a:55:9a:55
trap 'guest_stop; kill $PASST_PID 2>/dev/null' EXIT

guest_ns || { fail passt_fd "no guest namespace"; exit 0; }

# passt gets one end as fd 3, tapbridge in the guest the other
"$HELPERS/sockpair" "$WORK/bridge.pid" \
	"$PASST" -f -F 3 -- \
	nsenter -t "$GUEST_PID" -n -- "$HELPERS/tapbridge" -F 3 guest0 \
	>"$WORK/passt.log" 2>&1 &
PASST_PID=$!
guest_wait_link
in_guest ip addr add 192.0.2.2/24 dev guest0

if in_guest busybox arping -c 1 -w 3 -I guest0 192.0.2.1 2>&1 |
   grep -qi "$OUR_MAC"; then
	pass fd_frames_flow
else
	fail fd_frames_flow "no ARP reply: $(tail -n 3 "$WORK/passt.log")"
fi

if ! ls /tmp/passt_*.socket >/dev/null 2>&1; then
	pass fd_no_socket_file
else
	fail fd_no_socket_file "$(ls /tmp/passt_*.socket)"
fi

kill "$(cat "$WORK/bridge.pid")"
if wait_for 5 sh -c "! kill -0 $PASST_PID 2>/dev/null"; then
	wait "$PASST_PID"
	rc=$?
	if [ "$rc" -eq 0 ]; then
		pass fd_exits_when_closed
	else
		fail fd_exits_when_closed "exit status $rc"
	fi
else
	fail fd_exits_when_closed "passt still running"
fi
