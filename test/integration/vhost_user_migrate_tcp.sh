#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Live TCP across a vhost-user migration: a namespace guest (its kernel
# is the TCP stack) runs on passt A through a vhost-user front end
# (test/helpers/vhost_user_bridge.py) that, while data flows both ways
# between the guest and a peer (test/helpers/tcp_mig_peer.py), stops the
# device, saves A's state, loads it into passt B and resumes there, with
# the same tap device. With passt-repair on both, every connection must go
# on: what each side received hashes to what the other sent, no reset, no
# hang.
#
# "Two hosts": A and B each run in a network namespace of their own with
# the same address, 192.0.2.10, and the peer's route to it moves from A's
# to B's once the guest runs on B, as the address moves with a migrated
# guest: A's sockets, lingering in repair mode (the default), must ignore
# what reaches them meanwhile. A baseline runs the same transfer without
# a move (its failure isn't the migration's). Variants: inbound via -t, 100
# connections (the migration time is in the log), and, with the network
# dropping the peer's segments during the move (a closed socket rightly
# answers them with a reset), --migrate-no-linger and --migrate-exit (A
# exits).
#
# "One host" (an upgrade): A and B share the sandbox's namespace. A's
# sockets hold their 4-tuples even in repair mode, so only once A closed
# them (--migrate-no-linger) can B recreate them, and a segment from the
# peer in between would be answered with a reset: the connection is idle
# while the guest moves, busy before and after; released after the move,
# the guest sends the whole window A offered at once, and B's socket must
# take it (none refused, in B's log). Without passt-repair,
# the guest's connections are reset on B (one log line there) rather than
# left hanging, and nothing crashes. A passt that can't move connections
# makes the live variants SKIP, with its reason.
source "$(dirname "$0")/../lib.sh"

REPAIR="$(dirname "$PASST")/passt-repair"
PEER="$HELPERS/tcp_mig_peer.py"
PIDS=
trap 'mig_cleanup' EXIT

# The peer's addresses
ip addr add 192.0.2.3/32 dev uplink-peer
ip addr add 192.0.2.4/32 dev uplink-peer
MIG_TOPO='split'

# mig_hosts: the two hosts' namespaces behind vA and vB, new for each
# variant (and so are their counters), the peer's route to vA
mig_hosts() {
	local h
	for h in A B; do
		wait_for 5 sh -c "! ip link show v$h" &&
		ip netns add "host$h" &&
		ip link add "v$h" type veth peer name host0 netns "host$h" &&
		ip link set "v$h" up &&
		nsenter --net="/run/netns/host$h" sh -c '
			ip link set lo up && ip link set host0 up &&
			ip addr add 192.0.2.10/24 dev host0 &&
			ip route add default via 192.0.2.3' || return 1
	done
	ip route replace 192.0.2.10/32 dev vA
}

# mig_cleanup: stop everything a variant started
mig_cleanup() {
	local p
	for p in $PIDS; do
		kill "$p" 2>/dev/null
	done
	for p in $PIDS; do
		wait "$p" 2>/dev/null
	done
	PIDS=
	guest_stop
	ip route del 192.0.2.10/32 2>/dev/null
	for p in A B; do
		ip link del "v$p" 2>/dev/null
		ip netns del "host$p" 2>/dev/null
	done
	return 0	# (nothing to delete in the one-host topology)
}

# mig_passt NAME OPTION...: start passt NAME (A or B) on $WORK/NAME.sock;
# NAME_PID is its PID. Fails (with passt's last words in WHY) if it exits.
mig_passt() {
	local name=$1 pid
	shift
	local ns=(nsenter --net="/run/netns/host$name" --)
	[ "$MIG_TOPO" = split ] || ns=()
	"${ns[@]}" "$PASST" -f -d --vhost-user -s "$WORK/$name.sock" "$@" \
		</dev/null >"$WORK/$name.log" 2>&1 &
	pid=$!
	printf -v "${name}_PID" %s "$pid"
	PIDS="$PIDS $pid"
	if ! wait_for 5 test -S "$WORK/$name.sock" ||
	   ! kill -0 "$pid" 2>/dev/null; then
		WHY="passt $name: $(grep -v '^ ' "$WORK/$name.log" |
				    tail -n 1)"
		return 1
	fi
}

