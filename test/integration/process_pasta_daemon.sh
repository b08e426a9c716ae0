#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# pasta attached to an existing namespace detaches like passt: without -f
# it returns at once, the PID file names the running process, its log file
# gets the messages, the namespace has its tap device, and SIGTERM ends it.

source "$(dirname "$0")/../lib.sh"

unshare --net sleep 600 &
target=$!
trap 'kill -9 $target ${pid:-} 2>/dev/null' EXIT
wait_for 5 sh -c "[ \"\$(readlink /proc/$target/ns/net)\" != \
	\"\$(readlink /proc/self/ns/net)\" ]"

pidfile="$WORK/pasta.pid" log="$WORK/pasta.log"
if timeout 10 "$PASTA" -P "$pidfile" -l "$log" "$target" \
	> "$WORK/out" 2>&1; then
	pass pasta_daemon_returns
else
	fail pasta_daemon_returns "$(tail -n 3 "$WORK/out" | tr '\n' ' ')"
	exit 1
fi

pid=$(cat "$pidfile" 2>/dev/null)
if [[ $pid =~ ^[0-9]+$ ]] && kill -0 "$pid" 2>/dev/null &&
   [ "$(cat "/proc/$pid/comm")" = pasta ] &&
   [ "$(ps -o sid= -p "$pid" | tr -d ' ')" = "$pid" ]; then
	pass pasta_pidfile_names_detached_process
else
	fail pasta_pidfile_names_detached_process "PID file has '$pid'"
	exit 1
fi

if wait_for 5 nsenter -t "$target" -n ip link show uplink; then
	pass pasta_daemon_tap_in_namespace
else
	fail pasta_daemon_tap_in_namespace "no tap device in the namespace"
fi

kill -TERM "$pid"
if wait_for 5 sh -c "! kill -0 $pid 2>/dev/null" &&
   wait_for 2 grep -q 'Exiting on signal 15' "$log"; then
	pass pasta_daemon_sigterm
else
	fail pasta_daemon_sigterm "$(tail -n 2 "$log" | tr '\n' ' ')"
fi
