#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# qemu's way, replayed: passt -f --fd 3 with a port forward, the other end
# of the socket pair being the guest's (a namespace guest through
# tapbridge -F 3). The guest gets its address by DHCP, the forwarded port
# reaches it, and passt exits when the guest's end closes.
source "$(dirname "$0")/../lib.sh"

trap 'guest_stop; kill $PASST_PID $SRV 2>/dev/null' EXIT


guest_ns || { fail qemu_fd_guest "no guest namespace"; exit 0; }
"$HELPERS/sockpair" "$WORK/bridge.pid" \
	"$PASST" -f --fd 3 -t 18084:84 -u none -- \
	nsenter -t "$GUEST_PID" -n -- "$HELPERS/tapbridge" -F 3 guest0 \
	>"$WORK/passt.log" 2>&1 &
PASST_PID=$!
guest_wait_link

caller_guest_configured qemu_fd_guest_configured
caller_port_forwarded qemu_fd_port_forwarded from-qemu-guest 84 18084

kill "$(cat "$WORK/bridge.pid")"
if wait_for 10 sh -c "! kill -0 $PASST_PID 2>/dev/null"; then
	wait "$PASST_PID"
	rc=$?
	if [ $rc -eq 0 ]; then
		pass qemu_fd_exits_when_closed
	else
		fail qemu_fd_exits_when_closed "status $rc"
	fi
else
	fail qemu_fd_exits_when_closed "passt still running"
fi