# mig_repair NAME: attach passt-repair to passt NAME
mig_repair() {
	"$REPAIR" "$WORK/$1.sock.repair" 2>"$WORK/$1.repair.err" &
	PIDS="$PIDS $!"
	if ! wait_for 5 grep -q "passt-repair connected" "$WORK/$1.log"; then
		WHY="passt-repair on $1: $(cat "$WORK/$1.repair.err")"
		return 1
	fi
}

# mig_guest: guest namespace on the bridge to A (then B), addressed as
# passt's DHCP would: the host's address and gateway
mig_guest() {
	local addr=192.0.2.2 gw=192.0.2.1
	[ "$MIG_TOPO" = split ] && addr=192.0.2.10 gw=192.0.2.3

	guest_ns || return 1
	nsenter -t "$GUEST_PID" -n -- env PYTHONPATH="$HELPERS" \
		python3 "$HELPERS/vhost_user_bridge.py" guest0 \
		"$WORK/A.sock" "$WORK/B.sock" >"$WORK/bridge.log" 2>&1 &
	BRIDGE_PID=$!
	guest_wait_link &&
	in_guest ip link set guest0 txqueuelen 10000 &&
	in_guest ip addr add "$addr/24" dev guest0 &&
	in_guest ip route replace default via "$gw"
}

# mig_resets: this namespace's counters of resets sent and of aborts (the
# kernel's reasons for sending them), those that aren't zero
mig_resets() {
	nstat -az 2>/dev/null | awk '$2 != 0 && /TcpOutRsts|TcpEstabResets|Abort/'
}

# mig_state: both ends' sockets, to show why a variant failed
mig_state() {
	echo "--- host: ss -tnmi"
	ss -tnmi | head -n 40
	echo "--- peer: resets sent and aborts (all variants so far)"
	mig_resets
	if [ "$MIG_TOPO" = split ]; then
		for h in A B; do
			echo "--- host $h: ss -tnmi"
			nsenter --net="/run/netns/host$h" ss -tnmi | head -n 20
			echo "--- host $h: resets sent and aborts"
			nsenter --net="/run/netns/host$h" bash -c \
				"$(declare -f mig_resets); mig_resets"
		done
	fi
	echo "--- guest: ss -tnmi"
	in_guest ss -tnmi | head -n 40
	echo "--- guest: TCP counters that aren't zero"
	in_guest nstat -az 2>/dev/null | awk '$2 != 0 && /Tcp/ { print $1, $2 }' |
		tr '\n' ' '
	echo
	echo "--- guest: link counters (drops: frames the bridge didn't take)"
	in_guest ip -s link show dev guest0 | tail -n 4
	echo "--- bridge"
	kill -HUP "$BRIDGE_PID" 2>/dev/null &&
		wait_for 2 grep -q "frames to the guest" "$WORK/bridge.log"
	cat "$WORK/bridge.log"
	echo "--- passt A"
	grep -v '^ ' "$WORK/A.log" | tail -n 15
	echo "--- passt B"
	grep -v '^ ' "$WORK/B.log" | tail -n 15
}

# mig_compare HOST_OUT GUEST_OUT CONNS BYTES: every connection moved BYTES
# each way, hashes match, no error: prints what's wrong, if anything
mig_compare() {
	python3 - "$@" <<'EOF'
import sys
host, guest, n, nbytes = sys.argv[1], sys.argv[2], int(sys.argv[3]), \
    int(sys.argv[4])

def conns(path):
    out = {}
    for ln in open(path):
        w = ln.split()
        if w and w[0] == 'conn':
            out[int(w[1])] = (int(w[3]), w[4], int(w[6]), w[7], w[9])
    return out

h, g = conns(host), conns(guest)
bad = []
for i in range(n):
    if i not in h or i not in g:
        bad.append(f'conn {i}: no report from the ' +
                   ('guest' if i in h else 'host') +
                   (f' (the guest saw {g[i][4]})' if i in g else ''))
        continue
    hs, hsha, hr, hrsha, herr = h[i]
    gs, gsha, gr, grsha, gerr = g[i]
    if herr != 'none' or gerr != 'none':
        bad.append(f'conn {i}: host {herr}, guest {gerr}, host got '
                   f'{hr}/{gs}, guest got {gr}/{hs}')
    elif not (hs == gs == hr == gr == nbytes and hsha == grsha and
              gsha == hrsha):
        bad.append(f'conn {i}: host sent {hs} got {hr}, guest sent {gs} '
                   f'got {gr}, hashes {hsha == grsha}/{gsha == hrsha}')
print('; '.join(bad[:3]) + (f' (and {len(bad) - 3} more)'
                            if len(bad) > 3 else ''))
EOF
}

