#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# A guest TCP connection moved between two passt --vhost-user through
# TCP_REPAIR, each with its passt-repair helper, on one host (so the
# source runs with --migrate-no-linger), with 99 idle ones more:
# test/helpers/migrate_tcp_frames.py
# is the guest, writing its segments into the rings, and a host loopback
# server its peer; data both ways before and after, some of it
# unacknowledged or in flight during the move, every byte checked, no reset
# (the namespace's TcpOutRsts doesn't move). The save and load times, logged
# at debug level, are printed. The same with --migrate-exit, and A must
# exit; and with a connection from the host to a port A forwards (-t). Then the same with a source that keeps its
# sockets (the default): the target can't take the 4-tuples over, says so
# once and resets the guest's side; the peer sees no reset. And a target
# without passt-repair, or a source whose helper lacks the capability: one
# line, the guest's side reset.

source "$(dirname "$0")/../lib.sh"

REPAIR="$(dirname "$PASST")/passt-repair"
PIDS=
trap 'kill $PIDS 2>/dev/null' EXIT

# migrate_case DIR CONNS MODE [OPTION...] - passt A (with OPTION...) and B
# with their helpers (B none if MODE is nohelper, A's without capabilities
# if nocap) in DIR, then the guest moves from A to B
migrate_case() {
	local d=$1 conns=$2 mode=$3
	shift 3
	mkdir -p "$d"
	"$PASST" -f -d --vhost-user -s "$d/a.sock" "$@" \
		</dev/null >"$d/a.log" 2>&1 &
	A_PID=$!
	PIDS="$PIDS $!"
	"$PASST" -f -d --vhost-user -s "$d/b.sock" \
		</dev/null >"$d/b.log" 2>&1 &
	PIDS="$PIDS $!"
	if ! wait_for 5 test -S "$d/a.sock.repair" -a -S "$d/b.sock.repair"
	then
		fail migrate_tcp_setup "no repair sockets: $(tail -n 2 "$d"/*.log)"
		return
	fi
	if [ "$mode" = nocap ]; then
		setpriv --inh-caps=-all --bounding-set=-all \
			"$REPAIR" "$d/a.sock.repair" 2>"$d/ra.err" &
	else
		"$REPAIR" "$d/a.sock.repair" 2>"$d/ra.err" &
	fi
	PIDS="$PIDS $!"
	if [ "$mode" != nohelper ]; then
		"$REPAIR" "$d/b.sock.repair" 2>"$d/rb.err" &
		PIDS="$PIDS $!"
	fi
	if ! wait_for 5 grep -q "passt-repair connected" "$d/a.log" ||
	   { [ "$mode" != nohelper ] &&
	     ! wait_for 5 grep -q "passt-repair connected" "$d/b.log"; }; then
		fail migrate_tcp_setup "helpers not connected"
		return
	fi
	python3 "$HELPERS/migrate_tcp_frames.py" "$d/a.sock" "$d/a.log" \
		"$d/b.sock" "$d/b.log" "$PORT" "$conns" "$mode"
	PORT=$((PORT + 1))
}

PORT=45678
migrate_case "$WORK/moved" 100 moved --migrate-no-linger
grep -h "TCP connections \(saved\|loaded\) in" "$WORK"/moved/[ab].log
migrate_case "$WORK/exit" 1 exit --migrate-exit
if wait_for 5 sh -c "! kill -0 $A_PID 2>/dev/null" &&
   grep -q "exiting (--migrate-exit)" "$WORK/exit/a.log"; then
	pass migrate_tcp_exit_source_exits
else
	fail migrate_tcp_exit_source_exits "$(tail -n 2 "$WORK/exit/a.log")"
fi
migrate_case "$WORK/inbound" 1 inbound --migrate-no-linger -t "$PORT"
migrate_case "$WORK/busy" 3 busy
migrate_case "$WORK/nohelper" 3 nohelper --migrate-no-linger
migrate_case "$WORK/nocap" 3 nocap --migrate-no-linger
