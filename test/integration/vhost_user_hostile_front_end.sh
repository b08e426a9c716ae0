#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# passt --vhost-user against a front end that lies: a small client
# (test/helpers/vhost_user_client.py) shares a memfd as guest memory and
# sends malformed messages (bad versions, sizes, region tables, queue
# indexes) and broken rings (descriptors outside guest memory, loops,
# indexes past the queue, bad indirect tables, buffers going the wrong
# way), one connection each. passt must log each, drop that front end and
# serve the next: an ARP request sent through the queues is answered before
# and after all of them.
source "$(dirname "$0")/../lib.sh"

SOCK=$WORK/passt.sock
LOG=$WORK/passt.log
trap 'kill $PASST_PID 2>/dev/null' EXIT

"$PASST" -f -d --vhost-user -s "$SOCK" </dev/null >"$LOG" 2>&1 &
PASST_PID=$!
if ! wait_for 5 test -S "$SOCK"; then
	fail vhost_user_hostile_start "no socket: $(tail -n 3 "$LOG")"
	exit 0
fi

python3 "$HELPERS/vhost_user_client.py" "$SOCK" "$LOG"

if kill -0 "$PASST_PID" 2>/dev/null; then
	pass vhost_user_hostile_passt_survives
else
	wait "$PASST_PID"
	why="passt exited with status $?: $(tail -n 3 "$LOG")"
	fail vhost_user_hostile_passt_survives "$(echo "$why" | tr '\n' ' ')"
fi
# Resetting queue state must never close descriptors that aren't ours
fd0=$(readlink "/proc/$PASST_PID/fd/0")
if [ "$fd0" = /dev/null ]; then
	pass vhost_user_front_ends_leave_other_fds_alone
else
	fail vhost_user_front_ends_leave_other_fds_alone "stdin is '$fd0'"
fi
# -1: the first front end is the only one
"$PASST" -f -1 --vhost-user -s "$WORK/one.sock" >"$WORK/one.log" 2>&1 &
ONE_PID=$!
connect_close='import socket, sys
s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); s.close()'
if wait_for 5 test -S "$WORK/one.sock" &&
   python3 -c "$connect_close" "$WORK/one.sock" &&
   wait_for 5 sh -c "! kill -0 $ONE_PID 2>/dev/null"; then
	wait "$ONE_PID"
	rc=$?
	if [ "$rc" -eq 0 ]; then
		pass vhost_user_one_off_exits_with_front_end
	else
		fail vhost_user_one_off_exits_with_front_end "exit status $rc"
	fi
else
	kill "$ONE_PID" 2>/dev/null
	why="still running: $(tail -n 2 "$WORK/one.log")"
	fail vhost_user_one_off_exits_with_front_end \
		"$(echo "$why" | tr '\n' ' ')"
fi

# --fd: a front end on a socket passt inherits, the only one it serves
fd_front_end='import socket, struct, subprocess, sys
a, b = socket.socketpair()
p = subprocess.Popen([sys.argv[1], "-f", "-q", "--vhost-user", "--fd",
		      str(b.fileno())], pass_fds=[b.fileno()])
b.close()
a.settimeout(5)
a.sendall(struct.pack("<III", 1, 1, 0))
r = a.recv(20)
feat = struct.unpack("<IIIQ", r)[3] if len(r) == 20 else 0
a.close()
rc = p.wait(timeout=5)
sys.exit(0 if feat & (1 << 32) and rc == 0 else 1)'
if python3 -c "$fd_front_end" "$PASST" >"$WORK/fd.log" 2>&1; then
	pass vhost_user_inherited_fd_served_then_exit
else
	fail vhost_user_inherited_fd_served_then_exit \
		"$(tail -n 2 "$WORK/fd.log" | tr '\n' ' ')"
fi

# What libvirt asks a vhost-user back end before starting it
caps=$("$PASST" --print-capabilities 2>&1 | tr -d ' \n')
if [ "$caps" = '{"type":"net"}' ]; then
	pass vhost_user_print_capabilities
else
	fail vhost_user_print_capabilities "printed '$caps'"
fi

echo "--- passt log"
grep "vhost-user" "$LOG" | tail -n 40
