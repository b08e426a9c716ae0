#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Once in the background, passt logs to the system logger (/dev/log), with
# its name as identity; with -d it doesn't (as documented), and with -l
# messages go to the file instead. /dev/log is a socket of our own here:
# /dev is replaced by a tmpfs holding it and /dev/null, in the sandbox's
# mount namespace. Records have the form "<PRI>IDENT[PID]: message", with
# the daemon facility; when the log socket is recreated (the log daemon
# restarted), later records reach it again, and the ones that couldn't be
# delivered meanwhile are counted and reported, not lost silently.

source "$(dirname "$0")/../lib.sh"

PIDS=
LOGGER=
trap 'kill $PIDS $LOGGER 2>/dev/null' EXIT

touch "$WORK/null"
mount --bind /dev/null "$WORK/null"
mount -t tmpfs sandbox-dev /dev
touch /dev/null
mount --bind "$WORK/null" /dev/null

# logger_start: the system logger, every datagram on /dev/log one line each
logger_start() {
	rm -f /dev/log
	python3 -c '
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind("/dev/log")
out = open(sys.argv[1], "a", buffering=1)
while True:
    out.write(s.recv(4096).decode(errors="replace").rstrip("\n") + "\n")
' "$WORK/syslog" &
	LOGGER=$!
	wait_for 5 test -S /dev/log
}

# logger_stop: the system logger goes away, its socket with it
logger_stop() {
	kill "$LOGGER"
	wait "$LOGGER" 2>/dev/null
	LOGGER=
	rm -f /dev/log
}

logger_start

# run_daemon NAME OPTION...: passt in the background; a client connects
# and leaves, which passt logs ("waiting for a new one")
run_daemon() {
	local sock=$WORK/$1.sock
	shift
	"$PASST" -s "$sock" -P "$WORK/pid" "$@" 2>/dev/null || return 1
	PIDS="$PIDS $(cat "$WORK/pid")"
	client "$sock"
	return 0
}

# client SOCKET: connect to passt and leave at once, which passt logs
client() {
	"$HELPERS/sockclient" -t 1 "$1" </dev/null >/dev/null 2>&1
}

# client_greeted SOCKET: connect, and passt sends frames (its greeting to a
# new guest): it runs, and it has dealt with any client before, the logging
# of that one's departure included
client_greeted() {
	"$HELPERS/sockclient" -l -t 1 "$1" </dev/null 2>/dev/null |
		grep -q '^[0-9]'
}

# syslog_flushed: a marker datagram of our own reaches the capture, so that
# whatever reached /dev/log before it is there too (one queue, in order)
syslog_flushed() {
	local m="syslog-marker-$RANDOM"
	python3 -c '
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.sendto(sys.argv[1].encode(), "/dev/log")
' "$m" && wait_for 5 grep -q "$m" "$WORK/syslog"
}

# client_logged SOCKET: connect and leave, then wait a little for the
# resulting record in the syslog capture
client_logged() {
	client "$1"
	wait_for 1 grep -q "waiting for a new one" "$WORK/syslog"
}

: > "$WORK/syslog"
run_daemon plain
if wait_for 5 grep -q "passt.*waiting for a new one" "$WORK/syslog"; then
	pass daemon_logs_to_syslog
else
	fail daemon_logs_to_syslog "syslog: $(tail -n 2 "$WORK/syslog")"
fi

# The exact format: facility daemon (3 << 3), level info (6), our name and
# PID, no timestamp (the log daemon adds its own)
pid=$(cat "$WORK/pid")
line=$(grep "waiting for a new one" "$WORK/syslog" | head -n 1)
if [ "$line" = \
     "<30>passt[$pid]: Client connection closed, waiting for a new one" ]; then
	pass syslog_record_format
else
	fail syslog_record_format "got: '$line' (pid $pid)"
fi

# The log daemon restarts: records logged while it's away are dropped and
# counted, later ones reach the new socket at the same path
logger_stop
client "$WORK/plain.sock"
client "$WORK/plain.sock"
: > "$WORK/syslog"
logger_start
if wait_for 10 client_logged "$WORK/plain.sock"; then
	pass syslog_reconnect
else
	fail syslog_reconnect "nothing logged after the log socket came back"
fi

if wait_for 5 grep -Eq "^<28>passt\[$pid\]: [1-9][0-9]* log records lost$" \
	     "$WORK/syslog"; then
	pass syslog_lost_records_reported
else
	fail syslog_lost_records_reported "syslog: $(head -n 3 "$WORK/syslog")"
fi

: > "$WORK/syslog"
kill "$pid"
if wait_for 5 grep -Eq \
	"^<30>passt\[$pid\]: Log: [1-9][0-9]* records not delivered" \
	"$WORK/syslog"; then
	pass syslog_lost_records_at_exit
else
	fail syslog_lost_records_at_exit "syslog: $(tail -n 3 "$WORK/syslog")"
fi

: > "$WORK/syslog"
# Silence counts only from a passt that started, runs, and got as far as
# logging the first client's departure (it greets a second one after that)
if ! run_daemon debug -d; then
	fail debug_daemon_not_to_syslog "passt -d didn't start"
elif ! kill -0 "$(cat "$WORK/pid")" || ! client_greeted "$WORK/debug.sock"
then
	fail debug_daemon_not_to_syslog "passt -d isn't running or answering"
elif ! syslog_flushed; then
	fail debug_daemon_not_to_syslog "the log capture doesn't work"
elif grep -v "syslog-marker-" "$WORK/syslog" | grep -q .; then
	fail debug_daemon_not_to_syslog "$(head -n 2 "$WORK/syslog")"
else
	pass debug_daemon_not_to_syslog
fi

: > "$WORK/syslog"
run_daemon file -l "$WORK/passt.log"
if wait_for 5 grep -q "waiting for a new one" "$WORK/passt.log" &&
   [ ! -s "$WORK/syslog" ]; then
	pass log_file_not_to_syslog
else
	fail log_file_not_to_syslog "file: $(tail -n 1 "$WORK/passt.log"), \
syslog: $(head -n 1 "$WORK/syslog")"
fi
