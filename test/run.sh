#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Run every unit test (test/unit) and integration test (test/integration,
# each in its own sandbox), then print "N passed, N failed, N skipped".
# Usage: test/run.sh [PATTERN]  (only tests whose file name matches)

cd "$(dirname "$0")/.." || exit 1
bash test/deps.sh || exit 1
pattern=${1:-}
passed=0 failed=0 skipped=0
TEST_TIMEOUT=${TEST_TIMEOUT:-600}
mkdir -p test/out

# tally NAME OUTPUT_FILE RC: count result lines, and a crash without any
tally() {
	local name=$1 out=$2 rc=$3 p f s
	p=$(grep -ac '^PASS: ' "$out")
	f=$(grep -ac '^FAIL: ' "$out")
	s=$(grep -ac '^SKIP: ' "$out")
	grep -aE '^(PASS|FAIL|SKIP): ' "$out" | sed "s|^|[$name] |"
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		echo "[$name] FAIL: $name: exited with status $rc"
		tail -n 20 "$out" | sed 's/^/    /'
		f=$((f + 1))
	elif [ "$f" -ne 0 ]; then
		grep -av -E '^(PASS|SKIP): ' "$out" | tail -n 30 | sed 's/^/    /'
	fi
	if [ "$((p + f + s))" -eq 0 ]; then
		echo "[$name] FAIL: $name: reported no result"
		f=1
	fi
	passed=$((passed + p)) failed=$((failed + f)) skipped=$((skipped + s))
}

for t in test/unit/*.c; do
	bin=${t%.c}
	name=unit/$(basename "$bin")
	[ -n "$pattern" ] && [[ $name != *$pattern* ]] && continue
	out=test/out/$(basename "$bin").unit.log
	timeout "$TEST_TIMEOUT" "$bin" > "$out" 2>&1
	tally "$name" "$out" $?
done

for t in test/integration/*.sh; do
	[ -e "$t" ] || continue
	name=$(basename "$t" .sh)
	[ -n "$pattern" ] && [[ $name != *$pattern* ]] && continue
	out=test/out/$name.log
	# Opt-in: "# sandbox: map-users" maps a range of IDs (sandbox.sh)
	users=
	grep -qx '# sandbox: map-users' "$t" && users=map
	SANDBOX_USERS=$users timeout -k 10 "$TEST_TIMEOUT" \
		test/sandbox.sh bash "$t" > "$out" 2>&1
	tally "$name" "$out" $?
done

# Continuous integration skips nothing: a skip there is a failure
if [ "${CI:-}" = true ] && [ "$skipped" -gt 0 ]; then
	echo "CI: $skipped tests skipped, failing them (see SKIP lines above)"
	failed=$((failed + skipped))
fi

echo
if [ "$skipped" -gt 0 ]; then
	echo "$passed passed, $failed failed, $skipped skipped"
else
	echo "$passed passed, $failed failed"
fi
[ "$failed" -eq 0 ]
