#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Device state moves between two passt --vhost-user as a front end migrates
# a guest (test/helpers/vhost_user_migrate.py): A offers the device state
# protocol feature, saves its state through the front end's pipe once the
# queues are stopped, B loads and checks it and runs the device on; B
# refuses a corrupted, truncated, other-version or foreign stream with one
# log line and goes on serving.
source "$(dirname "$0")/../lib.sh"

trap 'kill $A_PID $B_PID 2>/dev/null' EXIT

"$PASST" -f -d --vhost-user -s "$WORK/a.sock" </dev/null >"$WORK/a.log" 2>&1 &
A_PID=$!
"$PASST" -f -d --vhost-user -s "$WORK/b.sock" </dev/null >"$WORK/b.log" 2>&1 &
B_PID=$!
if ! wait_for 5 test -S "$WORK/a.sock" -a -S "$WORK/b.sock"; then
	fail vhost_user_migrate_start "no sockets: $(tail -n 2 "$WORK"/*.log)"
	exit 0
fi

PYTHONPATH="$HELPERS" python3 "$HELPERS/vhost_user_migrate.py" \
	"$WORK/a.sock" "$WORK/a.log" "$WORK/b.sock" "$WORK/b.log" \
	"$WORK/state"

for p in A B; do
	pid=${p}_PID
	if kill -0 "${!pid}" 2>/dev/null; then
		pass "vhost_user_migrate_${p,,}_survives"
	else
		fail "vhost_user_migrate_${p,,}_survives" "passt $p exited"
	fi
done

echo "--- passt logs"
grep -h "migrat\|device state" "$WORK/a.log" "$WORK/b.log" | tail -n 30
