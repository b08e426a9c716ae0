# SPDX-License-Identifier: GPL-2.0-or-later
# Helpers sourced by the benchmark parts (test/perf/bench_*.sh), after
# test/lib.sh: medians and ratios, the implementations to compare, and
# record(), which hands a figure to the summary table of test/perf/bench.sh
# through the descriptor named by BENCH_FD (inherited across the sandbox).

# record KEY VALUE: hand a figure to the summary, if there is one
record() {
	[ -n "${BENCH_FD:-}" ] || return 0
	echo "$1 ${2:-FAIL}" >&"$BENCH_FD"
}

# median VALUE...: median of the numeric arguments, "FAIL" if none
median() {
	local v
	v=$(printf '%s\n' "$@" | grep -E '^[0-9.]+$' | sort -g)
	[ -z "$v" ] && { echo FAIL; return; }
	echo "$v" | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'
}

# ratio A B: A/B with two decimals, "-" if either isn't a positive number
ratio() {
	awk -v a="$1" -v b="$2" 'BEGIN {
		if (a ~ /^[0-9.]+$/ && b ~ /^[0-9.]+$/ && b > 0)
			printf "%.2f", a / b
		else
			print "-"
	}'
}

# bench_impls: set IMPLS and IMPL_DIR: ours, then ANCHOR and ANCHOR2 (paths
# to a passt binary with its "pasta" next to it) if given and present
bench_impls() {
	local name path
	IMPLS="ours"
	declare -gA IMPL_DIR=([ours]="$TOP")
	for name in anchor anchor2; do
		path=${ANCHOR:-}
		[ $name = anchor2 ] && path=${ANCHOR2:-}
		[ -n "$path" ] || continue
		if [ -x "$path" ] && [ -x "$(dirname "$path")/pasta" ]; then
			IMPLS="$IMPLS $name"
			IMPL_DIR[$name]=$(dirname "$path")
		else
			echo "$path: no passt and pasta there, skipping it" >&2
		fi
	done
}

# pasta_up BINARY_DIR OPTION...: start that pasta with --config-net and
# OPTIONs around a sleeping command, wait for the namespace to be set up;
# sets NET_PID (pasta) and GUEST_PID (the command, in the namespace)
pasta_up() {
	local dir=$1
	shift
	"$dir/pasta" --config-net -f "$@" -- sleep 3601 > "$WORK/net.log" 2>&1 &
	NET_PID=$!
	# The command may get a PID namespace of its own: the child of pasta
	wait_for 5 pgrep -P "$NET_PID" || return 1
	GUEST_PID=$(pgrep -P "$NET_PID" | head -n 1)
	wait_for 5 guest_ns_moved "$(readlink /proc/self/ns/net)" || return 1
	wait_for 5 guest_link_up uplink
}

# pasta_down: stop pasta and its command (SIGKILL: the command may be the
# init of a PID namespace, which ignores other signals)
pasta_down() {
	local kids=
	[ -n "${NET_PID:-}" ] && kids=$(pgrep -P "$NET_PID")
	if [ -n "${NET_PID:-}" ]; then
		kill "$NET_PID" 2>/dev/null
		wait "$NET_PID" 2>/dev/null
	fi
	for p in ${GUEST_PID:-} $kids; do
		kill -KILL "$p" 2>/dev/null
	done
	NET_PID= GUEST_PID=
}

# passt_up BINARY_DIR OPTION...: start that passt with OPTIONs and a
# namespace guest (guest0, 192.0.2.2/24, 2001:db8::2/64) bridged to it;
# sets NET_PID and GUEST_PID
passt_up() {
	local dir=$1
	shift
	rm -f "$WORK/passt.sock"
	"$dir/passt" -f -s "$WORK/passt.sock" "$@" > "$WORK/net.log" 2>&1 &
	NET_PID=$!
	wait_for 5 test -S "$WORK/passt.sock" || return 1
	guest_start "$WORK/passt.sock" || return 1
	in_guest ip addr add 192.0.2.2/24 dev guest0
	in_guest ip -6 addr add 2001:db8::2/64 dev guest0 nodad
	in_guest ip route replace default via 192.0.2.1
	in_guest ip -6 route replace default via 2001:db8::1
	wait_for 5 guest_link_up guest0
}

# passt_down: stop the guest and passt
passt_down() {
	guest_stop
	if [ -n "${NET_PID:-}" ]; then
		kill "$NET_PID" 2>/dev/null
		wait "$NET_PID" 2>/dev/null
	fi
	NET_PID=
}

# port_listening WHERE PORT: a TCP socket listens on PORT (WHERE: host or
# guest)
port_listening() {
	if [ "$1" = guest ]; then
		in_guest ss -ltnH "sport = :$2" | grep -q LISTEN
	else
		ss -ltnH "sport = :$2" | grep -q LISTEN
	fi
}
