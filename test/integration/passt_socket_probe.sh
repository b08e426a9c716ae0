#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# passt without -s probes /tmp/passt_1.socket .. /tmp/passt_64.socket: it
# skips paths where something accepts connections or that aren't sockets,
# takes over stale socket files, and removes its socket at exit.
source "$(dirname "$0")/../lib.sh"

# start_passt: passt on the default path, wait for its socket line
start_passt() {
	"$PASST" -f >"$WORK/passt.log" 2>&1 &
	PASST_PID=$!
	wait_for 5 grep -q "socket bound at" "$WORK/passt.log"
}

stop_passt() {
	kill "$PASST_PID" 2>/dev/null
	wait "$PASST_PID" 2>/dev/null
}

trap 'stop_passt; kill $LISTENER 2>/dev/null' EXIT

# Something listening at passt_1 (forking, so probes don't end it)
socat UNIX-LISTEN:/tmp/passt_1.socket,fork OPEN:/dev/null &
LISTENER=$!
wait_for 5 test -S /tmp/passt_1.socket

start_passt
if grep -q "bound at /tmp/passt_2.socket" "$WORK/passt.log" &&
   test -S /tmp/passt_2.socket; then
	pass probe_skips_listening_socket
else
	fail probe_skips_listening_socket "$(head -c 300 "$WORK/passt.log")"
fi
if grep -q "addr.path=/tmp/passt_2.socket" "$WORK/passt.log"; then
	pass probe_prints_qemu_command_line
else
	fail probe_prints_qemu_command_line "no qemu line in log"
fi

stop_passt
# Removed by a helper process outside the sandbox, once passt is gone
if wait_for 5 test ! -e /tmp/passt_2.socket; then
	pass socket_removed_at_exit
else
	fail socket_removed_at_exit "/tmp/passt_2.socket still there"
fi

# Stale: the listener dies without cleaning up its socket file
kill -9 "$LISTENER"
wait "$LISTENER" 2>/dev/null
if [ -S /tmp/passt_1.socket ]; then
	start_passt
	if grep -q "bound at /tmp/passt_1.socket" "$WORK/passt.log"; then
		pass probe_reuses_stale_socket
	else
		fail probe_reuses_stale_socket \
			"$(head -c 300 "$WORK/passt.log")"
	fi
	stop_passt
else
	fail probe_reuses_stale_socket "no stale file left by socat"
fi

# A passt with -1 waiting for its guest on passt_1 isn't disturbed (a
# probe connecting to it would look like its one guest, come and gone)
rm -f /tmp/passt_1.socket
"$PASST" -f -1 -s /tmp/passt_1.socket >"$WORK/one-off.log" 2>&1 &
ONE_OFF=$!
wait_for 5 test -S /tmp/passt_1.socket
start_passt
# start_passt waited for the bind, after the probes. The sleep is the
# measure: a probe's connection to the one-off, already made, would be
# accepted and logged by it within half a second (it's alive, checked below)
sleep 0.5
if grep -q "bound at /tmp/passt_2.socket" "$WORK/passt.log" &&
   kill -0 "$ONE_OFF" 2>/dev/null &&
   ! grep -q "Accepted connection" "$WORK/one-off.log"; then
	pass probe_leaves_one_off_passt_alone
else
	fail probe_leaves_one_off_passt_alone "$(tail -n 2 "$WORK/one-off.log")"
fi
stop_passt
kill "$ONE_OFF"
wait "$ONE_OFF" 2>/dev/null
wait_for 5 test ! -e /tmp/passt_1.socket

# A file that isn't a socket is never removed
echo data > /tmp/passt_1.socket
start_passt
if grep -q "bound at /tmp/passt_2.socket" "$WORK/passt.log" &&
   [ "$(cat /tmp/passt_1.socket)" = data ]; then
	pass probe_leaves_regular_file
else
	fail probe_leaves_regular_file "$(head -c 300 "$WORK/passt.log")"
fi
stop_passt
