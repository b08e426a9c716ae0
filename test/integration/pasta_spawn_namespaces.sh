#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The command pasta spawns is the whole world of its namespaces: it runs as
# PID 1 of a new PID namespace (with a /proc of its own), in new UTS, IPC
# and mount namespaces and in a session of its own. What it leaves running
# goes when it exits, and what it signals can't reach the caller's process
# group. Echo ("ping") sockets work in the namespace, for the users mapped
# in it.

source "$(dirname "$0")/../lib.sh"

PIDS=
cleanup() {
	local p
	for p in $PIDS; do kill -9 "$p" 2>/dev/null; done
	pkill -9 -x pasta_ns_sleep 2>/dev/null
	rm -rf "$WORK"
}
trap cleanup EXIT

# A sleep that only this test runs, to look for
SLEEP="$WORK/pasta_ns_sleep"
cp "$(command -v sleep)" "$SLEEP"

# The command is PID 1, and ps inside shows the namespace's processes only
out=$(timeout 20 "$PASTA" -q -f -- sh -c 'echo "pid $$"; ps -e -o pid=' 2>&1)
if grep -qx 'pid 1' <<< "$out" &&
   [ "$(grep -cE '^ *[0-9]+$' <<< "$out")" -eq 2 ]; then
	pass command_is_pid_1
else
	fail command_is_pid_1 "$(echo "$out" | tr '\n' ';')"
fi

# New PID, UTS, IPC and mount namespaces
inside=$(timeout 20 "$PASTA" -q -f -- sh -c \
	'for n in pid uts ipc mnt; do readlink /proc/self/ns/$n; done' 2>&1)
outside=$(for n in pid uts ipc mnt; do readlink /proc/self/ns/$n; done)
same=
for n in pid uts ipc mnt; do
	i=$(grep "^$n:" <<< "$inside")
	if [ -z "$i" ] || [ "$i" = "$(grep "^$n:" <<< "$outside")" ]; then
		same="$same $n"
	fi
done
if [ -z "$same" ]; then
	pass command_own_pid_uts_ipc_mnt_namespaces
else
	fail command_own_pid_uts_ipc_mnt_namespaces "same as outside:$same ($(echo "$inside" | tr '\n' ' '))"
fi

# A session of its own
out=$(timeout 20 "$PASTA" -q -f -- sh -c 'ps -o sid= -p $$' 2>&1)
if [ "$(tr -d ' ' <<< "$out")" = 1 ]; then
	pass command_own_session
else
	fail command_own_session "session: $out"
fi

# Background jobs go with the command
timeout 20 "$PASTA" -q -f -- sh -c "\"$SLEEP\" 1000 & echo started" \
	> "$WORK/out" 2>&1
rc=$?
if [ "$rc" -ne 0 ] || ! grep -qx started "$WORK/out"; then
	fail background_jobs_end_with_command "status $rc: $(cat "$WORK/out")"
elif wait_for 5 sh -c '! pgrep -x pasta_ns_sleep > /dev/null'; then
	pass background_jobs_end_with_command
else
	fail background_jobs_end_with_command "still running: $(pgrep -ax pasta_ns_sleep)"
fi

# kill 0 in the command reaches its own process group, not the caller's:
# the caller here is a shell in a process group of its own (so that a
# failure can't hit the test itself), with a marker process in that group
setsid bash -c '"$1" 300 & echo $! > "$2/marker"
	"$3" -q -f -- sh -c "kill -TERM 0; echo sent" > "$2/out" 2>&1' \
	- "$SLEEP" "$WORK" "$PASTA" &
wait $!
marker=$(cat "$WORK/marker" 2>/dev/null)
PIDS="$marker"
if [ -n "$marker" ] && kill -0 "$marker" 2>/dev/null &&
   grep -qx sent "$WORK/out"; then
	pass kill_0_stays_in_namespace
else
	fail kill_0_stays_in_namespace "caller's group signalled, or command failed: $(cat "$WORK/out")"
fi

# ping as a user other than root: only root is mapped in pasta's user
# namespace, so the user (1000) lives in a nested one, mapped to that root,
# and without CAP_NET_RAW over the network namespace: it needs ping sockets
out=$(timeout 20 "$PASTA" -q -f --config-net -- \
	unshare --map-user=1000 --map-group=1000 -- \
	sh -c 'id -u; ping -c1 -W5 192.0.2.1' 2>&1)
if [ "$(head -n 1 <<< "$out")" = 1000 ] &&
   grep -q '1 packets transmitted, 1 received' <<< "$out"; then
	pass ping_as_user_in_namespace
else
	fail ping_as_user_in_namespace "$(echo "$out" | tr '\n' ';')"
fi

# On a terminal pasta is the foreground job of, the command is the
# foreground process group instead (a shell keeps job control), and the
# caller gets the terminal back afterwards, even without job control
cat > "$WORK/fg.sh" << 'FG'
[ "$(ps -o tpgid= -p "$1" | tr -d ' ')" = \
  "$(ps -o pgid= -p "$1" | tr -d ' ')" ] && echo "$2"
FG
cat > "$WORK/tty.sh" << TTY
"$PASTA" -q -f -- sh "$WORK/fg.sh" 1 command_foreground
sh "$WORK/fg.sh" \$\$ caller_foreground
TTY
out=$(timeout 20 script -qec "sh $WORK/tty.sh" /dev/null < /dev/null \
	2>&1 | tr -d '\r')
if grep -qx command_foreground <<< "$out"; then
	pass command_terminal_foreground
else
	fail command_terminal_foreground "$(echo "$out" | tr '\n' ';')"
fi
if grep -qx caller_foreground <<< "$out"; then
	pass terminal_back_to_caller
else
	fail terminal_back_to_caller "$(echo "$out" | tr '\n' ';')"
fi
