#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Unknown options and missing arguments: the GNU getopt texts callers look
# for, exactly, on one line, exit status 1, in both modes; podman's retry
# (without an option pasta doesn't know) replayed; deprecated options
# warned of once.
source "$(dirname "$0")/../lib.sh"

# exact NAME MODE EXPECTED ARG...: stderr is exactly EXPECTED, status 1
exact() {
	local name=$1 mode=$2 expect=$3 bin rc
	shift 3
	[ "$mode" = pasta ] && bin=$PASTA || bin=$PASST
	timeout 5 "$bin" "$@" </dev/null >"$WORK/out" 2>"$WORK/err"
	rc=$?
	if [ $rc -eq 1 ] && [ "$(cat "$WORK/err")" = "$expect" ] &&
	   [ "$(wc -l < "$WORK/err")" -eq 1 ]; then
		pass "$name"
	else
		fail "$name" "status $rc: $(head -c 300 "$WORK/err" | tr '\n' '|')"
	fi
}

for m in passt pasta; do
	exact "${m}_unrecognized_long" $m \
		"$m: unrecognized option '--xyz'" --xyz
	exact "${m}_unrecognized_long_value" $m \
		"$m: unrecognized option '--xyz=1'" --xyz=1
	exact "${m}_missing_argument_long" $m \
		"$m: option '--pid' requires an argument" --pid
	exact "${m}_missing_argument_abbreviated" $m \
		"$m: option '--pid' requires an argument" --pi
	exact "${m}_missing_argument_short" $m \
		"$m: option requires an argument -- 'P'" -P
	exact "${m}_invalid_short" $m "$m: invalid option -- 'x'" -x
	exact "${m}_invalid_short_in_cluster" $m \
		"$m: invalid option -- 'x'" -dxf
	exact "${m}_no_argument_allowed" $m \
		"$m: option '--debug' doesn't allow an argument" --debug=1
	exact "${m}_ambiguous" $m \
		"$m: option '--no-dhcp-' is ambiguous; possibilities: '--no-dhcp-dns' '--no-dhcp-search'" \
		--no-dhcp-
done
exact pasta_unrecognized_before_command pasta \
	"pasta: unrecognized option '--map-guest-addrx'" \
	--config-net --map-guest-addrx 169.254.1.2 -- true

# podman 5 runs pasta with --map-guest-addr and, if stderr has
# "unrecognized option '--map-guest-addr'", again without it. Replayed with
# an option no pasta has, in the place of podman's: the first run must fail
# with the text podman matches, the second one start.
ip netns add podman-retry
pid_ns=/run/netns/podman-retry
podman_opts=(--config-net --netns "$pid_ns" --zz-map-guest-addr 169.254.1.2
	     --dns-forward 169.254.1.1 --quiet -t none -u none -T none
	     -U none)
"$PASTA" "${podman_opts[@]}" 2>"$WORK/podman.err"
rc=$?
if [ $rc -ne 0 ] &&
   grep -qF "unrecognized option '--zz-map-guest-addr'" "$WORK/podman.err"
then
	retry=()
	skip_next=0
	for o in "${podman_opts[@]}"; do
		if [ $skip_next = 1 ]; then skip_next=0; continue; fi
		if [ "$o" = --zz-map-guest-addr ]; then
			skip_next=1
			continue
		fi
		retry+=("$o")
	done
	if "$PASTA" "${retry[@]}" 2>"$WORK/podman2.err" &&
	   wait_for 10 sh -c "ip netns exec podman-retry ip -o addr show |
			      grep -q 'inet 192\\.0\\.2\\.2/'"; then
		pass podman_retry_without_unknown_option
	else
		fail podman_retry_without_unknown_option \
			"$(head -c 300 "$WORK/podman2.err")"
	fi
else
	fail podman_retry_without_unknown_option \
		"status $rc: $(head -c 300 "$WORK/podman.err")"
fi
ip netns delete podman-retry
wait_for 10 sh -c "! pgrep -f 'pasta --config-net --netns $pid_ns'"

# -e/--stderr: accepted, one warning, once, and nothing else
out=$(timeout 5 "$PASTA" -q -e --stderr -t none -u none -T none -U none \
	-- sh -c 'echo ok' 2>"$WORK/e.err")
if [ "$out" = ok ] && [ "$(wc -l < "$WORK/e.err")" -eq 1 ] &&
   grep -q -- "^-e: deprecated option" "$WORK/e.err"; then
	pass stderr_option_deprecated_warning
else
	fail stderr_option_deprecated_warning \
		"out '$out', err: $(head -c 300 "$WORK/e.err" | tr '\n' '|')"
fi

# Spawn mode: nothing after the command's own output on stderr without
# --stats or -d; the counters with --stats
timeout 10 "$PASTA" -q -t none -u none -T none -U none -- \
	sh -c 'echo to-stderr >&2' 2>"$WORK/spawn.err"
if [ "$(cat "$WORK/spawn.err")" = to-stderr ]; then
	pass spawn_no_counters_on_stderr
else
	fail spawn_no_counters_on_stderr \
		"$(head -c 300 "$WORK/spawn.err" | tr '\n' '|')"
fi
timeout 10 "$PASTA" --stats 0 -t none -u none -T none -U none -- \
	sh -c 'echo to-stderr >&2' 2>"$WORK/spawn.err"
if grep -q "^TCP: 0 flows active" "$WORK/spawn.err" &&
   grep -q "^UDP: 0 flows active" "$WORK/spawn.err"; then
	pass spawn_counters_with_stats
else
	fail spawn_counters_with_stats \
		"$(tail -n 3 "$WORK/spawn.err" | tr '\n' '|')"
fi
