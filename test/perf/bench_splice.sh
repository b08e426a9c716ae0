#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# pasta loopback bypass benchmarks (make bench runs them after the others):
# spliced TCP throughput (iperf3) namespace to host and host to namespace,
# IPv4 and IPv6, through loopback on both sides; UDP throughput namespace
# to host (iperf3 -u -b 0, -U); connect/request/response rate
# (test/helpers/tcp_crr) both ways. Plain loopback TCP (iperf3 over the
# host's 127.0.0.1 and ::1, no namespace in between) is the limit, measured
# in the same run. Every figure is the median of RUNS runs. With ANCHOR=/path/to/passt the same runs use the "pasta" next to it
# too, and the table shows ours/anchor.
#
# TCP ports are forwarded with pasta's default, auto (listeners follow the
# servers within a second); UDP with an explicit -U, as iperf3 binds its
# UDP socket only once a test starts.
#
# Environment: ANCHOR, RUNS (default 3), DURATION (seconds per iperf3 run,
# default 2), CRR_COUNT (transactions per run, default 2000)

cd "$(dirname "$0")/../.." || exit 1
if [ "${BENCH_INNER:-}" != 1 ]; then
	export BENCH_INNER=1
	exec test/sandbox.sh bash test/perf/bench_splice.sh "$@"
fi

source test/lib.sh
source test/perf/bench_lib.sh
RUNS=${RUNS:-3}
DURATION=${DURATION:-2}
CRR_COUNT=${CRR_COUNT:-2000}
CRR="$HELPERS/tcp_crr"
NET_PID=
trap 'net_stop; rm -rf "$WORK"' EXIT

declare -A RESULT

# net_start BINARY_DIR: start pasta from BINARY_DIR, sets GUEST_PID
net_start() {
	"$1/pasta" --config-net -f -U 5331,5341 -- sleep 3601 \
		> "$WORK/net.log" 2>&1 &
	NET_PID=$!
	# The command may get a PID namespace of its own: the child of pasta
	wait_for 5 pgrep -P "$NET_PID" || return 1
	GUEST_PID=$(pgrep -P "$NET_PID" | head -n 1)
	wait_for 5 guest_ns_moved "$(readlink /proc/self/ns/net)" || return 1
	wait_for 5 sh -c "nsenter -t $GUEST_PID -n ip -6 addr show | \
			  grep -q 'inet6 2001:db8::2/64 scope global'" || return 1
	wait_for 5 sh -c "! nsenter -t $GUEST_PID -n ip -6 addr show | \
			  grep -q tentative"
}

net_stop() {
	if [ -n "$NET_PID" ]; then
		kill "$NET_PID" 2>/dev/null
		wait "$NET_PID" 2>/dev/null
	fi
	[ -n "$GUEST_PID" ] && kill -KILL "$GUEST_PID" 2>/dev/null
	NET_PID= GUEST_PID=
}

# listening WHERE PORT
listening() {
	if [ "$1" = guest ]; then
		in_guest ss -ltnH "sport = :$2" | grep -q LISTEN
	else
		ss -ltnH "sport = :$2" | grep -q LISTEN
	fi
}

# both_listening PORT: the server and pasta's listener on the other side
both_listening() {
	wait_for 5 listening host "$1" && wait_for 5 listening guest "$1"
}

# bps_of: iperf3 JSON on stdin, receiver's Gbit/s on stdout
bps_of() {
	python3 -c '
import json, sys
try:
    e = json.load(sys.stdin)["end"]
    s = e.get("sum_received") or e["sum"]
    print("%.2f" % (s["bits_per_second"] / 1e9))
except Exception:
    pass'
}

# run_tcp DIR IPV: iperf3 through loopback, prints Gbit/s
#   DIR: n2h (server on the host) or h2n (server in the namespace)
run_tcp() {
	local dir=$1 lo=127.0.0.1 srv out port
	[ "$2" = 6 ] && lo=::1
	if [ "$dir" = n2h ]; then
		port=5301
		timeout $((DURATION + 20)) iperf3 -s -1 -p $port \
			> /dev/null 2>&1 & srv=$!
		both_listening $port || return
		out=$(in_guest timeout $((DURATION + 15)) \
		      iperf3 -c $lo -p $port -t "$DURATION" -J 2>/dev/null)
	else
		port=5302
		in_guest timeout $((DURATION + 20)) iperf3 -s -1 -p $port \
			> /dev/null 2>&1 & srv=$!
		both_listening $port || return
		out=$(timeout $((DURATION + 15)) \
		      iperf3 -c $lo -p $port -t "$DURATION" -J 2>/dev/null)
	fi
	wait $srv 2>/dev/null
	echo "$out" | bps_of
}

# run_udp IPV: iperf3 -u -b 0 from the namespace to the host's loopback
run_udp() {
	local lo=127.0.0.1 port=5331 srv out
	[ "$1" = 6 ] && lo=::1 port=5341
	timeout $((DURATION + 20)) iperf3 -s -1 -p $port \
		> /dev/null 2>&1 & srv=$!
	both_listening $port || return
	out=$(in_guest timeout $((DURATION + 15)) iperf3 -u -b 0 -l 8192 \
	      -c $lo -p $port -t "$DURATION" -J 2>/dev/null)
	wait $srv 2>/dev/null
	echo "$out" | bps_of
}

