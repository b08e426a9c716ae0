# SPDX-License-Identifier: GPL-2.0-or-later
# Helpers sourced by integration tests (test/integration/*.sh). Each test
# script runs inside its own sandbox (test/sandbox.sh) and reports results
# as lines "PASS: name", "FAIL: name: why" or "SKIP: name: why".

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PASST="$TOP/passt"
PASTA="$TOP/pasta"
HELPERS="$TOP/test/helpers"
WORK=$(mktemp -d /tmp/test.XXXXXX)

pass() { echo "PASS: $1"; }
fail() { echo "FAIL: $1: ${2:-failed}"; }
skip() { echo "SKIP: $1: $2"; }

# check NAME COMMAND...: PASS if COMMAND succeeds, FAIL with its output if not
check() {
	local name=$1 out
	shift
	if out=$("$@" 2>&1); then
		pass "$name"
	else
		fail "$name" "$(echo "$out" | tail -n 3 | tr '\n' ' ')"
	fi
}

# wait_for SECONDS COMMAND...: poll COMMAND every 0.1 s until it succeeds
wait_for() {
	local deadline=$(( $(date +%s%N) + $1 * 1000000000 ))
	shift
	until "$@" >/dev/null 2>&1; do
		[ "$(date +%s%N)" -gt "$deadline" ] && return 1
		sleep 0.1
	done
}
