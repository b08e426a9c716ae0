#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# rootlesskit's command line, replayed: --opt=value forms and the PID of
# its child (in its own user and network namespaces) as the only operand.
# pasta configures that namespace, forwards a port into it, and exits when
# the process ends.
source "$(dirname "$0")/../lib.sh"

# gone PID: PID ended (a zombie counts: the daemon isn't our child, and
# nobody in the sandbox may reap it)
gone() {
	! kill -0 "$1" 2>/dev/null ||
		[ "$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null)" = Z ]
}

trap 'kill $TARGET $SRV 2>/dev/null; kill -9 $(cat $WORK/pasta.pid) 2>/dev/null' EXIT

unshare --user --map-root-user --net sleep 600 &
TARGET=$!
wait_for 5 sh -c "[ \"\$(readlink /proc/$TARGET/ns/net)\" != \
	\"\$(readlink /proc/self/ns/net)\" ]"

"$PASTA" --stderr --ns-ifname=tap0 --mtu=65520 --config-net \
	--address=10.0.2.100 --netmask=24 --gateway=10.0.2.2 \
	--dns-forward=10.0.2.3 --tcp-ports=18081:81 --udp-ports=none \
	--tcp-ns=none --udp-ns=none --pid="$WORK/pasta.pid" "$TARGET" \
	2>"$WORK/err"
rc=$?
if [ $rc -eq 0 ]; then
	pass rootlesskit_starts
else
	fail rootlesskit_starts "status $rc: $(head -c 300 "$WORK/err")"
fi

out=$(nsenter -t "$TARGET" -U -n --preserve-credentials -- \
	sh -c 'ip -o addr show dev tap0; ip route show' 2>&1)
if grep -q 'inet 10\.0\.2\.100/24' <<< "$out" &&
   grep -q '^default via 10\.0\.2\.2 dev tap0' <<< "$out"; then
	pass rootlesskit_namespace_configured
else
	fail rootlesskit_namespace_configured "$(echo "$out" | tr '\n' '|')"
fi

nsenter -t "$TARGET" -U -n --preserve-credentials -- \
	socat -u SYSTEM:"echo from-rootlesskit-ns" TCP-LISTEN:81,reuseaddr \
	2>/dev/null &
SRV=$!
wait_for 5 sh -c "nsenter -t $TARGET -U -n --preserve-credentials -- \
	ss -ltnH 'sport = :81' | grep -q LISTEN"
got=$(timeout 5 socat -u TCP:127.0.0.1:18081 - 2>&1)
if [ "$got" = from-rootlesskit-ns ]; then
	pass rootlesskit_port_forwarded
else
	fail rootlesskit_port_forwarded "got '$got'"
fi

pid=$(cat "$WORK/pasta.pid" 2>/dev/null)
# Reaped, not a zombie: /proc/PID goes only then
kill "$TARGET" "$SRV" 2>/dev/null
wait "$TARGET" "$SRV" 2>/dev/null
if [ -n "$pid" ] && wait_for 10 gone "$pid"; then
	pass rootlesskit_exits_with_process
else
	fail rootlesskit_exits_with_process "pid '$pid' still running"
fi