# run_crr DIR: connections per second through loopback
run_crr() {
	local dir=$1 srv out port
	if [ "$dir" = n2h ]; then
		port=5321
		"$CRR" server $port > /dev/null 2>&1 & srv=$!
		both_listening $port || { kill $srv; return; }
		out=$(in_guest timeout 60 "$CRR" client 127.0.0.1 $port \
		      "$CRR_COUNT")
	else
		port=5322
		nsenter -t "$GUEST_PID" -n -- "$CRR" server $port \
			> /dev/null 2>&1 & srv=$!
		both_listening $port || { kill $srv; return; }
		out=$(timeout 60 "$CRR" client 127.0.0.1 $port "$CRR_COUNT")
	fi
	kill $srv 2>/dev/null
	wait $srv 2>/dev/null
	echo "$out" | sed -n 's/^crr_per_s //p'
}

# median VALUE...: median of the numeric arguments, "FAIL" if none
median() {
	local v
	v=$(printf '%s\n' "$@" | grep -E '^[0-9.]+$' | sort -g)
	[ -z "$v" ] && { echo FAIL; return; }
	echo "$v" | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'
}

# row IMPL KEY COMMAND...: RUNS runs of COMMAND, median into RESULT
row() {
	local impl=$1 key=$2 vals=() r
	shift 2
	for r in $(seq "$RUNS"); do
		vals+=("$("$@")")
	done
	RESULT["$impl|$key"]=$(median "${vals[@]}")
	record "$impl|splice|$key" "${RESULT["$impl|$key"]}"
	echo "  $impl $key: ${vals[*]}" >&2
}

# measure IMPL DIR: every row for one implementation
measure() {
	local impl=$1
	if ! net_start "$2"; then
		echo "  $impl: set-up failed" >&2
		tail -n 3 "$WORK/net.log" | sed 's/^/    /' >&2
		net_stop
		return
	fi
	row "$impl" tcp4_n2h run_tcp n2h 4
	row "$impl" tcp4_h2n run_tcp h2n 4
	row "$impl" tcp6_n2h run_tcp n2h 6
	row "$impl" tcp6_h2n run_tcp h2n 6
	row "$impl" udp4_n2h run_udp 4
	row "$impl" udp6_n2h run_udp 6
	row "$impl" crr4_n2h run_crr n2h
	row "$impl" crr4_h2n run_crr h2n
	net_stop
}

IMPLS="ours"
declare -A IMPL_DIR=([ours]="$TOP")
if [ -n "${ANCHOR:-}" ]; then
	if [ -x "$(dirname "$ANCHOR")/pasta" ]; then
		IMPLS="ours anchor"
		IMPL_DIR[anchor]=$(dirname "$ANCHOR")
	else
		echo "ANCHOR=$ANCHOR: no pasta there, skipping it" >&2
	fi
fi

echo "Splice benchmark: $RUNS runs of ${DURATION}s each, median" >&2

# run_limit IPV: iperf3 over plain loopback, prints Gbit/s
run_limit() {
	local lo=127.0.0.1 srv out
	[ "$1" = 6 ] && lo=::1
	timeout $((DURATION + 20)) iperf3 -s -1 -p 5309 > /dev/null 2>&1 &
	srv=$!
	wait_for 5 listening host 5309 || return
	out=$(timeout $((DURATION + 15)) iperf3 -c $lo -p 5309 \
	      -t "$DURATION" -J 2>/dev/null)
	wait $srv 2>/dev/null
	echo "$out" | bps_of
}
row limit tcp4 run_limit 4
row limit tcp6 run_limit 6
for impl in $IMPLS; do
	measure "$impl" "${IMPL_DIR[$impl]}"
done

# ratio A B: A/B with two decimals, "-" if either isn't a number
ratio() {
	awk -v a="$1" -v b="$2" 'BEGIN {
		if (a ~ /^[0-9.]+$/ && b ~ /^[0-9.]+$/ && b > 0)
			printf "%.2f", a / b
		else
			print "-"
	}'
}

echo
printf '%-10s %-22s %-8s %12s %12s %8s %8s\n' \
	path direction unit ours anchor ratio o/limit
for key in tcp4_n2h tcp4_h2n tcp6_n2h tcp6_h2n udp4_n2h udp6_n2h \
	   crr4_n2h crr4_h2n; do
	o=${RESULT["ours|$key"]:-FAIL}
	a=${RESULT["anchor|$key"]:--}
	case $key in
	tcp4*) path="splice v4" ;;
	tcp6*) path="splice v6" ;;
	udp4*) path="udp lo v4" ;;
	udp6*) path="udp lo v6" ;;
	crr*) path="crr v4" ;;
	esac
	case $key in
	*n2h) dname=namespace-host ;;
	*) dname=host-namespace ;;
	esac
	unit=Gbit/s
	[ "${key#crr}" != "$key" ] && unit=conn/s
	l=-
	case $key in
	tcp4*) l=$(ratio "$o" "${RESULT["limit|tcp4"]}") ;;
	tcp6*) l=$(ratio "$o" "${RESULT["limit|tcp6"]}") ;;
	esac
	printf '%-10s %-22s %-8s %12s %12s %8s %8s\n' "$path" $dname $unit \
		"$o" "$a" "$(ratio "$o" "$a")" "$l"
done
echo "plain loopback TCP (the limit): ${RESULT["limit|tcp4"]} Gbit/s IPv4," \
     "${RESULT["limit|tcp6"]} IPv6"
echo "ratio: ours/anchor, o/limit: ours/plain loopback (higher is better)"
exit 0
