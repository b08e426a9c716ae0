#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The sandbox, seen from outside: for a running passt (qemu socket and
# vhost-user, daemonised and in the foreground) and pasta (and pasta's
# namespace helper), as root in a user namespace and as an unprivileged
# user, /proc/PID shows the seccomp filter on, no_new_privs set, no
# capabilities (the helper: CAP_NET_BIND_SERVICE alone, as isolation.c
# says), mount, IPC, UTS and user namespaces (and for the daemon, PID) other
# than the launcher's, an empty root directory, and no descriptor we
# inherited.
# sandbox: map-users

source "$(dirname "$0")/../lib.sh"

if [ -n "${SANDBOX_USERS_SKIP:-}" ]; then
	skip isolation_sandbox "$SANDBOX_USERS_SKIP"
	exit 0
fi

# Inherited on purpose: passt must close it
exec 7</etc/passwd

# field PID NAME: a field of /proc/PID/status
field() {
	awk -v n="$2:" '$1 == n { print $2 }' "/proc/$1/status"
}

# filtered PID: the seccomp filter is on (the event loop is about to run)
filtered() {
	[ "$(field "$1" Seccomp)" = 2 ]
}

# ns_differs PID NS: the process is in another NS namespace than we are
ns_differs() {
	[ "$(readlink "/proc/$1/ns/$2")" != "$(readlink "/proc/self/ns/$2")" ]
}

# fds_clean PID: past standard streams, no descriptor but sockets, pipes,
# anonymous inodes, the tap device, the /proc/net tables and socket counts
# pasta reads for automatic forwarding and its network namespace; in
# particular not our fd 7
fds_clean() {
	local fd t
	for fd in /proc/"$1"/fd/*; do
		case ${fd##*/} in 0|1|2) continue ;; esac
		t=$(readlink "$fd") || continue
		case $t in
		socket:*|pipe:*|anon_inode:*|/dev/net/tun) ;;
		/proc/*/net/tcp|/proc/*/net/tcp6) ;;
		/proc/*/net/udp|/proc/*/net/udp6) ;;
		/proc/*/net/sockstat|/proc/*/net/sockstat6) ;;
		net:\[*\]) ;;	# pasta: to tell when its namespace is gone
		*) echo "fd $(basename "$fd") -> $t"; return 1 ;;
		esac
	done
}

# check_sandboxed NAME PID CAPS [pid]: assert everything on process PID;
# CAPS is the expected CapEff and CapBnd, "pid" asks for a PID namespace
check_sandboxed() {
	local name=$1 pid=$2 caps=$3 want_pidns=${4:-} why=
	local root

	[ "$(field "$pid" Seccomp)" = 2 ] || why="$why Seccomp=$(field "$pid" Seccomp)"
	[ "$(field "$pid" NoNewPrivs)" = 1 ] ||
		why="$why NoNewPrivs=$(field "$pid" NoNewPrivs)"
	[ "$(field "$pid" CapEff)" = "$caps" ] ||
		why="$why CapEff=$(field "$pid" CapEff)"
	[ "$(field "$pid" CapBnd)" = "$caps" ] ||
		why="$why CapBnd=$(field "$pid" CapBnd)"
	[ "$(field "$pid" CapPrm)" = "$caps" ] ||
		why="$why CapPrm=$(field "$pid" CapPrm)"
	for ns in mnt ipc uts user; do
		ns_differs "$pid" $ns || why="$why same-$ns"
	done
	if [ "$want_pidns" = pid ]; then
		ns_differs "$pid" pid || why="$why same-pid"
	fi
	root=$(ls -A "/proc/$pid/root/" 2>&1)
	[ -z "$root" ] || why="$why root:[$root]"
	fds_clean "$pid" >/dev/null || why="$why $(fds_clean "$pid")"

	if [ -z "$why" ]; then
		pass "$name"
	else
		fail "$name" "$why"
	fi
}

chmod 755 "$WORK"
echo "0 65535" > /proc/sys/net/ipv4/ping_group_range

NOCAPS=0000000000000000
BINDCAP=0000000000000400

for who in root nobody; do
	# Run as root (as is) or as nobody: setpriv execs, so $! is passt
	as=()
	[ $who = nobody ] &&
		as=(setpriv --reuid=65534 --regid=65534 --clear-groups --)
	dir=$WORK/$who
	mkdir -p "$dir"
	chmod 777 "$dir"

	# passt, daemonised: its own PID namespace too
	"${as[@]}" "$PASST" -s "$dir/d.sock" -P "$dir/d.pid" -q 2>"$dir/d.err"
	if wait_for 5 test -s "$dir/d.pid"; then
		pid=$(cat "$dir/d.pid")
		wait_for 5 filtered "$pid"
		check_sandboxed "passt_daemon_$who" "$pid" $NOCAPS pid
		kill "$pid"
	else
		fail "passt_daemon_$who" "didn't start: $(cat "$dir/d.err")"
	fi

	# passt in the foreground, qemu socket and vhost-user
	for be in stream vhost; do
		opt=
		[ $be = vhost ] && opt=--vhost-user
		"${as[@]}" "$PASST" -f -q $opt -s "$dir/$be.sock" \
			2>"$dir/$be.err" &
		pid=$!
		if wait_for 5 test -S "$dir/$be.sock" &&
		   wait_for 5 filtered "$pid"; then
			check_sandboxed "passt_${be}_$who" "$pid" $NOCAPS
		else
			fail "passt_${be}_$who" "didn't start: $(cat "$dir/$be.err")"
		fi
		kill "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
	done

	# pasta spawning a command; its helper keeps CAP_NET_BIND_SERVICE
	"${as[@]}" "$PASTA" -q --config-net -- sleep 60 2>"$dir/pasta.err" &
	pid=$!
	if wait_for 5 filtered "$pid"; then
		check_sandboxed "pasta_$who" "$pid" $NOCAPS
		helper=
		# (the other child, relaying for the command, has a child)
		for p in $(pgrep -P "$pid" -x pasta); do
			pgrep -P "$p" > /dev/null || helper=$p
		done
		if [ -n "$helper" ]; then
			check_sandboxed "pasta_helper_$who" "$helper" $BINDCAP
		else
			fail "pasta_helper_$who" "no helper process"
		fi
		# ...and the command runs, with a working network
		# (under an intermediate process: PID 1 of its namespace)
		cmd=
		for p in $(pgrep -P "$pid"); do
			cmd=${cmd:-$(pgrep -P "$p" -x sleep)}
		done
		if [ -n "$cmd" ] &&
		   nsenter -t "$cmd" -n -U --preserve-credentials ip -4 addr \
			show 2>/dev/null | grep -q 192.0.2.2; then
			pass "pasta_command_configured_$who"
		else
			fail "pasta_command_configured_$who" "no address in the namespace"
		fi
	else
		fail "pasta_$who" "didn't start: $(cat "$dir/pasta.err")"
	fi
	kill "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
done

exec 7<&-
