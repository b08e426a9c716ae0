#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Scale benchmarks (make bench), through pasta's tap path (the namespace
# talks to 192.0.2.3, a non-loopback host address), with the helper
# test/helpers/flow_load:
# - UDP flows held at once: the namespace sends one datagram from each of
#   UDP_FLOWS distinct source ports to a host responder; counts the flows
#   answered, and the datagrams the responder got (fewer than sent: new
#   flows silently dropped on the way out)
# - TCP connections held: the namespace opens TCP_CONNS connections to the
#   host and holds them; counts those established at the peer (ss)
# - timer cost: CPU time (schedstat) and wake-ups (context switches) of the
#   pasta process over TIMER_IDLE idle seconds with 100 and with TCP_CONNS
#   connections held: nothing moves, so every wake-up is a timer event, and
#   CPU us per wake-up is the per-event cost, which should stay flat
# - connection setup rate (test/helpers/tcp_crr, connect, one byte each
#   way, close, as many as fit in CRR_SECONDS) over plain loopback (the
#   limit), pasta's splice path and its tap path
# pasta opens a socket per flow: the descriptor limit is raised to the hard
# limit, which the sandbox can't raise, so it is printed too. Ports: none
# forwarded automatically (the namespace's many bound sockets would be
# mirrored on the host), -T for the splice rows only.
#
# Environment: ANCHOR, ANCHOR2, RUNS (default 3, connection rate only),
# UDP_FLOWS (default 60000), TCP_CONNS (default 30000), TIMER_IDLE
# (seconds, default 5), CRR_SECONDS (default 2)

cd "$(dirname "$0")/../.." || exit 1
if [ "${BENCH_INNER:-}" != 1 ]; then
	export BENCH_INNER=1
	exec test/sandbox.sh bash test/perf/bench_scale.sh "$@"
fi

source test/lib.sh
source test/perf/bench_lib.sh
RUNS=${RUNS:-3}
UDP_FLOWS=${UDP_FLOWS:-60000}
TCP_CONNS=${TCP_CONNS:-30000}
TIMER_IDLE=${TIMER_IDLE:-5}
CRR_SECONDS=${CRR_SECONDS:-2}
LOAD="$HELPERS/flow_load"
CRR="$HELPERS/tcp_crr"
NET_PID=
GUEST_PID=
PEER=
trap 'peer_stop; pasta_down; rm -rf "$WORK"' EXIT

ip addr add 192.0.2.3/32 dev uplink-peer
# Room for the sockets pasta opens on the host, one per flow
echo "1024 65535" > /proc/sys/net/ipv4/ip_local_port_range
ulimit -n "$(ulimit -Hn)"
NOFILE=$(ulimit -Hn)

declare -A RESULT

# put KEY VALUE: keep a figure, hand it to the summary
put() {
	RESULT[$1]=${2:-FAIL}
	record "$1" "${2:-FAIL}"
}

# up DIR OPTION...: pasta with no automatic forwarding, the namespace's
# port range widened like the host's
up() {
	local dir=$1
	shift
	pasta_up "$dir" -t none -u none -U none "$@" || return 1
	in_guest sh -c \
		'echo "1024 65535" > /proc/sys/net/ipv4/ip_local_port_range'
}

peer_stop() {
	[ -n "$PEER" ] || return 0
	kill "$PEER" 2>/dev/null
	wait "$PEER" 2>/dev/null
	PEER=
}

# counters PID: prints "runtime_ns context_switches"
counters() {
	local r v n
	r=$(awk '{ print $1 }' "/proc/$1/schedstat" 2>/dev/null)
	v=$(awk '/^voluntary_ctxt_switches/ { print $2 }' "/proc/$1/status")
	n=$(awk '/^nonvoluntary_ctxt_switches/ { print $2 }' \
		"/proc/$1/status")
	echo "${r:-0} $((v + n))"
}

# udp_flows IMPL DIR: flows answered out of UDP_FLOWS
udp_flows() {
	local impl=$1 out
	up "$2" -T none || { echo "  $impl: set-up failed" >&2; return; }
	"$LOAD" udp-echo 1900 120 > "$WORK/echo" 2>&1 &
	PEER=$!
	sleep 0.2
	out=$(in_guest timeout 130 "$LOAD" udp-flows 192.0.2.3 1900 2000 \
	      "$UDP_FLOWS" 90)
	put "$impl|scale|udp_fds" "$(ls "/proc/$NET_PID/fd" | wc -l)"
	peer_stop
	put "$impl|scale|udp_answered" "$(echo "$out" |
					  sed -n 's/.* answered //p')"
	put "$impl|scale|udp_received" "$(sed -n 's/^received //p' \
					  "$WORK/echo")"
	echo "  $impl udp flows: $out, responder $(cat "$WORK/echo")," \
	     "pasta descriptors ${RESULT["$impl|scale|udp_fds"]}" >&2
	pasta_down
}