# mig_flow DIR CONNS BYTES RATE DEADLINE: start both peers (DIR out: the
# guest connects to the peer, in: the peer connects to the guest through
# -t 10002), wait until data flows; HOST_OUT, GUEST_OUT are their outputs.
# On one host, the peer is on loopback (the guest reaches it through the
# gateway address) or 192.0.2.3; with two, it's 192.0.2.4, reached through
# 192.0.2.10.
mig_flow() {
	local dir=$1 args=("${@:2}") peer=127.0.0.1 via=192.0.2.1 to=192.0.2.3
	if [ -n "${MIG_HOLD:-}" ]; then
		touch "$WORK/hold"
		args+=("$WORK/hold")
	fi
	[ "$MIG_TOPO" = split ] && peer=192.0.2.4 via=192.0.2.4 to=192.0.2.10
	HOST_OUT=$WORK/host.out GUEST_OUT=$WORK/guest.out
	if [ "$dir" = out ]; then
		python3 "$PEER" listen "$peer" 10001 "${args[@]}" \
			>"$HOST_OUT" 2>&1 &
		HOST_PEER=$!
		wait_for 5 grep -q listening "$HOST_OUT"
		nsenter -t "$GUEST_PID" -n -- \
			python3 "$PEER" connect "$via" 10001 "${args[@]}" \
			>"$GUEST_OUT" 2>&1 &
		GUEST_PEER=$!
	else
		nsenter -t "$GUEST_PID" -n -- \
			python3 "$PEER" listen 0.0.0.0 10002 "${args[@]}" \
			>"$GUEST_OUT" 2>&1 &
		GUEST_PEER=$!
		wait_for 5 grep -q listening "$GUEST_OUT"
		python3 "$PEER" connect "$to" 10002 "${args[@]}" \
			>"$HOST_OUT" 2>&1 &
		HOST_PEER=$!
	fi
	PIDS="$PIDS $HOST_PEER $GUEST_PEER"
	if ! wait_for 15 grep -q flowing "$GUEST_OUT" ||
	   ! wait_for 5 grep -q flowing "$HOST_OUT"; then
		WHY="no data flowing: $(tail -n 2 "$GUEST_OUT" "$HOST_OUT" |
					 tr '\n' ' ')"
		return 1
	fi
}

# mig_sendq_empty: no data in flight on the peer's, passt's or the guest's
# sockets of port 10001: nobody owes anybody an acknowledgement, which
# would reach the 4-tuple while no socket holds it, and get a RST
mig_sendq_empty() {
	! ss -tnH state established '( sport = :10001 or dport = :10001 )' |
		awk '$2 != 0' | grep -q . &&
	! in_guest ss -tnH state established '( dport = :10001 )' |
		awk '$2 != 0' | grep -q .
}

# mig_held: with MIG_HOLD, wait until both peers sent half of their data and
# got the other's, and nothing is in flight
mig_held() {
	[ -n "${MIG_HOLD:-}" ] || return 0
	if ! wait_for 15 grep -q held "$GUEST_OUT" ||
	   ! wait_for 5 grep -q held "$HOST_OUT" ||
	   ! wait_for 5 mig_sendq_empty; then
		WHY="connections not idle: $(ss -tnH state established \
					     '( sport = :10001 )')"
		return 1
	fi
}

# mig_move: migrate the guest from A to B; MIG_LINE is the bridge's report.
# With two hosts, the peer's route to the guest's address moves to B once
# the guest runs there: until then, the peer's segments reach A, whose
# sockets linger to ignore them. With MIG_SWITCH=early, the network drops
# them while the guest moves instead (A closes its sockets: segments
# reaching it then would rightly be answered with a reset).
mig_move() {
	[ "$MIG_TOPO" = split ] && [ "${MIG_SWITCH:-}" = early ] &&
		ip route replace blackhole 192.0.2.10/32
	kill -USR1 "$BRIDGE_PID"
	wait_for 10 grep -q "migrated in\|migration failed" "$WORK/bridge.log"
	MIG_LINE=$(grep "migrated in\|migration failed" "$WORK/bridge.log")
	if [[ $MIG_LINE != *"migrated in"* ]]; then
		WHY="bridge: ${MIG_LINE:-no answer: $(tail -n 2 \
							"$WORK/bridge.log")}"
		return 1
	fi
	[ "$MIG_TOPO" = split ] && ip route replace 192.0.2.10/32 dev vB
	return 0
}

