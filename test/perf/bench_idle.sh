#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# pasta at rest (make bench runs it after the others): CPU time and
# wake-ups of an idle "pasta --config-net -f -- sleep", with the default
# automatic forwarding (-t/-u/-T/-U auto), over DURATION seconds, while the
# host holds IDLE_SOCKETS idle sockets (test/perf/idle_sockets.py:
# established TCP connections and connected UDP sockets on loopback).
# CPU time is utime + stime from /proc/PID/stat (clock ticks) and, finer,
# the run time in /proc/PID/schedstat; wake-ups are the voluntary context
# switches in /proc/PID/status. Ours against the anchor in the same run:
# ANCHOR=/path/to/passt (its "pasta" next to it), /usr/bin/passt if unset
# and present. One run each: these are counts, not rates under load.
#
# Environment: ANCHOR, DURATION (default 30), SETTLE (seconds after set-up
# before counting, default 3), IDLE_SOCKETS (default 10000), IDLE_KINDS
# (default "tcp mixed"; also "udp")

cd "$(dirname "$0")/../.." || exit 1
if [ "${BENCH_INNER:-}" != 1 ]; then
	export BENCH_INNER=1
	exec test/sandbox.sh bash test/perf/bench_idle.sh "$@"
fi

source test/lib.sh
DURATION=${DURATION:-30}
SETTLE=${SETTLE:-3}
IDLE_SOCKETS=${IDLE_SOCKETS:-10000}
IDLE_KINDS=${IDLE_KINDS:-tcp mixed}
NET_PID=
HOLD_PID=
trap 'net_stop; [ -n "$HOLD_PID" ] && kill "$HOLD_PID"; rm -rf "$WORK"' EXIT

declare -A RESULT

# net_start BINARY_DIR: start an idle pasta from BINARY_DIR, sets NET_PID
net_start() {
	"$1/pasta" --config-net -f -- sleep $((DURATION + SETTLE + 20)) \
		> "$WORK/net.log" 2>&1 &
	NET_PID=$!
	wait_for 5 pgrep -P "$NET_PID" || return 1
	GUEST_PID=$(pgrep -P "$NET_PID" | head -n 1)
	wait_for 5 guest_ns_moved "$(readlink /proc/self/ns/net)"
}

net_stop() {
	if [ -n "$NET_PID" ]; then
		kill "$NET_PID" 2>/dev/null
		wait "$NET_PID" 2>/dev/null
	fi
	[ -n "$GUEST_PID" ] && kill -KILL "$GUEST_PID" 2>/dev/null
	NET_PID= GUEST_PID=
}

# counters PID: prints "ticks runtime_ns voluntary_switches"
counters() {
	local t r v
	t=$(sed 's/.*) //' "/proc/$1/stat" | awk '{ print $12 + $13 }')
	r=$(awk '{ print $1 }' "/proc/$1/schedstat" 2>/dev/null)
	v=$(awk '/^voluntary_ctxt_switches/ { print $2 }' "/proc/$1/status")
	echo "$t ${r:-0} $v"
}

# measure IMPL DIR KIND: fill RESULT for one implementation
measure() {
	local impl=$1 kind=$3 a b hz
	hz=$(getconf CLK_TCK)
	if ! net_start "$2"; then
		echo "  $impl: set-up failed" >&2
		tail -n 3 "$WORK/net.log" | sed 's/^/    /' >&2
		net_stop
		return
	fi
	sleep "$SETTLE"
	read -r -a a <<< "$(counters "$NET_PID")"
	sleep "$DURATION"
	read -r -a b <<< "$(counters "$NET_PID")"
	if ! kill -0 "$NET_PID" 2>/dev/null; then
		echo "  $impl: pasta ended early" >&2
		net_stop
		return
	fi
	RESULT["$impl|$kind|ticks"]=$(awk -v d=$((b[0] - a[0])) -v hz="$hz" \
				'BEGIN { printf "%.3f", d / hz }')
	RESULT["$impl|$kind|run"]=$(awk -v d=$((b[1] - a[1])) \
			      'BEGIN { printf "%.4f", d / 1e9 }')
	RESULT["$impl|$kind|wake"]=$(awk -v d=$((b[2] - a[2])) -v s="$DURATION" \
			       'BEGIN { printf "%.2f", d / s }')
	echo "  $impl $kind: ticks ${a[0]}..${b[0]}, run ns ${a[1]}..${b[1]}," \
	     "switches ${a[2]}..${b[2]}" >&2
	net_stop
}

ANCHOR=${ANCHOR:-}
[ -z "$ANCHOR" ] && [ -x /usr/bin/passt ] && ANCHOR=/usr/bin/passt
IMPLS="ours"
declare -A IMPL_DIR=([ours]="$TOP")
if [ -n "$ANCHOR" ]; then
	if [ -x "$ANCHOR" ] && [ -x "$(dirname "$ANCHOR")/pasta" ]; then
		IMPLS="ours anchor"
		IMPL_DIR[anchor]=$(dirname "$ANCHOR")
	else
		echo "ANCHOR=$ANCHOR: no passt and pasta there, skipping it" >&2
	fi
fi

# hold KIND: hold IDLE_SOCKETS host sockets of KIND, HOLD_PID
hold() {
	python3 "$TOP/test/perf/idle_sockets.py" "$IDLE_SOCKETS" "$1" \
		> "$WORK/hold" &
	HOLD_PID=$!
	if ! wait_for 60 grep -q ready "$WORK/hold"; then
		echo "idle: can't open $IDLE_SOCKETS sockets, none held" >&2
		kill "$HOLD_PID"
		HOLD_PID=
	fi
}

echo "Idle: ${DURATION}s of an idle pasta, $IDLE_SOCKETS host sockets" >&2
for kind in $IDLE_KINDS; do
	hold "$kind"
	for impl in $IMPLS; do
		measure "$impl" "${IMPL_DIR[$impl]}" "$kind"
	done
	[ -n "$HOLD_PID" ] && kill "$HOLD_PID" && wait "$HOLD_PID" 2>/dev/null
	HOLD_PID=
done

printf '%-6s %-28s %12s %12s\n' mode "idle ${DURATION}s, host sockets" \
	ours anchor
for kind in $IDLE_KINDS; do
	for k in ticks run wake; do
		case $k in
		ticks)	name="CPU s (stat)" ;;
		run)	name="CPU s (schedstat)" ;;
		wake)	name="wake-ups/s" ;;
		esac
		printf '%-6s %-28s %12s %12s\n' pasta "$kind: $name" \
			"${RESULT["ours|$kind|$k"]:-FAIL}" \
			"${RESULT["anchor|$kind|$k"]:--}"
	done
done
echo "target: under 0.02 CPU s per 30 s, at most 1 wake-up/s"
exit 0
