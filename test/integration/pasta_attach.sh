#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# pasta joining existing namespaces: by PID (its network namespace, and its
# user namespace when that differs from ours), or by --netns NAME or PATH
# (netns-only). The tap device appears there, loopback comes up, and pasta
# exits by itself once the process ends or the bound namespace file is
# removed, unless --no-netns-quit is given.

source "$(dirname "$0")/../lib.sh"

PIDS=
cleanup() {
	local p
	for p in $PIDS; do kill -9 "$p" 2>/dev/null; done
	ip netns del pt1 2>/dev/null
	ip netns del pt2 2>/dev/null
	rm -rf "$WORK"
}
trap cleanup EXIT

# start_target [UNSHARE_OPTION...]: sleeping process in new namespaces,
# sets TARGET once it runs there
start_target() {
	unshare "$@" --net sleep 600 &
	TARGET=$!
	PIDS="$PIDS $TARGET"
	wait_for 5 sh -c "[ \"\$(readlink /proc/$TARGET/ns/net)\" != \
		\"\$(readlink /proc/self/ns/net)\" ]"
}

# gone_within SECONDS PID: wait for PID to end, 0 if it did
gone_within() {
	wait_for "$1" sh -c "! kill -0 $2 2>/dev/null"
}

# tap_in NAME PID: PASS if PID's network namespace has an "uplink" tap
# and loopback is up there
tap_in() {
	local out

	if ! wait_for 5 nsenter -t "$2" -n ip link show uplink; then
		fail "$1" "no tap device in the target namespace"
		return 1
	fi
	out=$(nsenter -t "$2" -n ip -o link show 2>&1)
	if grep -qE '^[0-9]+: uplink: ' <<< "$out" &&
	   grep -qE '^1: lo: <[^>]*\bUP\b' <<< "$out"; then
		pass "$1"
		return 0
	fi
	fail "$1" "$(echo "$out" | tr '\n' ';')"
	return 1
}

# By PID, same user namespace as ours
start_target
"$PASTA" -q -f "$TARGET" > "$WORK/log" 2>&1 &
pasta=$!
PIDS="$PIDS $pasta"
tap_in attach_pid_creates_tap "$TARGET"
kill "$TARGET"
if gone_within 5 "$pasta"; then
	wait "$pasta"
	rc=$?
	if [ "$rc" -eq 0 ]; then
		pass attach_pid_exits_when_process_ends
	else
		fail attach_pid_exits_when_process_ends "exit status $rc"
	fi
else
	fail attach_pid_exits_when_process_ends "still running after 5 s"
fi

# By PID, in a user namespace of its own: joined, --config-net works there
start_target --user --map-root-user
"$PASTA" -q -f --config-net "$TARGET" > "$WORK/log" 2>&1 &
pasta=$!
PIDS="$PIDS $pasta"
if tap_in attach_pid_other_userns "$TARGET"; then
	out=$(nsenter -t "$TARGET" -n ip -o addr show dev uplink 2>&1)
	if grep -q ' inet 192\.0\.2\.2/24 ' <<< "$out"; then
		pass attach_pid_config_net
	else
		fail attach_pid_config_net "$(echo "$out" | tr '\n' ';')"
	fi
else
	fail attach_pid_config_net "no tap device: $(cat "$WORK/log")"
fi
kill "$TARGET"
gone_within 5 "$pasta" || fail attach_pid_other_userns_exit "still running"

# --userns and --netns as paths, procfs ones: joined, and watched by timer
start_target --user --map-root-user
"$PASTA" -q -f --userns "/proc/$TARGET/ns/user" \
	--netns "/proc/$TARGET/ns/net" > "$WORK/log" 2>&1 &
pasta=$!
PIDS="$PIDS $pasta"
tap_in attach_userns_netns_paths "$TARGET"
kill "$TARGET"
if gone_within 5 "$pasta"; then
	pass attach_procfs_netns_path_exits
else
	fail attach_procfs_netns_path_exits "still running after 5 s"
