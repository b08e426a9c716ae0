#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# qemu's way, replayed: passt -f --fd 3 with a port forward, the other end
# of the socket pair being the guest's (a namespace guest through
# tapbridge -F 3). The guest gets its address by DHCP, the forwarded port
# reaches it, and passt exits when the guest's end closes.
source "$(dirname "$0")/../lib.sh"

trap 'guest_stop; kill $PASST_PID $SRV 2>/dev/null' EXIT

cat > "$WORK/script" <<'SCRIPT'
#!/bin/sh
[ "$1" = bound ] || exit 0
ip addr add "$ip/$mask" dev "$interface"
ip route add default via "$router"
SCRIPT
chmod +x "$WORK/script"

guest_ns || { fail qemu_fd_guest "no guest namespace"; exit 0; }
"$HELPERS/sockpair" "$WORK/bridge.pid" \
	"$PASST" -f --fd 3 -t 18084:84 -u none -- \
	nsenter -t "$GUEST_PID" -n -- "$HELPERS/tapbridge" -F 3 guest0 \
	>"$WORK/passt.log" 2>&1 &
PASST_PID=$!
guest_wait_link

in_guest timeout 15 udhcpc -i guest0 -f -q -n -t 3 -T 1 -A 1 \
	-s "$WORK/script" >"$WORK/udhcpc.log" 2>&1
out=$(in_guest sh -c 'ip -o addr show dev guest0; ip route show')
if grep -q 'inet 192\.0\.2\.2/24' <<< "$out" &&
   grep -q '^default via 192\.0\.2\.1' <<< "$out"; then
	pass qemu_fd_guest_configured
else
	fail qemu_fd_guest_configured "$(echo "$out" | tr '\n' '|')"
fi

in_guest socat -u SYSTEM:"echo from-qemu-guest" \
	TCP-LISTEN:84,reuseaddr 2>/dev/null &
SRV=$!
wait_for 5 sh -c "nsenter -t $GUEST_PID -n ss -ltnH 'sport = :84' |
		  grep -q LISTEN"
got=$(timeout 10 socat -u TCP:127.0.0.1:18084 - 2>&1)
if [ "$got" = from-qemu-guest ]; then
	pass qemu_fd_port_forwarded
else
	fail qemu_fd_port_forwarded "got '$got'"
fi

kill "$(cat "$WORK/bridge.pid")"
if wait_for 10 sh -c "! kill -0 $PASST_PID 2>/dev/null"; then
	wait "$PASST_PID"
	rc=$?
	if [ $rc -eq 0 ]; then
		pass qemu_fd_exits_when_closed
	else
		fail qemu_fd_exits_when_closed "status $rc"
	fi
else
	fail qemu_fd_exits_when_closed "passt still running"
fi
