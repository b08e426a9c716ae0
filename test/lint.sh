#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Static analysis for `make lint`: clang-tidy (checks in .clang-tidy) and
# cppcheck (suppressions in test/cppcheck.supp) over the program's sources,
# and groff warnings in the manual pages.
# Exits non-zero if anything is reported.
# Usage: test/lint.sh [FILE.c]...  (default: every top-level .c file)

cd "$(dirname "$0")/.." || exit 1

files=("$@")
[ ${#files[@]} -eq 0 ] && files=(*.c)

# The same language and defines as the build (see Makefile)
defs=(-std=gnu11 -D_GNU_SOURCE -DPASST_VERSION='"lint"' -I.)
status=0

for tool in clang-tidy cppcheck groff; do
	if ! command -v "$tool" >/dev/null 2>&1; then
		echo "lint: $tool not installed (see test/deps.sh)" >&2
		exit 1
	fi
done

echo "lint: clang-tidy on ${#files[@]} files"
tidy_out=$(mktemp)
# Two at a time: the machines have two cores
printf '%s\n' "${files[@]}" |
	xargs -P 2 -I{} sh -c 'clang-tidy --quiet "$0" -- "$@" 2>&1 ||
			      echo "lint: clang-tidy failed on $0"' \
	      {} "${defs[@]}" > "$tidy_out"
if grep -qE 'warning:|error:|lint: clang-tidy failed' "$tidy_out"; then
	grep -vE '^[0-9]+ warnings? (and [0-9]+ errors? )?generated\.$' \
		"$tidy_out"
	status=1
fi
rm -f "$tidy_out"

echo "lint: cppcheck on ${#files[@]} files"
if ! cppcheck --quiet --std=c11 -D_GNU_SOURCE -D__linux__ \
	-DPASST_VERSION='"lint"' -I. \
	--enable=warning,style,performance,portability \
	--suppressions-list=test/cppcheck.supp --inline-suppr \
	--error-exitcode=1 \
	--template='{file}:{line}: {severity}: {message} [{id}]' \
	"${files[@]}"; then
	status=1
fi

# Manual pages: groff warnings are findings, and pasta.1 is only a .so of
# passt.1, the one manual
echo "lint: manual pages"
for page in passt.1 pasta.1; do
	if ! out=$(groff -man -Tutf8 -ww -z "$page" 2>&1) || [ -n "$out" ]; then
		echo "$page: groff: $out"
		status=1
	fi
done
if [ "$(grep -v '^\.\\"' pasta.1)" != ".so passt.1" ]; then
	echo "pasta.1: should be comments and '.so passt.1' only"
	status=1
fi

# The manual states how many system calls each seccomp filter allows on
# x86_64: the counts must be what seccomp.sh generates
if [ "$(uname -m)" = x86_64 ]; then
	echo "lint: seccomp counts in the manual"
	report=$(sh seccomp.sh --report ./*.c ./*.h)
	count() { echo "$report" | sed -n "s/^$1: \([0-9]*\) system calls/\1/p"; }
	want="hold $(count stream) system calls for passt with the"
	want2="qemu socket, $(count vu) for passt with vhost-user"
	want3="$(count pasta) for pasta"
	if ! grep -q "$want" passt.1 || ! grep -q "^$want2" passt.1 ||
	   ! grep -q "^$want3" passt.1; then
		echo "passt.1: SECURITY NOTES counts differ from seccomp.sh:"
		echo "$report" | grep 'system calls'
		status=1
	fi
fi

[ $status -eq 0 ] && echo "lint: clean"
exit $status
