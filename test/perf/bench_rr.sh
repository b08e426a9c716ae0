#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Request/response benchmarks (make bench): sockperf ping-pong, 64-byte
# messages over TCP, median (p50) latency in microseconds as sockperf
# reports it (half the round trip). Paths: plain loopback in the sandbox
# (the limit); pasta's splice (namespace to the host's 127.0.0.1); pasta's
# tap (namespace to 192.0.2.3, a non-loopback host address); passt's tap
# (a namespace guest bridged by test/helpers/tapbridge, to 192.0.2.3); and
# slirp4netns (--configure --mtu=65520, a namespace made by unshare, to
# 192.0.2.3), the second reference for the tap rows. Medians of RUNS runs;
# ours, ANCHOR and ANCHOR2 (passt binaries, "pasta" next to them).
#
# Environment: ANCHOR, ANCHOR2, RUNS (default 3), RR_SECONDS (seconds per
# sockperf run, default 2), RR_SIZE (bytes, default 64)

cd "$(dirname "$0")/../.." || exit 1
if [ "${BENCH_INNER:-}" != 1 ]; then
	export BENCH_INNER=1
	exec test/sandbox.sh bash test/perf/bench_rr.sh "$@"
fi

source test/lib.sh
source test/perf/bench_lib.sh
RUNS=${RUNS:-3}
RR_SECONDS=${RR_SECONDS:-2}
RR_SIZE=${RR_SIZE:-64}
NET_PID=
GUEST_PID=
SRV=
SLIRP_PID=
trap 'srv_stop; slirp_down; pasta_down; passt_down; rm -rf "$WORK"' EXIT

ip addr add 192.0.2.3/32 dev uplink-peer

declare -A RESULT

# srv_start ADDR PORT: sockperf server on the host, sets SRV
srv_start() {
	timeout 600 sockperf sr --tcp -i "$1" -p "$2" > /dev/null 2>&1 &
	SRV=$!
	wait_for 5 port_listening host "$2"
}

srv_stop() {
	[ -n "$SRV" ] || return 0
	kill "$SRV" 2>/dev/null
	wait "$SRV" 2>/dev/null
	SRV=
}

# pp ADDR PORT [PREFIX...]: one ping-pong run, the client started by
# PREFIX (e.g. nsenter into the guest), prints p50 in us
pp() {
	local addr=$1 port=$2 out
	shift 2
	out=$("$@" timeout $((RR_SECONDS + 20)) sockperf pp --tcp \
	      -i "$addr" -p "$port" -m "$RR_SIZE" -t "$RR_SECONDS" 2>&1)
	echo "$out" | sed -n 's/.*percentile 50\.000 = *\([0-9.]*\).*/\1/p'
}

# row NAME ADDR PORT [PREFIX...]: RUNS runs of pp into RESULT[NAME]
row() {
	local name=$1 vals=() _
	shift
	for _ in $(seq "$RUNS"); do
		vals+=("$(pp "$@")")
	done
	RESULT[$name]=$(median "${vals[@]}")
	record "$name" "${RESULT[$name]}"
	echo "  $name: ${vals[*]}" >&2
}

# slirp_up: a namespace made by unshare, attached to slirp4netns; sets
# GUEST_PID and SLIRP_PID
slirp_up() {
	unshare -n -- sh -c 'ip link set lo up && exec sleep 3601' &
	GUEST_PID=$!
	wait_for 5 guest_ns_moved "$(readlink /proc/self/ns/net)" || return 1
	slirp4netns --configure --mtu=65520 "$GUEST_PID" tap0 \
		> "$WORK/slirp.log" 2>&1 &
	SLIRP_PID=$!
	wait_for 5 sh -c "nsenter -t $GUEST_PID -n ip route show |
			  grep -q '^default'"
}

slirp_down() {
	[ -n "$SLIRP_PID" ] && kill "$SLIRP_PID" 2>/dev/null
	[ -n "$SLIRP_PID" ] && wait "$SLIRP_PID" 2>/dev/null
	if [ -n "$GUEST_PID" ]; then
		kill -KILL "$GUEST_PID" 2>/dev/null
		wait "$GUEST_PID" 2>/dev/null
	fi
	SLIRP_PID= GUEST_PID=
}

bench_impls
echo "Request/response: sockperf ping-pong, ${RR_SIZE} B, $RUNS runs of" \
     "${RR_SECONDS}s, median of p50" >&2

# The limit: plain loopback, no namespace in between
srv_start 127.0.0.1 5400
row "limit|rr|lo" 127.0.0.1 5400
srv_stop

for impl in $IMPLS; do
	dir=${IMPL_DIR[$impl]}
	if pasta_up "$dir" -t none -u none -U none -T 5401; then
		srv_start 127.0.0.1 5401 && wait_for 5 port_listening guest 5401
		row "$impl|rr|pasta_splice" 127.0.0.1 5401 \
		nsenter -t "$GUEST_PID" -n --
		srv_stop
		srv_start 192.0.2.3 5402
		row "$impl|rr|pasta_tap" 192.0.2.3 5402 \
		nsenter -t "$GUEST_PID" -n --
		srv_stop
	else
		echo "  $impl pasta: set-up failed" >&2
		tail -n 3 "$WORK/net.log" | sed 's/^/    /' >&2
	fi
	pasta_down
	if passt_up "$dir" -t none -u none; then
		srv_start 192.0.2.3 5402
		row "$impl|rr|passt_tap" 192.0.2.3 5402 \
		nsenter -t "$GUEST_PID" -n --
		srv_stop
	else
		echo "  $impl passt: set-up failed" >&2
		tail -n 3 "$WORK/net.log" | sed 's/^/    /' >&2
	fi
	passt_down
done

if command -v slirp4netns > /dev/null && slirp_up; then
	srv_start 192.0.2.3 5402
	row "slirp4netns|rr|tap" 192.0.2.3 5402 \
		nsenter -t "$GUEST_PID" -n --
	srv_stop
else
	echo "  slirp4netns: missing or set-up failed" >&2
fi
slirp_down

echo
printf '%-22s %-5s %9s %9s %9s %12s %11s %11s\n' path unit ours anchor \
	ours/anch slirp4netns ours/slirp ours/limit
lim=${RESULT["limit|rr|lo"]:-FAIL}
for p in pasta_splice pasta_tap passt_tap; do
	o=${RESULT["ours|rr|$p"]:-FAIL}
	a=${RESULT["anchor|rr|$p"]:--}
	s=-
	[ $p != pasta_splice ] && s=${RESULT["slirp4netns|rr|tap"]:-FAIL}
	printf '%-22s %-5s %9s %9s %9s %12s %11s %11s\n' "rr $p" us "$o" \
		"$a" "$(ratio "$o" "$a")" "$s" "$(ratio "$o" "$s")" \
		"$(ratio "$o" "$lim")"
done
printf '%-22s %-5s %9s\n' "rr loopback (limit)" us "$lim"
echo "latency: lower is better; target: splice <= 1.1 x limit," \
     "tap <= 0.9 x slirp4netns"
exit 0