# mig_unsupported: why this passt can't move TCP connections, if it can't
mig_unsupported() {
	grep -h "don't move yet\|not supported by this build" \
		"$WORK/A.log" "$WORK/B.log" | head -n 1 | sed 's/^[0-9.]*: //'
}

# mig_live NAME DIR CONNS BYTES RATE A_OPTION... -- B_OPTION...: a live
# variant: connections must survive the move from A to B with passt-repair
mig_live() {
	local name=$1 dir=$2 conns=$3 bytes=$4 rate=$5 a=() b=() why
	shift 5
	while [ $# -gt 0 ] && [ "$1" != -- ]; do a+=("$1"); shift; done
	[ $# -gt 0 ] && shift
	b=("$@")
	WHY='' MIG_A_ALIVE='' MIG_B_ALIVE=''
	if [ "$MIG_TOPO" = split ] && ! mig_hosts; then
		fail "$name" "can't make the hosts' namespaces"
		mig_cleanup
		return
	fi
	if ! mig_passt A "${a[@]}" || ! mig_passt B "${b[@]}"; then
		if why=$(mig_unsupported) && [ -n "$why" ]; then
			skip "$name" "this passt can't: $why"
		else
			fail "$name" "$WHY"
		fi
		mig_cleanup
		return
	fi
	if ! mig_repair A || ! mig_repair B || ! mig_guest ||
	   ! mig_flow "$dir" "$conns" "$bytes" "$rate" 12 || ! mig_held; then
		fail "$name" "${WHY:-guest set-up failed}"
		mig_state
		mig_cleanup
		return
	fi
	# Data still flowing as the move starts (it takes milliseconds)
	if ! kill -0 "$HOST_PEER" 2>/dev/null ||
	   ! kill -0 "$GUEST_PEER" 2>/dev/null; then
		fail "$name" "the transfer was over before the migration"
		return
	fi
	if [ -n "${MIG_NONE:-}" ]; then
		MIG_LINE="no migration (baseline)"
	elif ! mig_move; then
		fail "$name" "${WHY:-guest set-up failed}"
		mig_state
		mig_cleanup
		return
	fi
	echo "$name: $conns connections: ${MIG_LINE#bridge: }"
	rm -f "$WORK/hold"
	# A guest that saw its connections fail leaves nothing to wait for.
	# Peers still waiting for data report what they got when stopped.
	wait_for 10 sh -c "! kill -0 $GUEST_PEER 2>/dev/null"
	if grep -q "err none" "$GUEST_OUT"; then
		wait_for 3 sh -c "! kill -0 $HOST_PEER 2>/dev/null"
	fi
	kill "$HOST_PEER" "$GUEST_PEER" 2>/dev/null
	wait "$HOST_PEER" "$GUEST_PEER" 2>/dev/null
	why=$(mig_compare "$HOST_OUT" "$GUEST_OUT" "$conns" "$bytes")
	if [ -n "$(mig_unsupported)" ]; then
		skip "$name" "this passt can't: $(mig_unsupported)"
		return
	elif [ -n "$why" ]; then
		fail "$name" "$why"
		mig_state
	else
		pass "$name"
		# Released at once after the move, the guest sends the window A
		# offered: B's socket takes all of it
		why=$(grep -m 1 'socket took' "$WORK/B.log")
		if [ -n "${MIG_HOLD:-}" ] && [ -z "$why" ]; then
			pass "${name}_window"
		elif [ -n "${MIG_HOLD:-}" ]; then
			fail "${name}_window" "B refused data: $why"
		fi
	fi
	MIG_A_ALIVE=no
	kill -0 "$A_PID" 2>/dev/null && MIG_A_ALIVE=yes
	MIG_B_ALIVE=no
	kill -0 "$B_PID" 2>/dev/null && MIG_B_ALIVE=yes
	kill -0 "$BRIDGE_PID" 2>/dev/null || MIG_B_ALIVE="no (bridge gone)"
}

# 1. Without passt-repair: B resets the guest's connections, once logged
mig_no_repair() {
	local name=vhost_user_migrate_tcp_no_repair_reset since lines err
	WHY=
	if ! mig_passt A || ! mig_passt B || ! mig_guest ||
	   ! mig_flow out 1 $((8 << 20)) $((1 << 20)) 10; then
		fail "$name" "$WHY"
		mig_cleanup
		return
	fi
	since=$(wc -l < "$WORK/B.log")
	if ! mig_move; then
		fail "$name" "$WHY"
		mig_state
		mig_cleanup
		return
	fi
	wait_for 10 grep -q "^done" "$GUEST_OUT"
	err=$(sed -n 's/^conn 0 .* err \(.*\)/\1/p' "$GUEST_OUT")
	lines=$(tail -n +"$((since + 1))" "$WORK/B.log" |
		grep -ci "migration.*reset")
	if [ "$err" = ECONNRESET ] && [ "$lines" = 1 ]; then
		pass "$name"
	else
		fail "$name" "guest saw '${err:-nothing (hangs)}', $lines lines \
about resetting on B"
		mig_state
	fi
	if kill -0 "$A_PID" && kill -0 "$B_PID" && kill -0 "$BRIDGE_PID" &&
	   why=$(guest_arp_answered && echo ok) && [ "$why" = ok ]; then
		pass vhost_user_migrate_tcp_no_repair_nothing_crashes
	else
		fail vhost_user_migrate_tcp_no_repair_nothing_crashes \
			"A, B or the bridge is gone, or B doesn't answer ARP"
		mig_state
	fi
	mig_cleanup
}

MIG_TOPO='shared'
mig_no_repair
MIG_TOPO='split'

# 2. Two hosts: data both ways across the move, each variant. First the
# same transfer without a move: if that fails, so will the others, and not
# because of the migration.
MIG_NONE=1
mig_live vhost_user_migrate_tcp_baseline out 1 $((4 << 20)) $((2 << 20))
mig_cleanup
MIG_NONE=
mig_live vhost_user_migrate_tcp_live out 1 $((4 << 20)) $((2 << 20))
if [ -z "$MIG_A_ALIVE" ]; then
	skip vhost_user_migrate_tcp_live_both_survive "no live migration ran"
elif [ "$MIG_A_ALIVE $MIG_B_ALIVE" = "yes yes" ]; then
	pass vhost_user_migrate_tcp_live_both_survive
else
	fail vhost_user_migrate_tcp_live_both_survive \
		"A alive: $MIG_A_ALIVE, B alive: $MIG_B_ALIVE"
fi
mig_cleanup

MIG_SWITCH=early
mig_live vhost_user_migrate_tcp_no_linger out 1 $((4 << 20)) $((2 << 20)) \
	--migrate-no-linger
mig_cleanup

mig_live vhost_user_migrate_tcp_exit out 1 $((4 << 20)) $((2 << 20)) \
	--migrate-exit
if [ -z "$MIG_A_ALIVE" ]; then
	skip vhost_user_migrate_tcp_exit_source_exits "no live migration ran"
elif wait_for 5 sh -c "! kill -0 $A_PID 2>/dev/null" &&
     grep -q "exiting" "$WORK/A.log"; then
	pass vhost_user_migrate_tcp_exit_source_exits
else
	fail vhost_user_migrate_tcp_exit_source_exits \
		"A alive: $(kill -0 "$A_PID" 2>/dev/null && echo yes || echo no)"
fi
mig_cleanup

MIG_SWITCH=late
mig_live vhost_user_migrate_tcp_inbound in 1 $((4 << 20)) $((2 << 20)) \
	-t 10002 -- -t 10002
mig_cleanup

mig_live vhost_user_migrate_tcp_100_connections out 100 $((128 << 10)) \
	$((4 << 20))
mig_cleanup

# 3. One host, one namespace: an upgrade, A closing its sockets. Between
# A's close and B's connect, nothing holds the 4-tuple and a segment from
# the peer would be answered with a reset: the connection is idle (half of
# the data moved, nothing in flight) while the guest moves.
MIG_TOPO='shared' MIG_HOLD=1
mig_live vhost_user_migrate_tcp_one_host_no_linger out 1 $((4 << 20)) \
	$((2 << 20)) --migrate-no-linger
mig_cleanup
