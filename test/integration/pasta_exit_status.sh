#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# pasta spawning a command: the command starts only once the tap device
# exists, runs as root in its new user namespace with the terminal's
# standard streams, and pasta exits with its exit status (128 + signal
# number if it was killed, 127 if it can't be started), staying in the
# foreground even without -f. If pasta is terminated, the command goes too.
# The command is PID 1 of its own PID namespace, under an intermediate
# process that relays signals and its exit status: signals it sends itself
# are ignored there, so the tests signal it from outside, or crash it.

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
# A crash (a signal the kernel forces, even on PID 1)
status_is exit_status_signal_segv 139 "$PASTA" -q -f -- python3 -c \
	'import ctypes; ctypes.string_at(0)'
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

# grandchild PASTA_PID NAME: PID of the command NAME pasta spawned (the
# child of its child)
grandchild() {
	local p
	for p in $(pgrep -P "$1"); do
		pgrep -P "$p" -x "$2" && return 0
	done
	return 1
}

# SIGKILL to the command, from outside: pasta exits with 128 + 9
"$PASTA" -q -f -- sleep 300 > "$WORK/out" 2>&1 &
pasta_pid=$!
PIDS="$pasta_pid"
if wait_for 5 grandchild "$pasta_pid" sleep; then
	kill -KILL "$(grandchild "$pasta_pid" sleep)"
	wait "$pasta_pid"
	rc=$?
	if [ "$rc" -eq 137 ]; then
		pass exit_status_signal_kill
	else
		fail exit_status_signal_kill "status $rc, expected 137"
	fi
else
	fail exit_status_signal_kill "command didn't start: $(cat "$WORK/out")"
fi

# SIGTERM to the intermediate process: relayed to the command, which
# handles it (as PID 1, it only gets the signals it handles)
"$PASTA" -q -f -- sh -c 'trap "exit 9" TERM; touch '"$WORK/trap"'
	while :; do sleep 0.1; done' > "$WORK/out" 2>&1 &
pasta_pid=$!
PIDS="$pasta_pid"
if wait_for 5 grandchild "$pasta_pid" sh && wait_for 5 test -e "$WORK/trap"
then
	kill -TERM "$(ps -o ppid= -p "$(grandchild "$pasta_pid" sh)")"
	wait "$pasta_pid"
	rc=$?
	if [ "$rc" -eq 9 ]; then
		pass signal_relayed_to_command
	else
		fail signal_relayed_to_command "status $rc, expected 9"
	fi
else
	fail signal_relayed_to_command "command didn't start: $(cat "$WORK/out")"
fi

# SIGTERM to pasta: pasta exits, and the command with it
"$PASTA" -q -f -- sleep 300 &
pasta_pid=$!
PIDS="$pasta_pid"
if wait_for 5 grandchild "$pasta_pid" sleep; then
	child=$(grandchild "$pasta_pid" sleep)
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
