#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Once in the background, passt logs to the system logger (/dev/log), with
# its name as identity; with -d it doesn't (as documented), and with -l
# messages go to the file instead. /dev/log is a socket of our own here:
# /dev is replaced by a tmpfs holding it and /dev/null, in the sandbox's
# mount namespace.

source "$(dirname "$0")/../lib.sh"

PIDS=
trap 'kill $PIDS 2>/dev/null' EXIT

touch "$WORK/null"
mount --bind /dev/null "$WORK/null"
mount -t tmpfs sandbox-dev /dev
touch /dev/null
mount --bind "$WORK/null" /dev/null

# The system logger: every datagram on /dev/log, one line each
python3 -c '
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind("/dev/log")
out = open(sys.argv[1], "a", buffering=1)
while True:
    out.write(s.recv(4096).decode(errors="replace").rstrip("\n") + "\n")
' "$WORK/syslog" &
PIDS="$PIDS $!"
wait_for 5 test -S /dev/log

# run_daemon NAME OPTION...: passt in the background; a client connects
# and leaves, which passt logs ("waiting for a new one")
run_daemon() {
	local sock=$WORK/$1.sock
	shift
	"$PASST" -s "$sock" -P "$WORK/pid" "$@" 2>/dev/null || return 1
	PIDS="$PIDS $(cat "$WORK/pid")"
	"$HELPERS/sockclient" -t 1 "$sock" </dev/null >/dev/null 2>&1
	sleep 0.5
}

: > "$WORK/syslog"
run_daemon plain
if wait_for 5 grep -q "passt.*waiting for a new one" "$WORK/syslog"; then
	pass daemon_logs_to_syslog
else
	fail daemon_logs_to_syslog "syslog: $(tail -n 2 "$WORK/syslog")"
fi

: > "$WORK/syslog"
run_daemon debug -d
sleep 0.5
if [ ! -s "$WORK/syslog" ]; then
	pass debug_daemon_not_to_syslog
else
	fail debug_daemon_not_to_syslog "$(head -n 2 "$WORK/syslog")"
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
