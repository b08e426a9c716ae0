#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# A guest TCP connection moved between two passt --vhost-user through
# TCP_REPAIR, each with its passt-repair helper, on one host (so the
# source runs with --migrate-no-linger): test/helpers/migrate_tcp_frames.py
# is the guest, writing its segments into the rings, and a host loopback
# server its peer; data both ways before and after, some of it
# unacknowledged or in flight during the move, every byte checked, no reset
# (the namespace's TcpOutRsts doesn't move). The save and load times, logged
# at debug level, are printed at the end.

source "$(dirname "$0")/../lib.sh"

REPAIR="$(dirname "$PASST")/passt-repair"
PIDS=
trap 'kill $PIDS 2>/dev/null' EXIT

"$PASST" -f -d --vhost-user -s "$WORK/a.sock" --migrate-no-linger \
	</dev/null >"$WORK/a.log" 2>&1 &
PIDS="$PIDS $!"
"$PASST" -f -d --vhost-user -s "$WORK/b.sock" \
	</dev/null >"$WORK/b.log" 2>&1 &
PIDS="$PIDS $!"
if ! wait_for 5 test -S "$WORK/a.sock.repair" -a -S "$WORK/b.sock.repair"
then
	fail migrate_tcp_setup "no repair sockets: $(tail -n 2 "$WORK"/*.log)"
	exit 0
fi
"$REPAIR" "$WORK/a.sock.repair" 2>"$WORK/ra.err" &
PIDS="$PIDS $!"
"$REPAIR" "$WORK/b.sock.repair" 2>"$WORK/rb.err" &
PIDS="$PIDS $!"
if ! wait_for 5 grep -q "passt-repair connected" "$WORK/a.log" ||
   ! wait_for 5 grep -q "passt-repair connected" "$WORK/b.log"; then
	fail migrate_tcp_setup "helpers not connected"
	exit 0
fi

python3 "$HELPERS/migrate_tcp_frames.py" "$WORK/a.sock" "$WORK/a.log" \
	"$WORK/b.sock" "$WORK/b.log" 45678 100
grep -h "TCP connections \(saved\|loaded\) in" "$WORK"/[ab].log
