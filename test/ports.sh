#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Portability jobs: passt, its unit tests and helpers built against musl, and
# for aarch64 and s390x (big-endian) with Debian's cross compilers, each in a
# scratch copy of the tree so that the main build is left alone; then the
# unit tests run, natively for musl, under qemu-user for the others. Prints
# "ports: JOB: N passed, N failed" per job, exits non-zero on any failure.
# Usage: test/ports.sh [--deps] [JOB...]
#   JOB: musl, aarch64, s390x (default: all three)
#   --deps: install the missing Debian packages first (as root)
# Environment: PORTS_MAKE_JOBS (make -j, default 2), PORTS_KEEP=1 keeps the
# scratch copies, TEST_TIMEOUT (seconds per unit test binary, default 300).

set -u
cd "$(dirname "$0")/.." || exit 1
src=$(pwd)

# Packages, and why:
#   musl-tools			musl-gcc, for the musl job
#   gcc-aarch64-linux-gnu,
#   libc6-dev-arm64-cross	aarch64 cross compiler and C library
#   gcc-s390x-linux-gnu,
#   libc6-dev-s390x-cross	s390x (big-endian) cross compiler and C library
#   qemu-user-static		runs the cross-built (static) unit tests,
#				without binfmt_misc set up
#   binutils			readelf: is the program really static?
#   cpio			the scratch copies of the tree
DEPS=(
	musl-tools gcc-aarch64-linux-gnu libc6-dev-arm64-cross
	gcc-s390x-linux-gnu libc6-dev-s390x-cross qemu-user-static binutils
	cpio
)

# Left out under qemu-user, by name (they run in the native and musl jobs):
# qemu-user is a threaded process, so unshare(CLONE_NEWUSER) fails with
# EINVAL, and a seccomp filter written for the target's system calls would
# apply to qemu's own, the host's
declare -A QEMU_SKIP=(
	[icmp]="needs a user and network namespace (unshare() under qemu-user fails)"
	[isolation]="enters namespaces and installs the seccomp filter: not under qemu-user"
	[seccomp]="the target's filter would judge qemu-user's host system calls"
)

# Job table: C compiler, runner (empty: native), AUDIT_ARCH_* of the target
declare -A JOB_CC=([musl]=musl-gcc [aarch64]=aarch64-linux-gnu-gcc
		   [s390x]=s390x-linux-gnu-gcc)
declare -A JOB_RUN=([musl]="" [aarch64]=qemu-aarch64-static
		    [s390x]=qemu-s390x-static)
declare -A JOB_ARCH=([musl]=AUDIT_ARCH_X86_64 [aarch64]=AUDIT_ARCH_AARCH64
		     [s390x]=AUDIT_ARCH_S390X)

install=
jobs=()
for a in "$@"; do
	case $a in
	--deps)	install=1 ;;
	musl|aarch64|s390x) jobs+=("$a") ;;
	*)	echo "Usage: $0 [--deps] [musl|aarch64|s390x]..." >&2; exit 2 ;;
	esac
