# SPDX-License-Identifier: GPL-2.0-or-later
# Helpers sourced by integration tests (test/integration/*.sh). Each test
# script runs inside its own sandbox (test/sandbox.sh) and reports results
# as lines "PASS: name", "FAIL: name: why" or "SKIP: name: why".

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PASST="$TOP/passt"
PASTA="$TOP/pasta"
HELPERS="$TOP/test/helpers"
WORK=$(mktemp -d /tmp/test.XXXXXX)

pass() { echo "PASS: $1"; }
fail() { echo "FAIL: $1: ${2:-failed}"; }
skip() { echo "SKIP: $1: $2"; }

# check NAME COMMAND...: PASS if COMMAND succeeds, FAIL with its output if not
check() {
	local name=$1 out
	shift
	if out=$("$@" 2>&1); then
		pass "$name"
	else
		fail "$name" "$(echo "$out" | tail -n 3 | tr '\n' ' ')"
	fi
}

# wait_for SECONDS COMMAND...: poll COMMAND every 0.1 s until it succeeds
wait_for() {
	local deadline=$(( $(date +%s%N) + $1 * 1000000000 ))
	shift
	until "$@" >/dev/null 2>&1; do
		[ "$(date +%s%N)" -gt "$deadline" ] && return 1
		sleep 0.1
	done
}

# Namespace guest for passt: a network namespace with a tap interface
# "guest0" bridged to passt's UNIX socket by test/helpers/tapbridge.
# GUEST_PID: a process in the guest's namespace; BRIDGE_PID: the bridge.

# guest_start SOCKET: new namespace (lo up), bridged to passt at SOCKET
guest_start() {
	guest_ns && guest_bridge "$1"
}

# guest_ns: new guest namespace with lo up, not connected to passt yet
guest_ns() {
	local ns
	ns=$(readlink /proc/self/ns/net)
	unshare -n -- sh -c 'ip link set lo up && exec sleep 900' &
	GUEST_PID=$!
	# unshare(2) happens after fork: wait until the child is elsewhere
	wait_for 5 guest_ns_moved "$ns" && wait_for 5 guest_link_up lo
}

# guest_ns_moved NS: the guest process is in another namespace than NS
guest_ns_moved() {
	[ "$(readlink "/proc/$GUEST_PID/ns/net")" != "$1" ]
}

# guest_bridge SOCKET: (re)connect the existing guest namespace to passt
guest_bridge() {
	nsenter -t "$GUEST_PID" -n -- "$HELPERS/tapbridge" "$1" guest0 &
	BRIDGE_PID=$!
	guest_wait_link
}

# guest_wait_link: wait for guest0 to be up in the guest
guest_wait_link() {
	wait_for 5 guest_link_up guest0
}

# guest_link_up IFNAME: IFNAME exists and is up in the guest
guest_link_up() {
	in_guest ip link show dev "$1" up 2>/dev/null | grep -q UP
}

# in_guest CMD...: run CMD in the guest's network namespace
in_guest() {
	nsenter -t "$GUEST_PID" -n -- "$@"
}

# guest_unbridge: disconnect the guest from passt (the namespace stays)
guest_unbridge() {
	[ -n "${BRIDGE_PID:-}" ] || return 0
	kill "$BRIDGE_PID" 2>/dev/null
	wait "$BRIDGE_PID" 2>/dev/null
	BRIDGE_PID=
}

# guest_stop: disconnect and remove the guest namespace
guest_stop() {
	guest_unbridge
	[ -n "${GUEST_PID:-}" ] || return 0
	kill "$GUEST_PID" 2>/dev/null
	wait "$GUEST_PID" 2>/dev/null
	GUEST_PID=
}

# pcap_text FILE [TCPDUMP_OPTION]...: decode a capture with tcpdump. As
# root, tcpdump insists on switching to its own user, which the sandbox
# can't map: run it as an ordinary user of a nested user namespace.
pcap_text() {
	local f=$1
	shift
	unshare --user --map-user=1000 --map-group=1000 -- \
		tcpdump -nn "$@" -r "$f"
}

# caller_guest_configured NAME: the namespace guest gets its address and
# default route by DHCP (udhcpc applies them), checked from its tables
caller_guest_configured() {
	cat > "$WORK/udhcpc.script" <<'SCRIPT'
#!/bin/sh
[ "$1" = bound ] || exit 0
ip addr add "$ip/$mask" dev "$interface"
ip route add default via "$router"
SCRIPT
	chmod +x "$WORK/udhcpc.script"
	in_guest timeout 15 udhcpc -i guest0 -f -q -n -t 3 -T 1 -A 1 \
		-s "$WORK/udhcpc.script" >"$WORK/udhcpc.log" 2>&1
	local out
	out=$(in_guest sh -c 'ip -o addr show dev guest0; ip route show')
	if grep -q 'inet 192\.0\.2\.2/24' <<< "$out" &&
	   grep -q '^default via 192\.0\.2\.1' <<< "$out"; then
		pass "$1"
	else
		fail "$1" "$(echo "$out" | tr '\n' '|')"
	fi
}

# caller_port_forwarded NAME TEXT GUEST_PORT HOST_PORT: a guest service
# answering TEXT on GUEST_PORT is reached on the host's HOST_PORT; sets SRV
caller_port_forwarded() {
	local got
	in_guest socat -u SYSTEM:"echo $2" TCP-LISTEN:"$3",reuseaddr \
		2>/dev/null &
	SRV=$!
	wait_for 5 sh -c "nsenter -t $GUEST_PID -n ss -ltnH 'sport = :$3' |
			  grep -q LISTEN"
	got=$(timeout 10 socat -u TCP:127.0.0.1:"$4" - 2>&1)
	if [ "$got" = "$2" ]; then
		pass "$1"
	else
		fail "$1" "got '$got'"
	fi
}

# guest_arp_answered: the guest's ARP request for the gateway 192.0.2.1 is
# answered: whatever is attached to guest0 is up and reading its frames.
# The request goes from a spare address, 192.0.2.250, given to guest0 for
# the time of the request (a guest without an IPv4 address can't ask).
guest_arp_answered() {
	local rc
	in_guest ip addr add 192.0.2.250/32 dev guest0 2>/dev/null
	in_guest busybox arping -f -c 2 -w 2 -s 192.0.2.250 -I guest0 \
		192.0.2.1 2>&1 | grep -qi "reply from 192\.0\.2\.1 "
	rc=$?
	in_guest ip addr del 192.0.2.250/32 dev guest0 2>/dev/null
	return $rc
}

# guest_peer_alive PID: process PID runs and answers the guest's ARP. For
# negative tests: silence proves nothing from a process that isn't there.
# Prints why not, if not.
guest_peer_alive() {
	if [ -z "$1" ] || ! kill -0 "$1" 2>/dev/null; then
		echo "process '$1' is not running"
		return 1
	fi
	if ! guest_arp_answered; then
		echo "process $1 runs but doesn't answer ARP"
		return 1
	fi
}

# silent_but_alive NAME PID COMMAND...: PASS if process PID is alive and
# answering before and after COMMAND, and COMMAND fails (gets no answer)
silent_but_alive() {
	local name=$1 pid=$2 why
	shift 2
	if ! why=$(guest_peer_alive "$pid"); then
		fail "$name" "before: $why"
	elif "$@" >/dev/null 2>&1; then
		fail "$name" "got an answer"
	elif ! why=$(guest_peer_alive "$pid"); then
		fail "$name" "after: $why"
	else
		pass "$name"
	fi
}