# tcp_hold IMPL DIR N: hold N connections, count them, time the timers
tcp_hold() {
	local impl=$1 n=$3 hold a b est
	up "$2" -T none || { echo "  $impl: set-up failed" >&2; return; }
	"$LOAD" tcp-accept 1901 3 120 > /dev/null 2>&1 &
	PEER=$!
	wait_for 5 port_listening host 1901
	in_guest timeout 130 "$LOAD" tcp-hold 192.0.2.3 1901 "$n" 100 \
		> "$WORK/hold" 2>&1 &
	hold=$!
	if ! wait_for 90 grep -q established "$WORK/hold"; then
		echo "  $impl tcp hold $n: no outcome" >&2
	fi
	est=$(ss -tnH state established '( sport = :1901 )' | wc -l)
	[ "$n" = "$TCP_CONNS" ] && put "$impl|scale|tcp_conns" "$est"
	sleep 2
	read -r -a a <<< "$(counters "$NET_PID")"
	sleep "$TIMER_IDLE"
	read -r -a b <<< "$(counters "$NET_PID")"
	put "$impl|scale|timer_cpu_$n" "$(awk -v d=$((b[0] - a[0])) \
		-v s="$TIMER_IDLE" 'BEGIN { printf "%.0f", d / 1e3 / s }')"
	put "$impl|scale|timer_wake_$n" "$(awk -v d=$((b[1] - a[1])) \
		-v s="$TIMER_IDLE" 'BEGIN { printf "%.1f", d / s }')"
	put "$impl|scale|timer_cost_$n" "$(awk -v r=$((b[0] - a[0])) \
		-v w=$((b[1] - a[1])) 'BEGIN {
			if (w > 0)
				printf "%.1f", r / 1e3 / w
			else
				print "-"
		}')"
	echo "  $impl tcp hold $n: $(cat "$WORK/hold"), at the peer $est;" \
	     "idle ${TIMER_IDLE}s: run ns ${a[0]}..${b[0]}," \
	     "switches ${a[1]}..${b[1]}" >&2
	kill "$hold" 2>/dev/null
	wait "$hold" 2>/dev/null
	peer_stop
	pasta_down
}

# crr KEY ADDR PORT [PREFIX...]: RUNS connection rate runs, median to KEY
crr() {
	local key=$1 addr=$2 port=$3 vals=() r
	shift 3
	for r in $(seq "$RUNS"); do
		vals+=("$("$@" timeout $((CRR_SECONDS + 30)) "$CRR" client \
			 "$addr" "$port" 1000000 "$CRR_SECONDS" |
			 sed -n 's/^crr_per_s //p')")
	done
	put "$key" "$(median "${vals[@]}")"
	echo "  $key: ${vals[*]}" >&2
}

# crr_paths IMPL DIR: connection rate over splice and tap
crr_paths() {
	local impl=$1
	up "$2" -T 5321 || { echo "  $impl: set-up failed" >&2; return; }
	"$CRR" server 5321 > /dev/null 2>&1 &
	PEER=$!
	wait_for 5 port_listening host 5321 &&
		wait_for 5 port_listening guest 5321
	crr "$impl|scale|crr_splice" 127.0.0.1 5321 \
		nsenter -t "$GUEST_PID" -n --
	crr "$impl|scale|crr_tap" 192.0.2.3 5321 \
		nsenter -t "$GUEST_PID" -n --
	peer_stop
	pasta_down
}

bench_impls
echo "Scale: $UDP_FLOWS UDP flows, $TCP_CONNS TCP connections, timers over" \
     "${TIMER_IDLE}s idle, connection rate $RUNS x ${CRR_SECONDS}s;" \
     "descriptor limit $NOFILE" >&2
record "limit|scale|nofile" "$NOFILE"

"$CRR" server 5320 > /dev/null 2>&1 &
PEER=$!
wait_for 5 port_listening host 5320
crr "limit|scale|crr" 127.0.0.1 5320
peer_stop

for impl in $IMPLS; do
	dir=${IMPL_DIR[$impl]}
	udp_flows "$impl" "$dir"
	tcp_hold "$impl" "$dir" 100
	tcp_hold "$impl" "$dir" "$TCP_CONNS"
	crr_paths "$impl" "$dir"
done

echo
printf '%-34s %-8s %9s %9s %9s %9s\n' row unit ours anchor ours/anch \
	ours/lim
for k in udp_answered udp_received tcp_conns timer_wake_100 \
	 timer_cpu_100 timer_cost_100 "timer_wake_$TCP_CONNS" \
	 "timer_cpu_$TCP_CONNS" "timer_cost_$TCP_CONNS" crr_splice crr_tap; do
	o=${RESULT["ours|scale|$k"]:-FAIL}
	an=${RESULT["anchor|scale|$k"]:--}
	l=-
	case $k in
	udp_answered)	name="UDP flows answered of $UDP_FLOWS"
			unit=flows ;;
	udp_received)	name="UDP flows at the responder"; unit=flows ;;
	tcp_conns)	name="TCP conns held of $TCP_CONNS"; unit=conns ;;
	timer_wake_*)	name="idle, ${k#timer_wake_} conns: wake-ups"
			unit=1/s ;;
	timer_cpu_*)	name="idle, ${k#timer_cpu_} conns: CPU"
			unit=us/s ;;
	timer_cost_*)	name="idle, ${k#timer_cost_} conns: per wake-up"
			unit=us ;;
	crr_*)		name="conn rate ${k#crr_}"; unit=conn/s
			l=${RESULT["limit|scale|crr"]:-FAIL} ;;
	esac
	printf '%-34s %-8s %9s %9s %9s %9s\n' "$name" "$unit" "$o" "$an" \
		"$(ratio "$o" "$an")" "$(ratio "$o" "$l")"
done
printf '%-34s %-8s %9s\n' "conn rate, plain loopback (limit)" conn/s \
	"${RESULT["limit|scale|crr"]:-FAIL}"
echo "descriptor limit (hard, can't be raised here): $NOFILE"
exit 0