fi

# control_start NAME TARGET...: a second pasta, without --no-netns-quit,
# attached to TARGET with a tap called "control", in CONTROL. Once it has
# seen the namespace go and exited, the one under test had as much time to
# (a clock that runs as long as pasta's own check, instead of a sleep)
control_start() {
	local name=$1
	shift
	"$PASTA" -q -f -I control "$@" > "$WORK/log.control" 2>&1 &
	CONTROL=$!
	PIDS="$PIDS $CONTROL"
	[ "$1" = --netns ] && set -- "$2"
	if [[ $1 == [0-9]* ]]; then
		wait_for 5 nsenter -t "$1" -n ip link show control
	else
		wait_for 5 ip netns exec "$1" ip link show control
	fi || fail "$name" "control pasta: no tap: $(cat "$WORK/log.control")"
}

# still_running NAME PID: PASS if the control pasta exited and PID didn't
still_running() {
	if ! gone_within 10 "$CONTROL"; then
		fail "$1" "the control pasta didn't exit either"
	elif kill -0 "$2" 2>/dev/null; then
		pass "$1"
	else
		fail "$1" "exited: $(cat "$WORK/log")"
	fi
}

# --no-netns-quit: keeps running after the process is gone
start_target
"$PASTA" -q -f --no-netns-quit "$TARGET" > "$WORK/log" 2>&1 &
pasta=$!
PIDS="$PIDS $pasta"
tap_in attach_no_netns_quit_tap "$TARGET" > /dev/null
control_start no_netns_quit_keeps_running "$TARGET"
kill "$TARGET"
still_running no_netns_quit_keeps_running "$pasta"
kill "$pasta"

# --netns NAME (/run/netns/NAME): exit once "ip netns del" removes it
ip netns add pt1
"$PASTA" -q -f --netns pt1 > "$WORK/log" 2>&1 &
pasta=$!
PIDS="$PIDS $pasta"
if wait_for 5 ip netns exec pt1 ip link show uplink; then
	pass attach_netns_name_creates_tap
else
	fail attach_netns_name_creates_tap "no tap: $(cat "$WORK/log")"
fi
ip netns del pt1
if gone_within 5 "$pasta"; then
	pass attach_netns_exits_when_removed
else
	fail attach_netns_exits_when_removed "still running after 5 s"
fi

# --netns PATH, with --no-netns-quit: stays
ip netns add pt2
"$PASTA" -q -f --netns /run/netns/pt2 --no-netns-quit > "$WORK/log" 2>&1 &
pasta=$!
PIDS="$PIDS $pasta"
if wait_for 5 ip netns exec pt2 ip link show uplink; then
	pass attach_netns_path_creates_tap
else
	fail attach_netns_path_creates_tap "no tap: $(cat "$WORK/log")"
fi
control_start attach_netns_no_netns_quit --netns pt2
ip netns del pt2
still_running attach_netns_no_netns_quit "$pasta"
kill "$pasta"

# No inotify instance to be had: pasta falls back to the timer for a bound
# namespace file, and still exits once it's removed
ip netns add pt3
limit=/proc/sys/fs/inotify/max_user_instances
saved=$(cat $limit)
echo 0 > $limit
"$PASTA" -f --netns pt3 > "$WORK/log" 2>&1 &
pasta=$!
PIDS="$PIDS $pasta"
# The tap comes before the attempt at inotify: wait for the attempt itself
# before giving the limit back
wait_for 5 grep -q "Can't create inotify instance" "$WORK/log"
echo "$saved" > $limit
if grep -q "Can't create inotify instance" "$WORK/log"; then
	ip netns del pt3
	if gone_within 5 "$pasta"; then
		pass attach_netns_timer_without_inotify
	else
		fail attach_netns_timer_without_inotify "still running after 5 s"
	fi
else
	ip netns del pt3
	fail attach_netns_timer_without_inotify "$(tail -n 3 "$WORK/log")"
fi
