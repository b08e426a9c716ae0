#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# pasta spawning a command: the command starts only once the tap device
# exists, runs as root in its new user namespace with the terminal's
# standard streams, and pasta exits with its exit status (128 + signal
# number if it was killed, 127 if it can't be started), staying in the
# foreground even without -f. If pasta is terminated, the command goes too.

source "$(dirname "$0")/../lib.sh"

PIDS=
cleanup() {
	local p
	for p in $PIDS; do kill -9 "$p" 2>/dev/null; done
	rm -rf "$WORK"
}
trap cleanup EXIT

# status_is NAME WANT COMMAND...: PASS if COMMAND exits with status WANT
status_is() {
	local name=$1 want=$2 rc
	shift 2
	timeout 20 "$@" > "$WORK/out" 2>&1
	rc=$?
	if [ "$rc" -eq "$want" ]; then
		pass "$name"
	else
		fail "$name" "status $rc, expected $want: $(tail -n 3 "$WORK/out" | tr '\n' ' ')"
	fi
}

status_is exit_status_of_command 7 "$PASTA" -q -f -- sh -c 'exit 7'
status_is exit_status_zero 0 "$PASTA" -q -f -- true
status_is exit_status_signal_term 143 "$PASTA" -q -f -- sh -c 'kill -TERM $$'
status_is exit_status_signal_kill 137 "$PASTA" -q -f -- sh -c 'kill -KILL $$'
status_is exit_status_command_not_found 127 "$PASTA" -q -f -- \
	/nonexistent/command
status_is exit_status_foreground_without_f 5 "$PASTA" -q -- sh -c 'exit 5'
status_is default_shell_from_SHELL 3 env SHELL=/bin/sh \
	sh -c 'echo "exit 3" | "$0" -q -f' "$PASTA"

# The command sees the tap at once (no waiting on our side), as root
out=$(timeout 20 "$PASTA" -q -f -- sh -c 'ip -o link show uplink; id -u' 2>&1)
if grep -q '^[0-9]*: uplink:' <<< "$out" && [ "$(tail -n 1 <<< "$out")" = 0 ]
then
	pass command_starts_after_tap_creation
else
	fail command_starts_after_tap_creation "$(echo "$out" | tr '\n' ';')"
fi

# Standard streams are passed through untouched
out=$(echo through-stdin | timeout 20 "$PASTA" -q -f -- sh -c \
	'read l; echo "out:$l"; echo "err:$l" >&2' 2> "$WORK/err")
if [ "$out" = "out:through-stdin" ] &&
   grep -qx 'err:through-stdin' "$WORK/err"; then
	pass command_standard_streams
else
	fail command_standard_streams "stdout '$out', stderr '$(cat "$WORK/err")'"
fi

# SIGTERM to pasta: pasta exits, and the command with it
"$PASTA" -q -f -- sleep 300 &
pasta_pid=$!
PIDS="$pasta_pid"
if wait_for 5 pgrep -P "$pasta_pid" -x sleep; then
	child=$(pgrep -P "$pasta_pid" -x sleep)
	PIDS="$PIDS $child"
	kill -TERM "$pasta_pid"
	if wait_for 5 sh -c "! kill -0 $pasta_pid 2>/dev/null" &&
	   wait_for 5 sh -c "! kill -0 $child 2>/dev/null"; then
		pass sigterm_ends_pasta_and_command
	else
		fail sigterm_ends_pasta_and_command "pasta or sleep still running"
	fi
else
	fail sigterm_ends_pasta_and_command "command didn't start"
fi

# Set-up failure (a tap device can't be called like the loopback one): one
# line naming the interface, status 1, and the command never runs
out=$(timeout 20 "$PASTA" -q -f -I lo -- touch "$WORK/ran" 2>&1)
rc=$?
if [ "$rc" -eq 1 ] && [ "$(wc -l <<< "$out")" -eq 1 ] &&
   grep -q 'lo' <<< "$out" && [ ! -e "$WORK/ran" ]; then
	pass setup_failure_command_not_started
else
	fail setup_failure_command_not_started "status $rc, ran: $([ -e "$WORK/ran" ] && echo yes || echo no), output: $out"
fi
