#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Without -f, passt returns at once and keeps running detached: the PID file
# names the running process, which leads its own session and isn't our
# child; -d -l sends debug messages to the log file; SIGTERM ends it cleanly.

source "$(dirname "$0")/../lib.sh"

sock="$WORK/sock" pidfile="$WORK/passt.pid" log="$WORK/passt.log"

start=$(date +%s%N)
timeout 10 "$PASST" -s "$sock" -P "$pidfile" -l "$log" -d \
	> "$WORK/out" 2>&1
rc=$?
elapsed_ms=$(( ($(date +%s%N) - start) / 1000000 ))
if [ $rc -eq 0 ] && [ $elapsed_ms -lt 5000 ]; then
	pass daemon_returns_promptly
else
	fail daemon_returns_promptly "status $rc after ${elapsed_ms} ms:" \
		"$(tail -n 3 "$WORK/out" | tr '\n' ' ')"
	exit 1
fi

pid=$(cat "$pidfile" 2>/dev/null)
if [[ $pid =~ ^[0-9]+$ ]] && kill -0 "$pid" 2>/dev/null &&
   [ "$(cat "/proc/$pid/comm")" = passt ]; then
	pass pidfile_names_running_process
else
	fail pidfile_names_running_process "PID file has '$pid'"
	exit 1
fi

# Detached: its own session, and its parent is init or a subreaper, not us
sid=$(ps -o sid= -p "$pid" | tr -d ' ')
ppid=$(ps -o ppid= -p "$pid" | tr -d ' ')
if [ "$sid" = "$pid" ] && [ "$ppid" != "$$" ] &&
   ! pgrep -P "$$" -x passt >/dev/null; then
	pass daemon_detached
else
	fail daemon_detached "sid $sid, ppid $ppid, shell $$"
fi

# Standard streams of the daemon point to /dev/null, not our terminal: the
# null device (1:3), as the sandbox's empty root hides its path
null_dev() {
	[ "$(stat -L -c %F:%t:%T "/proc/$pid/fd/$1")" = \
	  "character special file:1:3" ]
}
if null_dev 0 && null_dev 1 && null_dev 2; then
	pass daemon_streams_on_dev_null
else
	fail daemon_streams_on_dev_null "$(readlink "/proc/$pid/fd/2")"
fi

if wait_for 5 test -S "$sock"; then
	pass daemon_listens_on_socket
else
	fail daemon_listens_on_socket "no socket at $sock"
fi

# The log file has messages, every line timestamped and complete
if [ -s "$log" ] && ! grep -qvE '^[0-9]+\.[0-9]{3}: ' "$log" &&
   [ "$(tail -c 1 "$log" | od -An -c | tr -d ' ')" = '\n' ]; then
	pass log_file_has_messages
else
	fail log_file_has_messages "$(head -n 3 "$log" | tr '\n' ' ')"
fi

# -d adds debug messages to the file: compare with a run without -d
"$PASST" -s "$WORK/sock2" -P "$WORK/pid2" -l "$WORK/plain.log" \
	> /dev/null 2>&1
plain_pid=$(cat "$WORK/pid2" 2>/dev/null)
extra=$(grep -vxF -f <(sed 's/^[0-9.]*: //' "$WORK/plain.log") \
	<(sed 's/^[0-9.]*: //' "$log") | grep -v '^Exiting')
if [ -s "$WORK/plain.log" ] && [ -n "$extra" ]; then
	pass log_file_gets_debug_with_d
else
	fail log_file_gets_debug_with_d "no lines beyond those without -d"
fi
[ -n "$plain_pid" ] && kill "$plain_pid" 2>/dev/null

kill -TERM "$pid"
if wait_for 5 sh -c "! kill -0 $pid"; then
	pass sigterm_exits
else
	fail sigterm_exits "still running after 5 s"
	kill -KILL "$pid" 2>/dev/null
fi

if wait_for 2 grep -q 'Exiting on signal 15' "$log"; then
	pass sigterm_logged
else
	fail sigterm_logged "$(tail -n 2 "$log" | tr '\n' ' ')"
fi
