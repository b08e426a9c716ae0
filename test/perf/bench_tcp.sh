#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# TCP benchmarks (make bench, part "tcp"): iperf3 throughput guest to host and host to
# guest, IPv4 and IPv6, MTU 65520 and 1500, through pasta (its namespace is
# the guest) and passt (a namespace guest bridged by test/helpers/tapbridge),
# plus request/response latency (test/helpers/tcp_rr, one byte each way).
# Every figure is the median of RUNS runs. With ANCHOR=/path/to/passt the
# same runs use that implementation too (pasta: the "pasta" next to it) and
# the table shows ours/anchor. A path that fails is marked, the table is
# printed anyway.
#
# Host-to-guest clients connect from 192.0.2.3 (not loopback): pasta would
# splice loopback connections, bypassing the tap this measures.
#
# Environment: ANCHOR, RUNS (default 3), DURATION (seconds per iperf3 run,
# default 2), RR_COUNT (round trips per latency run, default 5000), MODES
# (default "pasta passt"), MTUS (default "65520 1500"), IPVS (default "4 6")

cd "$(dirname "$0")/../.." || exit 1
if [ "${BENCH_INNER:-}" != 1 ]; then
	export BENCH_INNER=1
	exec test/sandbox.sh bash test/perf/bench_tcp.sh "$@"
fi

source test/lib.sh
source test/perf/bench_lib.sh
RUNS=${RUNS:-3}
DURATION=${DURATION:-2}
RR_COUNT=${RR_COUNT:-5000}
RR="$HELPERS/tcp_rr"
NET_PID=
MODE=
trap 'net_stop; rm -rf "$WORK"' EXIT

ip addr add 192.0.2.3/32 dev uplink-peer
ip -6 addr add 2001:db8::3/128 dev uplink-peer nodad

declare -A RESULT

# net_start BINARY_DIR MODE MTU: start pasta or passt from BINARY_DIR with
# a guest whose interface has MTU; sets GUEST_PID, GUEST_IF
net_start() {
	local dir=$1 mtu=$3
	MODE=$2
	rm -f "$WORK/guest.pid" "$WORK/passt.sock"
	if [ "$MODE" = pasta ]; then
		# The command may get a PID namespace of its own: find it as
		# the child of pasta
		"$dir/pasta" --config-net -f -m "$mtu" -t 5202,5212,5222 -- \
			sleep 3601 > "$WORK/net.log" 2>&1 &
		NET_PID=$!
		wait_for 5 pgrep -P "$NET_PID" || return 1
		GUEST_PID=$(pgrep -P "$NET_PID" | head -n 1)
		wait_for 5 guest_ns_moved "$(readlink /proc/self/ns/net)" ||
			return 1
		GUEST_IF=uplink
	else
		"$dir/passt" -f -s "$WORK/passt.sock" -m "$mtu" \
			-t 5202,5212,5222 > "$WORK/net.log" 2>&1 &
		NET_PID=$!
		wait_for 5 test -S "$WORK/passt.sock" || return 1
		guest_start "$WORK/passt.sock" || return 1
		GUEST_IF=guest0
		in_guest ip addr add 192.0.2.2/24 dev guest0
		in_guest ip -6 addr add 2001:db8::2/64 dev guest0 nodad
		in_guest ip route replace default via 192.0.2.1
		in_guest ip -6 route replace default via 2001:db8::1
	fi
	wait_for 5 guest_link_up "$GUEST_IF" || return 1
	in_guest ip link set dev "$GUEST_IF" mtu "$mtu" || return 1
	wait_for 5 sh -c "nsenter -t $GUEST_PID -n ip -6 addr show | \
			  grep -q 'inet6 2001:db8::2/64 scope global'" || return 1
	wait_for 5 sh -c "! nsenter -t $GUEST_PID -n ip -6 addr show | \
			  grep -q tentative"
}

net_stop() {
	[ "$MODE" = passt ] && guest_stop
	if [ -n "$NET_PID" ]; then
		kill "$NET_PID" 2>/dev/null
		wait "$NET_PID" 2>/dev/null
	fi
	# The command may hold sockets pasta opened: end it too. It may be
	# the init of a PID namespace, which ignores SIGTERM
	if [ "$MODE" = pasta ] && [ -n "$GUEST_PID" ]; then
		kill -KILL "$GUEST_PID" 2>/dev/null
	fi
	wait_for 5 sh -c '! ss -ltnH | grep -q ":52[0-9][0-9] "'
	NET_PID= GUEST_PID= MODE=
}

# listening WHERE PORT
listening() {
	if [ "$1" = guest ]; then
		in_guest ss -ltnH "sport = :$2" | grep -q LISTEN
	else
		ss -ltnH "sport = :$2" | grep -q LISTEN
	fi
}

# run_iperf DIR IPV: one iperf3 run, prints Gbit/s or nothing on failure
run_iperf() {
	local dir=$1 ipv=$2 srv out
	if [ "$dir" = g2h ]; then
		local bind=127.0.0.1 dst=192.0.2.1
		[ "$ipv" = 6 ] && bind=::1 dst=2001:db8::1
		timeout $((DURATION + 20)) iperf3 -s -1 -p 5201 -B $bind \
			> /dev/null 2>&1 & srv=$!
		wait_for 5 listening host 5201 || return
		out=$(in_guest timeout $((DURATION + 15)) \
		      iperf3 -c $dst -p 5201 -t "$DURATION" -J 2>/dev/null)
	else
		local dst=192.0.2.3
		[ "$ipv" = 6 ] && dst=2001:db8::3
		in_guest timeout $((DURATION + 20)) iperf3 -s -1 -p 5202 \
			> /dev/null 2>&1 & srv=$!
		wait_for 5 listening guest 5202 || return
		out=$(timeout $((DURATION + 15)) \
		      iperf3 -c $dst -p 5202 -t "$DURATION" -J 2>/dev/null)
	fi
	wait $srv 2>/dev/null
	echo "$out" | python3 -c '
import json, sys
try:
    bps = json.load(sys.stdin)["end"]["sum_received"]["bits_per_second"]
    print(f"{bps / 1e9:.2f}")
except Exception:
    pass'
}

