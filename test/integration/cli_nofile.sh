#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# -t all and exclusion-only specifications under a low soft open file limit
# (1024) with a higher hard one (65536, or the hard limit we run with if
# lower: only the real root can raise it): the soft limit is raised to the
# hard one at start. Ports that still don't fit are skipped with one clear
# warning, and nothing fails after it (no error from the sandbox steps,
# which read /proc); explicit port ranges that don't fit are an error of
# one line instead.
source "$(dirname "$0")/../lib.sh"


trap 'kill $NET_PID 2>/dev/null' EXIT

HARD=$(ulimit -Hn)
[ "$HARD" = unlimited ] || [ "$HARD" -gt 65536 ] && HARD=65536
# TCP and UDP listeners of -t all fit under 65536, minus the reserve (1/8)
FITS=$((HARD >= 65536))

# lowlimit CMD...: exec CMD with soft limit 1024, hard limit $HARD (in the
# background: $! is then CMD's PID)
lowlimit() {
	exec prlimit --nofile=1024:"$HARD" -- "$@"
}

# forwarded NAME PORT: a TCP listener on PORT (passt's) exists
forwarded() {
	ss -ltnH "sport = :$1" | grep -q LISTEN
}

# passt -t all: TCP and UDP (copied) need some 74600 sockets
lowlimit "$PASST" -f -s "$WORK/all.sock" -t all >"$WORK/all.out" \
	2>"$WORK/all.err" &
NET_PID=$!
if wait_for 20 test -S "$WORK/all.sock" && wait_for 20 forwarded 5000 &&
   forwarded 22; then
	pass all_runs_tcp_forwarded
else
	fail all_runs_tcp_forwarded "$(head -c 300 "$WORK/all.err")"
fi
# Far more than the soft limit: every non-ephemeral TCP port if it fits
n=$(ss -ltnH | grep -c LISTEN)
if [ "$n" -ge $((FITS ? 30000 : HARD / 3)) ]; then
	pass all_most_tcp_ports
else
	fail all_most_tcp_ports "$n listening"
fi
warn=$(grep -c "open file limit" "$WORK/all.err")
other=$(grep -v "open file limit" "$WORK/all.err" |
	grep -ciE "error|can't|failed|not permitted|too many")
if [ "$warn" -eq 1 ] && [ "$other" -eq 0 ] &&
   grep -Eq "[0-9]+ TCP and [0-9]+ UDP listening sockets needed.* \
open file limit of $HARD .*: [0-9]+ ports not forwarded" "$WORK/all.err"
then
	pass all_one_clear_line
else
	fail all_one_clear_line "$(head -c 600 "$WORK/all.err" | tr '\n' '|')"
fi
if kill -0 "$NET_PID" 2>/dev/null; then
	pass all_still_running
else
	fail all_still_running "$(tail -n 3 "$WORK/all.err")"
fi
kill "$NET_PID"; wait "$NET_PID" 2>/dev/null

# What fits, fits silently: TCP alone under 65536, or a range
if [ "$FITS" = 1 ]; then
	spec=all
	port=30000
else
	spec=1-$((HARD / 2))
	port=$((HARD / 2))
fi
lowlimit "$PASST" -f -s "$WORK/tcp.sock" -t "$spec" -u none \
	>/dev/null 2>"$WORK/tcp.err" &
NET_PID=$!
if wait_for 20 test -S "$WORK/tcp.sock" && wait_for 20 forwarded "$port" &&
   ! grep -qiE "limit|error|can.t" "$WORK/tcp.err"; then
	pass tcp_fits_silently
else
	fail tcp_fits_silently "-t $spec: $(ss -ltnH | wc -l) listening: \
		$(grep -viE "^ |:$" "$WORK/tcp.err" | tail -n 4 | tr '\n' '|')"
fi
kill "$NET_PID"; wait "$NET_PID" 2>/dev/null

# pasta, exclusions only: all but 5000-5010, from the namespace
lowlimit "$PASTA" -f -t '~5000-5010' -u none -T none -U none -- \
	sh -c 'echo ran > '"$WORK"'/ran; exec sleep 600' \
	>/dev/null 2>"$WORK/excl.err" &
NET_PID=$!
if wait_for 20 test -s "$WORK/ran" && wait_for 20 forwarded 4999 &&
   forwarded 5011 &&
   ! forwarded 5005 && ! grep -iE "error|can't|fail" "$WORK/excl.err" &&
   [ "$(grep -c "open file limit" "$WORK/excl.err")" -eq $((1 - FITS)) ]
then
	pass exclusions_work
else
	fail exclusions_work "$(grep -iE "error|can't|fail|limit" \
				"$WORK/excl.err" | head -c 600)"
fi
kill "$NET_PID"; wait "$NET_PID" 2>/dev/null

# Explicit ranges needing more than the hard limit: one line, status 1
prlimit --nofile=1024:4096 -- "$PASST" -f -s "$WORK/x.sock" \
	-t 1000-30000 -u none >/dev/null 2>"$WORK/explicit.err"
rc=$?
if [ $rc -eq 1 ] && [ "$(wc -l < "$WORK/explicit.err")" -eq 1 ] &&
   grep -q "29001 TCP and 0 UDP listening sockets needed.*open file limit \
of 4096" "$WORK/explicit.err"; then
	pass explicit_too_many_one_line
else
	fail explicit_too_many_one_line \
		"status $rc: $(head -c 300 "$WORK/explicit.err")"
fi
