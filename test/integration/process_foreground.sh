#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# With -f, passt stays our child: the PID file holds the PID we started,
# messages go to standard error, and SIGTERM makes it exit with status 0.

source "$(dirname "$0")/../lib.sh"

sock="$WORK/sock" pidfile="$WORK/passt.pid"

"$PASST" -f -d -s "$sock" -P "$pidfile" > "$WORK/out" 2>&1 &
pid=$!

if wait_for 5 test -S "$sock" && wait_for 5 test -s "$pidfile" &&
   [ "$(cat "$pidfile")" = "$pid" ]; then
	pass foreground_pidfile_is_own_pid
else
	fail foreground_pidfile_is_own_pid \
	     "started $pid, PID file '$(cat "$pidfile" 2>/dev/null)'"
fi

if kill -0 "$pid" 2>/dev/null && [ -s "$WORK/out" ]; then
	pass foreground_logs_to_stderr
else
	fail foreground_logs_to_stderr "$(tail -n 3 "$WORK/out")"
fi

kill -TERM "$pid"
timeout 5 tail --pid="$pid" -f /dev/null
wait "$pid"
rc=$?
if [ $rc -eq 0 ]; then
	pass foreground_sigterm_exit_status
else
	fail foreground_sigterm_exit_status "exit status $rc"
fi

# A PID file that can't be created is an error at start-up, not later
"$PASST" -f -s "$WORK/sock2" -P /nonexistent/dir/pid > "$WORK/out2" 2>&1 &
bad=$!
if timeout 5 tail --pid="$bad" -f /dev/null; then
	wait "$bad"
	rc=$?
	if [ $rc -eq 1 ] && [ "$(wc -l < "$WORK/out2")" -ge 1 ] &&
	   grep -q '/nonexistent/dir/pid' "$WORK/out2"; then
		pass bad_pidfile_fails
	else
		fail bad_pidfile_fails \
		     "status $rc: $(tr '\n' ' ' < "$WORK/out2")"
	fi
else
	kill "$bad"
	fail bad_pidfile_fails "still running with an unwritable PID file"
fi

# --stats 1: event counters, at most once a second, only after events. A
# client connecting to the socket is one event (a listening socket's)
"$PASST" -f --stats 1 -s "$WORK/sock3" > "$WORK/out3" 2>&1 &
pid=$!
wait_for 5 test -S "$WORK/sock3"
# The silence is what is measured: one and a half --stats intervals with
# no event must print nothing (the same process prints once a client came)
sleep 1.5
n0=$(grep -c "Events:" "$WORK/out3")
"$HELPERS/sockclient" -t 1 "$WORK/sock3" </dev/null >/dev/null 2>&1
if wait_for 5 grep -q "Events: .*tap-listen 1" "$WORK/out3" &&
   [ "$n0" -eq 0 ]; then
	pass stats_printed_after_events
else
	fail stats_printed_after_events "before: $n0 lines; $(tail -n 2 \
"$WORK/out3" | tr '\n' ' ')"
fi
kill "$pid"
wait "$pid" 2>/dev/null
