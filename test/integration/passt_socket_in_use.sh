#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# A second passt on the -s path of a running one fails with one clear line
# and exit status 1, leaving the first one's socket alone; a stale socket
# file at the -s path is taken over.
source "$(dirname "$0")/../lib.sh"

SOCK=$WORK/passt.sock
trap 'kill $PASST_PID 2>/dev/null' EXIT

"$PASST" -f -s "$SOCK" >"$WORK/first.log" 2>&1 &
PASST_PID=$!
if ! wait_for 5 test -S "$SOCK"; then
	fail socket_in_use "first passt didn't bind: $(cat "$WORK/first.log")"
	exit 0
fi

"$PASST" -f -s "$SOCK" >"$WORK/second.out" 2>"$WORK/second.err"
rc=$?
n=$(grep -c "already in use" "$WORK/second.err")
if [ "$rc" -eq 1 ] && [ "$n" -eq 1 ] &&
   grep -q "Socket path $SOCK already in use" "$WORK/second.err"; then
	pass socket_in_use_exit_1_one_line
else
	fail socket_in_use_exit_1_one_line \
		"rc=$rc: $(tr '\n' ' ' < "$WORK/second.err" | head -c 300)"
fi

if [ -S "$SOCK" ] && kill -0 "$PASST_PID" 2>/dev/null; then
	pass first_passt_keeps_socket
else
	fail first_passt_keeps_socket "socket or first passt gone"
fi

# Killed without cleanup: the next passt reuses the stale file
kill -9 "$PASST_PID"
wait "$PASST_PID" 2>/dev/null
"$PASST" -f -s "$SOCK" >"$WORK/third.log" 2>&1 &
PASST_PID=$!
if wait_for 5 grep -q "bound at $SOCK" "$WORK/third.log"; then
	pass stale_socket_path_reused
else
	fail stale_socket_path_reused "$(head -c 300 "$WORK/third.log")"
fi
