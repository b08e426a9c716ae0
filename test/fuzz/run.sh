#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Run each fuzz target for a while, for `make fuzz`: inside a throw-away
# user and network namespace (only loopback: handlers open real sockets to
# addresses taken from fuzzed frames), starting from a scratch copy of the
# committed seed corpus so that the committed one doesn't grow. Fails if any
# target reports a crash, leak or sanitizer finding; the input that did it
# is kept in test/fuzz/build/artifacts/.
# Usage: test/fuzz/run.sh SECONDS TARGET...

set -u
cd "$(dirname "$0")" || exit 1

secs=${1:-60}
shift
build=$PWD/build
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
mkdir -p "$build/artifacts"

if ! unshare -rn true 2>/dev/null; then
	echo "fuzz: can't create user and network namespaces (unshare -rn)" >&2
	exit 1
fi

status=0
summary=()
for t in "$@"; do
	corpus=$scratch/$t
	mkdir -p "$corpus"
	[ -d "corpus/$t" ] && cp corpus/"$t"/* "$corpus"/
	log=$build/$t.log
	echo "fuzz: $t for ${secs}s"
	# -close_fd_mask=1: --help and friends print to standard output
	(cd "$scratch" && unshare -rn "$build/$t" -max_total_time="$secs" \
		-print_final_stats=1 -close_fd_mask=1 -timeout=25 \
		-rss_limit_mb=4096 -artifact_prefix="$build/artifacts/$t-" \
		"$corpus") >"$log" 2>&1
	rc=$?
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
	if [ $rc -ne 0 ] || grep -qE '^(==[0-9]+==ERROR|SUMMARY: )' "$log"; then
		echo "FAIL: fuzz_$t: exit status $rc after ${execs:-?} runs"
		grep -E -A30 '^(==[0-9]+==ERROR|SUMMARY: |.*runtime error)' \
			"$log" | head -60
		ls "$build/artifacts/" | grep "^$t-" | sed 's/^/  input: /'
		status=1
	else
		echo "PASS: fuzz_$t: ${execs:-?} runs"
	fi
	summary+=("$t: ${execs:-?} executions")
done

echo "fuzz: executions per target (${secs}s each):"
printf '  %s\n' "${summary[@]}"
exit $status