done
[ ${#jobs[@]} -eq 0 ] && jobs=(musl aarch64 s390x)
[ "$(uname -m)" = x86_64 ] || JOB_ARCH[musl]=

# deps: install or name the missing packages
deps() {
	local missing=() p

	command -v dpkg-query >/dev/null 2>&1 || return 0
	for p in "${DEPS[@]}"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null |
			grep -q 'install ok installed' || missing+=("$p")
	done
	[ ${#missing[@]} -eq 0 ] && return 0
	if [ -z "$install" ] || [ "$(id -u)" -ne 0 ]; then
		echo "ports: missing packages: ${missing[*]}" >&2
		echo "ports: as root: $0 --deps, or apt-get install" \
		     "${missing[*]}" >&2
		return 1
	fi
	echo "ports: installing ${missing[*]}" >&2
	DEBIAN_FRONTEND=noninteractive apt-get update -q </dev/null >&2 &&
	DEBIAN_FRONTEND=noninteractive apt-get install -q -y \
		--no-install-recommends "${missing[@]}" </dev/null >&2
}
deps || exit 1

# copy_tree DIR: the sources as they are in the work tree, not its builds
copy_tree() {
	if git -C "$src" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
		git -C "$src" ls-files -z -co --exclude-standard |
			while IFS= read -r -d '' f; do
				[ -e "$f" ] && printf '%s\0' "$f"
			done | cpio -0 -pdm --quiet "$1"
	else
		cp -a . "$1" && make -s -C "$1" clean >/dev/null
	fi
}

passed=0 failed=0

# result OK NAME WHY: a PASS or FAIL line of the current job, counted
result() {
	if [ "$1" = 0 ]; then
		echo "[$job] PASS: $2"
		passed=$((passed + 1))
	else
		echo "[$job] FAIL: $2: $3"
		failed=$((failed + 1))
	fi
}

# run_job JOB: build in a scratch copy, check, run the unit tests
run_job() {
	local cc=${JOB_CC[$job]} run=${JOB_RUN[$job]} arch=${JOB_ARCH[$job]}
	local dir t name out rc p f nr kh want start=$SECONDS
	local units helpers

	dir=$(mktemp -d "/tmp/passt-ports-$job.XXXXXX")
	copy_tree "$dir" || { result 1 build "can't copy the tree"; return; }
	units=$(cd "$dir" && printf '%s\n' test/unit/*.c | sed 's/\.c$//')
	helpers=$(cd "$dir" && printf '%s\n' test/helpers/*.c | sed 's/\.c$//')

	# shellcheck disable=SC2086
	if ! nice make -C "$dir" -s -j"${PORTS_MAKE_JOBS:-2}" CI=true \
	     CC="$cc" passt pasta $units $helpers > "$dir/build.log" 2>&1; then
		tail -n 30 "$dir/build.log" | sed 's/^/    /'
		result 1 build "make CC=$cc failed"
	else
		grep -v '^note: ' "$dir/build.log" | sed 's/^/    /'
		result 0 build
	fi

	if [ -x "$dir/passt" ]; then
		readelf -lW "$dir/passt" > "$dir/readelf.log" 2>&1 &&
			! grep -q INTERP "$dir/readelf.log"
		result $? static "passt isn't a static binary"

		# shellcheck disable=SC2086
		$run "$dir/passt" --version 2>&1 | grep -q '^passt '
		result $? version "passt --version doesn't run"
	fi

	if [ -n "$arch" ] && [ -f "$dir/seccomp.h" ]; then
		kh=
		[ -d "$dir/.kernel-headers" ] && kh="-isystem $dir/.kernel-headers"
		# shellcheck disable=SC2086
		nr=$(printf '#include <asm/unistd.h>\n__NR_write\n' |
		     $cc $kh -E -P - 2>/dev/null | tail -n 1 | tr -d ' \t')
		want="BPF_K, $nr, [0-9]*, 0),	/\\* write \\*/"
		grep -q "BPF_K, $arch, 1, 0)" "$dir/seccomp.h" &&
			grep -q "$want" "$dir/seccomp.h"
		result $? seccomp_target \
			"seccomp.h isn't for $arch with write as $nr"
	fi

	for t in "$dir"/test/unit/*.c; do
		name=$(basename "$t" .c)
		if [ -n "$run" ] && [ -n "${QEMU_SKIP[$name]:-}" ]; then
			echo "[$job] left out: unit/$name: ${QEMU_SKIP[$name]}"
			continue
		fi
		out=$dir/$name.log
		if [ ! -x "${t%.c}" ]; then
			result 1 "unit/$name" "not built"
			continue
		fi
		# shellcheck disable=SC2086
		(cd "$dir" && timeout "${TEST_TIMEOUT:-300}" $run \
			"test/unit/$name") > "$out" 2>&1
		rc=$?
		p=$(grep -ac '^PASS: ' "$out")
		f=$(grep -ac '^FAIL: ' "$out")
		grep -aE '^(PASS|FAIL): ' "$out" | sed "s|^|[$job] [unit/$name] |"
		if [ "$f" -ne 0 ] || [ "$rc" -ne 0 ] || [ "$p" -eq 0 ]; then
			grep -av '^PASS: ' "$out" | tail -n 20 | sed 's/^/    /'
			[ "$f" -eq 0 ] && f=1 &&
				echo "[$job] FAIL: unit/$name: status $rc"
		fi
		passed=$((passed + p)) failed=$((failed + f))
	done

	echo "[$job] $((SECONDS - start)) s"
	if [ "${PORTS_KEEP:-}" = 1 ]; then
		echo "[$job] scratch copy kept: $dir"
	else
		rm -rf "$dir"
	fi
}

summary=()
status=0
for job in "${jobs[@]}"; do
	passed=0 failed=0
	echo "== ports: $job (CC=${JOB_CC[$job]}${JOB_RUN[$job]:+, under ${JOB_RUN[$job]}})"
	run_job
	summary+=("ports: $job: $passed passed, $failed failed")
	[ "$failed" -eq 0 ] || status=1
done

echo
printf '%s\n' "${summary[@]}"
exit $status
