#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# UDP benchmarks (make bench runs them after the TCP ones): iperf3 UDP
# throughput (-u -b 0, datagrams as large as the MTU allows without
# fragments), guest to host and host to guest, IPv4 and IPv6, through pasta
# (its namespace is the guest) and passt (a namespace guest bridged by
# test/helpers/tapbridge). Figures are the receiver's goodput, median of
# RUNS runs, with the receiver's loss in the log. IPv4 runs again with
# 1400-byte datagrams, and plain loopback UDP with 1400-byte datagrams (the
# limit) is measured in the same run. With
# ANCHOR=/path/to/passt the same runs use that implementation too (pasta:
# the "pasta" next to it) and the table shows ours/anchor.
#
# Host-side peers use 192.0.2.3 and 2001:db8::3 (not loopback, nor the
# gateway): pasta may bypass the tap for loopback traffic, and loopback
# mapping of the gateway's IPv6 address differs between versions.
#
# Environment: ANCHOR, RUNS (default 3), DURATION (seconds per iperf3 run,
# default 2), MODES (default "pasta passt"), MTUS (default "65520"), IPVS
# (default "4 6"; 1400-byte IPv4 rows run in any case)

cd "$(dirname "$0")/../.." || exit 1
if [ "${BENCH_INNER:-}" != 1 ]; then
	export BENCH_INNER=1
	exec test/sandbox.sh bash test/perf/bench_udp.sh "$@"
fi

source test/lib.sh
source test/perf/bench_lib.sh
RUNS=${RUNS:-3}
DURATION=${DURATION:-2}
NET_PID=
MODE=
trap 'net_stop; rm -rf "$WORK"' EXIT

ip addr add 192.0.2.3/32 dev uplink-peer
ip -6 addr add 2001:db8::3/128 dev uplink-peer nodad

declare -A RESULT

