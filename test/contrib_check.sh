#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Check the security profiles in contrib/ the way a distribution builds
# them: every AppArmor profile parsed by apparmor_parser (without loading
# it: no AppArmor is needed in the kernel), every SELinux module compiled
# with the reference policy's development Makefile (m4 expansion, then
# checkmodule and semodule_package), and the modules' interfaces expanded
# by a throw-away module that calls each of them.
# Usage: test/contrib_check.sh  (packages: apparmor, selinux-policy-dev)
# Prints PASS/FAIL lines and exits non-zero on any failure.

cd "$(dirname "$0")/.." || exit 1
failed=0 passed=0
work=$(mktemp -d) || exit 1
trap 'rm -rf "$work"' EXIT

pass() { echo "PASS: $1"; passed=$((passed + 1)); }
fail() { echo "FAIL: $1"; failed=$((failed + 1)); }

# AppArmor: -Q parses and compiles without loading, -K leaves the cache
# alone; abstractions come from contrib/apparmor first, then the system's
aa_check() {
	local f=$1 out

	if out=$(apparmor_parser -Q -K -I contrib/apparmor \
		 -I /etc/apparmor.d "$f" 2>&1); then
		pass "apparmor: $f"
	else
		fail "apparmor: $f: $(echo "$out" | grep -v '^Cache')"
	fi
}

SEL_MAKE=/usr/share/selinux/devel/Makefile

# SELinux: build NAME.pp from NAME.{te,if,fc}; the development Makefile
# exits non-zero on m4, checkmodule or packaging errors, and leaves any
# unexpanded macro for checkmodule to refuse
se_check() {
	local name=$1 out

	if out=$(make -C "$work/selinux" -f "$SEL_MAKE" "$name.pp" 2>&1) &&
	   [ -s "$work/selinux/$name.pp" ]; then
		pass "selinux: $name"
	else
		fail "selinux: $name: $(echo "$out" | tail -n 15)"
	fi
}

# Abstractions the profiles include must be ours: a system could have
# others of the same name (a distribution's passt package), which the
# parser would otherwise use without a word
aa_includes() {
	local f=$1 name missing=

	while read -r name; do
		[ -f "contrib/apparmor/abstractions/$name" ] ||
			missing="$missing $name"
	done < <(sed -n 's/^[[:space:]]*include <abstractions\/\(.*\)>.*/\1/p' \
		 "$f" | grep '^passt')
	if [ -z "$missing" ]; then
		pass "apparmor: $f: abstractions in contrib/apparmor"
	else
		fail "apparmor: $f: missing contrib/apparmor/abstractions/:$missing"
	fi
}

if command -v apparmor_parser >/dev/null 2>&1; then
	for f in contrib/apparmor/usr.bin.*; do
		aa_includes "$f"
		aa_check "$f"
	done
else
	fail "apparmor: apparmor_parser missing (install apparmor)"
fi

if command -v checkmodule >/dev/null 2>&1 && [ -f "$SEL_MAKE" ]; then
	mkdir -p "$work/selinux"
	cp contrib/selinux/*.te contrib/selinux/*.if contrib/selinux/*.fc \
	   "$work/selinux/"
	for te in contrib/selinux/*.te; do
		se_check "$(basename "$te" .te)"
	done

	# Interfaces are only expanded where called: call each one
	{
		echo 'policy_module(contrib_ifcheck, 0.1.0)'
		echo 'type contrib_ifcheck_t;'
		echo 'domain_type(contrib_ifcheck_t)'
		echo 'role system_r types contrib_ifcheck_t;'
		sed -n "s/^interface(\`\([a-z_]*\)',.*/\1/p" \
			contrib/selinux/*.if |
		while read -r i; do
			case $i in
			*_run) echo "$i(contrib_ifcheck_t, system_r)" ;;
			*) echo "$i(contrib_ifcheck_t)" ;;
			esac
		done
	} > "$work/selinux/contrib_ifcheck.te"
	: > "$work/selinux/contrib_ifcheck.fc"
	: > "$work/selinux/contrib_ifcheck.if"
	se_check contrib_ifcheck
else
	fail "selinux: checkmodule or $SEL_MAKE missing" \
	     "(install checkpolicy selinux-policy-dev)"
fi

echo
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
