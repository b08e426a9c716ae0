#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# ICMP and ICMPv6 Echo from a pasta namespace through ping sockets: the
# gateway address reaches the host's loopback, --map-guest-addr the host's
# address, other addresses go as they are. The identifier the guest chose
# is the one bound on the host and the one in the replies it gets, also
# when a host socket holds that identifier already (fall-back mapping).
# --no-icmp drops requests; without ping_group_range permission pasta warns
# once and keeps working.

source "$(dirname "$0")/../lib.sh"

PROBE="$HELPERS/icmp_probe"
PIDS=
cleanup() {
	local p
	for p in $PIDS; do kill "$p" 2>/dev/null; done
	rm -rf "$WORK"
}
trap cleanup EXIT

# in_pasta NAME OPTIONS... -- COMMAND...: PASS if COMMAND succeeds in a
# pasta namespace with --config-net and OPTIONS
in_pasta() {
	local name=$1
	shift
	check "$name" timeout 30 "$PASTA" -q -f --config-net "$@"
}

# unanswered_in_pasta NAME OPTIONS... -- PROOF -- PING_ARGS...: in a pasta
# namespace with --config-net and OPTIONS, the shell command PROOF succeeds
# (pasta is up, took its options and forwards), then ping PING_ARGS sends
# its request and gets no reply (ping's status 1: anything else, a rejected
# option or a missing route, is no proof of silence), then PROOF again
unanswered_in_pasta() {
	local name=$1 popts=() proof
	shift
	while [ "$1" != -- ]; do popts+=("$1"); shift; done
	proof=$2
	shift 3
	check "$name" timeout 30 "$PASTA" -q -f --config-net "${popts[@]}" -- \
		sh -c '
		proof=$1; shift
		sh -c "$proof" || { echo "no proof of life before"; exit 1; }
		out=$(ping "$@" 2>&1)
		rc=$?
		[ "$rc" -eq 1 ] || { echo "ping status $rc: $out"; exit 1; }
		echo "$out" | grep -q "1 packets transmitted, 0 received" ||
			{ echo "$out"; exit 1; }
		sh -c "$proof" || { echo "no proof of life after"; exit 1; }
		' sh "$proof" "$@"
}

# Host addresses on the peer end of the uplink: reachable, not mapped
ip addr add 192.0.2.3/32 dev uplink-peer
ip -6 addr add 2001:db8::3/128 dev uplink-peer nodad

# TCP server on a host address, port 20010, answering "up": what the
# namespace reaches through pasta when ICMP is answered or not
socat TCP-LISTEN:20010,bind=192.0.2.3,reuseaddr,fork SYSTEM:'echo up' &
PIDS="$PIDS $!"
wait_for 5 sh -c "ss -ltnH 'sport = :20010' | grep -q LISTEN"
TCP_UP='[ "$(timeout 5 socat -T 3 - TCP:192.0.2.3:20010 </dev/null)" = up ]'

in_pasta ping_gateway_mapped_to_host_loopback -- ping -c1 -W2 192.0.2.1
in_pasta ping6_gateway_mapped_to_host_loopback -- ping -6 -c1 -W2 2001:db8::1
in_pasta ping_other_host_address -- ping -c1 -W2 192.0.2.3
in_pasta ping6_other_host_address -- ping -6 -c1 -W2 2001:db8::3
in_pasta ping_map_guest_addr --map-guest-addr 192.0.2.99 -- \
	sh -c 'ping -c1 -W2 192.0.2.99 | grep "from 192\.0\.2\.99:"'
in_pasta ping_large_and_empty_payloads -- sh -c '
	ping -c1 -W2 -s 65000 192.0.2.1 && ping -6 -c1 -W2 -s 65000 2001:db8::1 &&
	ping -c1 -W2 -s 0 192.0.2.1'
unanswered_in_pasta ping_unmapped_address_not_answered -- \
	"ping -c1 -W2 192.0.2.1 >/dev/null" -- -c1 -W1 192.0.2.99

in_pasta echo_identifier_preserved -- "$PROBE" echo 192.0.2.1 4660
in_pasta echo6_identifier_preserved -- "$PROBE" echo 2001:db8::1 4661

# probe_then_check NAME OPTIONS PROBES CHECK: run the shell commands PROBES
# in a pasta namespace, then, while pasta still runs, CHECK here (pasta's
# host sockets are in our network namespace; the command sees its own
# processes only)
probe_then_check() {
	local name=$1 opts=$2 probes=$3 check=$4 pid
	rm -f "$WORK/probed" "$WORK/checked"
	# shellcheck disable=SC2086 # options split on purpose
	timeout 30 "$PASTA" -q -f --config-net $opts -- sh -c "$probes &&
		touch '$WORK/probed' &&
		while [ ! -e '$WORK/checked' ]; do sleep 0.1; done" \
		> "$WORK/out" 2>&1 &
	pid=$!
	if wait_for 10 test -e "$WORK/probed" && sh -c "$check"; then
		pass "$name"
	else
		fail "$name" "$(tail -n 3 "$WORK/out" | tr '\n' ' ')"
	fi
	touch "$WORK/checked"
	wait "$pid"
}

# The host-side ping sockets are bound to the guest's identifiers: 0x1234
# and 0x1235 show up as local "ports" in pasta's /proc/net/icmp{,6}
probe_then_check echo_identifier_bound_on_host "" \
	"'$PROBE' echo 192.0.2.1 4660 && '$PROBE' echo 2001:db8::1 4661" \
	"grep -q '^ *[0-9]*: [0-9A-F]*:1234 ' /proc/net/icmp &&
	 grep -q '^ *[0-9]*: [0-9A-F]*:1235 ' /proc/net/icmp6"

# -o: ping sockets bound to that source address (192.0.2.4 is 040200C0 in
# /proc/net/icmp), but not for the loopback-mapped gateway it can't reach
ip addr add 192.0.2.4/32 dev uplink-peer
probe_then_check echo_outbound_address "-o 192.0.2.4" \
	"'$PROBE' echo 192.0.2.3 4662 && '$PROBE' echo 192.0.2.1 4663" \
	"grep -q '^ *[0-9]*: 040200C0:1236 ' /proc/net/icmp &&
	 grep -q '^ *[0-9]*: 00000000:1237 ' /proc/net/icmp"

# Identifier 5000 held by a host socket: pasta maps it, the guest can't tell
"$PROBE" hold 5000 60 > "$WORK/hold" &
PIDS="$PIDS $!"
wait_for 5 grep -q held "$WORK/hold"
in_pasta echo_identifier_in_use_mapped -- "$PROBE" echo 192.0.2.1 5000
in_pasta echo6_identifier_in_use_mapped -- "$PROBE" echo 2001:db8::1 5000

unanswered_in_pasta no_icmp_drops_echo --no-icmp -- "$TCP_UP" -- \
	-c1 -W1 192.0.2.1

# No ping sockets allowed: a new network namespace starts with
# ping_group_range "1 0" (and our GID is the only one mapped, we can't set a
# range without it). One warning per family, and pasta still works.
out=$(timeout 30 unshare --net -- "$PASTA" -f --config-net -- true 2>&1)
rc=$?
if [ "$rc" -eq 0 ] &&
   [ "$(grep -c 'ping_group_range' <<< "$out")" -eq 2 ]; then
	pass no_ping_sockets_warns_and_runs
else
	fail no_ping_sockets_warns_and_runs "status $rc: $(grep -i icmp <<< "$out" | tr '\n' ';')"
fi