# run_rr DIR IPV: one latency run, prints microseconds per round trip
run_rr() {
	local dir=$1 ipv=$2 srv out
	if [ "$dir" = g2h ]; then
		local dst=192.0.2.1
		[ "$ipv" = 6 ] && dst=2001:db8::1
		timeout 60 "$RR" server 5203 > /dev/null 2>&1 & srv=$!
		wait_for 5 listening host 5203 || return
		out=$(in_guest timeout 60 "$RR" client $dst 5203 "$RR_COUNT")
	else
		local dst=192.0.2.3
		[ "$ipv" = 6 ] && dst=2001:db8::3
		in_guest timeout 60 "$RR" server 5222 > /dev/null 2>&1 & srv=$!
		wait_for 5 listening guest 5222 || return
		out=$(timeout 60 "$RR" client $dst 5222 "$RR_COUNT")
	fi
	kill $srv 2>/dev/null
	wait $srv 2>/dev/null
	echo "$out" | sed -n 's/^rr_us //p'
}

# median VALUE...: median of the numeric arguments, "FAIL" if none
median() {
	local v
	v=$(printf '%s\n' "$@" | grep -E '^[0-9.]+$' | sort -g)
	[ -z "$v" ] && { echo FAIL; return; }
	echo "$v" | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'
}

# measure IMPL DIR MODE MTU: fill RESULT for every row of one set-up
measure() {
	local impl=$1 dir=$2 mode=$3 mtu=$4 ipv d r vals
	if ! net_start "$dir" "$mode" "$mtu"; then
		echo "  $impl $mode mtu $mtu: set-up failed" >&2
		tail -n 3 "$WORK/net.log" | sed 's/^/    /' >&2
		net_stop
		return
	fi
	for ipv in ${IPVS:-4 6}; do
		for d in g2h h2g; do
			vals=()
			for r in $(seq "$RUNS"); do
				vals+=("$(run_iperf $d $ipv)")
			done
			RESULT["$impl|$mode|$ipv|$mtu|$d"]=$(median "${vals[@]}")
			record "$impl|tcp|$mode|$ipv|$mtu|$d" \
				"${RESULT["$impl|$mode|$ipv|$mtu|$d"]}"
			echo "  $impl $mode IPv$ipv MTU $mtu $d: ${vals[*]}" >&2
			if [ "$mtu" = 65520 ]; then
				vals=()
				for r in $(seq "$RUNS"); do
					vals+=("$(run_rr $d $ipv)")
				done
				RESULT["$impl|$mode|$ipv|rr|$d"]=$(median "${vals[@]}")
				echo "  $impl $mode IPv$ipv rr $d: ${vals[*]}" >&2
			fi
		done
	done
	net_stop
}

IMPLS="ours"
declare -A IMPL_DIR=([ours]="$TOP")
if [ -n "${ANCHOR:-}" ]; then
	if [ -x "$ANCHOR" ] && [ -x "$(dirname "$ANCHOR")/pasta" ]; then
		IMPLS="ours anchor"
		IMPL_DIR[anchor]=$(dirname "$ANCHOR")
	else
		echo "ANCHOR=$ANCHOR: no passt and pasta there, skipping it" >&2
	fi
fi

echo "Benchmark: $RUNS runs of ${DURATION}s each, median reported" >&2
for mode in ${MODES:-pasta passt}; do
	for mtu in ${MTUS:-65520 1500}; do
		for impl in $IMPLS; do
			measure "$impl" "${IMPL_DIR[$impl]}" "$mode" "$mtu"
		done
	done
done

# ratio A B: A/B with two decimals, "-" if either isn't a number
ratio() {
	if [[ $1 =~ ^[0-9.]+$ ]] && [[ $2 =~ ^[0-9.]+$ ]] &&
	   [ "$(echo "$2 > 0" | bc -l 2>/dev/null || echo 1)" = 1 ]; then
		awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "-" }'
	else
		echo "-"
	fi
}

echo
printf '%-6s %-4s %-6s %-12s %-8s %12s %12s %8s\n' \
	mode ip mtu direction unit ours anchor ratio
for mode in ${MODES:-pasta passt}; do
	for ipv in ${IPVS:-4 6}; do
		for mtu in ${MTUS:-65520 1500} rr; do
			for d in g2h h2g; do
				o=${RESULT["ours|$mode|$ipv|$mtu|$d"]:-FAIL}
				a=${RESULT["anchor|$mode|$ipv|$mtu|$d"]:--}
				unit=Gbit/s
				[ $mtu = rr ] && unit=us
				dname=guest-host
				[ $d = h2g ] && dname=host-guest
				[ $mtu = rr ] && m=65520-rr || m=$mtu
				printf '%-6s %-4s %-8s %-10s %-8s %12s %12s %8s\n' \
					$mode v$ipv $m $dname $unit "$o" "$a" \
					"$(ratio "$o" "$a")"
			done
		done
	done
done
echo "ratio: ours/anchor (throughput: higher is better; us: lower is better)"
exit 0