# net_start BINARY_DIR MODE MTU: start pasta or passt from BINARY_DIR with
# a guest whose interface has MTU, port 5202 forwarded (TCP for iperf3's
# control connection, UDP for its data); sets GUEST_PID, GUEST_IF
net_start() {
	local dir=$1 mtu=$3
	MODE=$2
	rm -f "$WORK/passt.sock"
	if [ "$MODE" = pasta ]; then
		"$dir/pasta" --config-net -f -m "$mtu" -t 5202 -u 5202 -- \
			sleep 3601 > "$WORK/net.log" 2>&1 &
		NET_PID=$!
		wait_for 5 pgrep -P "$NET_PID" || return 1
		GUEST_PID=$(pgrep -P "$NET_PID" | head -n 1)
		wait_for 5 guest_ns_moved "$(readlink /proc/self/ns/net)" ||
			return 1
		GUEST_IF=uplink
	else
		"$dir/passt" -f -s "$WORK/passt.sock" -m "$mtu" -t 5202 \
			-u 5202 > "$WORK/net.log" 2>&1 &
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

# net_stop: stop pasta or passt and the guest. Some pasta versions leave
# their sockets open in the command they spawn: end all its children too,
# with SIGKILL, as the command is the init process of a PID namespace and
# ignores other signals.
net_stop() {
	local kids=
	[ "$MODE" = passt ] && guest_stop
	[ "$MODE" = pasta ] && [ -n "$NET_PID" ] &&
		kids=$(pgrep -P "$NET_PID")
	if [ -n "$NET_PID" ]; then
		kill "$NET_PID" 2>/dev/null
		wait "$NET_PID" 2>/dev/null
	fi
	for p in $GUEST_PID $kids; do
		kill -KILL "$p" 2>/dev/null
	done
	wait_for 5 sh -c '! ss -ltnuH | grep -q ":5202 "'
	NET_PID= GUEST_PID= MODE=
}

# listening WHERE PORT: iperf3's TCP control socket listens on PORT
listening() {
	if [ "$1" = guest ]; then
		in_guest ss -ltnH "sport = :$2" | grep -q LISTEN
	else
		ss -ltnH "sport = :$2" | grep -q LISTEN
	fi
}

# run_iperf DIR IPV LEN: one iperf3 UDP run with LEN-byte datagrams,
# prints "Gbit/s loss%" or nothing on failure
run_iperf() {
	local dir=$1 ipv=$2 len=$3 srv out
	if [ "$dir" = g2h ]; then
		local dst=192.0.2.3
		[ "$ipv" = 6 ] && dst=2001:db8::3
		timeout $((DURATION + 20)) iperf3 -s -1 -p 5201 -B $dst \
			> /dev/null 2>&1 & srv=$!
		wait_for 5 listening host 5201 || return
		out=$(in_guest timeout $((DURATION + 15)) iperf3 -c $dst \
		      -p 5201 -u -b 0 -l "$len" -t "$DURATION" -J 2>/dev/null)
	else
		local dst=192.0.2.3
		[ "$ipv" = 6 ] && dst=2001:db8::3
		in_guest timeout $((DURATION + 20)) iperf3 -s -1 -p 5202 \
			> /dev/null 2>&1 & srv=$!
		wait_for 5 listening guest 5202 || return
		out=$(timeout $((DURATION + 15)) iperf3 -c $dst -p 5202 -u \
		      -b 0 -l "$len" -t "$DURATION" -J 2>/dev/null)
	fi
	wait $srv 2>/dev/null
	echo "$out" | python3 -c '
import json, sys
try:
    s = json.load(sys.stdin)["end"]["sum_received"]
    bps, lost = s["bits_per_second"], s["lost_percent"]
    print(f"{bps / 1e9:.2f} {lost:.1f}%")
except Exception:
    pass'
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
	local impl=$1 dir=$2 mode=$3 mtu=$4 ipv d r vals len out
	if ! net_start "$dir" "$mode" "$mtu"; then
		echo "  $impl $mode mtu $mtu: set-up failed" >&2
		tail -n 3 "$WORK/net.log" | sed 's/^/    /' >&2
		net_stop
		return
	fi
	for ipv in ${IPVS:-4 6} 4-1400; do
		# IPv4: 20 + 8 bytes of headers, IPv6: 40 + 8
		len=$((mtu - 28))
		[ "$ipv" = 6 ] && len=$((mtu - 48))
		[ "$ipv" = 4-1400 ] && len=1400
		for d in g2h h2g; do
			vals=()
			out=
			for r in $(seq "$RUNS"); do
				o=$(run_iperf $d ${ipv%-1400} $len)
				vals+=("${o%% *}")
				out="$out ${o:-FAIL}"
			done
			RESULT["$impl|$mode|$ipv|$mtu|$d"]=$(median "${vals[@]}")
			record "$impl|udp|$mode|$ipv|$mtu|$d" \
				"${RESULT["$impl|$mode|$ipv|$mtu|$d"]}"
			echo "  $impl $mode IPv$ipv MTU $mtu $d (Gbit/s loss):$out" >&2
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

echo "UDP benchmark: $RUNS runs of ${DURATION}s each, median reported" >&2

# run_limit: iperf3 UDP, 1400-byte datagrams, plain loopback
run_limit() {
	local srv out
	timeout $((DURATION + 20)) iperf3 -s -1 -p 5201 -B 127.0.0.1 \
		> /dev/null 2>&1 & srv=$!
	wait_for 5 listening host 5201 || return
	out=$(timeout $((DURATION + 15)) iperf3 -c 127.0.0.1 -p 5201 -u \
	      -b 0 -l 1400 -t "$DURATION" -J 2>/dev/null)
	wait $srv 2>/dev/null
	echo "$out" | python3 -c '
import json, sys
try:
    s = json.load(sys.stdin)["end"]["sum_received"]
    bps, lost = s["bits_per_second"], s["lost_percent"]
    print(f"{bps / 1e9:.2f} {lost:.1f}%")
except Exception:
    pass'
}
vals=()
out=
for r in $(seq "$RUNS"); do
	o=$(run_limit)
	vals+=("${o%% *}")
	out="$out ${o:-FAIL}"
done
LIMIT=$(median "${vals[@]}")
record "limit|udp|1400" "$LIMIT"
echo "  limit: plain loopback, 1400 B (Gbit/s loss):$out" >&2
for mode in ${MODES:-pasta passt}; do
	for mtu in ${MTUS:-65520}; do
		for impl in $IMPLS; do
			measure "$impl" "${IMPL_DIR[$impl]}" "$mode" "$mtu"
		done
	done
done

# ratio A B: A/B with two decimals, "-" if either isn't a positive number
ratio() {
	awk -v a="$1" -v b="$2" 'BEGIN {
		if (a ~ /^[0-9.]+$/ && b ~ /^[0-9.]+$/ && b > 0)
			printf "%.2f", a / b
		else
			print "-"
	}'
}

echo
printf '%-6s %-7s %-6s %-11s %-8s %10s %10s %7s %7s\n' \
	mode ip mtu direction unit ours anchor ratio o/limit
for mode in ${MODES:-pasta passt}; do
	for ipv in ${IPVS:-4 6} 4-1400; do
		for mtu in ${MTUS:-65520}; do
			for d in g2h h2g; do
				o=${RESULT["ours|$mode|$ipv|$mtu|$d"]:-FAIL}
				a=${RESULT["anchor|$mode|$ipv|$mtu|$d"]:--}
				dname=guest-host
				[ $d = h2g ] && dname=host-guest
				l=-
				[ $ipv = 4-1400 ] && l=$(ratio "$o" "$LIMIT")
				printf '%-6s %-7s %-6s %-11s %-8s %10s %10s %7s %7s\n' \
					udp-$mode v$ipv $mtu $dname Gbit/s \
					"$o" "$a" "$(ratio "$o" "$a")" "$l"
			done
		done
	done
done
echo "plain loopback UDP, 1400 B (the limit): $LIMIT Gbit/s"
echo "ratio: ours/anchor, receiver goodput (higher is better);" \
     "v4-1400: 1400-byte datagrams"
exit 0
