#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# podman 5's command line, replayed: pasta attaches to a network namespace
# bound to a path, configures it, goes to the background once ready (exit
# status 0, nothing on stderr with --quiet), forwards the port podman asks
# for, and exits when the namespace file is removed.
source "$(dirname "$0")/../lib.sh"

# gone PID: PID ended (a zombie counts: the daemon isn't our child, and
# nobody in the sandbox may reap it)
gone() {
	! kill -0 "$1" 2>/dev/null ||
		[ "$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null)" = Z ]
}

NS=podman-replay
trap 'ip netns delete $NS 2>/dev/null; kill $SRV 2>/dev/null
      kill -9 $(cat $WORK/pasta.pid) 2>/dev/null' EXIT
ip netns add "$NS"

"$PASTA" --config-net --pid "$WORK/pasta.pid" --netns "/run/netns/$NS" \
	--map-guest-addr 169.254.1.2 --dns-forward 169.254.1.1 --quiet \
	-t 18080-18080:80-80 -u none -T none -U none 2>"$WORK/err"
rc=$?
if [ $rc -eq 0 ] && [ ! -s "$WORK/err" ]; then
	pass podman_starts_quietly
else
	fail podman_starts_quietly "status $rc: $(head -c 300 "$WORK/err")"
fi

out=$(ip netns exec "$NS" sh -c 'ip -o addr show; ip route show')
if grep -qE 'inet 192\.0\.2\.2/24' <<< "$out" &&
   grep -q '^default via 192\.0\.2\.1' <<< "$out"; then
	pass podman_namespace_configured
else
	fail podman_namespace_configured "$(echo "$out" | tr '\n' '|')"
fi

ip netns exec "$NS" socat -u SYSTEM:"echo from-podman-ns" \
	TCP-LISTEN:80,reuseaddr 2>/dev/null &
SRV=$!
wait_for 5 sh -c "ip netns exec $NS ss -ltnH 'sport = :80' | grep -q LISTEN"
got=$(timeout 5 socat -u TCP:127.0.0.1:18080 - 2>&1)
if [ "$got" = from-podman-ns ]; then
	pass podman_port_forwarded
else
	fail podman_port_forwarded "got '$got'"
fi

pid=$(cat "$WORK/pasta.pid" 2>/dev/null)
ip netns delete "$NS"
if [ -n "$pid" ] && wait_for 10 gone "$pid"; then
	pass podman_exits_with_namespace
else
	fail podman_exits_with_namespace "pid '$pid' still running"
fi
