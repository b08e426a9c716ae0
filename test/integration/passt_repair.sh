#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# passt-repair and passt's repair socket: the helper switches real TCP
# sockets in and out of repair mode as told and refuses what it can't
# (test/helpers/passt_repair_check.py stands in for passt); passt --vhost-user listens at
# SOCKET.repair (or --repair-path), takes one helper and refuses a second,
# listens nowhere with --repair-path none, and the helper exits when passt
# does.
source "$(dirname "$0")/../lib.sh"

REPAIR="$(dirname "$PASST")/passt-repair"
trap 'kill $A_PID $B_PID $H1 $H2 2>/dev/null' EXIT

python3 "$HELPERS/passt_repair_check.py" "$REPAIR" "$WORK/check.sock"

"$PASST" -f -d --vhost-user -s "$WORK/a.sock" </dev/null >"$WORK/a.log" 2>&1 &
A_PID=$!
"$PASST" -f -d --vhost-user -s "$WORK/b.sock" --repair-path none \
	</dev/null >"$WORK/b.log" 2>&1 &
B_PID=$!
if ! wait_for 5 test -S "$WORK/a.sock" -a -S "$WORK/b.sock"; then
	fail passt_repair_socket "no sockets: $(tail -n 2 "$WORK"/*.log)"
	exit 0
fi

# passt binds the repair socket right after the vhost-user one
if wait_for 5 test -S "$WORK/a.sock.repair" &&
   [ ! -e "$WORK/b.sock.repair" ]; then
	pass passt_repair_socket
else
	fail passt_repair_socket "$(ls "$WORK")"
fi

"$REPAIR" "$WORK/a.sock.repair" 2>"$WORK/h1.err" &
H1=$!
if wait_for 5 grep -q "passt-repair connected" "$WORK/a.log"; then
	pass passt_repair_connects
else
	fail passt_repair_connects "$(tail -n 3 "$WORK/a.log")"
fi

"$REPAIR" "$WORK/a.sock.repair" 2>"$WORK/h2.err" &
H2=$!
if wait_for 5 grep -q "refusing another" "$WORK/a.log" &&
   wait_for 5 sh -c "! kill -0 $H2 2>/dev/null" && kill -0 "$H1" &&
   kill -0 "$A_PID"; then
	pass passt_repair_one_helper
else
	fail passt_repair_one_helper "$(tail -n 3 "$WORK/a.log")"
fi

kill "$A_PID"
if wait_for 5 sh -c "! kill -0 $H1 2>/dev/null" && wait "$H1"; then
	pass passt_repair_helper_exits
else
	fail passt_repair_helper_exits "helper $(cat "$WORK/h1.err")"
fi
