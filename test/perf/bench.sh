#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# make bench: run the benchmark parts, each in a sandbox of its own, then
# print one summary table of the figures issue 16 tracks, ours against the
# anchor (ANCHOR=/path/to/passt, its "pasta" next to it; ANCHOR2= a second
# one), the second reference (slirp4netns for the tap request/response
# rows, ANCHOR2 for the others) and the limit (plain loopback in the same
# sandbox and run). Parts, in order (BENCH_PARTS selects some of them):
#   tcp     test/perf/bench_tcp.sh     iperf3 and tcp_rr through the tap
#   udp     test/perf/bench_udp.sh     iperf3 UDP through the tap
#   splice  test/perf/bench_splice.sh  pasta's loopback bypass
#   rr      test/perf/bench_rr.sh      sockperf request/response
#   scale   test/perf/bench_scale.sh   flows held, timers, connection rate
#   idle    test/perf/bench_idle.sh    pasta at rest
# Each part prints its own table and hands its figures to this script on
# descriptor 6 (BENCH_FD), which the sandboxes inherit. Ratios are ours/X:
# for throughput and rates higher is better, for latency (us) lower.
#
# To fit in about ten minutes on two cores, the tcp and udp parts run IPv4
# only (IPVS=4) and the idle part one kind of load (IDLE_KINDS=mixed),
# unless these are set.
#
# Environment: BENCH_PARTS (default "tcp udp splice rr scale idle"), ANCHOR,
# ANCHOR2, RUNS, and what each part takes (see the parts)

cd "$(dirname "$0")/../.." || exit 1
PARTS=${BENCH_PARTS:-tcp udp splice rr scale idle}
export IPVS=${IPVS:-4} IDLE_KINDS=${IDLE_KINDS:-mixed}
RES=$(mktemp /tmp/bench.XXXXXX) || exit 1
trap 'rm -f "$RES"' EXIT
exec 6>>"$RES"
export BENCH_FD=6
start=$(date +%s)

for part in $PARTS; do
	if [ ! -f "test/perf/bench_$part.sh" ]; then
		echo "bench: no part '$part'" >&2
		continue
	fi
	t=$(date +%s)
	echo
	BENCH_INNER='' bash "test/perf/bench_$part.sh"
	echo "bench: part $part took $(( $(date +%s) - t )) s" >&2
done
exec 6>&-

# get KEY: the figure recorded under KEY, "-" if none
get() {
	awk -v k="$1" '$1 == k { v = $2 } END { print (v == "" ? "-" : v) }' \
		"$RES"
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

# line NAME UNIT KEY [REF2_KEY] [LIMIT_KEY]: one row of the summary, KEY
# without its implementation ("ours|" and "anchor|" are put in front)
line() {
	local o a r l ref=${4:-} lim=${5:-}
	o=$(get "ours|$3")
	a=$(get "anchor|$3")
	if [ -n "$ref" ]; then
		r=$(get "$ref")
	else
		r=$(get "anchor2|$3")
	fi
	l=-
	[ -n "$lim" ] && l=$(get "$lim")
	printf '%-40s %-6s %8s %8s %6s %8s %6s %8s %6s\n' "$1" "$2" "$o" "$a" \
		"$(ratio "$o" "$a")" "$r" "$(ratio "$o" "$r")" "$l" \
		"$(ratio "$o" "$l")"
}

SLIRP="slirp4netns|rr|tap"
TCP_CONNS=${TCP_CONNS:-30000}
echo
echo "Summary (issue 16), medians of ${RUNS:-3} runs; ref2: slirp4netns" \
     "for tap request/response, ANCHOR2 otherwise"
printf '%-40s %-6s %8s %8s %6s %8s %6s %8s %6s\n' row unit ours anchor \
	o/anch ref2 o/ref2 limit o/lim
line "pasta TCP splice, ns->host (v4)" Gbit/s "splice|tcp4_n2h" "" \
	"limit|splice|tcp4"
line "pasta TCP splice, host->ns (v4)" Gbit/s "splice|tcp4_h2n" "" \
	"limit|splice|tcp4"
line "pasta TCP splice, ns->host (v6)" Gbit/s "splice|tcp6_n2h" "" \
	"limit|splice|tcp6"
line "pasta TCP splice, host->ns (v6)" Gbit/s "splice|tcp6_h2n" "" \
	"limit|splice|tcp6"
line "TCP rr 64 B, splice (sockperf p50)" us "rr|pasta_splice" "" \
	"limit|rr|lo"
line "TCP rr 64 B, tap, pasta" us "rr|pasta_tap" "$SLIRP" "limit|rr|lo"
line "TCP rr 64 B, tap, passt" us "rr|passt_tap" "$SLIRP" "limit|rr|lo"
line "UDP 1400 B tap, pasta ns->host" Gbit/s \
	"udp|pasta|4-1400|65520|g2h" "" "limit|udp|1400"
line "UDP 1400 B tap, pasta host->ns" Gbit/s \
	"udp|pasta|4-1400|65520|h2g" "" "limit|udp|1400"
line "UDP 1400 B tap, passt guest->host" Gbit/s \
	"udp|passt|4-1400|65520|g2h" "" "limit|udp|1400"
line "UDP 1400 B tap, passt host->guest" Gbit/s \
	"udp|passt|4-1400|65520|h2g" "" "limit|udp|1400"
line "pasta TCP tap ns->host, MTU 65520" Gbit/s "tcp|pasta|4|65520|g2h"
line "pasta TCP tap ns->host, MTU 1500" Gbit/s "tcp|pasta|4|1500|g2h"
line "pasta TCP tap host->ns, MTU 65520" Gbit/s "tcp|pasta|4|65520|h2g"
line "passt TCP guest->host, MTU 65520" Gbit/s "tcp|passt|4|65520|g2h"
line "passt TCP guest->host, MTU 1500" Gbit/s "tcp|passt|4|1500|g2h"
line "passt TCP host->guest, MTU 1500" Gbit/s "tcp|passt|4|1500|h2g"
line "UDP flows answered, of ${UDP_FLOWS:-60000}" flows "scale|udp_answered"
line "UDP flows at the responder" flows "scale|udp_received"
line "TCP conns held at the peer, of $TCP_CONNS" conns "scale|tcp_conns"
line "idle timers, 100 conns: CPU/wake-up" us "scale|timer_cost_100"
line "idle timers, $TCP_CONNS conns: CPU/wake-up" us \
	"scale|timer_cost_$TCP_CONNS"
line "idle timers, $TCP_CONNS conns: CPU" us/s "scale|timer_cpu_$TCP_CONNS"
line "conn setup rate (CRR), splice" conn/s "scale|crr_splice" "" \
	"limit|scale|crr"
line "conn setup rate (CRR), tap" conn/s "scale|crr_tap" "" \
	"limit|scale|crr"
echo "limit: plain loopback in the same sandbox and run;" \
     "descriptor limit $(get "limit|scale|nofile") (flows past it can't be" \
     "held by one process)"
echo "bench: $(( $(date +%s) - start )) s in all" >&2
exit 0
